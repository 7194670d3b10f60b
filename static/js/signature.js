/* Signature boxes (carenet.core.signature.SignatureWidget): every [data-signature] on the page,
   and in content htmx swaps in. The drawing goes into the hidden input as a PNG data URL after
   each stroke; "Clear" empties both. Needs signature_pad (vendor/signature_pad) loaded first. */
(function () {
  "use strict";

  function setUp(box) {
    if (box.dataset.signatureReady) return;
    box.dataset.signatureReady = "true";
    var canvas = box.querySelector("canvas");
    var input = box.querySelector("input[type=hidden]");
    var pad = new window.SignaturePad(canvas, { penColor: "#0b1f4b", minWidth: 0.8, maxWidth: 2.8 });

    // Draw at the screen's real resolution: the canvas's pixels follow its CSS size times
    // devicePixelRatio. Resizing clears a canvas, so the strokes are drawn again.
    function resize() {
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      var width = canvas.offsetWidth, height = canvas.offsetHeight;
      if (!width || !height) return;
      if (canvas.width === Math.round(width * ratio) && canvas.height === Math.round(height * ratio)) return;
      var strokes = pad.toData();
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      if (strokes.length) pad.fromData(strokes);
    }

    resize();
    window.addEventListener("resize", resize);
    // A form sent back with an error on another field keeps the drawing.
    if (input.value.indexOf("data:image/png;base64,") === 0) {
      pad.fromDataURL(input.value, { width: canvas.offsetWidth, height: canvas.offsetHeight });
    }
    pad.addEventListener("endStroke", function () {
      input.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    // A script that put a drawing back into the input (a copy kept on the phone) asks for it.
    box.addEventListener("carenet:redraw", function () {
      pad.clear();
      if (input.value.indexOf("data:image/png;base64,") === 0) {
        pad.fromDataURL(input.value, { width: canvas.offsetWidth, height: canvas.offsetHeight });
      }
    });
    box.querySelector("[data-signature-clear]").addEventListener("click", function () {
      pad.clear();
      input.value = "";
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function setUpAll(root) {
    (root || document).querySelectorAll("[data-signature]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  } else {
    setUpAll(document);
  }
  document.addEventListener("htmx:load", function (event) { setUpAll(event.target); });
})();
