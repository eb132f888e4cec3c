/* The public booking page: the large-text, high-contrast mode (kept in localStorage) and
   the business/day picker that shows the times as soon as a choice changes. */
(function () {
  "use strict";
  var KEY = "booking-large";
  var root = document.documentElement;
  function stored() {
    try { return window.localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }
  function store(on) {
    try { window.localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode */ }
  }
  // Applied before the page is drawn (this script is loaded in the head), so no flash.
  if (stored()) { root.classList.add("booking-large"); }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.getElementById("booking-large");
    if (toggle) {
      toggle.setAttribute("aria-pressed", root.classList.contains("booking-large") ? "true" : "false");
      toggle.addEventListener("click", function () {
        var on = root.classList.toggle("booking-large");
        toggle.setAttribute("aria-pressed", on ? "true" : "false");
        store(on);
      });
    }
    var picker = document.querySelector("form[data-autosubmit]");
    if (picker) {
      picker.addEventListener("change", function () { picker.submit(); });
      var show = document.getElementById("booking-show");
      if (show) { show.classList.add("visually-hidden-focusable"); }
    }
  });
}());
