// esbuild plugins shared by the book's widget embedder (build.mjs) and the classroom server's front end
// (voila/frontend/build.mjs).

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
