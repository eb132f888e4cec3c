/* The dashboard's section "satisfaction against waiting and service time": fetches the
   dashboard-waiting feed (reports/waiting/api.py) for the filters of #waiting-filter and
   draws each breakdown with the Chart.js vendored in static/vendor/chartjs: bars of the
   ratings per band, lines of the satisfaction rate and the bad-review share on a second
   axis. A band with too few ratings has its bar but no point on the lines (the feed gives
   no rate for it). Texts are set with textContent, never innerHTML. The script is deferred
   before Chart.js (the page loads it at its end), so it starts on DOMContentLoaded. */
(function () {
  "use strict";

  var RED = "#b71c1c";
  var GREY = "#9e9e9e";
  var BLUE = "#1565c0";
  var LIGHT = "#e0e0e0";

  function start() {
    var root = document.getElementById("waiting");
    if (!root || !window.fetch || !window.Chart) {
      return;
    }
    var form = document.getElementById("waiting-filter");
    var words = document.getElementById("waiting-words").dataset;
    var errorBox = document.getElementById("waiting-error");
    var charts = {};
    var verdicts = {
      queue: words.verdictQueue,
      service: words.verdictService,
      similar: words.verdictSimilar,
      not_below: words.verdictNotbelow,
      too_few: words.verdictToofew,
    };
    var optionsFilled = false;

    function fill(template, values) {
      return template.replace(/\{(\w+)\}/g, function (_match, name) {
        return values[name] === undefined || values[name] === null ? "—" : String(values[name]);
      });
    }

    function pctText(pct) {
      return pct === null || pct === undefined ? "—" : pct.toFixed(2) + "%";
    }

    function cell(row, text, end) {
      var td = document.createElement("td");
      td.textContent = text;
      if (end) {
        td.className = "text-end";
      }
      row.appendChild(td);
      return td;
    }

    function query() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (value !== "") {
          params.append(name, value);
        }
      });
      if (params.has("start") !== params.has("end")) {
        params.delete("start");
        params.delete("end");
      }
      return params.toString();
    }

    function fillSelect(select, options, chosen) {
      options.forEach(function (option) {
        var element = document.createElement("option");
        element.value = option.key;
        element.textContent = option.label;
        select.appendChild(element);
      });
      select.value = chosen === null || chosen === undefined ? "" : String(chosen);
    }

    function drawChart(kind, breakdown) {
      var bands = breakdown.bands;
      var data = {
        labels: bands.map(function (band) {
          return band.label;
        }),
        datasets: [
          {
            type: "line",
            label: words.satisfaction,
            data: bands.map(function (band) {
              return band.satisfaction_rate_pct;
            }),
            borderColor: BLUE,
            backgroundColor: BLUE,
            yAxisID: "pct",
            spanGaps: false,
          },
          {
            type: "line",
            label: words.badShare,
            data: bands.map(function (band) {
              return band.bad_share_pct;
            }),
            borderColor: RED,
            backgroundColor: RED,
            yAxisID: "pct",
            spanGaps: false,
          },
          {
            type: "bar",
            label: words.ratings,
            data: bands.map(function (band) {
              return band.ratings;
            }),
            backgroundColor: bands.map(function (band) {
              return band.enough ? GREY : LIGHT;
            }),
            yAxisID: "count",
          },
        ],
      };
      if (charts[kind]) {
        charts[kind].data = data;
        charts[kind].update();
        return;
      }
      charts[kind] = new Chart(document.getElementById("waiting-" + kind + "-chart"), {
        type: "bar",
        data: data,
        options: {
          interaction: { mode: "index", intersect: false },
          scales: {
            count: { position: "left", beginAtZero: true, title: { display: true, text: words.ratings } },
            pct: {
              position: "right",
              min: 0,
              max: 100,
              grid: { drawOnChartArea: false },
              ticks: {
                callback: function (value) {
                  return value + "%";
                },
              },
            },
          },
          plugins: {
            tooltip: {
              callbacks: {
                label: function (context) {
                  if (context.dataset.yAxisID === "pct") {
                    return context.dataset.label + ": " + pctText(context.parsed.y);
                  }
                  var band = bands[context.dataIndex];
                  return context.dataset.label + ": " + band.ratings + (band.enough ? "" : " (" + words.tooFew + ")");
                },
              },
            },
          },
        },
      });
    }

    function drawTable(kind, breakdown, explanation) {
      var body = document.querySelector("#waiting-" + kind + "-table tbody");
      body.replaceChildren();
      breakdown.bands.forEach(function (band) {
        var row = document.createElement("tr");
        row.dataset.band = band.label;
        if (!band.enough) {
          row.className = "text-secondary";
        }
        cell(row, band.label);
        cell(row, String(band.ratings), true);
        if (band.enough) {
          cell(row, pctText(band.satisfaction_rate_pct), true);
          cell(row, pctText(band.bad_share_pct), true);
        } else {
          var note = cell(row, words.tooFew, true);
          note.colSpan = 2;
        }
        body.appendChild(row);
      });
      var threshold = document.getElementById("waiting-" + kind + "-threshold");
      threshold.textContent = explanation;
      threshold.dataset.minute = breakdown.threshold.minute === null ? "" : String(breakdown.threshold.minute);
      threshold.className = "small mt-2 mb-2" + (breakdown.threshold.minute === null ? " text-secondary" : " fw-bold text-danger");
    }

    function drawWindows(data) {
      var body = document.querySelector("#waiting-windows tbody");
      body.replaceChildren();
      if (!data.windows.length) {
        var empty = document.createElement("tr");
        cell(empty, words.noWindows).colSpan = 7;
        body.appendChild(empty);
      }
      data.windows.forEach(function (window_) {
        var row = document.createElement("tr");
        row.dataset.window = String(window_.number);
        row.dataset.verdict = window_.verdict;
        cell(row, window_.name);
        cell(row, String(window_.ratings), true);
        cell(row, pctText(window_.satisfaction_rate_pct), true);
        cell(row, pctText(window_.expected_rate_pct), true);
        cell(row, window_.gap_pp === null ? "—" : window_.gap_pp.toFixed(2), true);
        cell(row, pctText(window_.queue_share_pct), true);
        var verdict = cell(row, verdicts[window_.verdict] || window_.verdict);
        if (window_.verdict === "queue" || window_.verdict === "service") {
          verdict.className = "fw-bold";
        }
        body.appendChild(row);
      });
      document.getElementById("waiting-min-note").textContent = fill(words.minNote, { min: data.min_band_ratings });
    }

    function draw(data) {
      errorBox.classList.add("d-none");
      if (!optionsFilled) {
        fillSelect(document.getElementById("waiting-category"), data.options.categories, data.filters.category);
        fillSelect(document.getElementById("waiting-window"), data.options.windows, data.filters.window);
        fillSelect(document.getElementById("waiting-staff"), data.options.staff, data.filters.staff);
        optionsFilled = true;
      }
      document.getElementById("waiting-start").value = data.filters.start;
      document.getElementById("waiting-end").value = data.filters.end;
      document.getElementById("waiting-summary").textContent = fill(words.summary, {
        ratings: data.ratings,
        satisfaction: pctText(data.satisfaction_rate_pct),
        bad: pctText(data.bad_share_pct),
        start: data.filters.start,
        end: data.filters.end,
      });
      ["wait", "service"].forEach(function (kind) {
        drawChart(kind, data[kind]);
        drawTable(kind, data[kind], data.explanations[kind]);
      });
      drawWindows(data);
      root.dataset.loaded = query();
    }

    function showError(messages) {
      errorBox.textContent = messages;
      errorBox.classList.remove("d-none");
    }

    function load() {
      var params = query();
      fetch(root.dataset.url + "&" + params, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (response.status === 400) {
            return response.json().then(function (body) {
              var lines = [];
              Object.keys(body).forEach(function (name) {
                [].concat(body[name]).forEach(function (message) {
                  lines.push(message);
                });
              });
              showError(lines.join(" "));
              root.dataset.loaded = "error";
            });
          }
          if (!response.ok || response.redirected) {
            throw new Error("HTTP " + response.status);
          }
          return response.json().then(draw);
        })
        .catch(function () {
          showError(words.error);
          root.dataset.loaded = "error";
        });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      load();
    });
    load();
  }

  // Deferred scripts run in order, before DOMContentLoaded: Chart.js, after this one, is
  // there once it fires.
  if (window.Chart) {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
