/* The staff console: keyboard shortcuts, the item filter and the service timer.
   Everything works without this script (plain forms); it only saves keystrokes. */
(function () {
  "use strict";

  var form = document.getElementById("visit-form");
  if (!form) {
    return;
  }
  var ticket = document.getElementById("ticket-no");
  var filter = document.getElementById("item-filter");
  var picked = document.getElementById("items-picked");
  var noneMatch = document.getElementById("items-none-match");
  var chips = Array.prototype.slice.call(form.querySelectorAll(".console-item"));
  var buttons = Array.prototype.slice.call(form.querySelectorAll("button[data-key]"));
  var sending = false;

  function checkedCount() {
    return form.querySelectorAll('input[name="service_items"]:checked').length;
  }

  function submitWith(button) {
    if (!button || button.disabled || sending) {
      return;
    }
    if (form.requestSubmit) {
      form.requestSubmit(button);
    } else {
      button.click();
    }
  }

  form.addEventListener("submit", function (event) {
    if (sending) {
      event.preventDefault();
      return;
    }
    sending = true; /* a double press must not start or finish twice */
  });

  form.addEventListener("change", function () {
    if (picked) {
      picked.textContent = String(checkedCount());
    }
  });

  /* A barcode scanner types the ticket and Enter: start if items are picked, else go pick. */
  if (ticket) {
    ticket.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") {
        return;
      }
      event.preventDefault();
      ticket.value = ticket.value.trim().toUpperCase();
      if (form.dataset.serving === "1") {
        return;
      }
      if (checkedCount() > 0) {
        submitWith(document.getElementById("btn-start"));
      } else if (filter) {
        filter.focus();
      }
    });
  }

  if (filter) {
    filter.addEventListener("input", function () {
      var query = filter.value.trim().toLowerCase();
      var shown = 0;
      chips.forEach(function (chip) {
        var match = !query || chip.dataset.text.toLowerCase().indexOf(query) !== -1;
        chip.hidden = !match;
        shown += match ? 1 : 0;
      });
      if (noneMatch) {
        noneMatch.classList.toggle("d-none", shown > 0);
      }
    });
    /* Enter in the filter picks the one item left, never submits the form. */
    filter.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") {
        return;
      }
      event.preventDefault();
      var visible = chips.filter(function (chip) { return !chip.hidden; });
      if (visible.length === 1) {
        var box = visible[0].querySelector("input");
        box.checked = !box.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
        filter.value = "";
        filter.dispatchEvent(new Event("input"));
      }
    });
  }

  document.addEventListener("keydown", function (event) {
    var button = buttons.find(function (b) { return b.dataset.key === event.key; });
    if (button) {
      event.preventDefault();
      submitWith(button);
    }
  });

  var timer = document.getElementById("serving-timer");
  if (timer) {
    var started = Date.parse(timer.dataset.started);
    var tick = function () {
      var seconds = Math.max(0, Math.floor((Date.now() - started) / 1000));
      var h = Math.floor(seconds / 3600);
      var m = Math.floor((seconds % 3600) / 60);
      var s = seconds % 60;
      var pad = function (n) { return (n < 10 ? "0" : "") + n; };
      timer.textContent = h ? h + ":" + pad(m) + ":" + pad(s) : m + ":" + pad(s);
    };
    tick();
    window.setInterval(tick, 1000);
  }
  /* Signing out while a ticket is being served transfers it: ask first. */
  var signOut = document.getElementById("sign-out");
  if (signOut && signOut.dataset.confirm) {
    signOut.form.addEventListener("submit", function (event) {
      if (!window.confirm(signOut.dataset.confirm)) {
        event.preventDefault();
      }
    });
  }
  // Browser tests wait for this before typing: until now Enter would submit the plain form.
  document.documentElement.dataset.consoleReady = "1";
})();
