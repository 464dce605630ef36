/* The static book's widget embedder, with live calculators (bundled offline by esbuild into
 * _static/cmv-live/embed-live.js by book/_ext/live_calculators.py; used instead of the html-manager's
 * embed.js on pages that have a calculator declared in cmvlib.calc).
 *
 * 1. Draws the saved widget state like embed.js, but with a manager this script keeps
 *    (HTMLManager + renderWidgets of @jupyter-widgets/html-manager, bundled apart in widgets.js ->
 *    embed-live-widgets.js, 1.3 MB, and fetched only when the widgets are to be drawn: on a page with charts
 *    that is after the first chart, so a cold visit does not compile the manager before it).
 * 2. Finds each declared calculator by the marks its ipywidgets binding saved in the widget state
 *    (_dom_classes): cmv-calc-<name> on the calculator, cmv-field-<field> on each input,
 *    cmv-error-<field> on each message label, cmv-result-area, cmv-status-area.
 * 3. On every change of an input, sends {calculator, values, previous} to one Web Worker (worker.js:
 *    Pyodide + cmvlib, no kernel) and writes back the result HTML, the per-field messages, the rows to
 *    hide (cmv-row-<field>: fields that do not apply) and any input updates it returns, and redraws the
 *    calculator's chart and its text alternative (the cell marked data-cmv-chart-for / data-cmv-table-for
 *    with the calculator's model id; drawn by window.cmvPlotly, book/_static/cmv-plotly.js). Knows
 *    nothing about drugs: all logic is cmvlib's (cmvlib.calc.run).
 * 4. Starts the worker when the page is idle, a calculator nears the viewport or an input changes (under
 *    Save-Data only on a change); what is typed before it is ready is kept and computed once it is.
 */

const MARK = { calc: 'cmv-calc-', field: 'cmv-field-', row: 'cmv-row-', error: 'cmv-error-', result: 'cmv-result-area',
               status: 'cmv-status-area' };
const STATUS = {
  waiting: 'Live on this page: Python starts in your browser as you reach this calculator; change any value and the result follows.',
  saveData: 'Live on this page: your browser asks to save data, so Python (about 6 MB) starts only when you change a value.',
  starting: 'Starting Python in your browser… what you type is kept and computed as soon as it is ready.',
  live: 'Live: computed in your browser by the book’s Python code. Nothing you type leaves this page.',
  failed: 'Python could not start in this browser: the calculator shows its saved example.',
};

performance.mark('cmv-live-script');
const script = document.currentScript;
const BASE = new URL('.', script.src).href;
const ZIP = script.dataset.cmvZip;

const calculators = [];
const latencies = [];               // ms from a change of an input to its answer on screen (bench/bench_live.py)
let worker = null;
let workerState = 'off';            // off | starting | live | failed
let seq = 0;

function statusHtml(state) {
  return `<p class="cmv-static-note cmv-calc-status" role="status" data-cmv-live="${state}"><em>${STATUS[state]}</em></p>`;
}

function setStatus(state) {
  for (const calc of calculators) {
    calc.status && calc.status.set('value', statusHtml(state));
    calc.el && calc.el.setAttribute('data-cmv-live', state);
  }
}

/* ------------------------------------------------------------------ finding the calculators */
function classesOf(entry) {
  return (entry && entry.state && entry.state._dom_classes) || [];
}

function childIds(entry) {
  const children = (entry && entry.state && entry.state.children) || [];
  return children.map((ref) => String(ref).replace(/^IPY_MODEL_/, ''));
}

async function findCalculators(manager, state) {
  for (const [id, entry] of Object.entries(state)) {
    const mark = classesOf(entry).find((c) => c.startsWith(MARK.calc));
    if (!mark || !manager.has_model(id)) continue;
    const calc = { id, name: mark.slice(MARK.calc.length), fields: {}, rows: {}, errors: {}, result: null, status: null,
                   el: null, last: null, pending: 0, dirty: false };
    const walk = async (mid) => {
      const e = state[mid];
      if (!e || !manager.has_model(mid)) return;
      for (const c of classesOf(e)) {
        if (c.startsWith(MARK.field)) calc.fields[c.slice(MARK.field.length)] = await manager.get_model(mid);
        else if (c.startsWith(MARK.row)) calc.rows[c.slice(MARK.row.length)] = await manager.get_model(mid);
        else if (c.startsWith(MARK.error)) calc.errors[c.slice(MARK.error.length)] = await manager.get_model(mid);
        else if (c === MARK.result) calc.result = await manager.get_model(mid);
        else if (c === MARK.status) calc.status = await manager.get_model(mid);
      }
      for (const child of childIds(e)) await walk(child);
    };
    await walk(id);
    if (!calc.result || Object.keys(calc.fields).length === 0) continue;
    const views = await Promise.all(Object.values((await manager.get_model(id)).views || {}));
    calc.el = views.length ? views[0].el : null;
    calc.last = read(calc);
    for (const model of Object.values(calc.fields)) {
      model.on('change:value change:index', () => changed(calc));
    }
    calculators.push(calc);
  }
}

