/* The export buttons: a province's file takes a minute or more to build before the first
   byte leaves, and the page would look idle meanwhile. On a click the buttons wait, the page
   says the file is being prepared, and the server's reply sets a cookie named by a token this
   script sends (`ready`): when it comes, the download has begun. */
(function () {
  "use strict";
  var form = document.querySelector("[data-export-form]");
  if (!form) return;
  var status = form.querySelector("[data-export-status]");
  var buttons = form.querySelectorAll("button[type=submit]");
  var token = form.querySelector("input[name=ready]");
  var WAIT_AT_MOST = 10 * 60 * 1000;

  function cookie(name) {
    var found = document.cookie.split("; ").filter(function (c) { return c.indexOf(name + "=") === 0; });
    return found.length ? found[0].slice(name.length + 1) : "";
  }

  function ready(state) {
    buttons.forEach(function (b) { b.disabled = state === "waiting"; });
    status.textContent = state === "waiting" ? status.dataset.waiting : state === "done" ? status.dataset.done : "";
  }

  form.addEventListener("submit", function () {
    token.value = Math.random().toString(36).slice(2, 12);
    var started = Date.now();
    // After the browser has taken the submit: a disabled button would send nothing.
    setTimeout(function () { ready("waiting"); }, 0);
    var timer = setInterval(function () {
      if (cookie("carenet_export") === token.value || Date.now() - started > WAIT_AT_MOST) {
        clearInterval(timer);
        ready(cookie("carenet_export") === token.value ? "done" : "");
      }
    }, 500);
  });
})();
