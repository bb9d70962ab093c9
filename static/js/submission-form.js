/* The submission form (workflow.admin_forms): loaded as a file, never inline, because the admin's
 * Content-Security-Policy allows scripts from this site only (script-src 'self').
 *
 * - Shows the fields of the chosen kind only (blocks carry data-submission-kinds; the edit form
 *   comes with the right ones hidden already, since the kind is fixed once saved).
 * - Marks the learner's consent as needed only while "learner named or pictured" is ticked.
 * - The language list (TermPicker): a filter box over the checkboxes and a "Chosen:" line.
 * - A link to a field (#field-<name>, from the checklist on the submission page) puts the
 *   keyboard focus in that field.
 * Without this script every field shows and the lists are plain scrolling checkbox lists.
 */
(function () {
  "use strict";

  function start() {
    var form = document.querySelector("[data-submission-form]");
    if (!form) {
      return;
    }
    form = form.closest("form") || form;

    // -- fields of the chosen kind ----------------------------------------------------------
    var kindField = form.querySelector("[name=kind]");

    function showKind() {
      if (!kindField) {
        return;
      }
      var kind = kindField.value;
      form.querySelectorAll("[data-submission-kinds]").forEach(function (block) {
        var kinds = block.getAttribute("data-submission-kinds").split(" ");
        block.hidden = !kind || kinds.indexOf(kind) === -1;
      });
    }

    if (kindField) {
      kindField.addEventListener("change", showKind);
      showKind();
    }

    // -- the consent is needed while the learner is named or pictured ----------------------
    form.querySelectorAll("[data-needed-when]").forEach(function (block) {
      var box = form.querySelector("[name=" + block.getAttribute("data-needed-when") + "]");
      var mark = block.querySelector(".w-required-mark");
      if (!box || !mark) {
        return;
      }
      function follow() {
        mark.hidden = !box.checked;
      }
      box.addEventListener("change", follow);
      follow();
    });

    // -- the term picker (languages) ------------------------------------------------------------
    function fold(text) {
      // Case and accents do not matter when finding a term ("ilóko" finds "Iloko").
      return text
        .normalize("NFD")
        .replace(/[\u0300-\u036f]/g, "")
        .toLowerCase()
        .trim();
    }

    form.querySelectorAll("[data-term-picker]").forEach(function (picker) {
      var search = picker.querySelector("[data-term-picker-search]");
      var filter = picker.querySelector("[data-term-picker-filter]");
      var chosen = picker.querySelector("[data-term-picker-chosen]");
      var noMatch = picker.querySelector("[data-term-picker-no-match]");
      var boxes = Array.prototype.slice.call(picker.querySelectorAll("input[type=checkbox]"));

      function row(box) {
        return box.closest("label") ? box.closest("label").parentElement : box.parentElement;
      }

      function labelOf(box) {
        var label = box.closest("label");
        return label ? label.textContent.trim() : box.value;
      }

      function showChosen() {
        var names = boxes.filter(function (box) {
          return box.checked;
        }).map(labelOf);
        chosen.textContent = names.length
          ? picker.getAttribute("data-label-chosen") + " " + names.join(", ")
          : picker.getAttribute("data-label-none");
      }

      function applyFilter() {
        var wanted = fold(filter.value);
        var shown = 0;
        boxes.forEach(function (box) {
          var match = !wanted || fold(labelOf(box)).indexOf(wanted) !== -1;
          row(box).hidden = !match;
          shown += match ? 1 : 0;
        });
        noMatch.hidden = shown > 0;
      }

      search.hidden = false;
      filter.addEventListener("input", applyFilter);
      filter.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          // Enter in the filter must not save the form: it goes to the first term found.
          event.preventDefault();
          var first = boxes.find(function (box) {
            return !row(box).hidden;
          });
          if (first) {
            first.focus();
          }
        } else if (event.key === "Escape" && filter.value) {
          event.preventDefault();
          filter.value = "";
          applyFilter();
        }
      });
      boxes.forEach(function (box) {
        box.addEventListener("change", showChosen);
      });
      showChosen();
    });

    // -- a link to a field focuses it ----------------------------------------------------------
    function focusTarget() {
      var id = decodeURIComponent(window.location.hash.slice(1));
      if (id.indexOf("field-") !== 0) {
        return;
      }
      var block = document.getElementById(id);
      if (!block) {
        return;
      }
      var field = block.querySelector(
        "input:not([type=hidden]):not([hidden]), select, textarea"
      );
      if (field) {
        field.focus({ preventScroll: true });
        block.scrollIntoView({ block: "center" });
      }
    }

    window.addEventListener("hashchange", focusTarget);
    // After the admin's own scripts have set the page up (they would move the focus again).
    if (document.readyState === "complete") {
      focusTarget();
    } else {
      window.addEventListener("load", function () {
        window.setTimeout(focusTarget, 0);
      });
    }
  }

  // The admin loads form scripts in the page's head: wait for the form.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