/* --------------------------------------------------------------------- values and results */
function valueOf(model) {
  const labels = model.get('_options_labels');
  if (Array.isArray(labels)) {                     // a choice: its label (the saved state has no values)
    const index = model.get('index');
    return index === null || index === undefined ? '' : String(labels[index]);
  }
  const value = model.get('value');
  if (value instanceof Date) return isNaN(value) ? '' : value.toISOString().slice(0, 10);  // a date picker (UTC)
  return typeof value === 'boolean' ? String(value) : value === null || value === undefined ? '' : String(value);
}

function read(calc) {
  const values = {};
  for (const [name, model] of Object.entries(calc.fields)) values[name] = valueOf(model);
  return values;
}

function same(a, b) {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function changed(calc) {
  if (same(read(calc), calc.last) && !calc.pending) return;
  if (!calc.tChange) calc.tChange = performance.now();
  calc.dirty = true;
  startWorker(true);
  if (workerState === 'live') send(calc);
}

function send(calc) {
  const values = read(calc);
  calc.dirty = false;
  calc.pending = ++seq;
  worker.postMessage({ type: 'run', id: calc.pending, calc: calculators.indexOf(calc),
                       calculator: calc.name, values, previous: calc.last });
  calc.sent = values;
}

function setInput(model, update) {
  if (update.description !== undefined) model.set('description', update.description);
  if (update.value === undefined) return;
  const labels = model.get('_options_labels');
  if (Array.isArray(labels)) {
    const index = labels.indexOf(update.value);
    if (index >= 0) model.set('index', index);
  } else if (typeof model.get('value') === 'boolean') {
    model.set('value', update.value === 'true');
  } else {
    model.set('value', update.value);
  }
}

function show(calc, out) {
  if (out.id !== calc.pending) return;            // an older answer: a newer request is on its way
  calc.pending = 0;
  if (out.error) { console.error('cmv-live:', out.error); return; }
  const inputs = out.inputs || {};
  calc.last = { ...calc.sent };
  for (const [name, update] of Object.entries(inputs)) {
    if (update.value !== undefined) calc.last[name] = update.value;
  }
  for (const [name, update] of Object.entries(inputs)) {
    if (calc.fields[name]) setInput(calc.fields[name], update);
  }
  for (const [name, model] of Object.entries(calc.errors)) {
    const message = (out.errors && out.errors[name]) || '';
    if (model.get('value') !== message) model.set('value', message);
  }
  calc.result.set('value', out.html);
  hideRows(calc, out.hidden || []);
  redrawChart(calc, out);
  if (calc.tChange) { latencies.push(performance.now() - calc.tChange); calc.tChange = 0; }
  performance.mark('cmv-live-answer');
  if (calc.el) calc.el.setAttribute('data-cmv-answers', String((Number(calc.el.getAttribute('data-cmv-answers')) || 0) + 1));
  if (!same(read(calc), calc.last)) changed(calc);  // typed again meanwhile
}

/** Hide the rows of the fields that do not apply (their row's layout model), show the others. */
function hideRows(calc, hidden) {
  for (const [name, row] of Object.entries(calc.rows)) {
    const layout = row.get('layout');
    const display = hidden.includes(name) ? 'none' : null;
    if (layout && layout.get('display') !== display) layout.set('display', display);
  }
}

/** Redraw the calculator's chart cells (the figure, or nothing while the input is invalid) and their text. */
function redrawChart(calc, out) {
  if (!('figure' in out)) return;
  for (const box of document.querySelectorAll(`[data-cmv-chart-for="${calc.id}"]`)) {
    let div = box.querySelector('.plotly-graph-div');
    if (!out.figure) { if (div) div.hidden = true; continue; }
    if (!div) {
      div = document.createElement('div');
      div.className = 'plotly-graph-div cmv-plotly';
      div.id = `cmv-live-chart-${calc.id}`;
      div.style.width = '100%';
      box.appendChild(div);
    }
    div.hidden = false;
    const height = out.figure.layout && out.figure.layout.height;
    if (height) div.style.height = `${height}px`;
    if (window.cmvPlotly) window.cmvPlotly.draw(div.id, out.figure);
  }
  for (const box of document.querySelectorAll(`[data-cmv-table-for="${calc.id}"]`)) {
    if (box.innerHTML !== out.table) box.innerHTML = out.table || '';
  }
  if (out.figure) performance.mark('cmv-live-chart');
}

/* ------------------------------------------------------------------------------- the worker */
let chartsFirst = null;

/** Starts Python. On a page with a chart, plotly.js is fetched first (both compete for the same cores on
 * arrival, and the chart is on screen while Python waits for a change), unless the reader has already changed
 * a value (`now`). */
function startWorker(now = false) {
  if (worker || liveRoots.length === 0) return;
  if (!now && !window.Plotly && window.cmvPlotly && document.querySelector('.plotly-graph-div')) {
    chartsFirst = chartsFirst || window.cmvPlotly.ensure().catch(() => null).then(() => startWorker(true));
    return;
  }
  workerState = 'starting';
  setStatus('starting');
  performance.mark('cmv-live-start');
  worker = new Worker(new URL('worker.js', BASE).href);
  worker.onmessage = (event) => {
    const msg = event.data;
    if (msg.type === 'ready') {
      performance.mark('cmv-live-ready');
      window.cmvLive.bootMs = msg.ms;
      workerState = 'live';
      setStatus('live');
      for (const calc of calculators) if (calc.dirty || !same(read(calc), calc.last)) send(calc);
    } else if (msg.type === 'failed') {
      workerState = 'failed';
      setStatus('failed');
      console.error('cmv-live: Python did not start:', msg.error);
    } else if (msg.type === 'result') {
      const calc = calculators[msg.calc];
      if (calc) show(calc, msg);
    }
  };
  worker.onerror = (event) => {
    workerState = 'failed';
    setStatus('failed');
    console.error('cmv-live: worker error', event.message);
  };
  worker.postMessage({ type: 'init', zip: new URL(ZIP, BASE).href });
}

const saveData = Boolean(navigator.connection && navigator.connection.saveData);
let cancelNear = () => {};   // stops the watch of scheduleStart

/** Start when the page is idle or a live calculator comes within 800 px of the viewport (its place holder
 * before the widgets are drawn, then its drawn element); under Save-Data only on a change. */
const NEAR_PX = 800;

/** Whether one of `elements` is within NEAR_PX of the viewport, or of where it is about to be: a link to a
 * section scrolls there only after the page's first layout, later than this script runs. */
function isNear(elements) {
  let top = 0;
  try {
    const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && window.scrollY === 0) top = target.getBoundingClientRect().top;
  } catch (err) { /* a malformed fragment: use the current viewport */ }
  return elements.some((el) => {
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.bottom >= top - NEAR_PX && r.top <= top + window.innerHeight + NEAR_PX;
  });
}

