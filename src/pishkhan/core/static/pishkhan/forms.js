/* Pishkhan forms: after a refused submission, move the focus to the first invalid field
   so a keyboard or screen-reader user lands on it (Django marks it aria-invalid and points
   its aria-describedby at the error). Progressive: without it nothing breaks. */
(function () {
  "use strict";
  function focusFirstError() {
    var field = document.querySelector("main [aria-invalid='true']");
    if (field && typeof field.focus === "function") {
      field.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusFirstError);
  } else {
    focusFirstError();
  }
})();
