/* The summary page's trend chart (ECharts, served by the platform). Optional: the same figures are in the table
   below the chart, which is what screen readers and pages without JavaScript use. Reads the figures from the
   page's json_script "summary-trend": {labels, codes, series: [{key, name, data}]}. */
(function () {
  "use strict";

  function draw() {
    var holder = document.getElementById("summary-chart");
    var source = document.getElementById("summary-trend");
    if (!holder || !source || !window.echarts) return;
    var trend = JSON.parse(source.textContent);
    var large = document.documentElement.classList.contains("large-text");
    var size = large ? 16 : 12;
    holder.hidden = false;
    var chart = window.echarts.init(holder, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      textStyle: { fontSize: size },
      legend: { type: "scroll", top: 0, textStyle: { fontSize: size } },
      // Drawn in the canvas: no HTML with inline styles (the site's CSP allows none).
      tooltip: { trigger: "axis", renderMode: "richText" },
      grid: { left: 8, right: 16, top: large ? 48 : 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: trend.labels, axisLabel: { fontSize: size } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: size } },
      series: trend.series.map(function (series) {
        return { name: series.name, type: "line", data: series.data, symbolSize: large ? 8 : 6 };
      }),
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
