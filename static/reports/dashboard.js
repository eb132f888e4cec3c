/* The managers' dashboard: the year's charts and today's tiles, from the API feeds
   named in data-data-url and data-today-url. Drawn with the Chart.js vendored in
   static/vendor/chartjs (window.Chart); every text is written with textContent, never
   innerHTML. */
(function () {
  "use strict";

  var root = document.getElementById("dashboard");
  if (!root || !window.fetch || !window.Chart) {
    return;
  }
  var labels = JSON.parse(document.getElementById("dashboard-labels").textContent);
  var refreshMs = Number(root.dataset.refreshMs) || 30000;
  var RED = "#b71c1c";
  var GREY = "#9e9e9e";
  var BLUE = "#1565c0";
  var GREEN = "#2e7d32";
  var GOLD = "#e0a800";

  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok || response.redirected) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      });
  }

  function pctText(pct) {
    return pct === null || pct === undefined ? "—" : pct.toFixed(2) + "%";
  }

  function pctAxis(min) {
    return {
      suggestedMin: min,
      max: 100,
      ticks: {
        callback: function (value) {
          return value + "%";
        },
      },
    };
  }

  function pctTooltip() {
    return {
      callbacks: {
        label: function (context) {
          return context.dataset.label + ": " + pctText(context.parsed.y);
        },
      },
    };
  }

  function line(label, data, color) {
    return {
      label: label,
      data: data,
      borderColor: color,
      backgroundColor: color,
      spanGaps: true,
      cubicInterpolationMode: "monotone",
    };
  }

  function pick(months, key) {
    return months.map(function (month) {
      return month[key];
    });
  }

  function monthsChart(data) {
    return new Chart(document.getElementById("chart-months"), {
      type: "bar",
      data: {
        labels: labels.months,
        datasets: [
          { label: labels.last_year, data: pick(data.months, "previous_year_items"), backgroundColor: GREY },
          { label: labels.this_year, data: pick(data.months, "items"), backgroundColor: RED },
        ],
      },
      options: { scales: { y: { beginAtZero: true } } },
    });
  }

  function shareChart(data) {
    return new Chart(document.getElementById("chart-share"), {
      type: "line",
      data: {
        labels: labels.months,
        datasets: [line(labels.general_share, pick(data.months, "general_share_pct"), BLUE)],
      },
      options: { scales: { y: pctAxis(0) }, plugins: { tooltip: pctTooltip() } },
    });
  }

  function dailyChart(data) {
    var peaks = {};
    data.daily.peak_days.forEach(function (peak) {
      peaks[peak.date] = true;
    });
    var days = data.daily.days;
    var isPeak = days.map(function (day) {
      return peaks[day.date] === true;
    });
    return new Chart(document.getElementById("chart-daily"), {
      type: "line",
      data: {
        labels: days.map(function (day) {
          return day.date;
        }),
        datasets: [
          {
            label: labels.items,
            data: days.map(function (day) {
              return day.items;
            }),
            borderColor: RED,
            backgroundColor: RED,
            borderWidth: 1.5,
            pointRadius: isPeak.map(function (peak) {
              return peak ? 6 : 0;
            }),
            pointHoverRadius: 6,
            pointStyle: isPeak.map(function (peak) {
              return peak ? "triangle" : "circle";
            }),
            pointBackgroundColor: isPeak.map(function (peak) {
              return peak ? GOLD : RED;
            }),
            pointBorderColor: RED,
          },
        ],
      },
      options: {
        interaction: { mode: "index", intersect: false },
        scales: { x: { ticks: { maxTicksLimit: 12 } }, y: { beginAtZero: true } },
        plugins: {
          tooltip: {
            callbacks: {
              afterLabel: function (context) {
                return isPeak[context.dataIndex] ? labels.peak_day : "";
              },
            },
          },
        },
      },
    });
  }

  function ratesChart(data) {
    return new Chart(document.getElementById("chart-rates"), {
      type: "line",
      data: {
        labels: labels.months,
        datasets: [
          line(labels.evaluation_rate, pick(data.months, "evaluation_rate_pct"), GREEN),
          line(labels.satisfaction_rate, pick(data.months, "satisfaction_rate_pct"), RED),
        ],
      },
      options: { scales: { y: pctAxis(80) }, plugins: { tooltip: pctTooltip() } },
    });
  }

  function peakList(data) {
    var text = data.daily.peak_days
      .map(function (peak) {
        return peak.date + " (" + peak.items + ")";
      })
      .join("、");
    document.getElementById("peak-days").textContent = text || "—";
    document.getElementById("daily-span").textContent = data.daily.start + " – " + data.daily.end;
  }

  function drawYear(data) {
    monthsChart(data);
    shareChart(data);
    dailyChart(data);
    ratesChart(data);
    peakList(data);
  }

  var todayError = document.getElementById("today-error");

  function renderToday(data) {
    Object.keys(data).forEach(function (key) {
      var cell = root.querySelector('[data-today="' + key + '"]');
      if (cell) {
        cell.textContent = cell.hasAttribute("data-pct") ? pctText(data[key]) : String(data[key]);
      }
    });
    document.getElementById("today-date").textContent = data.date;
    document.getElementById("today-updated").textContent = data.updated_at;
  }

  function refreshToday() {
    if (document.hidden) {
      return;
    }
    getJson(root.dataset.todayUrl)
      .then(function (data) {
        renderToday(data);
        todayError.classList.add("d-none");
      })
      .catch(function () {
        todayError.classList.remove("d-none");
      });
  }

  getJson(root.dataset.dataUrl)
    .then(drawYear)
    .catch(function () {
      document.getElementById("dashboard-error").classList.remove("d-none");
    });
  window.setInterval(refreshToday, refreshMs);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      refreshToday();
    }
  });
})();
