// Connected calendars: while a sync runs, ask the server every two seconds whether it is
// done and then reload, so the page shows what was read (without JavaScript the page
// refreshes itself instead).
(function () {
  "use strict";
  var rows = document.querySelectorAll("[data-calendar-syncing]");
  if (!rows.length) { return; }
  var tries = 0;
  function poll() {
    tries += 1;
    if (tries > 60) { return; }
    var pending = Array.prototype.map.call(rows, function (row) {
      return fetch(row.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { syncing: false }; });
    });
    Promise.all(pending)
      .then(function (states) {
        if (states.some(function (s) { return s.syncing; })) { setTimeout(poll, 2000); return; }
        window.location.reload();
      })
      .catch(function () { setTimeout(poll, 4000); });
  }
  setTimeout(poll, 2000);
})();
