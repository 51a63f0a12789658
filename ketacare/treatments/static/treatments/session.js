// Live clocks on the session page and board: "12:34 left" until a time, then "met".
// No inline scripts (CSP): this file is loaded with `defer`.
(function () {
  "use strict";

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var end = Date.parse(el.getAttribute("data-countdown"));
      if (isNaN(end)) { return; }
      var left = Math.round((end - now) / 1000);
      if (left <= 0) {
        el.textContent = el.getAttribute("data-done-text") || "Observation time met";
        el.classList.add("countdown-done");
        return;
      }
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      el.textContent = (h ? h + ":" + pad(m) : m) + ":" + pad(s) + " left";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 1000);
  });
  // htmx swaps in new clocks: update them at once rather than on the next tick.
  document.addEventListener("htmx:afterSwap", tick);
})();
