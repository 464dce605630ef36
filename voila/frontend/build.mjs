// Bundles the classroom server's front end (classroom.js) offline with esbuild from book/node_modules, into
// the cmv-offline template's static folder, which is installed with the package (pyproject data-files):
//   node voila/frontend/build.mjs            (make classroom-assets)
// writes cmv-classroom.js, cmv-classroom.css, plotly.min.js and cmv-classroom.version (plotly.js's npm "basic" bundle, as in the
// book: scatter, bar and pie, which every cmvlib chart uses). The files are committed, so that an
// installation needs no Node.js; tests/apps/test_classroom_frontend.py rebuilds them and checks that they
// have not gone stale.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { widgetBundle } from '../../book/_ext/live/plugins.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const modules = path.join(root, 'book', 'node_modules');
const esbuild = createRequire(path.join(modules, 'package.json'))('esbuild');   // book/node_modules
const out = process.argv[2] || path.join(root, 'voila', 'templates', 'cmv-offline', 'static');

const result = await esbuild.build(widgetBundle({
  entryPoints: { 'cmv-classroom': path.join(here, 'classroom.js') },
  outdir: out,
  // the widgets' CSS needs no icon font (Font Awesome is used by no cmvlib widget)
  external: ['*.woff', '*.woff2', '*.ttf', '*.eot', '*.svg'],
}));
fs.copyFileSync(path.join(modules, 'plotly.js-basic-dist-min', 'plotly-basic.min.js'), path.join(out, 'plotly.min.js'));
// the page asks for ?v=<hash of the bundle>: browsers may keep it for good (tornado's StaticFileHandler sends a
// ten-year max-age for versioned requests), and a new bundle is a new address
const hash = crypto.createHash('sha256');
for (const name of ['cmv-classroom.js', 'cmv-classroom.css', 'plotly.min.js']) hash.update(fs.readFileSync(path.join(out, name)));
fs.writeFileSync(path.join(out, 'cmv-classroom.version'), hash.digest('hex').slice(0, 12));
const bytes = Object.entries(result.metafile.outputs).map(([f, o]) => `${path.basename(f)} ${o.bytes}`);
console.log('cmv-classroom bundle:', bytes.join(', '));
