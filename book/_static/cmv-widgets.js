/* Helps ipywidgets' HTML embedder on the book's static pages. Added only to pages with saved widget
 * state, before the embedder (book/_ext/offline_assets.py).
 * 1. MathJax: the embedder typesets widget text with the MathJax 2 API (MathJax.Hub.Queue), but the
 *    book self-hosts MathJax 3, which has no Hub: every widget description would throw. Whatever
 *    object window.MathJax holds (Sphinx's configuration, then MathJax 3 itself) gets a hidden
 *    Hub.Queue that calls MathJax 3's typesetPromise.
 * 2. Accessibility: slider handles (noUiSlider) have role="slider" but no accessible name; they get
 *    their widget's description as aria-label. */
(function () {
  "use strict";
  var current = window.MathJax;
  var hub = {
    Queue: function (job) {
      var mj = current;
      var element = Array.isArray(job) ? job[2] : undefined;
      if (!mj || typeof mj.typesetPromise !== "function") { return; } // MathJax's first pass will do it
      var ready = mj.startup && mj.startup.promise ? mj.startup.promise : Promise.resolve();
      ready.then(function () { return mj.typesetPromise(element ? [element] : undefined); })
        .catch(function (err) { console.warn("MathJax could not typeset a widget", err); });
    }
  };
  function addHub(obj) {
    if (obj && typeof obj === "object" && !("Hub" in obj)) {
      Object.defineProperty(obj, "Hub", { value: hub, enumerable: false, configurable: true });
    }
  }
  addHub(current);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    enumerable: true,
    get: function () { return current; },
    set: function (value) { current = value; addHub(value); }
  });

  function nameSliderHandles(root) {
    var handles = (root || document).querySelectorAll(".jupyter-widgets .noUi-handle:not([aria-label]):not([aria-labelledby])");
    Array.prototype.forEach.call(handles, function (handle) {
      var widget = handle.closest(".widget-slider, .jupyter-widgets");
      var label = widget && widget.querySelector(".widget-label");
      var text = label && label.textContent.trim();
      handle.setAttribute("aria-label", text || "slider");
    });
  }
  new MutationObserver(function () { nameSliderHandles(document); })
    .observe(document.documentElement, { childList: true, subtree: true });
})();
