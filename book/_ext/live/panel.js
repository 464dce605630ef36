/* Live panels of the static book: an element whose HTML a named cmvlib entry point writes, turn by turn, in the
 * reader's browser (the worker of the live calculators: Pyodide + cmvlib, no server). Copied into
 * _static/cmv-live/panel.js by book/_ext/live_calculators.py onto pages that have such an element (deferred;
 * its tag carries data-cmv-zip, and data-plotly-glue / data-plotly: the chart glue cmv-plotly.js, loaded only
 * when an answer draws a chart, and what the glue loads). Knows nothing about cases or drugs: all the logic is
 * cmvlib's.
 *
 * The page's element (written at build time by cmvlib, e.g. cmvlib.cases.play.Page):
 *   [data-cmv-live-entry="cmvlib.<module>:<function>"]  the entry point: JSON request in, JSON out
 *   [data-cmv-args="<JSON>"]                             passed as request.args
 *   [data-cmv-store="<key>"]                             localStorage key of the state the entry returns
 *   [data-cmv-live-status]                               a status line (starting, live, failed)
 *   [data-cmv-live-body]                                 replaced by each answer's HTML
 * Request {args, state, action}; answer {html, state, figures: {element id: Plotly figure}} or {error}.
 * In the answer's HTML, a button with data-cmv-action="<JSON>" sends that action; a form with data-cmv-action
 * sends it merged with its named fields; [data-cmv-focus] (or the first [tabindex="-1"] heading) takes focus
 * after an action, for keyboard and screen-reader users. The state is kept in localStorage, so a reload
 * continues where the reader was.
 */
(function () {
  'use strict';
  const STATUS = {
    starting: 'Starting Python in your browser… the case becomes playable in a few seconds.',
    live: 'Live: played in your browser by the book’s Python code. Your progress is kept in this browser only.',
    failed: 'Python could not start in this browser: the case cannot be played here.',
  };
  const script = document.currentScript;
  const BASE = new URL('.', script.src).href;
  const ZIP = script.dataset.cmvZip;
  const panels = [];
  const waiting = new Map();   // request id -> panel
  let worker = null;
  let seq = 0;
  let glue = null;

  /** window.cmvPlotly (book/_static/cmv-plotly.js), loaded the first time an answer draws a chart. */
  function charts() {
    if (window.cmvPlotly) return Promise.resolve(window.cmvPlotly);
    glue = glue || new Promise((resolve, reject) => {
      const tag = document.createElement('script');
      tag.src = new URL(script.dataset.plotlyGlue, BASE).href;
      tag.dataset.plotly = script.dataset.plotly;
      tag.onload = () => resolve(window.cmvPlotly);
      tag.onerror = () => reject(new Error(`${tag.src} did not load`));
      document.head.appendChild(tag);
    });
    return glue;
  }

  function load(key) {
    try { return JSON.parse(localStorage.getItem(key) || 'null'); } catch (err) { return null; }
  }
  function save(key, state) {
    try {
      if (state === null || state === undefined) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(state));
    } catch (err) { /* storage full or off: the panel still plays */ }
  }

  function setStatus(panel, state) {
    panel.el.setAttribute('data-cmv-live', state);
    if (panel.status) panel.status.innerHTML = `<em>${STATUS[state]}</em>`;
  }

  function send(panel, action) {
    if (panel.busy) return;
    panel.busy = true;
    panel.body.setAttribute('aria-busy', 'true');
    const id = ++seq;
    waiting.set(id, panel);
    panel.action = action;
    worker.postMessage({ type: 'call', id, entry: panel.entry,
                         request: JSON.stringify({ args: panel.args, state: load(panel.store), action }) });
  }

  function show(panel, out) {
    panel.busy = false;
    panel.body.removeAttribute('aria-busy');
    if (out.error) { console.error('cmv-live panel:', out.error); setStatus(panel, 'failed'); return; }
    save(panel.store, out.state);
    panel.body.innerHTML = out.html;
    for (const [id, figure] of Object.entries(out.figures || {})) {
      const div = document.getElementById(id);
      if (!div) continue;
      const height = figure.layout && figure.layout.height;
      if (height) div.style.height = `${height}px`;
      charts().then((glue) => glue.draw(div, figure)).catch((err) => console.error('cmv-live panel: no chart:', err));
    }
    panel.el.setAttribute('data-cmv-answers', String(Number(panel.el.getAttribute('data-cmv-answers') || 0) + 1));
    if (panel.action) {
      const target = panel.body.querySelector('[data-cmv-focus]') || panel.body.querySelector('[tabindex="-1"]');
      if (target) { if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1'); target.focus(); }
    }
  }

  function actionOf(el) {
    try { return JSON.parse(el.getAttribute('data-cmv-action')); } catch (err) { return null; }
  }

  function wire(panel) {
    panel.el.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-cmv-action]');
      if (!button || !panel.el.contains(button) || panel.state !== 'live') return;
      event.preventDefault();
      send(panel, actionOf(button));
    });
    panel.el.addEventListener('submit', (event) => {
      const form = event.target.closest('form[data-cmv-action]');
      if (!form) return;
      event.preventDefault();
      if (panel.state !== 'live') return;
      const action = Object.assign({}, actionOf(form));
      for (const [name, value] of new FormData(form).entries()) action[name] = String(value);
      send(panel, action);
    });
  }

  function start() {
    for (const el of document.querySelectorAll('[data-cmv-live-entry]')) {
      let args = null;
      try { args = JSON.parse(el.getAttribute('data-cmv-args') || 'null'); } catch (err) { /* reported below */ }
      const panel = { el, args, entry: el.getAttribute('data-cmv-live-entry'), store: el.getAttribute('data-cmv-store'),
                      status: el.querySelector('[data-cmv-live-status]'), body: el.querySelector('[data-cmv-live-body]'),
                      state: 'starting', busy: false, action: null };
      if (!panel.body || !panel.store) continue;
      panels.push(panel);
      wire(panel);
      setStatus(panel, 'starting');
    }
    if (!panels.length) return;
    worker = new Worker(new URL('worker.js', BASE).href);
    worker.onmessage = (event) => {
      const msg = event.data;
      if (msg.type === 'ready') {
        for (const panel of panels) { panel.state = 'live'; setStatus(panel, 'live'); send(panel, null); }
      } else if (msg.type === 'failed') {
        console.error('cmv-live panel: Python did not start:', msg.error);
        for (const panel of panels) { panel.state = 'failed'; setStatus(panel, 'failed'); }
      } else if (msg.type === 'called') {
        const panel = waiting.get(msg.id);
        waiting.delete(msg.id);
        if (panel) show(panel, msg);
      }
    };
    worker.onerror = (event) => {
      console.error('cmv-live panel: worker error', event.message);
      for (const panel of panels) { panel.state = 'failed'; setStatus(panel, 'failed'); }
    };
    worker.postMessage({ type: 'init', zip: new URL(ZIP, BASE).href });
  }

  window.cmvLivePanels = panels;
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
