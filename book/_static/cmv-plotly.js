/* Draws the book's Plotly figures with the self-hosted plotly.js and keeps them in step with the
 * theme's light/dark mode. Added only to pages that have a figure (book/_ext/offline_assets.py);
 * the figure HTML comes from cmvlib.display.show, which falls back to Plotly.newPlot without it. */
(function () {
  "use strict";
  function isDark() {
    return document.documentElement.dataset.theme === "dark";
  }
  function themeLayout() {
    var fg = window.getComputedStyle(document.body).color || (isDark() ? "#ced6dd" : "#222832");
    var grid = isDark() ? "rgba(206,214,221,0.18)" : "rgba(34,40,50,0.12)";
    return {
      "paper_bgcolor": "rgba(0,0,0,0)",
      "plot_bgcolor": "rgba(0,0,0,0)",
      "font.color": fg,
      "xaxis.gridcolor": grid,
      "yaxis.gridcolor": grid,
      "xaxis.zerolinecolor": grid,
      "yaxis.zerolinecolor": grid,
      "legend.bgcolor": "rgba(0,0,0,0)"
    };
  }
  var drawn = [];
  function draw(id, figure) {
    var gd = document.getElementById(id);
    if (!gd || !window.Plotly) { return; }
    var config = Object.assign({ responsive: true, displaylogo: false }, figure.config || {});
    window.Plotly.newPlot(gd, { data: figure.data || [], layout: figure.layout || {}, frames: figure.frames || [], config: config })
      .then(function (plot) { drawn.push(plot); return window.Plotly.relayout(plot, themeLayout()); });
  }
  new MutationObserver(function () {
    var update = themeLayout();
    drawn.forEach(function (plot) { window.Plotly.relayout(plot, update); });
  }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  window.cmvPlotly = { draw: draw };
})();
