/* Small page behaviours written as data attributes, so that no page needs an inline script
   (the Content-Security-Policy allows none without the page's nonce): data-print prints the
   page, data-autosubmit sends its form when its value changes, and data-confirm-click asks
   before a button does what it does. */
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
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-autosubmit]")) {
      event.target.form.submit();
    }
  });
})();
