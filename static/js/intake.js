/* The intake form (cases/intake.html): the GPS button, the count of problems ticked per
   area, the names of the files chosen, no double sending on a slow connection, and a copy of
   a new request kept on the phone until the server has it (a send lost on a weak signal
   would otherwise lose the form, the signature too).

   The phone's Back button after a request was sent brings the form back filled in (the
   browser puts back what was typed) but with a new form id. The copy on the phone knows the
   id that was sent: the form takes it back and says which request it became, so that
   sending it again opens that request instead of filing a second one. */
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
  // Photos go smaller on the phone first (photos.js): minutes less on a weak signal.
  var files = form.elements.documents, list = form.querySelector("[data-file-list]");
  var canSet = (function () { try { return !!new DataTransfer(); } catch (e) { return false; } })();
  var listFiles = function (chosen) {
    list.textContent = "";
    chosen.forEach(function (file) {
      var item = document.createElement("li");
      item.textContent = file.name + " (" + (file.size / 1048576).toFixed(1) + " MB)";
      list.appendChild(item);
    });
  };
  if (files && list) {
    files.addEventListener("change", function () {
      var picked = Array.prototype.slice.call(files.files);
      listFiles(picked);
      if (!canSet || !window.carenetShrinkPhoto) return;
      Promise.all(picked.map(window.carenetShrinkPhoto)).then(function (ready) {
        var transfer = new DataTransfer();
        ready.forEach(function (file) { transfer.items.add(file); });
        files.files = transfer.files;  // no change event: nothing runs twice
        listFiles(ready);
      });
    });
  }

  // --- A copy on this phone ---------------------------------------------------------------
  // Files cannot be kept. A copy whose form id the server has stored is dropped.
  if (form.dataset.household && window.localStorage) {
    // Per user, so that no one else at a shared PC is offered it (form-keep.js).
    var key = "carenet:intake:" + (document.body.dataset.user || "") + ":" + form.dataset.household;
    var sent = JSON.parse(form.dataset.sentForms || "[]");
    var KEEP_DAYS = 7;
    var collect = function () {
      var data = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === "action" ||
            el.type === "file" || el.type === "submit" || el.type === "button") return;
        if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
        (data[el.name] = data[el.name] || []).push(el.value);
      });
      return data;
    };
    var keep = function () {
      try {
        localStorage.setItem(key, JSON.stringify({ savedAt: Date.now(), data: collect() }));
      } catch (e) { /* private mode or a full phone: nothing kept */ }
    };
    var copy = null;
    try { copy = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { copy = null; }
    var uuid = copy && copy.data && (copy.data.client_uuid || [])[0];
    var stale = !copy || Date.now() - copy.savedAt > KEEP_DAYS * 86400000 || sent.indexOf(uuid) !== -1;
    var filed = uuid && document.querySelector('[data-sent-form="' + uuid + '"]');
    if (filed && cameBack()) {
      form.elements.client_uuid.value = uuid;
      filed.hidden = false;
      // The browser scrolls back to where the send button was: show the notice instead.
      var showFiled = function () {
        filed.scrollIntoView({ block: "start" });
        filed.focus({ preventScroll: true });
      };
      if (document.readyState === "complete") showFiled();
      else window.addEventListener("load", function () { setTimeout(showFiled, 0); });
    } else if (stale) {
      localStorage.removeItem(key);
    } else if (form.dataset.restore) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "file" ||
            el.type === "submit" || el.type === "button") return;
        var values = copy.data[el.name] || [];
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = values.indexOf(el.value) !== -1;
        } else if (values.length) {
          el.value = values[0];
        }
      });
      form.querySelectorAll("[data-signature]").forEach(function (box) {
        box.dispatchEvent(new Event("carenet:redraw"));
      });
      form.querySelectorAll(".problem-area").forEach(function (area) {
        var count = area.querySelectorAll("input:checked").length;
        area.querySelector("[data-count]").textContent = count ? String(count) : "";
      });
      var notice = document.querySelector("[data-restored]");
      if (notice) notice.hidden = false;
    }
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    form.addEventListener("submit", keep);
    var forget = document.querySelector("[data-forget-copy]");
    if (forget) {
      forget.addEventListener("click", function () {
        localStorage.removeItem(key);
        window.location.reload();
      });
    }
    document.querySelectorAll("[data-new-form]").forEach(function (link) {
      link.addEventListener("click", function () { localStorage.removeItem(key); });
    });
  }

  // Opened again by the Back button or a reload, not from a link: the browser may have put
  // back what was typed in a form that was sent.
  function cameBack() {
    var entry = window.performance && performance.getEntriesByType &&
      performance.getEntriesByType("navigation")[0];
    return !!entry && (entry.type === "back_forward" || entry.type === "reload");
  }

  // Back to the page kept whole in the browser's memory after sending it: load it again,
  // so that the server says whether that form was filed (the buttons stay disabled else).
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && form.dataset.sending) window.location.reload();
  });

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
