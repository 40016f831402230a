/* Inside the booking widget's frame: tell the page around it how tall we are. */
(function () {
  "use strict";
  if (window.parent === window) return;
  function report() {
    window.parent.postMessage(
      { type: "library-booking-height", height: document.documentElement.scrollHeight },
      "*"
    );
  }
  window.addEventListener("load", report);
  window.addEventListener("resize", report);
})();
