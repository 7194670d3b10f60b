/* Check-in (training): the camera scanner and the code box on the check-in page, and the
   volunteer's own QR page (keep the screen on, full screen).

   The scanner uses the qr-scanner package (served from vendor/qr-scanner), loaded only when
   staff start the camera. Every decoded text goes to the server as it is; the server decides
   (new / already / refused) and answers with the message and the new counts. The same code
   seen again within a few seconds is not sent again: the camera sees it many times a second. */
(function () {
  "use strict";

  const REPEAT_MS = 3000;

  function setupScanner(root) {
    const form = root.querySelector("[data-manual]");
    const input = form.querySelector("input[name=code]");
    const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    const url = form.action;
    const result = root.querySelector("#scan-result");
    const cameraBox = root.querySelector("[data-camera]");
    const video = root.querySelector("[data-video]");
    const startButton = root.querySelector("[data-camera-start]");
    const stopButton = root.querySelector("[data-camera-stop]");
    const note = root.querySelector("[data-camera-note]");
    const text = root.dataset;
    let scanner = null;
    let audio = null;
    let staleTimer = null;
    const recent = new Map(); // decoded text -> when it was last sent

    function beep(kind) {
      if (navigator.vibrate) navigator.vibrate(kind === "new" ? 80 : kind === "already" ? [60, 60, 60] : 300);
      if (!audio) return;
      const tones = kind === "new" ? [[1046, 0.12]] : kind === "already" ? [[660, 0.08], [660, 0.08]] : [[220, 0.35]];
      let at = audio.currentTime;
      for (const [freq, length] of tones) {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.frequency.value = freq;
        osc.type = kind === "refused" ? "square" : "sine";
        gain.gain.setValueAtTime(0.18, at);
        gain.gain.exponentialRampToValueAtTime(0.001, at + length);
        osc.connect(gain).connect(audio.destination);
        osc.start(at);
        osc.stop(at + length);
        at += length + 0.06;
      }
    }

    function unlockAudio() {
      // Browsers allow sound only after a tap: make the context on the first one.
      if (audio) return;
      const Context = window.AudioContext || window.webkitAudioContext;
      if (Context) audio = new Context();
    }

    function show(kind, message) {
      result.className = "scan-result " + kind;
      result.textContent = message;
      clearTimeout(staleTimer);
      staleTimer = setTimeout(() => result.classList.add("stale"), 5000);
    }

    function updateCounts(counts) {
      for (const [key, value] of Object.entries(counts || {})) {
        document.querySelectorAll('[data-count="' + key + '"]').forEach((el) => { el.textContent = value; });
      }
    }

    function markRow(id, time) {
      const row = document.querySelector('.invitee[data-invitation="' + id + '"]');
      if (!row || row.classList.contains("checked")) return;
      row.classList.add("checked");
      const done = document.createElement("span");
      done.className = "done";
      done.dataset.testid = "checked";
      done.textContent = "✓ " + time;
      const tickForm = row.querySelector("form");
      if (tickForm) tickForm.replaceWith(done);
    }

    async function send(code) {
      const body = new FormData();
      body.append("code", code);
      let data;
      try {
        const response = await fetch(url, {
          method: "POST",
          body,
          headers: { "X-CSRFToken": csrf, Accept: "application/json" },
          credentials: "same-origin",
        });
        if (!response.ok) throw new Error(String(response.status));
        data = await response.json();
      } catch (error) {
        recent.delete(code);
        show("refused", text.textOffline);
        beep("refused");
        return;
      }
      show(data.status, data.message);
      beep(data.status);
      updateCounts(data.counts);
      if (data.invitation && data.status !== "refused") markRow(data.invitation, data.time);
    }

    function decoded(code) {
      const now = Date.now();
      if (now - (recent.get(code) || 0) < REPEAT_MS) return;
      recent.set(code, now);
      send(code);
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      unlockAudio();
      const code = input.value;
      input.value = "";
      input.focus();
      send(code);
    });

    function cameraNote(message) {
      note.textContent = message;
      note.hidden = !message;
    }

    async function start() {
      unlockAudio();
      if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        cameraNote(text.textNoCamera);
        return;
      }
      startButton.disabled = true;
      cameraNote(text.textStarting);
      try {
        const { default: QrScanner } = await import(text.module);
        if (!scanner) {
          scanner = new QrScanner(video, (found) => decoded(found.data), {
            returnDetailedScanResult: true,
            preferredCamera: "environment",
            highlightScanRegion: true,
            highlightCodeOutline: true,
            maxScansPerSecond: 8,
          });
        }
        cameraBox.hidden = false;
        await scanner.start();
        cameraNote(text.textAim);
        startButton.hidden = true;
        stopButton.hidden = false;
      } catch (error) {
        cameraBox.hidden = true;
        cameraNote(text.textNoCamera);
      } finally {
        startButton.disabled = false;
      }
    }

    function stop() {
      if (scanner) scanner.stop();
      cameraBox.hidden = true;
      startButton.hidden = false;
      stopButton.hidden = true;
      cameraNote("");
    }

    startButton.addEventListener("click", start);
    stopButton.addEventListener("click", stop);
    document.addEventListener("visibilitychange", () => {
      if (document.hidden && scanner && !stopButton.hidden) stop();
    });
    // A tick on the list (htmx) also gets a sound.
    document.body.addEventListener("htmx:afterRequest", (event) => {
      const elt = event.detail.elt;
      if (elt && elt.matches && elt.matches("form[data-tick]")) {
        unlockAudio();
        beep(event.detail.successful ? "new" : "refused");
      }
    });
  }

  function setupMyQr(box) {
    // Keep the screen on while the code is shown (where the browser allows it).
    let lock = null;
    async function keepAwake() {
      try {
        if ("wakeLock" in navigator && document.visibilityState === "visible") lock = await navigator.wakeLock.request("screen");
      } catch (error) {
        lock = null;
      }
    }
    keepAwake();
    document.addEventListener("visibilitychange", () => { if (!lock || lock.released) keepAwake(); });
    const button = document.querySelector("[data-fullscreen]");
    if (button && box.requestFullscreen) {
      button.hidden = false;
      button.addEventListener("click", () => box.requestFullscreen().catch(() => {}));
    }
  }

  const scannerRoot = document.querySelector("[data-scanner]");
  if (scannerRoot) setupScanner(scannerRoot);
  const myQr = document.querySelector("[data-my-qr]");
  if (myQr) setupMyQr(myQr);
})();
