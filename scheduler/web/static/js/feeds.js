// Calendar feed pages: copy buttons and a confirmation before links are reset.
// Loaded as a file (the Content-Security-Policy allows no inline script); without
// JavaScript the addresses can still be selected and copied by hand.
(function () {
  "use strict";

  function announce(key) {
    var status = document.getElementById("copy-status");
    if (!status) return;
    status.textContent = "";
    // A fresh text node, so that screen readers announce a repeated message too.
    window.setTimeout(function () { status.textContent = status.dataset[key] || ""; }, 50);
  }

  function copyFallback(input) {
    input.focus();
    input.select();
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.dataset.copy);
      if (!input) return;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(
          function () { announce("copied"); },
          function () { announce(copyFallback(input) ? "copied" : "failed"); }
        );
      } else {
        announce(copyFallback(input) ? "copied" : "failed");
      }
    });
  });

  document.querySelectorAll("input[readonly][id^='feed-']").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
})();