/** Calls `fn` once, when one of `elements` comes within NEAR_PX of the viewport (never without
 * IntersectionObserver); returns a function that cancels the watch. */
function whenNear(elements, fn) {
  if (!('IntersectionObserver' in window)) return () => {};
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) { observer.disconnect(); fn(); }
  }, { rootMargin: `${NEAR_PX}px 0px` });
  for (const el of elements) if (el) observer.observe(el);
  return () => observer.disconnect();
}

function scheduleStart(elements) {
  if (saveData || worker) return;
  if (isNear(elements)) { startWorker(); return; }    // at once: the observer's first report waits for a frame
  cancelNear();
  cancelNear = whenNear(elements, () => startWorker());
}

/** When to draw the widgets: at once, unless the page also has charts and no widget is near the viewport.
 * Then the first chart is drawn first (cmv-plotly.js draws the pending charts as plotly.js arrives), and the
 * widgets right after it, or as soon as one comes near, or after RENDER_WAIT_MS at most. Under Save-Data it
 * never asks for plotly.js (a chart coming near does). Off-screen widgets drawn first delayed the chart on a
 * cold visit of chapters 4 and 7 (bench/README.md, 2026-12-03 18:29/18:34). */
const RENDER_WAIT_MS = 3000;
function renderWhen() {
  const places = Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'),
    (tag) => tag.parentElement);
  if (!window.cmvPlotly || !document.querySelector('.plotly-graph-div') || isNear(places)) return Promise.resolve();
  return new Promise((resolve) => {
    let cancel = () => {};
    const done = () => { cancel(); resolve(); };
    cancel = whenNear(places, done);
    if (!saveData) window.cmvPlotly.ensure().then(done, done);   // under Save-Data plotly.js waits for a chart to come near
    setTimeout(done, RENDER_WAIT_MS);
  });
}

