/* The hall results page: refresh today's block from the API feed in data-live-url.
   Everything is written with textContent, never innerHTML: comments come from citizens. */
(function () {
  "use strict";

  var live = document.getElementById("live");
  if (!live || !window.fetch) {
    return;
  }
  var url = live.dataset.liveUrl;
  var refreshMs = Number(live.dataset.refreshMs) || 10000;
  var table = document.getElementById("live-windows");
  var rateLabels = (table.dataset.rateLabels || "|").split("|");
  var reviews = document.getElementById("live-bad-reviews");
  var errorBadge = document.getElementById("live-error");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function pctText(pct) {
    return pct === null || pct === undefined ? "—" : pct.toFixed(2) + "%";
  }

  function rateCell(className, pct, label) {
    var td = el("td", className);
    if (pct === null || pct === undefined) {
      td.appendChild(el("span", "rate-value text-secondary", "—"));
      return td;
    }
    var wrap = el("div", "d-flex align-items-center gap-2 rate-cell");
    wrap.appendChild(el("span", "rate-value", pctText(pct)));
    var bar = el("div", "progress flex-grow-1 rate-bar");
    bar.style.minWidth = "4rem";
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-label", label);
    bar.setAttribute("aria-valuenow", pct.toFixed(2));
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    var fill = el("div", "progress-bar " + (pct < 80 ? "bg-warning" : "bg-success"));
    fill.style.width = pct.toFixed(2) + "%";
    bar.appendChild(fill);
    wrap.appendChild(bar);
    td.appendChild(wrap);
    return td;
  }

  function windowRow(w) {
    var tr = el("tr");
    tr.dataset.window = w.number;
    var th = el("th", "text-nowrap", w.name);
    th.setAttribute("scope", "row");
    tr.appendChild(th);
    tr.appendChild(el("td", "text-end fig-visits", w.visits));
    tr.appendChild(el("td", "text-end fig-items", w.items));
    tr.appendChild(el("td", "text-end fig-rated", w.rated));
    tr.appendChild(rateCell("fig-evaluation-rate", w.evaluation_rate_pct, rateLabels[0]));
    tr.appendChild(rateCell("fig-satisfaction-rate", w.satisfaction_rate_pct, rateLabels[1]));
    tr.appendChild(el("td", "text-end fig-bad", w.bad));
    return tr;
  }

  function reviewItem(review) {
    var li = el("li", "list-group-item bad-review px-0");
    li.dataset.rating = review.id;
    var head = el("div", "d-flex flex-wrap gap-2 align-items-baseline");
    head.appendChild(el("span", "badge text-bg-danger bad-review-level", review.level_label));
    head.appendChild(el("span", "fw-semibold bad-review-time", review.time));
    head.appendChild(el("span", "bad-review-window", review.window_name));
    if (review.staff_name) {
      head.appendChild(
        el("span", "text-secondary bad-review-staff", review.staff_name + " · " + review.badge_no)
      );
    }
    if (review.phone) {
      head.appendChild(
        el("span", "ms-auto bad-review-phone", reviews.dataset.callbackText + " " + review.phone)
      );
    }
    li.appendChild(head);
    if (review.reasons.length) {
      li.appendChild(el("div", "small bad-review-reasons", review.reasons.join("、")));
    }
    if (review.comment) {
      li.appendChild(el("div", "small text-secondary bad-review-comment", review.comment));
    }
    return li;
  }

  function render(data) {
    Object.keys(data.totals).forEach(function (key) {
      var cell = live.querySelector('[data-total="' + key + '"]');
      if (cell) {
        cell.textContent = cell.hasAttribute("data-pct")
          ? pctText(data.totals[key])
          : String(data.totals[key]);
      }
    });
    table.tBodies[0].replaceChildren.apply(table.tBodies[0], data.windows.map(windowRow));
    var items = data.bad_reviews.map(reviewItem);
    if (!items.length) {
      items = [el("li", "list-group-item px-0 text-secondary bad-review-empty", reviews.dataset.emptyText)];
    }
    reviews.replaceChildren.apply(reviews, items);
    document.getElementById("live-date").textContent = data.date;
    document.getElementById("live-updated").textContent = data.updated_at;
  }

  function refresh() {
    if (document.hidden) {
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok || response.redirected) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        render(data);
        errorBadge.classList.add("d-none");
      })
      .catch(function () {
        errorBadge.classList.remove("d-none");
      });
  }

  window.setInterval(refresh, refreshMs);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      refresh();
    }
  });
})();
