// Runs a function of book/_ext/live/runtime.py in Pyodide under node, on a given runtime: the book build
// (live_calculators.py: which standard library modules to keep) and the tests (the trimmed runtime is
// enough). No network: every file is read from disk.
//   node pyrun.mjs '<json: {runtime, stdlib?, lock?, zip, function, arg?}>'
// runtime: the folder of pyodide.js/pyodide.asm.*; stdlib: a python_stdlib zip (default: the runtime's);
// lock: pyodide-lock.json contents (default: the runtime's file); zip: the cmvlib zip, unpacked to
// /cmv-live; function: needed | check, called with `arg` (default: Pyodide's start-up modules, JSON).
// Prints the function's result (a JSON string) on stdout.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const cfg = JSON.parse(process.argv[2]);
const runtime = path.resolve(cfg.runtime) + path.sep;
const { loadPyodide } = createRequire(import.meta.url)(path.join(runtime, 'pyodide.js'));
// errors: the message only (Pyodide's would print its minified runtime)
process.on('uncaughtException', (err) => { console.error(String(err && err.message || err)); process.exit(1); });
process.on('unhandledRejection', (err) => { console.error(String(err && err.message || err)); process.exit(1); });
const options = { indexURL: runtime, stdout: (s) => process.stderr.write(s + '\n') };
if (cfg.stdlib) options.stdLibURL = path.resolve(cfg.stdlib);
if (cfg.lock) options.lockFileContents = cfg.lock;
const py = await loadPyodide(options);
const startup = py.runPython('import sys, json\njson.dumps(sorted(sys.modules))');
py.unpackArchive(new Uint8Array(fs.readFileSync(cfg.zip)), 'zip', { extractDir: '/cmv-live' });
py.runPython(fs.readFileSync(path.join(here, 'runtime.py'), 'utf8'));
const fn = py.globals.get(cfg.function);
process.stdout.write(fn(cfg.arg ?? startup));
