/* The admin's autocomplete fields (select2) name their box by its current value only, so an
   empty one has no accessible name (axe: aria-input-field-name). Point the box and its
   text at the field's own label as well. Runs after Django's autocomplete.js has built
   the boxes: jQuery's ready callbacks run in order and this file is deferred, and
   formset:added listeners too. */
(function () {
  "use strict";
  function labelled(element, labelId) {
    var ids = (element.getAttribute("aria-labelledby") || "").split(" ").filter(Boolean);
    if (ids.indexOf(labelId) === -1) {
      element.setAttribute("aria-labelledby", [labelId].concat(ids).join(" "));
    }
  }
  function nameBoxes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = select.id && document.querySelector('label[for="' + select.id + '"]');
      var container = select.nextElementSibling;
      if (!label || !container || !container.classList.contains("select2")) {
        return;
      }
      if (!label.id) {
        label.id = select.id + "-label";
      }
      container.querySelectorAll(".select2-selection, .select2-selection__rendered")
        .forEach(function (element) { labelled(element, label.id); });
    });
  }
  if (window.django && window.django.jQuery) {
    window.django.jQuery(function () { nameBoxes(document); });
  }
  document.addEventListener("formset:added", function (event) { nameBoxes(event.target); });
})();
