/* Steps that ask first (district IT's replay, a calendar day's removal, a ledger reversal): a native modal dialog
   (focus kept inside, Esc closes it, nothing sent until its own form is submitted). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-dialog]");
    if (opener) document.getElementById(opener.dataset.openDialog).showModal();
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) closer.closest("dialog").close();
  });
})();
