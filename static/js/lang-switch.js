// The language switch reloads the page: what was typed in a form on it would be lost. Ask
// first when a form has been changed; the language already shown does nothing.
(function () {
  var switcher = document.querySelector("form.lang-switch");
  if (!switcher) return;
  var changed = false;
  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (form && form !== switcher && (form.method || "").toLowerCase() === "post") changed = true;
  });
  document.addEventListener("submit", function (event) {
    if (event.target !== switcher) changed = false;  // the form itself is being sent
  }, true);
  switcher.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.classList.contains("current")) {
      event.preventDefault();
      return;
    }
    if (changed && !window.confirm(switcher.dataset.confirm)) event.preventDefault();
  });
})();
