/* Draws the book's Plotly figures with the self-hosted plotly.js, loaded only when a chart needs it, and keeps
 * them in step with the theme's light/dark mode. Added (deferred, before the page's other deferred scripts)
 * only to pages that have a figure, by book/_ext/offline_assets.py, which gives this script's tag
 * data-plotly="<plotly.min.js, relative to this file>". The page's text never waits for plotly.js (1.2 MB basic bundle):
 * it is fetched once the text has painted, or when a chart comes near the viewport (under Save-Data only then).
 * (It used to wait for the page to be idle as well; on a cold visit of chapters 4 and 7 that delayed the first
 * chart by ~0.1–0.3 s for nothing the reader sees: bench/README.md, 2026-12-03 21:40.)
 *
 * CONTRACT (used by cmvlib.display.figure_html and by the live calculators' page script, which may run before
 * or after plotly.js has loaded):
 * - window.cmvPlotly exists as soon as this file has run.
 * - cmvPlotly.draw(idOrElement, figure) -> Promise<element>: works at any time, for a first draw
 *   (Plotly.newPlot) and for a redraw of the same element (Plotly.react); loads plotly.js if needed (at once
 *   when the element is near the viewport, else when the text has painted; under Save-Data when it comes near). If an element is
 *   drawn again before plotly.js has loaded, only the latest figure is drawn. Rejects if there is no such
 *   element. figure = {data, layout, frames?, config?} (Plotly's JSON).
 * - cmvPlotly.ensure() -> Promise<Plotly>: loads plotly.js (once) as soon as the text has painted and
 *   resolves when window.Plotly exists.
 * - Every chart drawn through draw() follows the theme's mode (html[data-theme="dark"]): transparent
 *   background, the page's text colour, lighter grid lines.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var plotlyUrl = new URL((script && script.dataset.plotly) || "vendor/plotly/plotly.min.js",
    (script && script.src) || document.baseURI).href;
  var loading = null;
  var pending = new Map();   // element -> {figure, done: [resolve, reject][]} waiting for plotly.js
  var drawn = new Set();
  var nearby = new Set();    // pending elements near the viewport
  var afterPaint = false;
  var flushing = false;

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
  /* A copy of `layout` with the theme's values set (dotted paths copied, never mutated). */
  function themed(layout) {
    var out = Object.assign({}, layout || {}), theme = themeLayout();
    Object.keys(theme).forEach(function (path) {
      var keys = path.split("."), obj = out;
      for (var i = 0; i < keys.length - 1; i++) {
        obj[keys[i]] = Object.assign({}, obj[keys[i]]);
        obj = obj[keys[i]];
      }
      obj[keys[keys.length - 1]] = theme[path];
    });
    return out;
  }

  /* Resolves once plotly.js may be fetched: the page's text has painted (or the page has loaded: a hidden tab
   * never paints). The widget embedders need not be waited for: they draw at DOMContentLoaded. */
  var ready = new Promise(function (resolve) {
    window.addEventListener("load", resolve, { once: true });
    try {
      new PerformanceObserver(function (list, obs) {
        if (list.getEntriesByName("first-contentful-paint").length) { obs.disconnect(); resolve(); }
      }).observe({ type: "paint", buffered: true });
    } catch (e) { /* no paint timing: the load event */ }
  });

  function ensure() {
    if (window.Plotly) { flush(); return Promise.resolve(window.Plotly); }
    if (!loading) {
      loading = ready.then(function () {
        return new Promise(function (resolve, reject) {
          var tag = document.createElement("script");
          tag.src = plotlyUrl;
          tag.async = true;
          tag.onload = function () { flush(); resolve(window.Plotly); };
          tag.onerror = function () { loading = null; reject(new Error("plotly.js could not be loaded: " + plotlyUrl)); };
          document.head.appendChild(tag);
        });
      });
      loading.catch(function (err) {
        pending.forEach(function (job) { job.done.forEach(function (d) { d[1](err); }); });
        pending.clear();
      });
    }
    return loading;
  }

  function render(gd, figure) {
    var config = Object.assign({ responsive: true, displaylogo: false }, figure.config || {});
    var plot = drawn.has(gd) ? window.Plotly.react : window.Plotly.newPlot;
    return plot(gd, { data: figure.data || [], layout: themed(figure.layout), frames: figure.frames || [], config: config })
      .then(function () { drawn.add(gd); return gd; });
  }

  /* The next chart to draw: one near the viewport first, else the first in page order. */
  function nextPending() {
    var best = null;
    pending.forEach(function (_, el) {
      var better = !best || (nearby.has(el) && !nearby.has(best)) ||
        (nearby.has(el) === nearby.has(best) && (best.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING));
      if (better) { best = el; }
    });
    return best;
  }

  /* Draws what waited for plotly.js, one chart per task (the page stays responsive). */
  function flush() {
    if (flushing) { return; }
    flushing = true;
    (function next() {
      var gd = nextPending();
      if (!gd) { flushing = false; return; }
      var job = pending.get(gd);
      pending.delete(gd);
      nearby.delete(gd);
      if (near) { near.unobserve(gd); }
      render(gd, job.figure).then(function (el) { job.done.forEach(function (d) { d[0](el); }); },
        function (err) { job.done.forEach(function (d) { d[1](err); }); })
        .then(function () { setTimeout(next, 0); });
    })();
  }

  var near = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (e) { if (e.isIntersecting) { nearby.add(e.target); } else { nearby.delete(e.target); } });
    if (nearby.size) { ensure(); }
  }, { rootMargin: "600px 0px" }) : null;

  function whenPainted() {
    if (afterPaint) { return; }
    afterPaint = true;
    var saveData = navigator.connection && navigator.connection.saveData;
    if (saveData) { return; }                   // then only when a chart comes near the viewport
    ready.then(ensure);
  }

  function draw(target, figure) {
    var gd = typeof target === "string" ? document.getElementById(target) : target;
    if (!gd) { return Promise.reject(new Error("cmvPlotly.draw: no element " + target)); }
    if (window.Plotly && !flushing) { return render(gd, figure); }
    return new Promise(function (resolve, reject) {
      var job = pending.get(gd) || { done: [] };
      job.figure = figure;                       // the latest figure wins
      job.done.push([resolve, reject]);
      pending.set(gd, job);
      if (window.Plotly) { return; }             // the flush under way will reach it
      if (near) { near.observe(gd); } else { ensure(); }
      whenPainted();
    });
  }

  new MutationObserver(function () {
    if (!window.Plotly) { return; }
    var update = themeLayout();
    drawn.forEach(function (gd) {
      if (gd.isConnected) { window.Plotly.relayout(gd, update); } else { drawn.delete(gd); }
    });
  }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });

  window.cmvPlotly = { draw: draw, ensure: ensure };
})();