function startWhenIdle() {
  if (saveData) return;
  const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 200));
  idle(() => startWorker(), { timeout: 1500 });
}

/** The ids of the declared calculators in the saved state, and the elements where they will be drawn. */
function liveRootsInState() {
  const roots = [];
  for (const tag of document.querySelectorAll('script[type="application/vnd.jupyter.widget-state+json"]')) {
    const state = JSON.parse(tag.innerHTML).state || {};
    for (const [id, entry] of Object.entries(state)) {
      if (classesOf(entry).some((c) => c.startsWith(MARK.calc))) roots.push(id);
    }
  }
  const places = [];
  for (const view of document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')) {
    try {
      if (roots.includes(JSON.parse(view.innerHTML).model_id)) places.push(view.parentElement);
    } catch (err) { /* not ours to judge: renderWidgets reports it */ }
  }
  return { roots, places };
}

let liveRoots = [];

/** For the book's tests: the calculators, the widget managers, and which modules the calculators imported. */
window.cmvLive = {
  calculators,
  managers: [],
  latencies,
  values: (i) => read(calculators[i]),
  modules: () => new Promise((resolve) => {
    const listener = (event) => {
      if (event.data.type === 'modules') { worker.removeEventListener('message', listener); resolve(event.data); }
    };
    worker.addEventListener('message', listener);
    worker.postMessage({ type: 'modules' });
  }),
};

/* ----------------------------------------------------------------------- drawing the widgets */
const WIDGETS = script.dataset.cmvWidgets || 'embed-live-widgets.js';   // + '?v=<hash>' from the build

function addStyles() {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = new URL(WIDGETS.replace(/\.js(\?|$)/, '.css$1'), BASE).href;
  document.head.appendChild(link);
}

let widgetsLoading = null;
/** The widget manager bundle (widgets.js): resolves to {HTMLManager, renderWidgets}; fetched once. */
function loadWidgets() {
  widgetsLoading = widgetsLoading || new Promise((resolve, reject) => {
    if (window.cmvWidgetManager) { resolve(window.cmvWidgetManager); return; }
    const tag = document.createElement('script');
    tag.src = new URL(WIDGETS, BASE).href;
    tag.onload = () => (window.cmvWidgetManager ? resolve(window.cmvWidgetManager)
      : reject(new Error(`${WIDGETS} did not define the widget manager`)));
    tag.onerror = () => reject(new Error(`${WIDGETS} did not load`));
    document.head.appendChild(tag);
  });
  return widgetsLoading;
}

async function render() {
  addStyles();
  const { HTMLManager, renderWidgets } = await loadWidgets();
  const managers = window.cmvLive.managers;
  await renderWidgets(() => { const m = new HTMLManager(); managers.push(m); return m; });
  const tags = document.querySelectorAll('script[type="application/vnd.jupyter.widget-state+json"]');
  performance.mark('cmv-widgets-drawn');
  const states = Array.from(tags).map((t) => JSON.parse(t.innerHTML).state || {});
  for (const manager of managers) {
    for (const state of states) await findCalculators(manager, state);
  }
  setStatus(workerState === 'off' ? (saveData ? 'saveData' : 'waiting') : workerState);
  scheduleStart(calculators.map((c) => c.el));
}

if (!window._jupyter_widget_embedder) {
  window._jupyter_widget_embedder = true;
  const go = () => {
    const found = liveRootsInState();
    liveRoots = found.roots;
    if (liveRoots.length) { scheduleStart(found.places); startWhenIdle(); }
    renderWhen().then(render).catch((err) => { console.error('cmv-live: widgets not drawn', err); });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', go);
  else go();
}

/** The service worker at the book's root (cmv-sw.js, book/_ext/live/sw.js) keeps the versioned Python
 * runtime for the next page; registered once the page has loaded, where service workers exist. */
function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  const register = () => navigator.serviceWorker.register(new URL('../../cmv-sw.js', BASE).href)
    .catch((err) => console.warn('cmv-live: no service worker:', err));
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
registerServiceWorker();
