/* The wall's stage is drawn at 1920×1080 and scaled as a whole to the window (no reflow). The scale
   sits on a wrapper that htmx never swaps: the stage inside is replaced every minute. */
(function () {
  "use strict";
  function fit() {
    var scaler = document.getElementById("scaler");
    if (!scaler) return;
    var scale = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    scaler.style.transform = "scale(" + scale + ")";
  }
  window.addEventListener("resize", fit);
  document.addEventListener("DOMContentLoaded", fit);
  fit();
})();
