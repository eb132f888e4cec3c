/* The rating tablet's large-text, high-contrast mode (大字模式): the toggle in the corner
 * switches it, and the tablet keeps it (localStorage) until it is switched off. */
(function () {
  "use strict";

  var KEY = "hall-tablet-large";
  var toggle = document.getElementById("large-toggle");

  function stored() {
    try {
      return window.localStorage.getItem(KEY) === "1";
    } catch (error) {
      return false;
    }
  }

  function apply(on) {
    document.body.classList.toggle("tablet-large", on);
    if (toggle) {
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
    }
  }

  apply(stored());
  if (toggle) {
    toggle.addEventListener("click", function () {
      var on = !document.body.classList.contains("tablet-large");
      try {
        window.localStorage.setItem(KEY, on ? "1" : "0");
      } catch (error) {
        /* private mode: the mode lasts as long as the page */
      }
      apply(on);
    });
  }
})();
