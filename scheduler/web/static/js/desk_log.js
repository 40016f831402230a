/* The desk log: a tap is queued in localStorage and the queue is sent whenever the
   network is there, oldest first. Every entry carries a UUID made here, so an entry
   sent twice (the answer was lost) is stored once. Without this script the page is a
   plain form. Also: the desk's guide filters as you type; "/" jumps to its search. */
(function () {
  "use strict";

  var KEY = "desk-log-queue";
  var form = document.getElementById("desk-form");
  var status = document.getElementById("desk-status");

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return name in values ? String(values[name]) : all;
    });
  }

  function say(text) {
    if (status) status.textContent = text;
  }

  function newUuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function load() {
    try {
      var q = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(q) ? q : [];
    } catch (e) {
      return [];
    }
  }

  function store(queue) {
    localStorage.setItem(KEY, JSON.stringify(queue));
  }

  function forget(uuid) {
    store(load().filter(function (e) { return e.client_uuid !== uuid; }));
  }

  if (form && window.fetch && window.localStorage) {
    var csrf = form.querySelector("input[name=csrf_token]").value;
    var sending = false;

    var entryFromForm = function () {
      var entry = {};
      new FormData(form).forEach(function (value, key) {
        if (key !== "csrf_token" && value !== "") entry[key] = value;
      });
      entry.handed_over = entry.handed_over === "1";
      entry.client_uuid = newUuid();
      entry.asked_at = new Date().toISOString();
      return entry;
    };

    var resetTaps = function () {
      ["category", "read_scale"].forEach(function (name) {
        form.querySelectorAll("input[name=" + name + "]").forEach(function (i) { i.checked = false; });
      });
      var shortest = form.querySelector("input[name=duration][value=under_5]");
      if (shortest) shortest.checked = true;
      form.querySelectorAll("select, textarea").forEach(function (el) { el.value = ""; });
      var handed = form.querySelector("input[name=handed_over]");
      if (handed) handed.checked = false;
    };

    var refreshCsrf = function () {
      return fetch(form.dataset.csrfUrl, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (body) { csrf = body.csrf_token; });
    };

    var outcomeOf = function (response) {
      if (response.ok) return Promise.resolve({ kind: "done" });
      if ([400, 403, 404, 422].indexOf(response.status) < 0) return Promise.resolve({ kind: "keep" });
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.status === 400 && body.fields && body.fields.csrf_token) {
          return refreshCsrf().then(function () { return { kind: "retry" }; },
                                    function () { return { kind: "keep" }; });
        }
        return { kind: "drop", reason: body.error || String(response.status) };
      });
    };

    var flush = function () {
      if (sending) return;
      var queue = load();
      if (!queue.length) return;
      sending = true;
      var entry = queue[0];
      fetch(form.dataset.api, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(entry)
      })
        .then(outcomeOf, function () { return { kind: "keep" }; })
        .then(function (outcome) {
          sending = false;
          if (outcome.kind === "done" || outcome.kind === "drop") {
            forget(entry.client_uuid);
            if (outcome.kind === "drop") say(fill(form.dataset.msgRefused, { reason: outcome.reason }));
            else if (!load().length) say(form.dataset.msgSent);
            flush();
          } else if (outcome.kind === "retry") {
            flush();
          } else {
            say(fill(form.dataset.msgOffline, { num: load().length }));
          }
        });
    };

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var queue = load();
      queue.push(entryFromForm());
      store(queue);
      resetTaps();
      say(fill(form.dataset.msgQueued, { num: queue.length }));
      flush();
    });
    window.addEventListener("online", flush);
    window.setInterval(flush, 15000);
    flush();
  }

  var search = document.getElementById("guide-q");
  var list = document.getElementById("guide-list");
  if (search && list) {
    var none = document.getElementById("guide-none");
    search.addEventListener("input", function () {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      list.querySelectorAll("li").forEach(function (li) {
        var text = li.getAttribute("data-text") || "";
        var match = words.every(function (w) { return text.indexOf(w) >= 0; });
        li.hidden = !match;
        if (match) shown += 1;
      });
      if (none) none.hidden = shown > 0;
    });
    document.addEventListener("keydown", function (event) {
      var tag = (event.target.tagName || "").toLowerCase();
      if (event.key === "/" && ["input", "textarea", "select"].indexOf(tag) < 0) {
        event.preventDefault();
        search.focus();
      }
    });
  }
})();
