/* The console's queue panel (叫号): kept up to date without reloading the page, and keys.

   Polls the panel with the ETag it has: while nothing changed at the window or in the
   hall's queue the server answers 304 at the cost of one indexed read, and no worker is
   held between polls. A call made in another browser of the window shows here within a
   poll. When the rest of the page no longer fits (service started or ended elsewhere,
   signed out elsewhere), the page reloads. Everything works without this script. */
(function () {
  "use strict";

  var POLL_MS = 1500;
  var panel = document.getElementById("queue-panel");
  if (!panel || !window.fetch) {
    return;
  }
  var url = panel.dataset.liveUrl;
  var etag = panel.dataset.etag;
  var mode = panel.dataset.mode;
  var sending = false;

  function guard(root) {
    /* A double press of 叫号, 重呼, 过号 or 退回 posts once. */
    Array.prototype.forEach.call(root.querySelectorAll("form"), function (form) {
      form.addEventListener("submit", function (event) {
        if (sending) {
          event.preventDefault();
          return;
        }
        sending = true;
      });
    });
  }

  function replace(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var fresh = holder.content.firstElementChild;
    if (!fresh || fresh.id !== "queue-panel") {
      return;
    }
    if (fresh.dataset.mode !== mode) {
      window.location.reload();
      return;
    }
    panel.replaceWith(fresh);
    panel = fresh;
    guard(panel);
  }

  function poll() {
    if (sending) {
      return;
    }
    window
      .fetch(url, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { "If-None-Match": etag },
      })
      .then(function (response) {
        if (response.redirected) {
          window.location.reload(); /* the login expired */
          return null;
        }
        if (response.status === 304 || !response.ok) {
          return null;
        }
        etag = response.headers.get("ETag") || etag;
        return response.text();
      })
      .then(function (html) {
        if (html && !sending) {
          replace(html);
        }
      })
      .catch(function () {
        /* offline for a moment: the next poll tries again */
      })
      .then(function () {
        window.setTimeout(poll, POLL_MS);
      });
  }

  guard(panel);
  window.setTimeout(poll, POLL_MS);

  document.addEventListener("keydown", function (event) {
    if (event.key !== "F2" && event.key !== "F3") {
      return;
    }
    var button = panel.querySelector('button[data-queue-key="' + event.key + '"]');
    if (button && !button.disabled) {
      event.preventDefault();
      if (button.form && button.form.requestSubmit) {
        button.form.requestSubmit(button);
      } else {
        button.click();
      }
    }
  });
  document.documentElement.dataset.consoleQueueReady = "1";
})();
