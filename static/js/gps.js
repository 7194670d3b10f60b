/* The "use my position" button of a form with hidden latitude/longitude fields (the visit
   and intake forms). carenetGps(form, text, changed): `text` holds gpsWait, gpsDone (with
   {metres}) and gpsFailed; `changed(field)`, when given, is told the position moved. */
window.carenetGps = function (form, text, changed) {
  "use strict";
  var gps = form.querySelector("[data-gps]");
  if (!gps || !navigator.geolocation) return;
  var button = gps.querySelector("[data-gps-button]");
  var clear = gps.querySelector("[data-gps-clear]");
  var where = gps.querySelector("[data-gps-status]");
  var lat = form.elements.latitude, lon = form.elements.longitude;
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
