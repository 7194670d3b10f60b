/* The intake form (cases/intake.html): the GPS button, the count of problems ticked per
   area, the names of the files chosen, and no double sending on a slow connection. */
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) return;
  var text = document.getElementById("intake-text").dataset;
  form.classList.add("js"); // the styled "add photos" label stands in for the file input

  // --- GPS ------------------------------------------------------------------------------
  var gps = form.querySelector("[data-gps]");
  if (gps && navigator.geolocation) {
    var button = gps.querySelector("[data-gps-button]");
    var clear = gps.querySelector("[data-gps-clear]");
    var where = gps.querySelector("[data-gps-status]");
    var lat = form.elements.latitude, lon = form.elements.longitude;
    button.hidden = false;
    button.addEventListener("click", function () {
      where.textContent = text.gpsWait;
      navigator.geolocation.getCurrentPosition(function (position) {
        lat.value = position.coords.latitude.toFixed(6);
        lon.value = position.coords.longitude.toFixed(6);
        where.textContent = text.gpsDone.replace("{metres}", Math.round(position.coords.accuracy));
        clear.hidden = false;
      }, function () {
        where.textContent = text.gpsFailed;
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });
    clear.addEventListener("click", function () {
      lat.value = "";
      lon.value = "";
      where.textContent = "";
      clear.hidden = true;
    });
  }

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
