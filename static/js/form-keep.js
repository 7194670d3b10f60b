/* A copy of a form marked data-keep, kept on this phone until the server has taken it.

   At a doorstep the signal drops, or the session ends while a long form is open: the send
   is lost, and with it what was typed. So, as it is typed, the form is copied to this
   phone's storage. A send that lands on another page than the form (the server took it and
   moved on) drops the copy; a send that lands on the sign-in page keeps it. Opened again,
   the form offers the copy back: the fields the user changed, on top of what the page shows
   now (someone else may have saved the record meanwhile). Citizen IDs and document numbers are not kept on the
   phone: they are typed again. A copy is kept for three days at most.

   Offices share PCs. Every copy Carenet keeps on a device (these, the request-for-help and
   visit drafts) is keyed "carenet:<kind>:<user id>:...": signing out drops them all, and a
   page of another signed-in user drops those of the one before (left by a session that
   ended on its own), so that nobody is offered, or can read, another's drafts.

   The same forms are sent once: the buttons are disabled and say they are saving, so that
   a second tap on a slow connection does not send the form again. */
(function () {
  "use strict";
  var PREFIX = "carenet:keep:", SENT = "carenet:sent", KEEP_MS = 3 * 86400000;
  var NOT_KEPT = /citizen_id|document_no|password|csrfmiddlewaretoken/;
  var text = (document.getElementById("keep-text") || {}).dataset || {};
  var local, session;
  try {
    local = window.localStorage;
    session = window.sessionStorage;
    local.getItem(SENT);
  } catch (e) {
    return; // storage refused (a private window): the forms work as they are
  }

  var user = document.body.dataset.user || "";
  var forget = function (keepUser) {
    Object.keys(local).forEach(function (key) {
      var parts = key.split(":");
      if (parts[0] !== "carenet") return;
      if (keepUser && parts.length > 3 && parts[2] === keepUser) return;
      local.removeItem(key);
    });
  };
  if (user) forget(user);
  document.querySelectorAll("[data-logout]").forEach(function (form) {
    form.addEventListener("submit", function () { forget(""); });
  });

  // Where the last send landed.
  var sent = session.getItem(SENT);
  session.removeItem(SENT);
  if (sent) {
    sent = JSON.parse(sent);
    var signIn = document.querySelector("[data-login-form]");
    if (signIn) {
      // The page has the note only when the request it turned away was a form sent (POST).
      var note = document.querySelector("[data-keep-note]");
      var general = document.querySelector("[data-next-note]");
      if (note) note.hidden = false;
      if (note && general) general.hidden = true;
    } else if (sent.path !== window.location.pathname
               && !document.querySelector(".messages .error")) {
      // Landed elsewhere without a refusal: the server took the form.
      local.removeItem(sent.key);
    }
  }

  var fields = function (form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !NOT_KEPT.test(el.name) && ["file", "submit", "button", "hidden"]
        .indexOf(el.type) === -1;
    });
  };
  var collect = function (form) {
    var data = {};
    fields(form).forEach(function (el) {
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      (data[el.name] = data[el.name] || []).push(el.value);
    });
    return data;
  };
  // The fields the user changed on the page where the copy was made: restoring only those
  // keeps what others saved since (the page now shows it) instead of the old page's values.
  var changed = function (copy) {
    if (!copy.base) return null; // an older copy: all of it
    var names = Object.keys(copy.data).concat(Object.keys(copy.base));
    return names.filter(function (name) {
      return JSON.stringify(copy.data[name] || []) !== JSON.stringify(copy.base[name] || []);
    });
  };
  var fill = function (form, data, only) {
    fields(form).forEach(function (el) {
      if (only && only.indexOf(el.name) === -1) return;
      var values = data[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else {
        el.value = values.length ? values[0] : "";
      }
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
  };
  var when = function (time) {
    var date = new Date(time);
    return date.toLocaleString(document.documentElement.lang === "th" ? "th-TH" : "en-GB", {
      day: "numeric", month: "short", hour: "2-digit", minute: "2-digit"
    });
  };

  document.querySelectorAll("form[data-keep]").forEach(function (form) {
    var key = PREFIX + user + ":" + window.location.pathname + "#" + form.dataset.keep;
    var opened = collect(form);
    var copy = null;
    try { copy = JSON.parse(local.getItem(key) || "null"); } catch (e) { copy = null; }
    if (copy && Date.now() - copy.savedAt > KEEP_MS) {
      local.removeItem(key);
      copy = null;
    }
    // A form sent back with its errors, or with a warning (a possible duplicate), shows what
    // was typed already. Not a send refused for a stale edit: that page shows the saved
    // record, and the copy offers back the user's own changes on top of it.
    var answered = form.querySelector(".errorlist, [aria-invalid=true]")
      || (document.body.hasAttribute("data-answered") && !document.querySelector(".messages .error"));
    if (copy && !answered) {
      var offer = document.createElement("div");
      offer.className = "notice keep-offer";
      offer.setAttribute("role", "status");
      offer.dataset.testid = "keep-offer";
      var line = document.createElement("p");
      line.textContent = (text.offer || "").replace("{time}", when(copy.savedAt));
      var back = document.createElement("button");
      back.type = "button";
      back.className = "primary";
      back.textContent = text.restore;
      back.dataset.testid = "keep-restore";
      var drop = document.createElement("button");
      drop.type = "button";
      drop.className = "button";
      drop.textContent = text.discard;
      var buttons = document.createElement("p");
      buttons.className = "actions";
      buttons.append(back, " ", drop);
      offer.append(line, buttons);
      form.parentNode.insertBefore(offer, form);
      back.addEventListener("click", function () {
        fill(form, copy.data, changed(copy));
        offer.remove();
      });
      drop.addEventListener("click", function () {
        local.removeItem(key);
        offer.remove();
      });
    }
    var keep = function () {
      try {
        local.setItem(key, JSON.stringify({ savedAt: Date.now(), data: collect(form), base: opened }));
      } catch (e) { /* a full phone: nothing kept */ }
    };
    form.addEventListener("input", keep);
    form.addEventListener("change", function (event) {
      if (event.isTrusted) keep();
    });
    form.addEventListener("submit", function (event) {
      if (form.dataset.sending) {
        event.preventDefault();
        return;
      }
      keep();
      session.setItem(SENT, JSON.stringify({ key: key, path: window.location.pathname }));
      form.dataset.sending = "true";
      var pressed = event.submitter;
      if (pressed && pressed.name) {
        // A disabled button is not sent: its value goes in a hidden input instead.
        var carry = document.createElement("input");
        carry.type = "hidden";
        carry.name = pressed.name;
        carry.value = pressed.value;
        form.appendChild(carry);
      }
      if (pressed && text.sending) {
        pressed.dataset.label = pressed.textContent;
        pressed.textContent = text.sending;
      }
      form.querySelectorAll("[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });
  // Back to a page kept in the browser's memory after a send: the buttons work again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-keep][data-sending]").forEach(function (form) {
      delete form.dataset.sending;
      form.querySelectorAll("[type=submit]").forEach(function (b) {
        b.disabled = false;
        if (b.dataset.label) b.textContent = b.dataset.label;
      });
    });
  });
})();
