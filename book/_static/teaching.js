/* The instructor page (book/teaching.md, lists written by book/_ext/teaching.py).
 * - The classroom server's address: typed once, checked, kept in localStorage ("cmv-classroom-server"); every
 *   a[data-cmv-app] then opens <address>/voila/render/<app>?<preset>. A bad address gets a message and changes
 *   no link.
 * - PDFs: each li[data-cmv-pdf] becomes a link when window.cmvPdfFiles (pdf/manifest.js, loaded by the page,
 *   written by the build and by make pdf) lists its file; until then it says which command builds it.
 */
(function () {
  "use strict";
  var KEY = "cmv-classroom-server";

  /* The server's base URL (no trailing slash) from what was typed, or null. */
  function parse(text) {
    var value = (text || "").trim();
    if (!value) { return null; }
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) { value = "http://" + value; }
    var url;
    try { url = new URL(value); } catch (e) { return null; }
    if ((url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname || url.username ||
        url.password || url.search || url.hash || /\s/.test(value)) { return null; }
    return (url.origin + url.pathname).replace(/\/+$/, "");
  }

  function relink(base) {
    document.querySelectorAll("a[data-cmv-app]").forEach(function (a) {
      a.href = base + "/voila/render/" + a.dataset.cmvApp;
    });
  }

  function stored() {
    try { return parse(window.localStorage.getItem(KEY)); } catch (e) { return null; }
  }

  function setUp(form) {
    var input = form.querySelector("input"), message = form.querySelector(".cmv-server-message");
    function say(text, bad) {
      message.textContent = text;
      message.classList.toggle("cmv-server-bad", bad);
      if (bad) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    }
    var saved = stored();
    if (saved) { input.value = saved; relink(saved); }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var base = parse(input.value);
      if (!base) {
        say("\u201c" + input.value.trim() + "\u201d is not a server address: type http://<server>:<port>, " +
            "for example http://192.168.1.20:8866. The links still open " + (stored() || input.defaultValue) + ".", true);
        input.focus();
        return;
      }
      try { window.localStorage.setItem(KEY, base); } catch (e) { /* private mode: this visit only */ }
      input.value = base;
      relink(base);
      say("The app links now open on " + base + ".", false);
    });
  }

  function linkPdfs() {
    var built = window.cmvPdfFiles || [];
    document.querySelectorAll("li[data-cmv-pdf]").forEach(function (li) {
      var href = li.dataset.cmvPdf;
      if (built.indexOf(href.split("/").pop()) < 0) { return; }
      var code = li.querySelector("code"), link = document.createElement("a");
      link.href = href;
      link.setAttribute("download", "");
      code.replaceWith(link);
      link.appendChild(code);
      li.querySelector(".cmv-download-state").remove();
      li.classList.add("cmv-download-ready");
    });
  }

  function start() {
    document.querySelectorAll("form.cmv-server-form").forEach(setUp);
    linkPdfs();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
