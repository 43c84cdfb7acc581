// Charts: every <canvas data-chart='{"type": "bar", "labels": [...], "datasets": [{"label": "...", "data": [...]}]}'>
// becomes a Chart.js chart (static/vendor/chartjs). Amounts are won; axes and tooltips use the page's language.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var lang = document.documentElement.lang || "ko";
  // Korean pages write won as "1,000원", as the server does (app/core/formatting.py); English as "₩1,000"
  var grouped = new Intl.NumberFormat("ko-KR");
  var won = lang === "ko" ? {format: function (v) { return grouped.format(v) + "원"; }}
    : new Intl.NumberFormat("en-US", {style: "currency", currency: "KRW"});
  var palette = ["#1f6feb", "#2da44e", "#d4a72c", "#8250df", "#cf222e", "#57606a"];
  // the page's own font (Pretendard, vendored): Chart.js's default has no Hangul, so Korean labels showed as boxes
  Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
  function draw(canvas) {
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
  }
  function drawAll() { document.querySelectorAll("canvas[data-chart]").forEach(draw); }
  if (document.fonts && document.fonts.ready) { document.fonts.ready.then(drawAll); } else { drawAll(); }
})();
