/* The membership growth page's chart: memberships joined, lapsed and left per month, drawn
   with Chart.js from the figures the page carries in <script id="membership-chart-data">.
   The same figures are in the "By month" table, so without JavaScript (or Chart.js)
   nothing is lost. */
(function () {
  "use strict";

  // Okabe and Ito's palette (told apart with the common kinds of colour blindness), and a
  // dash pattern per line, so the lines differ by more than colour.
  var COLOURS = ["#009E73", "#E69F00", "#D55E00", "#0072B2"];
  var DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3]];

  function draw() {
    var canvas = document.getElementById("membership-chart");
    var source = document.getElementById("membership-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") {
      return;
    }
    var data;
    try {
      data = JSON.parse(source.textContent);
    } catch (error) {
      return;
    }
    if (!data || !Array.isArray(data.labels) || !data.labels.length) {
      return;
    }
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: (data.datasets || []).map(function (dataset, n) {
          return {
            label: dataset.label,
            data: dataset.data,
            borderColor: COLOURS[n % COLOURS.length],
            backgroundColor: COLOURS[n % COLOURS.length],
            borderDash: DASHES[n % DASHES.length],
            borderWidth: 2,
            pointRadius: 3,
            tension: 0,
          };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: still ? false : undefined,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: {
            beginAtZero: true,
            ticks: { precision: 0 },
            title: { display: true, text: "Memberships" },
          },
        },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
