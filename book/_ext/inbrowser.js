/* Live calculators (book/_ext/inbrowser.py): start a Voici app in the page when the reader asks.
 * Nothing is loaded before the button is pressed. While Python starts, a status line counts the
 * seconds; it says "ready" once the app's widgets are on screen. Same-origin iframe: no network. */
(function () {
  "use strict";
  function ready(doc) {
    return !!(doc && doc.querySelector(".jp-OutputArea-output .jupyter-widgets, .jp-OutputArea-output .widget-html"));
  }
  function failed(doc) {
    return !!(doc && doc.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"], .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'));
  }
  function start(box) {
    if (box.dataset.started) { return; }
    box.dataset.started = "1";
    var status = box.querySelector(".cmv-live-status");
    var button = box.querySelector(".cmv-live-start");
    var frame = document.createElement("iframe");
    frame.src = box.dataset.src;
    frame.title = box.dataset.title;
    frame.className = "cmv-live-frame";
    frame.style.height = box.dataset.height || "900px";
    var t0 = Date.now();
    function seconds() { return Math.round((Date.now() - t0) / 1000); }
    status.textContent = "Starting Python in your browser…";
    button.disabled = true;
    box.appendChild(frame);
    var timer = setInterval(function () {
      var doc = null;
      try { doc = frame.contentDocument; } catch (e) { doc = null; }
      if (ready(doc)) {
        clearInterval(timer);
        status.textContent = "Ready (" + seconds() + " s). Change any input: the result updates here, in your browser.";
        box.classList.add("cmv-live-ready");
        button.hidden = true;
        return;
      }
      if (failed(doc)) {
        clearInterval(timer);
        status.textContent = "The app stopped with an error (shown below). Reload the page to try again.";
        box.classList.add("cmv-live-failed");
        return;
      }
      var s = seconds();
      status.textContent = (s < 60 ? "Starting Python in your browser… " : "Still starting (a slow connection or computer)… ") +
        s + " s" + (s < 8 ? "" : " — the first time downloads the runtime; later visits start from the cache.");
    }, 500);
  }
  function init() {
    document.querySelectorAll("div.cmv-live").forEach(function (box) {
      var button = box.querySelector(".cmv-live-start");
      if (button) { button.addEventListener("click", function () { start(box); }); }
      if (window.location.hash === "#live" || new URLSearchParams(window.location.search).has("live")) { start(box); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
