// Bundles the static pages' widget embedder with live calculators (page.js) offline, with esbuild from
// book/node_modules. Called by book/_ext/live_calculators.py at each book build:
//   node book/_ext/live/build.mjs <out folder>
// writes <out>/embed-live.js (page.js: the small script each calculator page loads), <out>/embed-live-widgets.js
// (widgets.js: the widget manager, which page.js fetches when it draws the widgets), embed-live-widgets.css and
// the Font Awesome files the CSS refers to.
//
// The saved widget state is ipywidgets 8's, so the ipywidgets 7 modules that HTMLManager can also load
// (@jupyter-widgets/base7, controls7: their CSS would restyle every widget) are replaced by a module
// that refuses them. The CSS the manager loads with require() goes into embed-live-widgets.css, which page.js
// links when it draws the widgets (as embed.js injects its styles).
import * as esbuild from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { widgetBundle } from './plugins.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) { console.error('usage: node build.mjs <out folder>'); process.exit(2); }

const result = await esbuild.build(widgetBundle({
  entryPoints: { 'embed-live': path.join(here, 'page.js'), 'embed-live-widgets': path.join(here, 'widgets.js') },
  outdir: out,
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file' },
  assetNames: 'fonts/[name]-[hash]',
}));
const bytes = Object.entries(result.metafile.outputs).map(([f, o]) => `${path.basename(f)} ${o.bytes}`);
console.log('cmv-live bundle:', bytes.filter((b) => !b.startsWith('fa-')).join(', '));
