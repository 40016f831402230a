// When the patron's device is in another time zone than the library's, say so: the
// times on the page stay the library's (that is when the librarian is there).
(function () {
  var note = document.getElementById("zone-note");
  if (!note || !window.Intl || !Intl.DateTimeFormat) return;
  var yours = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!yours || yours === note.dataset.zone) return;
  var sample = note.dataset.sample;
  if (!sample) return;
  var when = new Date(sample);
  var fmt = function (zone) {
    return when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", timeZone: zone });
  };
  var extra = document.createElement("span");
  extra.className = "zone-yours";
  extra.textContent = " " + note.dataset.yours
    .replace("__ZONE__", yours.replace(/_/g, " "))
    .replace("__HERE__", fmt(note.dataset.zone))
    .replace("__YOURS__", fmt(yours));
  note.appendChild(extra);
})();
