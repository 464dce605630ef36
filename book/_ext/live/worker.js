/* The live calculators' Web Worker: Pyodide (the self-hosted npm runtime, no packages, a trimmed standard
 * library) + cmvlib (a zip built with the book), and nothing else: no kernel, no IPython, no ipywidgets.
 * Written into _static/cmv-live/ by book/_ext/live_calculators.py, which fills BUILD below with the
 * build's names (relative to this file): {runtime: "pyodide-<version>/", stdlib: "python_stdlib-<hash>.zip",
 * lock: the runtime's pyodide-lock.json "info" with no packages (so that file is not fetched)}.
 * Started by the page's embedder (page.js).
 *
 * Messages in:  {type: "init", zip: <cmvlib zip URL>}
 *               {type: "run", id, calc, calculator, values, previous}   -> cmvlib.calc.run_json
 *               {type: "call", id, entry: "cmvlib.<module>:<function>", request: <JSON text>}
 *                                                                     -> that function (live panels, panel.js)
 *               {type: "modules"}                                     -> what Python imported (tests)
 * Messages out: {type: "ready", ms} | {type: "failed", error} | {type: "result", id, calc, ...outcome}
 *               | {type: "called", id, ...the function's JSON answer} | {type: "modules", ...}
 */
'use strict';

const BUILD = {};

let booted = null;
let runJson = null;
let callEntry = null;
let pyodide = null;

async function boot(config) {
  const t0 = performance.now();
  const runtime = new URL(BUILD.runtime, self.location.href).href;
  importScripts(runtime + 'pyodide.js');
  const zip = fetch(config.zip).then((r) => {
    if (!r.ok) throw new Error(`${config.zip}: HTTP ${r.status}`);
    return r.arrayBuffer();
  });
  pyodide = await loadPyodide({ indexURL: runtime, stdLibURL: new URL(BUILD.stdlib, self.location.href).href,
                                lockFileContents: BUILD.lock });
  // Every module Python has at this point is Pyodide's own start-up; cmvlib's imports come after.
  pyodide.runPython('import sys\n__cmv_before__ = sorted(sys.modules)');
  pyodide.unpackArchive(await zip, 'zip', { extractDir: '/cmv-live' });
  runJson = pyodide.runPython([
    'import sys',
    'sys.path.insert(0, "/cmv-live")',
    'from cmvlib.calc import run_json',
    'run_json',
  ].join('\n'));
  // A live panel's entry point: a function of a cmvlib module, JSON text in and out (nothing else is callable).
  callEntry = pyodide.runPython([
    'import importlib',
    'def __cmv_call__(entry, request):',
    '    module, _, name = entry.partition(":")',
    '    if not module.startswith("cmvlib.") or not name.isidentifier() or name.startswith("_"):',
    '        raise ValueError(f"not a cmvlib entry point: {entry!r}")',
    '    return getattr(importlib.import_module(module), name)(request)',
    '__cmv_call__',
  ].join('\n'));
  return Math.round(performance.now() - t0);
}

function modules() {
  const py = pyodide.runPython([
    'import json, sys',
    'json.dumps({"before": __cmv_before__, "after": sorted(sys.modules),',
    '            "stdlib": sorted(sys.stdlib_module_names), "path": list(sys.path)})',
  ].join('\n'));
  return { ...JSON.parse(py), packages: Object.keys(pyodide.loadedPackages || {}) };
}

self.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === 'init') {
    if (!booted) {
      booted = boot(msg);
      booted.then((ms) => self.postMessage({ type: 'ready', ms }),
                  (err) => self.postMessage({ type: 'failed', error: String(err && err.stack || err) }));
    }
  } else if (msg.type === 'run') {
    booted.then(() => {
      const out = JSON.parse(runJson(JSON.stringify({ calculator: msg.calculator, values: msg.values,
                                                     previous: msg.previous })));
      self.postMessage({ type: 'result', id: msg.id, calc: msg.calc, ...out });
    }).catch((err) => self.postMessage({ type: 'result', id: msg.id, calc: msg.calc, error: String(err) }));
  } else if (msg.type === 'call') {
    booted.then(() => {
      self.postMessage({ type: 'called', id: msg.id, ...JSON.parse(callEntry(msg.entry, msg.request)) });
    }).catch((err) => self.postMessage({ type: 'called', id: msg.id, error: String(err) }));
  } else if (msg.type === 'modules') {
    booted.then(() => self.postMessage({ type: 'modules', ...modules() }));
  }
};
