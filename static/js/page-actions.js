/* Small page behaviours written as data attributes, so that no page needs an inline script
   (the Content-Security-Policy allows none without the page's nonce): data-print prints the
   page, data-autosubmit sends its form when its value changes, and data-confirm-click asks
   before a button does what it does. Folded rows of a list (details.fold: "see 15 more") open
   for printing, so that paper holds what the page says it shows; the stylesheet does the same
   where the browser allows it. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    if (event.target.closest("[data-print]")) {
      window.print();
      return;
    }
    var asking = event.target.closest("[data-confirm-click]");
    if (asking && !window.confirm(asking.dataset.confirmClick)) event.preventDefault();
  });
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details.fold"), function (d) {
      return !d.open;
    });
    opened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-autosubmit]")) {
      event.target.form.submit();
    }
  });
})();
