/* The wall's stage is drawn at 1920×1080 and scaled as a whole to the window (no reflow). The scale
   sits on a wrapper that htmx never swaps: the stage inside is replaced every minute. */
(function () {
  "use strict";
  function fit() {
    var scaler = document.getElementById("scaler");
    if (!scaler) return;
    var scale = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    scaler.style.transform = "scale(" + scale + ")";
  }
  window.addEventListener("resize", fit);
  document.addEventListener("DOMContentLoaded", fit);
  fit();

  /* The charts (ECharts, vendored), drawn from the stage's JSON block: the rows its tables show.
     SVG, so they stay sharp at any scale; no tooltips, which ECharts styles inline (the CSP forbids it). */
  var TEXT = "#d5e5f7", BAR = "#7fd1ff", RULE = "#2f5d8f";
  var FONT = "'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";

  function percent(value) {
    return value === null ? "—" : (value * 100).toFixed(1) + "%";
  }

  function bars(rows, row, format, max) {  // a bar a row of `row` px from the top, its number at its end
    return {
      animation: false, textStyle: {fontFamily: FONT},
      grid: {left: 4, right: 72, top: 4, height: rows.length * row, containLabel: true},
      xAxis: {type: "value", show: false, min: 0, max: max},
      yAxis: {type: "category", inverse: true, data: rows.map(function (r) { return r.label; }),
              axisLine: {show: false}, axisTick: {show: false},
              axisLabel: {color: TEXT, fontSize: 18, interval: 0}},  // every row named, never thinned out
      series: [{type: "bar", data: rows.map(function (r) { return r.value; }), barMaxWidth: 22,
                itemStyle: {color: BAR}, label: {show: true, position: "right", color: "#ffffff", fontSize: 18,
                                                 formatter: function (p) { return format(p.value); }}}]
    };
  }

  var OPTIONS = {
    categories: function (rows) { return bars(rows, 48, String); },  // eight rows fill .chart.mix
    ranking: function (rows) { return bars(rows, 30, percent, 1); },  // and .chart.ranking
    trend: function (rows) {
      return {
        animation: false, textStyle: {fontFamily: FONT},
        grid: {left: 4, right: 16, top: 12, bottom: 4, containLabel: true},
        xAxis: {type: "category", boundaryGap: false, data: rows.map(function (r) { return r.label; }),
                axisLine: {lineStyle: {color: TEXT}}, axisLabel: {color: TEXT, fontSize: 14, interval: 6}},
        yAxis: {type: "value", minInterval: 1, splitLine: {lineStyle: {color: RULE}},
                axisLabel: {color: TEXT, fontSize: 14}},
        series: [{type: "line", data: rows.map(function (r) { return r.value; }), symbolSize: 5,
                  itemStyle: {color: BAR}, lineStyle: {color: BAR, width: 2}, areaStyle: {color: BAR, opacity: 0.25}}]
      };
    }
  };

  /* Each refresh swaps in a new stage with new chart boxes: the chart on the old box is disposed before
     one is drawn on the new, so a wall left on for days keeps three charts, not one more a minute. */
  var charts = {};
  function draw() {
    var block = document.getElementById("wall-charts");
    var rows = block ? JSON.parse(block.textContent) : {};
    Object.keys(OPTIONS).forEach(function (name) {
      var box = document.querySelector('#stage [data-chart="' + name + '"]');
      var chart = charts[name];
      if (chart && chart.getDom() !== box) {
        chart.dispose();
        chart = charts[name] = null;
      }
      if (!box) return;
      chart = chart || (charts[name] = echarts.init(box, null, {renderer: "svg"}));
      chart.setOption(OPTIONS[name](rows[name]), true);
    });
  }
  document.addEventListener("htmx:load", draw);  // the first page and every refreshed stage
})();
