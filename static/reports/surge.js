/* The dashboard's section "today's arrivals and surge warning": fetches the dashboard-surge
   feed (reports/surge/api.py) and draws, with the Chart.js vendored in static/vendor/chartjs,
   today's cumulative items by quarter hour, a typical day's curve, the projection to the end
   of the day with its interval (a band from now to the day's end) and the capacity line.
   Texts are set with textContent, never innerHTML. Deferred before Chart.js (the page loads
   it at its end), so it starts on DOMContentLoaded; refreshed every 5 minutes. */
(function () {
  "use strict";

  var RED = "#b71c1c";
  var GREY = "#757575";
  var BLUE = "#1565c0";
  var BAND = "rgba(21, 101, 192, 0.15)";
  var AMBER = "#e65100";

  function start() {
    var root = document.getElementById("surge");
    if (!root || !window.fetch || !window.Chart) {
      return;
    }
    var words = document.getElementById("surge-words").dataset;
    var errorBox = document.getElementById("surge-error");
    var chart = null;

    function fill(template, values) {
      return template.replace(/\{(\w+)\}/g, function (_match, name) {
        return values[name] === undefined || values[name] === null ? "—" : String(values[name]);
      });
    }

    function text(id, value) {
      document.getElementById(id).textContent = value;
    }

    function number(value) {
      return value === null || value === undefined ? "—" : Number(value).toLocaleString();
    }

    function series(length, points) {
      var out = [];
      for (var i = 0; i < length; i += 1) {
        out.push(Object.prototype.hasOwnProperty.call(points, i) ? points[i] : null);
      }
      return out;
    }

    function draw(data) {
      var labels = data.labels;
      var n = labels.length;
      var now = Math.min(data.curve.length, n) - 1;
      var last = n - 1;
      var arrived = data.curve.slice(0, n);
      var p = data.projection;
      var datasets = [
        { label: words.arrived, data: arrived, borderColor: RED, backgroundColor: RED,
          borderWidth: 2.5, pointRadius: 0, tension: 0.2 },
        { label: words.typical, data: data.typical, borderColor: GREY, borderDash: [4, 4],
          borderWidth: 1.5, pointRadius: 0, tension: 0.2 },
        { label: words.capacity, data: series(n, {}).map(function () { return data.capacity; }),
          borderColor: AMBER, borderWidth: 2, borderDash: [8, 4], pointRadius: 0 },
      ];
      if (p && now >= 0 && now < last) {
        var from = arrived[now];
        var high = {}; high[now] = from; high[last] = p.high;
        var low = {}; low[now] = from; low[last] = p.low;
        var mid = {}; mid[now] = from; mid[last] = p.projected;
        datasets.push(
          { label: words.band, data: series(n, high), borderColor: "rgba(0,0,0,0)",
            backgroundColor: BAND, pointRadius: 0, spanGaps: true, fill: "+1" },
          { label: words.band + " ", data: series(n, low), borderColor: "rgba(0,0,0,0)",
            backgroundColor: BAND, pointRadius: 0, spanGaps: true, fill: false },
          { label: words.projected, data: series(n, mid), borderColor: BLUE, borderWidth: 2,
            borderDash: [2, 3], pointRadius: [0], spanGaps: true, fill: false }
        );
      }
      var config = {
        type: "line",
        data: { labels: labels, datasets: datasets },
        options: {
          responsive: true, maintainAspectRatio: false, animation: false,
          interaction: { mode: "index", intersect: false },
          scales: {
            x: { ticks: { autoSkip: true, maxTicksLimit: 12 } },
            y: { beginAtZero: true, title: { display: true, text: words.items } },
          },
          plugins: {
            legend: { labels: { filter: function (item) { return item.text.slice(-1) !== " "; } } },
          },
        },
      };
      if (chart) {
        chart.destroy();
      }
      chart = new window.Chart(document.getElementById("surge-chart"), config);
    }

    function show(data) {
      errorBox.classList.add("d-none");
      text("surge-updated", fill(words.updated, { time: data.time }));
      text("surge-status", data.status);
      var p = data.projection;
      text("surge-arrived", number(p ? p.arrived : data.curve[data.curve.length - 1]));
      text("surge-projected", p ? number(p.projected) : "—");
      text("surge-interval", p ? number(p.low) + "–" + number(p.high) : "—");
      text("surge-capacity", number(data.capacity));
      text("surge-windows", data.windows_signed_in ? number(data.windows_open)
        : fill(words.allActive, { count: number(data.windows_open) }));
      text("surge-per-window", data.threshold ? fill(words.threshold, { items: number(data.threshold) })
        : number(data.items_per_window_day) + (data.learnt ? " (" + words.learnt + ")" : ""));
      text("surge-history", number(data.history_days));
      var parts = [];
      var s = data.suggestion;
      if (s.categories.length) {
        parts.push(fill(words.surgingList, { names: s.categories.map(function (c) {
          return (c.name || words.nocategory) + " " + number(c.projected) + " / " + number(c.typical);
        }).join(", ") }));
      }
      if (s.windows_needed) {
        parts.push(fill(words.openMore, { count: s.windows_needed }));
      }
      if (s.windows_to_open.length) {
        parts.push(fill(words.couldOpen, { numbers: s.windows_to_open.join(", ") }));
      }
      if (data.alerts.length) {
        parts.push(fill(words.alerts, { levels: data.alerts.map(function (a) {
          return a.level + "% " + a.time;
        }).join(", ") }));
      }
      text("surge-suggestion", parts.join(" "));
      var body = document.querySelector("#surge-categories tbody");
      body.replaceChildren();
      data.categories.forEach(function (c) {
        var row = document.createElement("tr");
        var name = document.createElement("td");
        name.textContent = c.name || words.nocategory;
        if (c.surging) {
          var badge = document.createElement("span");
          badge.className = "badge text-bg-warning ms-1";
          badge.textContent = words.surging;
          name.appendChild(badge);
        }
        row.appendChild(name);
        [c.projection ? c.projection.projected : null, c.typical].forEach(function (value) {
          var td = document.createElement("td");
          td.className = "text-end";
          td.textContent = number(value);
          row.appendChild(td);
        });
        body.appendChild(row);
      });
      draw(data);
      root.dataset.loaded = "1";
    }

    function load() {
      fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(show)
        .catch(function () {
          errorBox.textContent = words.error;
          errorBox.classList.remove("d-none");
        });
    }

    load();
    window.setInterval(load, 5 * 60 * 1000);
  }

  // Deferred scripts run before DOMContentLoaded, Chart.js (later on the page) included.
  document.addEventListener("DOMContentLoaded", start);
})();
