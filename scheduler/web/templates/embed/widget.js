/* Library services: the booking widget. Put this where the widget should appear:
 *   <div data-library-booking="group/research-help" data-library="main"></div>
 *   <script src="{{ base }}/widget.js" async></script>
 * data-library-booking: "group/<slug>" or "topic/<slug>"; data-library (optional): the
 * library's slug; data-height (optional): the height in pixels before the frame reports
 * its own. The frame is shown only on sites the library has allowed. */
(function () {
  "use strict";
  var base = {{ base | tojson }};
  var origin = new URL(base).origin;
  var title = {{ _("Book a librarian") | tojson }};

  function place(el) {
    if (el.getAttribute("data-library-booking-placed")) return;
    var match = /^(group|topic)\/([A-Za-z0-9_-]{1,64})$/.exec(el.getAttribute("data-library-booking") || "");
    if (!match) return;
    var src = base + "/" + match[1] + "/" + match[2];
    var library = el.getAttribute("data-library");
    if (library) src += "?library=" + encodeURIComponent(library);
    var frame = document.createElement("iframe");
    frame.src = src;
    frame.title = el.getAttribute("data-title") || title;
    frame.loading = "lazy";
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.height = (parseInt(el.getAttribute("data-height"), 10) || 480) + "px";
    el.setAttribute("data-library-booking-placed", "true");
    el.appendChild(frame);
  }

  /* The framed page tells its height, so the frame needs no scroll bar of its own. */
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || data.type !== "library-booking-height") return;
    var frames = document.querySelectorAll("[data-library-booking] > iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        frames[i].style.height = Math.min(Math.max(Number(data.height) || 0, 120), 4000) + "px";
      }
    }
  });

  var elements = document.querySelectorAll("[data-library-booking]");
  for (var i = 0; i < elements.length; i++) place(elements[i]);
})();
