// Live solver progress: poll the run's JSON state every second and update the bar and
// figures; when the run starts or ends, reload so the server renders its words and links.
(function () {
  "use strict";
  var box = document.getElementById("run-progress");
  if (!box || box.dataset.finished === "true") { return; }
  var url = box.dataset.stateUrl;
  var bar = document.getElementById("run-bar");
  function show(name, value) {
    var el = box.querySelector('[data-field="' + name + '"]');
    if (el) { el.textContent = (value === null || value === undefined) ? "–" : String(value); }
  }
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { return setTimeout(poll, 2000); }
        var pct = Math.round(s.progress * 100);
        bar.value = pct;
        bar.textContent = pct + " %";
        show("objective", s.objective);
        show("bound", s.bound);
        show("wall_time_s", s.wall_time_s === null ? 0 : s.wall_time_s);
        // A new state (started, finished) has its own words and links: let the server say them.
        if (s.finished || s.state !== box.dataset.state) { window.location.reload(); return; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 1000);
})();
