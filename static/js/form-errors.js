// A form sent back with errors: its error summary takes the focus, so that a keyboard or
// screen-reader user hears what to fix instead of starting again at the top of the page. A link
// in it moves the focus to its field (a plain #link only scrolls), opening a folded section first.
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var folded = field.closest("details:not([open])");
    if (folded) folded.open = true;
    (field.closest("fieldset, .field") || field).scrollIntoView({block: "start"});
    field.focus({preventScroll: true});
  });
})();
