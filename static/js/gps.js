/* The "use my position" button beside a form's latitude/longitude fields, which sit inside
   the same [data-gps] block (hidden on the visit and intake forms, boxes on the household
   forms). carenetGps(form, text, changed): `text` holds gpsWait, gpsDone (with {metres}) and
   gpsFailed; `changed(field)`, when given, is told the position moved. A [data-gps] block
   that carries those texts itself (data-gps-wait ...) needs no script of its own. */
window.carenetGps = function (form, text, changed) {
  "use strict";
  var gps = form.querySelector("[data-gps]");
  if (!gps || !navigator.geolocation) return;
  var button = gps.querySelector("[data-gps-button]");
  var clear = gps.querySelector("[data-gps-clear]");
  var where = gps.querySelector("[data-gps-status]");
  var lat = gps.querySelector("input[name$='latitude']");
  var lon = gps.querySelector("input[name$='longitude']");
  var told = changed || function () {};
  button.hidden = false;
  button.addEventListener("click", function () {
    where.textContent = text.gpsWait;
    navigator.geolocation.getCurrentPosition(function (position) {
      lat.value = position.coords.latitude.toFixed(6);
      lon.value = position.coords.longitude.toFixed(6);
      where.textContent = text.gpsDone.replace("{metres}", Math.round(position.coords.accuracy));
      clear.hidden = false;
      told(lat);
    }, function () {
      where.textContent = text.gpsFailed;
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  });
  clear.addEventListener("click", function () {
    lat.value = "";
    lon.value = "";
    where.textContent = "";
    clear.hidden = true;
    told(lat);
  });
};

document.querySelectorAll("[data-gps][data-gps-wait]").forEach(function (gps) {
  "use strict";
  window.carenetGps(gps.closest("form"), gps.dataset);
});
