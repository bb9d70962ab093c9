/* The receipt slip's Print button (an inline onclick would be refused by the admin's CSP). */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
});
