/* The book's self-assessment quizzes in the reader's browser (no kernel, no network).
 *
 * The quiz pages are static HTML written at build time by cmvlib.quiz_ui.quiz_html(); this script
 * 1. grades an answer with the same rules as cmvlib.quiz.Question.check (single best answer: the option
 *    in data-correct; numeric: within data-tolerance of data-answer, or matched to an anticipated mistake
 *    in data-value), then says "Correct"/"Incorrect" in words in a role="status" line, reveals every
 *    option's own explanation, the link back to the chapter section and the sources;
 * 2. keeps progress in localStorage ("cmv-quiz-progress-v1": {question id: {r: response, ok: bool}}),
 *    so a reload loses nothing, with a Reset button per quiz;
 * 3. fills the summary page (cmvlib.quiz_ui.summary_html) with results by chapter and the mistakes.
 * A page may load it twice (from its own HTML and from the site configuration): the second copy does
 * nothing. Without localStorage (private modes, file://) the quiz still works, for this page view only. */
(function () {
  "use strict";
  if (window.cmvQuiz) { return; }
  var KEY = "cmv-quiz-progress-v1";
  var fallback = {};
  var storageOk = true;

  function load() {
    try {
      var raw = window.localStorage.getItem(KEY);
      return raw ? JSON.parse(raw) : {};
    } catch (err) {
      storageOk = false;
      return fallback;
    }
  }

  function save(progress) {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(progress));
    } catch (err) {
      storageOk = false;
      fallback = progress;
    }
  }

  /* Typed text as a number, like cmvlib.quiz.parse_number: "3,600" (thousands), "0,91" (decimal
   * comma), "175 mg" (a trailing unit is ignored). NaN when it is not a number. */
  function parseNumber(text) {
    var m = /^\s*([+-]?[\d.,]+)\s*[^\d.,\s]*\s*$/.exec(String(text));
    if (!m) { return NaN; }
    var t = m[1];
    t = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(t) ? t.replace(/,/g, "") : t.replace(/,/g, ".");
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)) { return NaN; }
    return parseFloat(t);
  }

  function close(x, target, tolerance) { return Math.abs(x - target) <= tolerance + 1e-9; }

  /* {ok, option} for a response, or null when the response is not usable. */
  function grade(li, response) {
    var correct = li.getAttribute("data-correct");
    if (li.getAttribute("data-type") === "single") {
      var chosen = li.querySelector('.cmv-q-option[data-option="' + response + '"]');
      return chosen ? { ok: String(response) === correct, option: chosen } : null;
    }
    var box = li.querySelector(".cmv-q-numeric");
    var x = typeof response === "number" ? response : parseNumber(response);
    if (!isFinite(x)) { return null; }
    var tolerance = parseFloat(box.getAttribute("data-tolerance"));
    if (close(x, parseFloat(box.getAttribute("data-answer")), tolerance)) {
      return { ok: true, option: li.querySelector('.cmv-q-option[data-option="' + correct + '"]') };
    }
    var best = null;
    li.querySelectorAll(".cmv-q-option[data-value]").forEach(function (opt) {
      var v = parseFloat(opt.getAttribute("data-value"));
      if (opt.getAttribute("data-option") !== correct && close(x, v, tolerance) &&
          (best === null || Math.abs(x - v) < Math.abs(x - parseFloat(best.getAttribute("data-value"))))) {
        best = opt;
      }
    });
    return { ok: false, option: best, value: x };
  }

  function text(el) { return el ? el.textContent.trim() : ""; }

  function explanationOf(opt) { return opt ? text(opt.querySelector(".cmv-q-why")) : ""; }

  function rightAnswerText(li) {
    var box = li.querySelector(".cmv-q-numeric");
    if (box) { return box.getAttribute("data-answer") + " " + box.getAttribute("data-units"); }
    return text(li.querySelector('.cmv-q-option[data-option="' + li.getAttribute("data-correct") + '"] label'));
  }

  function setFeedback(fb, strong, rest) {
    fb.textContent = "";
    var s = document.createElement("strong");
    s.textContent = strong;
    fb.appendChild(s);
    if (rest) { fb.appendChild(document.createTextNode(" " + rest)); }
  }

  function show(li, response, result, focus) {
    var fb = li.querySelector(".cmv-q-feedback");
    var correct = li.getAttribute("data-correct");
    li.querySelectorAll("input").forEach(function (input) {
      input.disabled = true;
      if (input.type === "radio") { input.checked = input.value === String(response); }
      else { input.value = String(response); }
    });
    li.classList.remove("cmv-q-right", "cmv-q-wrong");
    li.classList.add("cmv-q-answered", result.ok ? "cmv-q-right" : "cmv-q-wrong");
    var chosenExpl = result.option ? explanationOf(result.option)
      : "That is not the answer, nor one of the mistakes we anticipated.";
    var rest = chosenExpl;
    if (!result.ok) { rest += " The answer: " + rightAnswerText(li) + "."; }
    setFeedback(fb, result.ok ? "✓ Correct." : "✗ Incorrect.", rest);
    li.querySelectorAll(".cmv-q-option").forEach(function (opt) {
      var isRight = opt.getAttribute("data-option") === correct;
      var mark = opt.querySelector(".cmv-q-mark");
      var yours = result.option === opt ? " (your answer)" : "";
      if (mark) { mark.textContent = (isRight ? "✓ Correct answer" : "✗ Not correct") + yours + "."; }
      opt.classList.toggle("cmv-q-is-right", isRight);
      opt.classList.toggle("cmv-q-is-chosen", result.option === opt);
      var expl = opt.querySelector(".cmv-q-expl");
      if (expl) { expl.hidden = false; }
    });
    ["cmv-q-more", "cmv-q-known"].forEach(function (cls) {
      var el = li.querySelector("." + cls);
      if (el) { el.hidden = false; }
    });
    var button = li.querySelector(".cmv-q-check");
    if (button) { button.hidden = true; }
    if (focus) { fb.focus(); }
  }

  function clear(li) {
    li.classList.remove("cmv-q-answered", "cmv-q-right", "cmv-q-wrong");
    li.querySelectorAll("input").forEach(function (input) {
      input.disabled = false;
      if (input.type === "radio") { input.checked = false; } else { input.value = ""; }
    });
    li.querySelectorAll(".cmv-q-option").forEach(function (opt) {
      opt.classList.remove("cmv-q-is-right", "cmv-q-is-chosen");
      var mark = opt.querySelector(".cmv-q-mark");
      if (mark) { mark.textContent = ""; }
      var expl = opt.querySelector(".cmv-q-expl");
      if (expl) { expl.hidden = true; }
    });
    ["cmv-q-more", "cmv-q-known"].forEach(function (cls) {
      var el = li.querySelector("." + cls);
      if (el) { el.hidden = true; }
    });
    li.querySelector(".cmv-q-feedback").textContent = "";
    li.querySelector(".cmv-q-check").hidden = false;
  }

  function questions(section) { return Array.prototype.slice.call(section.querySelectorAll("li.cmv-q")); }

  function updateScore(section) {
    var progress = load();
    var qs = questions(section);
    var answered = 0, right = 0;
    qs.forEach(function (li) {
      var p = progress[li.getAttribute("data-qid")];
      if (p) { answered += 1; if (p.ok) { right += 1; } }
    });
    var where = storageOk ? " Your progress is saved in this browser."
      : " This browser does not allow saving: progress lasts for this page view only.";
    section.querySelector(".cmv-quiz-score").textContent = answered === 0
      ? qs.length + " questions; none answered yet." + where
      : "Answered " + answered + " of " + qs.length + ": " + right + " correct." + where;
  }

  function check(section, li) {
    var fb = li.querySelector(".cmv-q-feedback");
    var response;
    if (li.getAttribute("data-type") === "single") {
      var picked = li.querySelector("input[type=radio]:checked");
      if (!picked) { setFeedback(fb, "Choose an answer first.", ""); return; }
      response = parseInt(picked.value, 10);
    } else {
      response = parseNumber(li.querySelector(".cmv-q-numeric input").value);
      if (!isFinite(response)) { setFeedback(fb, "Type a number,", "for example 175 or 0.91."); return; }
    }
    var result = grade(li, response);
    if (!result) { return; }
    var progress = load();
    progress[li.getAttribute("data-qid")] = { r: response, ok: result.ok };
    save(progress);
    show(li, response, result, true);
    updateScore(section);
  }

  function initQuiz(section) {
    var progress = load();
    questions(section).forEach(function (li) {
      li.querySelector(".cmv-q-check").addEventListener("click", function () { check(section, li); });
      var box = li.querySelector(".cmv-q-numeric input");
      if (box) {
        box.addEventListener("keydown", function (ev) {
          if (ev.key === "Enter") { ev.preventDefault(); check(section, li); }
        });
      }
      var saved = progress[li.getAttribute("data-qid")];
      var result = saved ? grade(li, saved.r) : null;
      if (result) { show(li, saved.r, result, false); }
    });
    section.querySelector(".cmv-quiz-reset").addEventListener("click", function () {
      var p = load();
      questions(section).forEach(function (li) { delete p[li.getAttribute("data-qid")]; clear(li); });
      save(p);
      updateScore(section);
      var first = section.querySelector("li.cmv-q input");
      if (first) { first.focus(); }
    });
    updateScore(section);
  }

  function initSummary(section) {
    var index = JSON.parse(section.querySelector("script.cmv-quiz-index").textContent);
    var status = section.querySelector(".cmv-summary-status");
    function render() {
      var progress = load();
      var all = { answered: 0, right: 0 };
      var mistakes = [];
      section.querySelectorAll("tbody tr").forEach(function (row) {
        var answered = 0, right = 0;
        row.getAttribute("data-qids").split(" ").forEach(function (qid) {
          var p = progress[qid];
          if (p) { answered += 1; if (p.ok) { right += 1; } else { mistakes.push(qid); } }
        });
        fill(row, answered, right);
        all.answered += answered;
        all.right += right;
      });
      fill(section.querySelector('tfoot tr[data-chapter="all"]'), all.answered, all.right);
      var list = section.querySelector(".cmv-summary-mistakes");
      list.textContent = "";
      if (!mistakes.length) {
        var none = document.createElement("li");
        none.textContent = "No mistakes saved in this browser.";
        list.appendChild(none);
      }
      mistakes.forEach(function (qid) {
        var info = index[qid];
        if (!info) { return; }
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = info.quiz;
        a.textContent = info.stem.length > 140 ? info.stem.slice(0, 137) + "…" : info.stem;
        li.appendChild(a);
        li.appendChild(document.createTextNode(" Read again: "));
        var sec = document.createElement("a");
        sec.href = info.section;
        sec.textContent = info.title;
        li.appendChild(sec);
        list.appendChild(li);
      });
    }
    function fill(row, answered, right) {
      row.querySelector(".cmv-s-answered").textContent = String(answered);
      row.querySelector(".cmv-s-correct").textContent = String(right);
      row.querySelector(".cmv-s-percent").textContent = answered ? Math.round(100 * right / answered) + "%" : "–";
    }
    section.querySelector(".cmv-summary-reset").addEventListener("click", function () {
      try { window.localStorage.removeItem(KEY); } catch (err) { fallback = {}; }
      render();
      status.textContent = "All quiz progress in this browser has been reset.";
    });
    window.addEventListener("storage", function (ev) { if (ev.key === KEY) { render(); } });
    render();
    if (!storageOk) { status.textContent = "This browser does not allow saving quiz progress."; }
  }

  function init() {
    document.querySelectorAll("section.cmv-quiz").forEach(initQuiz);
    document.querySelectorAll("section.cmv-quiz-summary").forEach(initSummary);
  }

  window.cmvQuiz = { parseNumber: parseNumber, grade: grade, key: KEY };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
