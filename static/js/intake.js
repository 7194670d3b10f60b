/* The intake form (cases/intake.html): the GPS button, the count of problems ticked per
   area, the names of the files chosen, and no double sending on a slow connection. */
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) return;
  var text = document.getElementById("intake-text").dataset;
  form.classList.add("js"); // the styled "add photos" label stands in for the file input

  window.carenetGps(form, text);

  // --- Problems ticked per area ---------------------------------------------------------
  form.addEventListener("change", function (event) {
    var area = event.target.closest && event.target.closest(".problem-area");
    if (!area) return;
    var count = area.querySelectorAll("input:checked").length;
    area.querySelector("[data-count]").textContent = count ? String(count) : "";
  });

  // --- Files chosen ---------------------------------------------------------------------
  var files = form.elements.documents, list = form.querySelector("[data-file-list]");
  if (files && list) {
    files.addEventListener("change", function () {
      list.textContent = "";
      Array.prototype.forEach.call(files.files, function (file) {
        var item = document.createElement("li");
        item.textContent = file.name + " (" + (file.size / 1048576).toFixed(1) + " MB)";
        list.appendChild(item);
      });
    });
  }

  // --- One send at a time ---------------------------------------------------------------
  form.addEventListener("submit", function (event) {
    if (form.dataset.sending) { event.preventDefault(); return; }
    form.dataset.sending = "true";
    var pressed = event.submitter;
    if (pressed) {
      // A disabled button is not sent: carry its value in a hidden input instead.
      var carry = document.createElement("input");
      carry.type = "hidden";
      carry.name = pressed.name;
      carry.value = pressed.value;
      form.appendChild(carry);
      pressed.textContent = text.sending;
    }
    form.querySelectorAll("[type=submit]").forEach(function (b) { b.disabled = true; });
  });
})();
