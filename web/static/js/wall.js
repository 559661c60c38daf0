/* The wall's stage is drawn at 1920×1080 and scaled as a whole to the window (no reflow);
   htmx replaces it every minute, so the scale is set again after each swap. */
(function () {
  "use strict";
  function fit() {
    var stage = document.getElementById("stage");
    if (!stage) return;
    var scale = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    stage.style.transform = "scale(" + scale + ")";
  }
  window.addEventListener("resize", fit);
  document.addEventListener("DOMContentLoaded", fit);
  document.addEventListener("htmx:afterSwap", fit);
  fit();
})();
