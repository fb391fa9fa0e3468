/* The self-assessment's charts, drawn with Chart.js from the figures the page carries in
   <script type="application/json">: on a round's page, one bar chart per area (the mean and
   the lowest-to-highest range of each practice's ratings); on the trend page, one line per area
   across the rounds. Each chart's table holds the same figures, so without JavaScript (or
   Chart.js) nothing is lost. */
(function () {
  "use strict";

  // Okabe and Ito's palette: told apart with the common kinds of colour blindness.
  var COLOURS = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7",
    "#56B4E9", "#D55E00", "#F0E442", "#000000",
  ];
  // The trend's eight areas: the palette without black (kept for "All areas") and with Tol's
  // olive for the yellow (too faint as a line on white) and Tol's wine; each line has its own
  // point shape too, so the lines differ by more than colour.
  var AREA_COLOURS = COLOURS.slice(0, 6).concat(["#999933", "#882255"]);
  var POINTS = ["circle", "rect", "triangle", "rectRot", "star", "crossRot", "rectRounded", "cross"];
  var RATING_AXIS = { min: 0, max: 5, ticks: { stepSize: 1 } };

  function read(id) {
    var source = document.getElementById(id);
    if (!source) {
      return null;
    }
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
  }

  // A practice's words, broken into short lines so that the axis stays readable on a phone.
  function wrap(text, width) {
    var lines = [];
    var line = "";
    String(text).split(/\s+/).forEach(function (word) {
      if (line && (line + " " + word).length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) {
      lines.push(line);
    }
    return lines;
  }

  function animation() {
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    return still ? false : undefined;
  }

  function drawRound(data) {
    var canvases = document.querySelectorAll("canvas[data-assessment-area]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      var area = data[canvas.getAttribute("data-assessment-area")];
      if (!area || !Array.isArray(area.labels) || !area.labels.length) {
        return;
      }
      // Tall enough for every practice's name and its two bars (Chart.js would skip names).
      var labels = area.labels.map(function (label) { return wrap(label, 32); });
      var lines = labels.reduce(function (sum, label) { return sum + Math.max(label.length, 2); }, 0);
      canvas.parentNode.style.height = lines * 18 + area.labels.length * 12 + 90 + "px";
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: labels,
          datasets: [
            { label: "Mean rating", data: area.mean, backgroundColor: COLOURS[0] },
            {
              label: "Lowest to highest rating",
              data: area.range,
              backgroundColor: "rgba(230, 159, 0, 0.55)",
              borderColor: COLOURS[1],
              borderWidth: 2,
              borderSkipped: false,
              minBarLength: 4, // a range of one rating (all agree) still shows
            },
          ],
        },
        options: {
          indexAxis: "y",
          responsive: true,
          maintainAspectRatio: false,
          animation: animation(),
          scales: {
            x: Object.assign({ title: { display: true, text: "Rating, 1 (not yet) to 5 (it is how we work)" } }, RATING_AXIS),
            y: { ticks: { autoSkip: false } },
          },
          plugins: { legend: { position: "bottom" } },
        },
      });
    });
  }

  function drawTrend(data, canvas) {
    if (!Array.isArray(data.labels) || !data.labels.length) {
      return;
    }
    var last = (data.datasets || []).length - 1;
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: (data.datasets || []).map(function (dataset, n) {
          // The last line is "All areas": black and dashed, so it stands out by more than colour.
          var all = n === last;
          var colour = all ? "#000000" : AREA_COLOURS[n % AREA_COLOURS.length];
          return {
            label: dataset.label,
            data: dataset.data,
            borderColor: colour,
            backgroundColor: colour,
            borderWidth: all ? 3 : 2,
            borderDash: all ? [6, 4] : undefined,
            pointStyle: all ? "circle" : POINTS[n % POINTS.length],
            pointRadius: 4,
            spanGaps: true,
          };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: animation(),
        scales: {
          y: Object.assign({ title: { display: true, text: "Mean rating" } }, RATING_AXIS),
        },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  function draw() {
    if (typeof window.Chart === "undefined") {
      return;
    }
    var round = read("assessment-chart-data");
    if (round) {
      drawRound(round);
    }
    var trend = read("assessment-trend-data");
    var canvas = document.getElementById("assessment-trend-chart");
    if (trend && canvas) {
      drawTrend(trend, canvas);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
