// A shared PC left alone. The server signs a session out after CARENET_IDLE_MINUTES without a
// request, but the last page would stay on screen until the next click. Once that time has
// passed with nobody using this tab, the page is asked for again: the server answers with the
// sign-in page. A form typed into long ago is kept by form-keep.js and offered back.
(() => {
  const seconds = Number(document.body.dataset.idle || 0);
  if (!seconds) return;
  const margin = 15; // the server's clock and this one need not agree to the second
  let last = Date.now();
  for (const kind of ["keydown", "input", "pointerdown", "wheel", "touchstart"]) {
    addEventListener(kind, () => { last = Date.now(); }, { capture: true, passive: true });
  }
  const check = () => {
    const quiet = (Date.now() - last) / 1000;
    if (quiet >= seconds + margin) {
      location.replace(location.href); // a GET, even after a sent form
    } else {
      setTimeout(check, (seconds + margin - quiet) * 1000);
    }
  };
  setTimeout(check, (seconds + margin) * 1000);
})();
