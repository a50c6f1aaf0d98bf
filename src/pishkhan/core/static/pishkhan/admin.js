/* The admin's autocomplete fields (select2) name their box by its current value only, so an
   empty one has no accessible name (axe: aria-input-field-name). Point the box and its
   text at the field's own label as well. Runs after Django's autocomplete.js has built
   the boxes: jQuery's ready callbacks run in order and this file is deferred, and
   formset:added listeners too.
   A read-only inline (an office's change history, say) scrolls sideways on a phone and
   holds nothing a keyboard can reach, so it cannot be scrolled without a mouse (axe:
   scrollable-region-focusable): it becomes a focusable region named by its heading. */
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
  var FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]";
  function reachInlines() {
    document.querySelectorAll(".inline-group").forEach(function (group) {
      if (group.querySelector(FOCUSABLE)) {
        return;
      }
      var heading = group.querySelector("h2");
      group.setAttribute("tabindex", "0");
      group.setAttribute("role", "region");
      if (heading) {
        if (!heading.id) {
          heading.id = group.id + "-heading";
        }
        group.setAttribute("aria-labelledby", heading.id);
      }
    });
  }
  reachInlines();
  if (window.django && window.django.jQuery) {
    window.django.jQuery(function () { nameBoxes(document); });
  }
  document.addEventListener("formset:added", function (event) { nameBoxes(event.target); });
})();
