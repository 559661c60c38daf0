/* The console's only script of its own. Pages work without it (plain forms, server-rendered);
   with it: photos are re-encoded to JPEG ≤ 1600 px before upload, a form marked data-outbox is
   kept in IndexedDB (idb-keyval) until the server has it, each with its own Idempotency-Key, so a
   resend can never make a second report; drafts survive a closed tab; htmx sends the CSRF token. */
(function () {
  "use strict";
  var MAX_PHOTOS = 9, LONG_EDGE = 1600, JPEG_QUALITY = 0.8;
  var OLD_AFTER_MS = 20 * 3600 * 1000; // the gateway keeps idempotency answers 24 h
  var store = window.idbKeyval;
  var text = document.getElementById("i18n") ? document.getElementById("i18n").dataset : {};
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var flushing = null; // the flush under way: another waits for it, then looks again
  var track = null; // the patrol page's tracker, when a patrol is on the way
  var inHand = {}; // ids this page is sending from its own form: a flush leaves them alone

  function say(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function newKey() {
    // A lowercase UUID (version 4) even where randomUUID is missing (plain http): the platform takes it as an id.
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrf;
  });

  // A question that needs the network (the wizard's possible duplicates) is not asked without one: it
  // could only fail, and the report goes through the outbox all the same.
  document.addEventListener("htmx:confirm", function (event) {
    if (!navigator.onLine && event.target.closest("[data-needs-network]")) event.preventDefault();
  });

  /* ---- photos: re-encoded in the browser ---- */

  function reencode(file) {
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, LONG_EDGE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) { blob ? resolve(blob) : reject(new Error("toBlob")); }, "image/jpeg", JPEG_QUALITY);
      });
    });
  }

  function photosOf(form) { return form._photos || (form._photos = []); }

  function showPhotos(form) {
    var list = form.querySelector("[data-photo-list]");
    if (!list) return;
    list.innerHTML = "";
    photosOf(form).forEach(function (blob, index) {
      var item = document.createElement("li");
      var img = document.createElement("img");
      img.src = URL.createObjectURL(blob);
      img.alt = say(list.dataset.alt, { n: index + 1 });
      var remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = list.dataset.remove;
      remove.setAttribute("aria-label", say(list.dataset.removeLabel, { n: index + 1 }));
      remove.addEventListener("click", function () {
        photosOf(form).splice(index, 1);
        showPhotos(form);
        saveDraft(form);
      });
      item.appendChild(img);
      item.appendChild(remove);
      list.appendChild(item);
    });
  }

  function takePhotos(input) {
    var form = input.form, status = form.querySelector("[data-photo-status]");
    var files = Array.prototype.slice.call(input.files || []);
    var room = MAX_PHOTOS - photosOf(form).length;
    var note = files.length > room ? text.photoTooMany : "";
    files = files.slice(0, Math.max(room, 0));
    var done = 0;
    return files.reduce(function (chain, file) {
      return chain.then(function () {
        if (status) status.textContent = say(text.photoWorking, { n: ++done, count: files.length });
        return reencode(file).then(function (blob) { photosOf(form).push(blob); },
                                   function () { note = text.photoFailed; });
      });
    }, Promise.resolve()).then(function () {
      input.value = ""; // the originals never go up: only the re-encoded copies
      if (status) status.textContent = note;
      showPhotos(form);
      saveDraft(form);
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("input[type=file][data-photos]")) takePhotos(event.target);
  });

  /* ---- drafts: what is typed survives a closed tab ---- */

  function draftKey(form) { return "draft:" + location.pathname + ":" + (form.id || form.action); }

  function fieldsOf(form) {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === "file" || el.type === "submit" || el.type === "button") return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      fields.push([el.name, el.value]);
    });
    return fields;
  }

  function saveDraft(form) {
    if (!store || !form.hasAttribute("data-draft")) return;
    var fields = fieldsOf(form).filter(function (f) { return f[0] !== "csrf_token"; });
    store.set(draftKey(form), { fields: fields, photos: photosOf(form), saved_at: Date.now() });
  }

  function restoreDraft(form) {
    if (!store || !form.hasAttribute("data-draft")) return Promise.resolve();
    return store.get(draftKey(form)).then(function (draft) {
      if (!draft) return;
      draft.fields.forEach(function (pair) {
        var els = form.querySelectorAll('[name="' + pair[0] + '"]');
        Array.prototype.forEach.call(els, function (el) {
          if (el.type === "checkbox" || el.type === "radio") { if (el.value === pair[1]) el.checked = true; }
          else el.value = pair[1];
        });
      });
      form._photos = draft.photos || [];
      showPhotos(form);
      showUnitsOf(form);
      form.dispatchEvent(new Event("draft-restored"));
    });
  }

  /* ---- the outbox ---- */

  function outboxItems() {
    if (!store) return Promise.resolve([]);
    return store.entries().then(function (entries) {
      return entries.filter(function (e) { return String(e[0]).indexOf("outbox:") === 0; })
        .map(function (e) { return e[1]; })
        .sort(function (a, b) { return a.created_at - b.created_at; });
    });
  }

  function showCount() {
    return outboxItems().then(function (items) {
      var banner = document.getElementById("outbox-banner");
      if (banner) {
        banner.hidden = items.length === 0;
        document.getElementById("outbox-count-text").textContent = say(text.outboxWaiting, { count: items.length });
      }
      document.querySelectorAll("[data-outbox-count]").forEach(function (el) { el.textContent = items.length; });
      return items;
    });
  }

  function send(item) {
    // Known to be offline: do not even try (the item simply waits); a network that only seems up fails below.
    if (!navigator.onLine) return Promise.resolve({ sent: false, kept: true, offline: true });
    var body = new FormData();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.set("csrf_token", csrf); // the sign-in's current token, even for an item saved before a new sign-in
    item.photos.forEach(function (blob, i) { body.append("photos", blob, "photo-" + (i + 1) + ".jpg"); });
    return fetch(item.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf }  // the item's key is its form's field
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        // 5xx: the platform did not take it; it stays queued like an offline item.
        // Sent only when the console answered where to go next: a page instead (a sign-in form) is not a send.
        return { sent: response.ok && Boolean(answer.redirect), kept: response.status >= 500 || response.status === 401
                 || (response.ok && !answer.redirect), status: response.status, answer: answer };
      });
    }, function () {
      return { sent: false, kept: true, offline: true };
    });
  }

  function flush() {
    if (!store) return Promise.resolve();
    if (flushing) return flushing.then(flush);
    var progress = document.getElementById("outbox-progress");
    var sent = 0;
    flushing = outboxItems().then(function (items) {
      var queued = items.filter(function (i) { return i.state !== "failed" && !inHand[i.id]; });
      return queued.reduce(function (chain, item, index) {
        return chain.then(function (stop) {
          if (stop) return true;
          if (progress) progress.textContent = say(text.outboxSending, { n: index + 1, count: queued.length });
          return send(item).then(function (result) {
            if (result.sent) { sent++; return store.del("outbox:" + item.id).then(function () { return false; }); }
            if (result.kept) return result.offline; // offline: stop trying the rest until the network is back
            item.state = "failed";
            item.error = (result.answer && result.answer.title) || String(result.status);
            return store.set("outbox:" + item.id, item).then(function () { return false; });
          });
        });
      }, Promise.resolve(false)).then(function () {
        if (progress && queued.length) progress.textContent = say(text.outboxSent, { count: sent });
      });
    }).finally(function () {
      flushing = null;
      showCount();
      showOutboxPage();
      document.dispatchEvent(new CustomEvent("outbox-flushed", { detail: { sent: sent } }));
    });
    return flushing;
  }

  function showErrors(form, answer) {
    var box = form.querySelector("[data-form-errors]");
    form.querySelectorAll(".field-error[data-generated]").forEach(function (el) { el.remove(); });
    (answer.errors || []).forEach(function (error) {
      var field = form.querySelector('[name="' + error.field + '"]');
      if (!field) return;
      var message = document.createElement("p");
      message.className = "field-error";
      message.dataset.generated = "1";
      message.id = "error-" + error.field;
      message.textContent = error.message;
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", message.id);
      field.insertAdjacentElement("afterend", message);
    });
    if (box) {
      box.hidden = false;
      box.textContent = [answer.title, answer.next_step].filter(Boolean).join(" ");
      box.focus();
    }
  }

  function submitThroughOutbox(form) {
    var keyField = form.querySelector('[name="idempotency_key"]');
    var item = { id: keyField.value, created_at: Date.now(), action: form.action, title: form.dataset.outbox,
                 fields: fieldsOf(form), photos: photosOf(form).slice(), state: "waiting" };
    var status = form.querySelector("[data-submit-status]");
    var button = form.querySelector("[type=submit]");
    if (button) button.disabled = true;
    inHand[item.id] = true;
    return store.set("outbox:" + item.id, item).then(function () {
      if (form.hasAttribute("data-draft")) store.del(draftKey(form));
      return send(item);
    }).then(function (result) {
      if (result.sent) {
        // "Me too" from the wizard: the report it stood for will not be made, so its draft goes.
        var drafted = form.dataset.clearsDraft && document.getElementById(form.dataset.clearsDraft);
        return Promise.all([store.del("outbox:" + item.id), drafted ? store.del(draftKey(drafted)) : null])
          .then(function () { location.href = result.answer.redirect || location.href; });
      }
      if (result.kept) {
        return showCount().then(function (items) {
          if (status) status.textContent = say(text.offlineSaved, { count: items.length });
          form.reset();
          form._photos = [];
          showPhotos(form);
          keyField.value = newKey();
          form.dispatchEvent(new CustomEvent("outbox-kept", { bubbles: true, detail: item }));
        });
      }
      // Refused (a field at fault, a state that changed): the person is here, so the form keeps it.
      return store.del("outbox:" + item.id).then(function () {
        keyField.value = newKey(); // the gateway keeps the refusal under the old key
        showErrors(form, result.answer || {});
        saveDraft(form);
      });
    }).finally(function () {
      delete inHand[item.id];
      if (button) button.disabled = false;
      showCount();
    });
  }

  // A step's moment is when the person took it, not when the outbox got it through (capture: first).
  document.addEventListener("submit", function (event) {
    event.target.querySelectorAll("input[data-now]").forEach(function (field) {
      field.value = new Date().toISOString();
    });
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!store || !form.hasAttribute("data-outbox")) return;
    event.preventDefault();
    // A patrol's end comes after its track: the points the page still holds are queued and sent first.
    var before = form.hasAttribute("data-after-track") && track ? track.stop().then(flush) : Promise.resolve();
    before.then(function () { submitThroughOutbox(form); });
  });

  document.addEventListener("input", function (event) {
    if (event.target.form && event.target.type !== "file") saveDraft(event.target.form);
  });

  /* ---- the report wizard: one step at a time (without script every step shows at once) ---- */

  function wizard(form) {
    var steps = Array.prototype.slice.call(form.querySelectorAll("[data-step]"));
    var nav = form.querySelector("[data-wizard-nav]");
    var back = form.querySelector("[data-wizard-back]"), next = form.querySelector("[data-wizard-next]");
    var counter = form.querySelector("[data-step-counter]");
    var at = 0;
    function review() {
      form.querySelectorAll("[data-review-of]").forEach(function (dd) {
        var name = dd.dataset.reviewOf, field = form.querySelector('[name="' + name + '"]:checked') ||
          form.querySelector('[name="' + name + '"]:not([type=radio]):not([type=checkbox])');
        if (name === "urgent") dd.textContent = form.querySelector('[name="urgent"]').checked ? dd.dataset.yes : dd.dataset.no;
        else dd.textContent = field ? (field.dataset.reviewText || field.value) : "";
      });
      var photos = form.querySelector("[data-review-photos]");
      if (photos) photos.textContent = say(photos.dataset.unit, { count: photosOf(form).length });
    }
    function show(index) {
      at = Math.max(0, Math.min(index, steps.length - 1));
      steps.forEach(function (step, i) { step.hidden = i !== at; });
      back.hidden = at === 0;
      next.hidden = at === steps.length - 1;
      if (counter) counter.textContent = (at + 1) + " / " + steps.length;
      if (at === steps.length - 1) review();
      var heading = steps[at].querySelector("h2");
      if (heading) { heading.tabIndex = -1; heading.focus(); }
    }
    next.addEventListener("click", function () {
      var fields = steps[at].querySelectorAll("input, textarea, select");
      for (var i = 0; i < fields.length; i++) { if (!fields[i].reportValidity()) return; }
      show(at + 1);
    });
    back.addEventListener("click", function () { show(at - 1); });
    form.addEventListener("reset", function () { setTimeout(function () { show(0); }, 0); });
    nav.hidden = false;
    show(0);
  }

  /* ---- building → unit: the unit list shows the chosen building's units only ---- */

  function showUnitsOf(area) {
    area.querySelectorAll("[data-units]").forEach(function (building) {
      building.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  document.addEventListener("change", function (event) {
    var building = event.target;
    if (!building.dataset || !building.dataset.units) return;
    var units = document.getElementById(building.dataset.units);
    Array.prototype.forEach.call(units.options, function (option) {
      option.hidden = Boolean(option.dataset.building) && option.dataset.building !== building.value;
    });
    if (units.selectedOptions[0] && units.selectedOptions[0].hidden) units.value = "";
  });

  /* ---- the patrol: its track and the steps the outbox holds ---- */

  var OPEN_TRACK = "track-open:", MAX_TRACK_POINTS = 500;

  // The track goes through the outbox like every step. Points are kept in IndexedDB as they come, in
  // a batch of their own (not yet an outbox item, so the banner does not count a minute's points);
  // sealed into the outbox to be sent every minute online, when the patrol ends, and when the page goes.
  function tracker(note) {
    if (!navigator.geolocation || !store) return null;
    var open = null, points = [], recorded = 0, writing = Promise.resolve();
    function seal() {
      var batch = open;
      open = null;
      points = [];
      if (!batch) return writing;
      writing = writing.then(function () { return store.set("outbox:" + batch.id, batch); })
        .then(function () { return store.del(OPEN_TRACK + batch.id); });
      return writing.then(showCount);
    }
    var watch = navigator.geolocation.watchPosition(function (where) {
      if (!open) {
        open = { id: newKey(), created_at: Date.now(), action: new URL(note.dataset.track, location.href).href,
                 title: note.dataset.title, fields: [], photos: [], state: "waiting" };
      }
      // The moment the page took the sample: a position the phone cached may be older than the patrol.
      points.push({ at: new Date().toISOString(), latitude: where.coords.latitude,
                    longitude: where.coords.longitude });
      open.fields = [["points", JSON.stringify(points)]];
      var batch = open;
      writing = writing.then(function () { return store.set(OPEN_TRACK + batch.id, batch); });
      note.textContent = say(note.dataset.recording, { count: ++recorded });
      if (points.length >= MAX_TRACK_POINTS) seal();
    }, function () {}, { enableHighAccuracy: true, maximumAge: 30000 });
    var timer = setInterval(function () { if (navigator.onLine) seal().then(flush); }, 60000);
    window.addEventListener("pagehide", seal);
    return {
      send: function () { return seal().then(flush); },
      stop: function () {
        navigator.geolocation.clearWatch(watch);
        clearInterval(timer);
        return seal();
      }
    };
  }

  // A batch a closed page could not seal (the browser was killed): into the outbox with the rest.
  function adoptOpenTracks() {
    if (!store) return Promise.resolve();
    return store.entries().then(function (entries) {
      return Promise.all(entries.filter(function (e) { return String(e[0]).indexOf(OPEN_TRACK) === 0; })
        .map(function (e) {
          return store.set("outbox:" + e[1].id, e[1]).then(function () { return store.del(e[0]); });
        }));
    });
  }

  function patrolPage(page) {
    var walk = page.querySelector("[data-patrol]"), starter = page.querySelector("[data-patrol-start]");
    var placeholder = page.dataset.placeholder;
    var startAction = new URL(page.dataset.startAction, location.href).href;
    function endAction(id) { return new URL(page.dataset.endAction.replace(placeholder, id), location.href).href; }
    function walking() { return !walk.hidden; }
    function start() {
      var note = walk.querySelector("[data-track]");
      if (note) track = tracker(note);
    }
    function showQueuedCheckIns() {
      var list = walk.querySelector("[data-check-ins]"), form = walk.querySelector("[data-patrol-check-in]");
      return outboxItems().then(function (items) {
        list.querySelectorAll("[data-queued-item]").forEach(function (li) { li.remove(); });
        items.filter(function (i) { return i.action === form.action; }).forEach(function (item) {
          var fields = {};
          item.fields.forEach(function (pair) { fields[pair[0]] = pair[1]; });
          var li = document.createElement("li"), line = document.createElement("p"), chip = document.createElement("span");
          li.className = "card";
          li.dataset.queuedItem = "1";
          chip.className = "chip plain";
          chip.textContent = list.dataset.queued;
          line.appendChild(chip);
          line.appendChild(document.createTextNode(" " + say(list.dataset.building, { b: fields.building }) +
            (fields.unit ? " · " + fields.unit : "")));
          li.appendChild(line);
          list.appendChild(li);
        });
        walk.querySelector("[data-no-check-ins]").hidden = list.children.length > 0;
      });
    }
    function showQueued(id) {
      // The placeholder becomes the queued start's key, which the platform will take as the patrol's id.
      walk.querySelectorAll("form").forEach(function (form) {
        form.setAttribute("action", form.getAttribute("action").replace(placeholder, id));
      });
      var note = walk.querySelector("[data-track]");
      note.dataset.track = note.dataset.track.replace(placeholder, id);
      walk.dataset.patrol = id;
      walk.hidden = false;
      starter.hidden = true;
      start();
      return showQueuedCheckIns();
    }
    function showEnded() {
      if (track) track.stop();
      track = null;
      walk.hidden = true;
      starter.hidden = false;
      starter.querySelector("[data-patrol-ended]").hidden = false;
    }
    page.addEventListener("outbox-kept", function (event) {
      var form = event.target;
      if (form.matches("[data-patrol-start-form]")) showQueued(event.detail.id);
      else if (form.matches("[data-patrol-end]")) showEnded();
      else if (form.matches("[data-patrol-check-in]")) showQueuedCheckIns();
    });
    // Once what the page showed as waiting has reached the platform, the platform's own page is the truth.
    document.addEventListener("outbox-flushed", function (event) {
      var waiting = page.querySelector("[data-queued-item]") || !starter.querySelector("[data-patrol-ended]").hidden ||
        (walk.hasAttribute("data-queued-patrol") && walking());
      if (event.detail.sent && waiting) location.reload();
    });
    return outboxItems().then(function (items) {
      function ended(id) { return items.some(function (i) { return i.action === endAction(id); }); }
      if (walk.hasAttribute("data-queued-patrol")) {
        var queued = items.filter(function (i) { return i.action === startAction && !ended(i.id); }).pop();
        if (queued) return showQueued(queued.id);
        if (items.some(function (i) { return /\/patrol\/[^/]+\/end$/.test(i.action); })) showEnded();
      } else if (ended(walk.dataset.patrol)) {
        showEnded();
      } else {
        start();
        return showQueuedCheckIns();
      }
    });
  }

  /* ---- 使用当前位置: WGS-84 from the phone, only when asked ---- */

  function locator(area) {
    if (!navigator.geolocation) return;
    var status = area.querySelector("[data-locate-status]");
    area.hidden = false;
    area.querySelector("[data-locate-button]").addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (where) {
        var lat = where.coords.latitude.toFixed(6), lon = where.coords.longitude.toFixed(6);
        area.querySelector('[name="latitude"]').value = lat;
        area.querySelector('[name="longitude"]').value = lon;
        status.textContent = say(status.dataset.done, { lat: lat, lon: lon });
        saveDraft(area.closest("form"));
      }, function () { status.textContent = status.dataset.failed; }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.dataset || !box.dataset.filter) return;
    var words = box.value.trim().toLowerCase();
    var area = document.getElementById(box.dataset.filter);
    area.querySelectorAll(".choice").forEach(function (choice) {
      choice.hidden = words !== "" && choice.textContent.toLowerCase().indexOf(words) < 0;
    });
    area.querySelectorAll("fieldset").forEach(function (group) {
      group.hidden = !group.querySelector(".choice:not([hidden])");
    });
  });

  /* ---- the outbox page ---- */

  function age(ms) {
    var minutes = Math.max(0, Math.round(ms / 60000));
    if (minutes < 60) return minutes + " min";
    return Math.floor(minutes / 60) + " h " + (minutes % 60) + " min";
  }

  function showOutboxPage() {
    var list = document.getElementById("outbox-list");
    if (!list) return Promise.resolve();
    return outboxItems().then(function (items) {
      list.innerHTML = "";
      if (!items.length) {
        var empty = document.createElement("li");
        empty.className = "empty";
        empty.textContent = list.dataset.empty;
        list.appendChild(empty);
      }
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.className = "card";
        var title = document.createElement("h3");
        title.textContent = item.title;
        var meta = document.createElement("p");
        meta.className = "meta";
        meta.textContent = say(list.dataset.age, { age: age(Date.now() - item.created_at) });
        li.appendChild(title);
        li.appendChild(meta);
        if (Date.now() - item.created_at > OLD_AFTER_MS) {
          var old = document.createElement("p");
          old.className = "field-error";
          old.textContent = list.dataset.old;
          li.appendChild(old);
        }
        if (item.state === "failed") {
          var error = document.createElement("p");
          error.className = "field-error";
          error.textContent = list.dataset.error + item.error;
          li.appendChild(error);
        }
        var actions = document.createElement("div");
        actions.className = "actions";
        var retry = document.createElement("button");
        retry.type = "button";
        retry.textContent = list.dataset.retry;
        retry.addEventListener("click", function () {
          item.state = "waiting";
          store.set("outbox:" + item.id, item).then(flush);
        });
        var remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = list.dataset.delete;
        remove.addEventListener("click", function () { store.del("outbox:" + item.id).then(flush); });
        actions.appendChild(retry);
        actions.appendChild(remove);
        li.appendChild(actions);
        list.appendChild(li);
      });
    });
  }

  function showNetwork() {
    var note = document.getElementById("offline-note");
    if (note) note.hidden = navigator.onLine;
  }

  window.addEventListener("online", flush);
  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);
  document.addEventListener("submit", function (event) {
    // Signing out: the lists kept for offline use go with the sign-in.
    if (event.target.matches("[data-sign-out]") && window.caches) caches.delete("console-pages-v1");
  });
  document.addEventListener("DOMContentLoaded", function () {
    showNetwork();
    if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js");
    // Not signed in (no outbox banner): no one's lists stay behind for the next person.
    if (!document.getElementById("outbox-banner") && window.caches) caches.delete("console-pages-v1");
    var sendNow = document.getElementById("outbox-send-now");
    if (sendNow) sendNow.addEventListener("click", flush);
    document.querySelectorAll("form[data-wizard]").forEach(wizard);
    document.querySelectorAll("[data-locate]").forEach(locator);
    showUnitsOf(document);
    document.querySelectorAll("form[data-draft]").forEach(restoreDraft);
    var patrol = document.querySelector("[data-patrol-page]");
    adoptOpenTracks().then(function () { return patrol && patrolPage(patrol); }).then(function () {
      showCount();
      showOutboxPage();
      if (navigator.onLine) flush();
    });
  });
  window.consoleOutbox = { flush: flush, items: outboxItems };
  window.consoleTrack = { send: function () { return track ? track.send() : flush(); } };
})();
