// Charts of the console: each <div class="chart"> names a <script type="application/json">
// holding its ECharts option. No inline scripts, so the page's CSP can forbid them.
(function () {
  "use strict";
  function drawCharts(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("div.chart[data-option]").forEach(function (el) {
      var source = document.getElementById(el.dataset.option);
      if (!source || el.dataset.drawn) return;
      var option = JSON.parse(source.textContent);
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      el.dataset.drawn = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  // A refused htmx action (e.g. dismissing without a reason) says why instead of doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("live-error");
    if (box) { box.textContent = event.detail.xhr.responseText; box.hidden = false; }
  });
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:load", function (event) { drawCharts(event.target); });
})();
