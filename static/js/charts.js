// Charts: every <canvas data-chart='{"type": "bar", "labels": [...], "datasets": [{"label": "...", "data": [...]}]}'>
// becomes a Chart.js chart (static/vendor/chartjs). Amounts are won; axes and tooltips use the page's language.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var lang = document.documentElement.lang || "ko";
  var won = new Intl.NumberFormat(lang === "ko" ? "ko-KR" : "en-US", {style: "currency", currency: "KRW"});
  var palette = ["#1f6feb", "#2da44e", "#d4a72c", "#8250df", "#cf222e", "#57606a"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec;
    try { spec = JSON.parse(canvas.getAttribute("data-chart")); } catch (e) { return; }
    (spec.datasets || []).forEach(function (set, i) {
      var color = set.color || palette[i % palette.length];
      set.backgroundColor = set.backgroundColor || color;
      set.borderColor = set.borderColor || color;
      set.fill = false;
    });
    new Chart(canvas, {
      type: spec.type || "bar",
      data: {labels: spec.labels || [], datasets: spec.datasets || []},
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: {display: (spec.datasets || []).length > 1},
          tooltip: {callbacks: {label: function (item) {
            return (item.dataset.label ? item.dataset.label + ": " : "") + won.format(item.parsed.y);
          }}}
        },
        scales: {y: {beginAtZero: true, stacked: !!spec.stacked, ticks: {callback: function (v) { return won.format(v); }}},
                 x: {stacked: !!spec.stacked}}
      }
    });
  });
})();
