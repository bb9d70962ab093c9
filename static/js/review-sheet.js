// The rating sheet on the submission page (templates/workflow/includes/review_form.html):
// live factor totals and the sheet's outcome while the reviewer scores, the reasons shown only
// for a return, and the submit button saying what it will do. The thresholds, the factor that
// must pass and every label come from the page (workflow/review.py via data-* attributes); the
// server evaluates the sheet again when it is submitted, and its answer is the one that counts.
(function () {
  "use strict";

  function checkedValue(group) {
    var checked = group.querySelector("input[type=radio]:checked");
    return checked ? checked.value : null;
  }

  function factorResult(section, scored) {
    var groups = section.querySelectorAll(".sheet-item");
    var total = 0;
    var answered = 0;
    var yes = 0;
    groups.forEach(function (group) {
      var value = checkedValue(group);
      if (value === null) return;
      answered += 1;
      if (scored) total += parseInt(value, 10);
      else if (value === "yes") yes += 1;
    });
    var result = null;
    if (answered === groups.length) {
      if (scored) {
        var pass = parseInt(section.dataset.pass, 10);
        var conditional = parseInt(section.dataset.conditional, 10);
        result = total >= pass ? "passed" : total >= conditional ? "conditional_pass" : "failed";
      } else {
        result = yes === groups.length ? "passed" : "failed";
      }
    }
    return { total: scored ? total : yes, max: scored ? parseInt(section.dataset.max, 10) : groups.length,
      answered: answered, count: groups.length, result: result };
  }

  function setup(form) {
    var scored = form.dataset.scored === "1";
    var mustPass = form.dataset.mustPass;
    var passDecisions = (form.dataset.passDecisions || "").split(" ").filter(Boolean);
    var returnDecisions = (form.dataset.returnDecisions || "").split(" ").filter(Boolean);
    var outcomeOutput = form.querySelector("[data-outcome]");
    var warning = form.querySelector("[data-decision-warning]");
    var reasons = form.querySelector("[data-reasons]");
    var button = form.querySelector("button[type=submit][data-action-name=review]");
    var label = function (key) { return form.getAttribute("data-label-" + key) || key; };

    function decision() {
      var checked = form.querySelector("input[name$='-decision']:checked");
      return checked ? checked.value : "";
    }

    function update() {
      var results = {};
      var complete = true;
      form.querySelectorAll(".sheet-factor").forEach(function (section) {
        var result = factorResult(section, scored);
        results[section.dataset.factor] = result;
        if (result.result === null) complete = false;
        var output = section.querySelector("[data-factor-total]");
        if (output) {
          var text = result.total + " / " + result.max;
          if (result.result) text += " — " + label(result.result);
          else text += " (" + result.answered + " / " + result.count + " " + label("scored") + ")";
          output.textContent = text;
        }
      });
      var outcome = "";
      if (complete) {
        var values = Object.keys(results).map(function (key) { return results[key].result; });
        var mustFail = scored && results[mustPass] && results[mustPass].result !== "passed";
        if (mustFail || values.indexOf("failed") !== -1) outcome = "failed";
        else if (values.indexOf("conditional_pass") !== -1) outcome = "conditional_pass";
        else outcome = "passed";
      }
      outcomeOutput.textContent = outcome ? label(outcome) : label("incomplete");
      outcomeOutput.dataset.outcome = outcome;

      var chosen = decision();
      if (warning) {
        warning.hidden = !(outcome && outcome !== "passed" && passDecisions.indexOf(chosen) !== -1);
      }
      if (reasons) {
        // Without a choice yet, or when returning, the reasons stay in view.
        reasons.hidden = chosen !== "" && returnDecisions.indexOf(chosen) === -1;
      }
      if (button) {
        var radio = chosen ? form.querySelector("input[name$='-decision'][value='" + chosen + "']") : null;
        var text = radio && radio.labels && radio.labels.length ? radio.labels[0].textContent.trim() : "";
        button.textContent = text || button.dataset.defaultLabel;
        button.classList.toggle("serious", returnDecisions.indexOf(chosen) !== -1);
      }
    }

    form.addEventListener("change", update);
    update();
  }

  function init() {
    document.querySelectorAll("form[data-review-sheet]").forEach(setup);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
