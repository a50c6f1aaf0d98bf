/* Pishkhan forms, progressive: without this file nothing breaks.
   - After a refused submission, move the focus to the first invalid field so a keyboard
     or screen-reader user lands on it (Django marks it aria-invalid and points its
     aria-describedby at the error).
   - A checklist's "every document seen" box (hidden without this file) ticks or unticks
     every box of its fieldset, and shows whether they are all ticked.
   - The parcel lookup's «انتخاب این ملک برای ثبت» fills the registration form on the same
     page (its renewal code; the other parcel fields are emptied so they cannot name
     another parcel) instead of loading the page again and losing what was typed. */
(function () {
  "use strict";
  function focusFirstError() {
    var field = document.querySelector("main [aria-invalid='true']");
    if (field && typeof field.focus === "function") {
      field.focus();
    }
  }

  function checklists() {
    document.querySelectorAll("[data-checklist]").forEach(function (fieldset) {
      var all = fieldset.querySelector("[data-check-all]");
      if (!all) {
        return;
      }
      var boxes = Array.prototype.filter.call(
        fieldset.querySelectorAll("input[type=checkbox]"),
        function (box) { return box !== all; }
      );
      function sync() {
        var ticked = boxes.filter(function (box) { return box.checked; }).length;
        all.checked = ticked === boxes.length;
        all.indeterminate = ticked > 0 && ticked < boxes.length;
      }
      all.closest("label").hidden = false;
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
        sync();
      });
      boxes.forEach(function (box) { box.addEventListener("change", sync); });
      sync();
    });
  }

  var PARCEL_FIELDS = ["registration_section", "plate_main", "plate_sub", "postal_code"];
  function pickParcel(event) {
    var link = event.target.closest && event.target.closest("[data-pick-parcel]");
    var form = document.querySelector("form.case-new");
    var code = form && form.elements.namedItem("renewal_code");
    if (!link || !code) {
      return;  // the lookup's own page: follow the link
    }
    event.preventDefault();
    code.value = link.getAttribute("data-pick-parcel");
    PARCEL_FIELDS.forEach(function (name) {
      var input = form.elements.namedItem(name);
      if (input) {
        input.value = "";
      }
    });
    var note = form.querySelector(".parcel-picked");
    if (!note) {
      note = document.createElement("p");
      note.className = "parcel-picked message";
      note.setAttribute("role", "status");
      code.closest("fieldset").appendChild(note);
    }
    note.textContent = "ملک برگزیده شد: " + link.getAttribute("data-pick-label");
    code.focus();
  }

  function start() {
    focusFirstError();
    checklists();
    document.addEventListener("click", pickParcel);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
