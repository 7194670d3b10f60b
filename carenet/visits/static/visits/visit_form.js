/* The visit form on a phone with a weak signal: drafts, photos and the GPS position.
 *
 * Drafts. What is typed is copied to this phone (localStorage) at once, and sent to the
 * server (visits:draft_save) a moment after each change and every 10 seconds while there is
 * something new. When the server cannot take it (no signal, or the session ended and the
 * request lands on the sign-in page) the copy on the phone stays; after signing in again,
 * opening the form puts it back, unless the server's draft is newer or that form was already
 * recorded. The confirmation page removes the copy.
 *
 * Photos. Each photo taken is added to the ones before (a camera input replaces its files
 * otherwise), shown as a thumbnail with a remove button, and made smaller on the phone
 * before sending when the browser can; the server shrinks and checks every photo anyway.
 *
 * No framework: this runs on cheap phones. Without JavaScript the form still works.
 */
(function () {
  "use strict";
  var form = document.getElementById("visit-form");
  if (!form) return;
  var text = document.getElementById("visit-form-text").dataset;
  var status = form.querySelector("[data-draft-status]");
  var key = form.dataset.storageKey;
  var recent = (form.dataset.recentUuids || "").split(" ").filter(Boolean);
  var serverSaved = parseInt(form.dataset.serverSaved || "0", 10);
  var maxBytes = parseInt(form.dataset.maxPhotoBytes || "0", 10);
  var maxPhotos = parseInt(form.dataset.maxPhotos || "8", 10);
  var SKIP = { csrfmiddlewaretoken: true, photos: true };
  var dirty = false, saving = false, timer = null, submitting = false;

  form.classList.add("js");

  // --- What the form holds ---------------------------------------------------------------
  function collect() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.disabled || el.type === "file" ||
          el.type === "submit" || el.type === "button") return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      (data[el.name] = data[el.name] || []).push(el.value);
    });
    return data;
  }

  function apply(data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "file" || el.type === "submit" ||
          el.type === "button") return;
      var values = data[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (values.length) {
        el.value = values[0];
      }
    });
    countProblems();
  }

  function body(data) {
    var params = new URLSearchParams();
    params.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    Object.keys(data).forEach(function (name) {
      data[name].forEach(function (value) { params.append(name, value); });
    });
    return params;
  }

  // --- The copy on this phone -------------------------------------------------------------
  function keepLocally() {
    try {
      localStorage.setItem(key, JSON.stringify({ savedAt: Date.now(), data: collect() }));
    } catch (e) { /* private mode or full: the server draft still works */ }
  }

  function localCopy() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function restoreLocal() {
    var copy = localCopy();
    if (!copy || !copy.data) return;
    var uuid = (copy.data.client_uuid || [])[0];
    if (uuid && recent.indexOf(uuid) !== -1) {  // that form was recorded already
      localStorage.removeItem(key);
      return;
    }
    if (copy.savedAt <= serverSaved + 1000) return;  // the server's draft is as new
    if (JSON.stringify(copy.data) === JSON.stringify(collect())) return;
    apply(copy.data);
    dirty = true;
    show(text.restored, false);
    schedule(1500);
  }

  // --- The server's draft -----------------------------------------------------------------
  function show(message, failed, link) {
    if (!status) return;
    status.textContent = message + " ";
    status.classList.toggle("failed", !!failed);
    if (link) {
      var a = document.createElement("a");
      a.href = form.dataset.loginUrl;
      a.textContent = text.signIn;
      status.appendChild(a);
    }
  }

  function save() {
    timer = null;
    if (!dirty || saving || submitting) return;
    saving = true;
    dirty = false;
    show(text.saving, false);
    fetch(form.dataset.draftUrl, {
      method: "POST",
      body: body(collect()),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
    }).then(function (response) {
      var json = (response.headers.get("content-type") || "").indexOf("application/json") !== -1;
      if (response.ok && json && !response.redirected) {
        return response.json().then(function (answer) {
          if (answer.saved_at) serverSaved = answer.saved_at;
          show(answer.label, false);
        });
      }
      dirty = true;
      // Sent to the sign-in page, or the CSRF token died with the session.
      var signedOut = response.redirected || response.status === 403 || response.status === 401;
      show(signedOut ? text.signedOut : text.failed, true, signedOut);
    }).catch(function () {
      dirty = true;
      show(text.offline, true);
    }).then(function () { saving = false; });
  }

  function schedule(delay) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  function changed(event) {
    if (event.target && event.target.type === "file") return;
    dirty = true;
    keepLocally();
    if (event.type === "change") schedule(1500);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  // The assessment is optional, but all or nothing: started by mistake, it can be emptied.
  var clearAssessment = form.querySelector("[data-qa-clear]");
  if (clearAssessment) {
    clearAssessment.addEventListener("click", function () {
      var boxes = form.querySelectorAll("[data-testid=assessment] input[type=radio]");
      boxes.forEach(function (box) { box.checked = false; });
      if (boxes.length) boxes[0].dispatchEvent(new Event("change", { bubbles: true }));
    });
  }
  setInterval(function () { if (dirty) save(); }, 10000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty && !submitting && navigator.sendBeacon) {
      if (navigator.sendBeacon(form.dataset.draftUrl, body(collect()))) dirty = false;
    }
  });
  // One send at a time, and a word while it goes: photos on a weak signal take a while.
  var submitButton = form.querySelector("[data-testid=submit]");
  form.addEventListener("submit", function (event) {
    if (submitting) { event.preventDefault(); return; }
    keepLocally();
    if (navigator.onLine === false) {  // the browser's own error page would say nothing of it
      event.preventDefault();
      show(text.notSent, true);
      if (status) status.scrollIntoView({ block: "center" });
      return;
    }
    submitting = true;
    // Told to the sign-in page, should the session have ended on the way (form-keep.js reads
    // it there and says that what was sent is not saved; the draft brings it back).
    try {
      sessionStorage.setItem("carenet:sent", JSON.stringify({ key: "", path: window.location.pathname }));
    } catch (e) { /* private mode: the sign-in page says less */ }
    show(text.sending, false);
    if (submitButton) setTimeout(function () { submitButton.disabled = true; }, 0);
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;  // back from a send that failed: the form works again
    submitting = false;
    if (submitButton) submitButton.disabled = false;
  });
  var discard = document.querySelector("form[data-discard]");
  if (discard) discard.addEventListener("submit", function () { localStorage.removeItem(key); });

  // --- Problems: how many are ticked in each area -----------------------------------------
  function countProblems() {
    Array.prototype.forEach.call(form.querySelectorAll(".problem-area"), function (area) {
      var n = area.querySelectorAll("input:checked").length;
      var badge = area.querySelector("[data-count]");
      if (badge) badge.textContent = n ? String(n) : "";
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest(".problem-area")) countProblems();
  });

  // --- Photos -----------------------------------------------------------------------------
  var input = form.querySelector("input[type=file][name=photos]");
  var list = form.querySelector("[data-photo-list]");
  var chosen = [];
  var canSet = (function () { try { return !!new DataTransfer(); } catch (e) { return false; } })();

  function megabytes(size) { return (size / 1048576).toFixed(1); }
  function shown(size) { return size < 1048576 ? Math.round(size / 1024) + " KB" : megabytes(size) + " MB"; }

  function render() {
    var transfer = new DataTransfer();
    chosen.forEach(function (file) { transfer.items.add(file); });
    input.files = transfer.files;
    list.textContent = "";
    chosen.forEach(function (file, index) {
      var item = document.createElement("li");
      if (/^image\//.test(file.type)) {
        var img = document.createElement("img");
        img.src = URL.createObjectURL(file);
        img.alt = file.name;
        item.appendChild(img);
      } else {
        item.textContent = file.name;
      }
      var size = document.createElement("span");
      size.className = "photo-size";
      size.textContent = shown(file.size);
      item.appendChild(size);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "×";
      remove.setAttribute("aria-label", text.removePhoto);
      remove.addEventListener("click", function () { chosen.splice(index, 1); render(); });
      item.appendChild(remove);
      list.appendChild(item);
    });
  }

  if (input && list && canSet) {
    input.addEventListener("change", function () {
      var added = Array.prototype.slice.call(input.files);
      Promise.all(added.map(window.carenetShrinkPhoto)).then(function (files) {
        var refused = [];
        files.forEach(function (file) {
          // Refused here rather than by the server, which would drop the good photos too.
          if (!file.size) {
            refused.push(text.photoEmpty.replace("{name}", file.name));
          } else if (/hei[cf]$/i.test(file.type) || /\.hei[cf]$/i.test(file.name)) {
            refused.push(text.photoHeic.replace("{name}", file.name));
          } else if (!/^image\//.test(file.type) || file.carenetUnreadable) {
            refused.push(text.photoNotImage.replace("{name}", file.name));
          } else if (maxBytes && file.size > maxBytes) {
            refused.push(text.photoTooLarge.replace("{name}", file.name).replace("{size}", megabytes(file.size)));
          } else if (chosen.length >= maxPhotos) {
            refused.push(text.tooManyPhotos);
          } else {
            chosen.push(file);
          }
        });
        render();
        if (refused.length) alert(refused.join("\n"));
      });
    });
  }

  window.carenetGps(form, text, function (field) {
    changed({ type: "change", target: field });
  });

  restoreLocal();
  countProblems();
})();
