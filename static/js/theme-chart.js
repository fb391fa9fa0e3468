/* The themes page's chart: conversations per month for the most talked-about themes, drawn
   with Chart.js from the figures the page carries in <script id="theme-chart-data">. The same
   figures are in the "By month" table, so without JavaScript (or Chart.js) nothing is lost. */
(function () {
  "use strict";

  // Okabe and Ito's palette: told apart with the common kinds of colour blindness.
  var COLOURS = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7",
    "#56B4E9", "#D55E00", "#F0E442", "#000000",
  ];

  function draw() {
    var canvas = document.getElementById("theme-chart");
    var source = document.getElementById("theme-chart-data");
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
      type: "bar",
      data: {
        labels: data.labels,
        datasets: (data.datasets || []).map(function (dataset, n) {
          return {
            label: dataset.label,
            data: dataset.data,
            backgroundColor: COLOURS[n % COLOURS.length],
          };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: still ? false : undefined,
        scales: {
          x: { stacked: true },
          y: {
            stacked: true,
            beginAtZero: true,
            ticks: { precision: 0 },
            title: { display: true, text: "Conversations" },
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
