// esbuild settings shared by the book's widget embedder (build.mjs) and the classroom server's front end
// (voila/frontend/build.mjs): both bundle the ipywidgets HTML manager from book/node_modules.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const book = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// The widget state is ipywidgets 8's, so the ipywidgets 7 modules that HTMLManager can also load
// (@jupyter-widgets/base7, controls7: their CSS would restyle every widget) are replaced by a module that
// refuses them.
export const noWidgets7 = {
  name: 'no-ipywidgets-7',
  setup(build) {
    build.onResolve({ filter: /^@jupyter-widgets\/(base7|controls7)(\/.*)?$/ }, (args) => ({ path: args.path, namespace: 'no-widgets7' }));
    build.onLoad({ filter: /.*/, namespace: 'no-widgets7' }, (args) => ({
      contents: args.path.endsWith('.css') ? '' :
        'throw new Error("ipywidgets 7 widget state is not supported on this site: rebuild with ipywidgets 8");',
      loader: args.path.endsWith('.css') ? 'css' : 'js',
    }));
  },
};

/** esbuild options for a minified IIFE bundle of the HTML manager, plus `options` (entry points, outdir...). */
export function widgetBundle(options) {
  return {
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    absWorkingDir: path.resolve(book, '..'),
    nodePaths: [path.join(book, 'node_modules')],
    define: { 'process.env.NODE_ENV': '"production"' },
    // libembed and the manager assign webpack's public path (unused: CSS and fonts sit next to the bundle)
    banner: { js: 'var __webpack_public_path__ = "";' },
    plugins: [noWidgets7],
    legalComments: 'linked',
    logLevel: 'warning',
    metafile: true,
    ...options,
  };
}
