/* Wagtail's date, time and date-time pickers, started from an external script.
 *
 * Wagtail's own widget templates start each picker with an inline <script>, which the admin's
 * Content-Security-Policy (script-src 'self') refuses. Our copies of those templates
 * (templates/wagtailadmin/widgets/) load this file right after the input instead, with the same
 * arguments in data attributes; the browser fetches it once and runs it for each widget.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.chooser) {
    return;
  }
  var start = {
    date: window.initDateChooser,
    time: window.initTimeChooser,
    datetime: window.initDateTimeChooser,
  }[script.dataset.chooser];
  if (typeof start === "function") {
    start(script.dataset.for, JSON.parse(script.dataset.config || "{}"));
  }
})();
