/* The ticket kiosk: the large-text mode, the clock, one ticket per tap, the ticket page's
   print and return. Everything works without this script (plain forms). */
(function () {
  "use strict";

  var LARGE_KEY = "hall-kiosk-large";
  var AUTOPRINT_KEY = "hall-kiosk-autoprint";
  var root = document.documentElement;
  var configElement = document.getElementById("kiosk-config");
  var config = configElement ? JSON.parse(configElement.textContent) : null;

  function stored(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (error) {
      return null;
    }
  }

  function store(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (error) {
      /* private mode: the setting lasts for this page only */
    }
  }

  /* Large text, high contrast: kept on this kiosk until toggled off. */
  var toggle = document.getElementById("large-toggle");
  function applyLarge(on) {
    root.classList.toggle("kiosk-large", on);
    if (toggle) {
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
    }
  }
  applyLarge(stored(LARGE_KEY) === "1");
  if (toggle) {
    toggle.addEventListener("click", function (event) {
      event.stopPropagation();
      var on = !root.classList.contains("kiosk-large");
      store(LARGE_KEY, on ? "1" : "0");
      applyLarge(on);
    });
  }

  /* ?autoprint=1 once on a kiosk whose browser prints without a dialog
     (Chromium --kiosk --kiosk-printing): every ticket then prints by itself. */
  var autoprint = new URLSearchParams(window.location.search).get("autoprint");
  if (autoprint === "1" || autoprint === "0") {
    store(AUTOPRINT_KEY, autoprint);
  }

  var clock = document.getElementById("kiosk-clock");
  function tick() {
    var now = new Date();
    clock.textContent =
      String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
  }
  if (clock) {
    tick();
    window.setInterval(tick, 1000);
  }

  if (!config) {
    return;
  }

  /* Go to the categories only when the portal answers: a kiosk that loses the network
     stays on its page (and retries) instead of showing the browser's error page. */
  var leaving = false;
  function goHomeWhenReachable() {
    if (leaving) {
      return;
    }
    leaving = true;
    window
      .fetch(config.homeUrl, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        window.location.replace(config.homeUrl);
      })
      .catch(function () {
        leaving = false;
        window.setTimeout(goHomeWhenReachable, 5000);
      });
  }

  var offline = document.getElementById("kiosk-offline");
  function showOffline(on) {
    if (offline) {
      offline.hidden = !on;
    }
  }
  window.addEventListener("offline", function () {
    showOffline(true);
  });
  window.addEventListener("online", function () {
    showOffline(false);
  });
  showOffline(navigator.onLine === false);

  /* The categories: one submit per page, whatever the taps. */
  var forms = Array.prototype.slice.call(
    document.querySelectorAll(".kiosk-issue-form, #checkin-form")
  );
  var busy = document.getElementById("kiosk-busy");
  var sending = false;
  forms.forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (sending || navigator.onLine === false) {
        event.preventDefault();
        showOffline(navigator.onLine === false);
        return;
      }
      sending = true;
      window.setTimeout(function () {
        /* after the submission started: a disabled button would not submit */
        document.querySelectorAll(".kiosk-category, #checkin-submit").forEach(function (b) {
          b.disabled = true;
        });
        if (busy) {
          busy.hidden = false;
        }
      }, 0);
    });
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      window.location.reload(); /* back from the cache: a fresh nonce */
    }
  });

  var checkinCode = document.getElementById("id_checkin_code");
  if (document.getElementById("categories")) {
    window.setInterval(function () {
      var typing = checkinCode && (checkinCode.value || document.activeElement === checkinCode);
      if (!sending && !typing) {
        goHomeWhenReachable(); /* fresh counts and nonce */
      }
    }, config.refreshSeconds * 1000);
  }

  /* The ticket: print, then back to the categories after a while or a tap. */
  var ticket = document.getElementById("ticket");
  if (!ticket) {
    return;
  }
  /* A reload shows the categories instead of posting the tap again. */
  window.history.replaceState(null, "", config.homeUrl);
  var printButton = document.getElementById("ticket-print");
  printButton.addEventListener("click", function (event) {
    event.stopPropagation();
    window.print();
  });
  var countdown = document.getElementById("ticket-countdown");
  var left = config.returnAfterSeconds;
  function goHome() {
    goHomeWhenReachable();
  }
  function showLeft() {
    countdown.textContent = config.strings.returning.replace("%(seconds)s", String(left));
  }
  showLeft();
  window.setInterval(function () {
    left -= 1;
    if (left <= 0) {
      goHome();
    } else {
      showLeft();
    }
  }, 1000);
  document.getElementById("ticket-done").addEventListener("click", function (event) {
    event.preventDefault();
    goHome();
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest("button, a")) {
      goHome();
    }
  });
  if (stored(AUTOPRINT_KEY) === "1") {
    window.setTimeout(function () {
      window.print();
    }, 300);
  }
})();
