// A shared PC left alone. The server signs a session out after CARENET_IDLE_MINUTES without a
// request, but the last page would stay on screen until the next click. So:
// - while someone uses the page without sending anything (a long note typed), the server is
//   told now and then, so that their session does not end under their fingers;
// - two minutes before the end, a page nobody has touched says so, with a button to stay;
// - once the time has passed, the page is asked for again: the server answers with the
//   sign-in page. A form typed into long ago is kept by form-keep.js and offered back.
(() => {
  const seconds = Number(document.body.dataset.idle || 0);
  const text = document.getElementById("idle-text");
  if (!seconds || !text) return;
  const margin = 15; // the server's clock and this one need not agree to the second
  const warnBefore = Math.min(120, seconds / 2);
  const nudgeEvery = Math.max(60, Math.min(300, seconds / 4)); // at most this often
  let used = 0; // the last time someone used the page
  let told = Date.now(); // the last time the server heard from this page
  let banner = null;

  const tellServer = () => {
    told = Date.now();
    const body = new FormData();
    body.append("csrfmiddlewaretoken", text.dataset.csrf);
    fetch(text.dataset.url, { method: "POST", body, credentials: "same-origin" })
      .then((answer) => { if (answer.status !== 204) location.replace(location.href); })
      .catch(() => {}); // offline: the next send or the reload settles it
  };
  const hideBanner = () => { banner?.remove(); banner = null; };
  const showBanner = () => {
    if (banner) return;
    banner = document.createElement("div");
    banner.className = "notice idle-warning";
    banner.setAttribute("role", "alert");
    banner.dataset.testid = "idle-warning";
    const line = document.createElement("p");
    line.textContent = text.dataset.warning;
    const stay = document.createElement("button");
    stay.type = "button";
    stay.className = "primary";
    stay.textContent = text.dataset.stay;
    stay.dataset.testid = "idle-stay";
    stay.addEventListener("click", () => { hideBanner(); tellServer(); });
    banner.append(line, stay);
    document.body.prepend(banner);
    stay.focus();
  };

  for (const kind of ["keydown", "input", "pointerdown", "wheel", "touchstart"]) {
    addEventListener(kind, () => { used = Date.now(); }, { capture: true, passive: true });
  }
  const check = () => {
    const now = Date.now();
    const quiet = (now - told) / 1000;
    if (quiet >= seconds + margin) {
      location.replace(location.href); // a GET, even after a sent form
      return;
    }
    if (used > told && quiet >= nudgeEvery) {
      hideBanner();
      tellServer(); // in use, though nothing was sent
    } else if (quiet >= seconds - warnBefore && used <= told) {
      showBanner();
    }
    setTimeout(check, 5000);
  };
  setTimeout(check, 5000);
})();
