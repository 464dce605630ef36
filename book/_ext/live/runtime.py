"""Run inside Pyodide (under node, ``live/pyrun.mjs``): which standard library the live calculators need,
and the proof that a trimmed one is enough.

- :func:`needed` (book build, full ``python_stdlib.zip``): the members of the trimmed standard library,
  the import closure of Pyodide's own start-up and of cmvlib (see :func:`needed`), without comments.
- :func:`check` (tests, trimmed zip): import every module of the cmvlib zip, run every declared
  calculator on its defaults, on each option of each choice and on junk in every field, play every case
  to its debrief through the live panels' entry point (with junk at every step), and report.

Both call :func:`exercise`, so the modules a real run imports are in the trimmed zip by construction, and
the static closure covers the branches the run does not take. Python 3.13 (Pyodide's), standard library only.
"""
from __future__ import annotations

import ast
import importlib
import io
import json
import sys
import tokenize
import traceback
import zipfile
from pathlib import Path

LIB = Path("/cmv-live")                       # where pyrun.mjs unpacks the cmvlib zip
#: Top-level packages whose every module is a root: Pyodide's own Python side, which its JavaScript calls.
PYODIDE_PACKAGES = ("pyodide", "_pyodide")
#: Text typed into a field: empty, words, signs, overflow, non-finite, other digits and scripts, markup.
JUNK = ("", " ", "abc", "-1", "0", "0.0001", "1e309", "-1e309", "nan", "inf", "1,5", "١٢", "１２", "💊", "9" * 400,
        "<script>x</script>", "true", "None", "\x00")


def stdlib_zip() -> zipfile.ZipFile:
    """The standard library zip Pyodide is running on (``/lib/python3XX.zip``)."""
    return zipfile.ZipFile(next(p for p in sys.path if p.endswith(".zip")))


def modules_in(zf: zipfile.ZipFile) -> dict[str, str]:
    """Module name -> member name of every ``.py`` in the zip (``pkg/__init__.py`` -> ``pkg``)."""
    out = {}
    for name in zf.namelist():
        if name.endswith(".py"):
            mod = name[:-3].replace("/", ".")
            out[mod.removesuffix(".__init__")] = name
    return out


def _is_main_guard(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "__main__" in ast.unparse(node.test) and "__name__" in ast.unparse(node.test)


def _nodes(tree: ast.Module, lazy: bool):
    """The nodes run when the module is imported (``lazy``: also function bodies); never a ``__main__`` block."""
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        yield node
        if _is_main_guard(node):
            todo.extend(node.orelse)
        elif lazy or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))


def imports(module: str, source: str, package: bool, lazy: bool) -> set[str]:
    """Every module name an import in ``source`` may load, with its parents (``a.b.c`` -> ``a``, ``a.b``,
    ``a.b.c``); ``from p import n`` counts ``p.n`` too (it may be a module); literal ``import_module("x")``
    and ``__import__("x")`` too."""
    names: set[str] = set()
    for node in _nodes(ast.parse(source), lazy):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            parent = _absolute(module, package, node.level, node.module or "")
            names.add(parent)
            names.update(f"{parent}.{a.name}" for a in node.names)
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__")):
            name = node.args[0].value                     # relative: to the calling module's package
            level = len(name) - len(name.lstrip("."))
            names.add(_absolute(module, package, level, name[level:]))
    return {".".join(n.split(".")[:i + 1]) for n in names if n for i in range(n.count(".") + 1)}


def _absolute(module: str, package: bool, level: int, name: str) -> str:
    """The absolute name of ``name`` imported with ``level`` leading dots from ``module``."""
    if not level:
        return name
    base = module.split(".") if package else module.split(".")[:-1]
    base = base[:len(base) - level + 1]
    return ".".join(base + ([name] if name else []))


def closure(zf: zipfile.ZipFile, roots: set[str]) -> set[str]:
    """``roots`` and every module of the zip their import-time code imports, transitively."""
    files = modules_in(zf)
    seen: set[str] = set()
    todo = [r for r in roots if r in files]
    while todo:
        mod = todo.pop()
        if mod in seen:
            continue
        seen.add(mod)
        src = zf.read(files[mod]).decode("utf-8")
        todo.extend(d for d in imports(mod, src, files[mod].endswith("/__init__.py"), lazy=False)
                    if d in files and d not in seen)
    return seen


def without_comments(source: str) -> str:
    """``source`` without its comments (but on lines 1-2: a coding cookie), every line kept (tracebacks keep
    their line numbers); ``source`` itself unless both parse to the same syntax tree."""
    lines = source.splitlines(keepends=True)
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT and tok.start[0] > 2:
            (row, col), (_, end) = tok.start, tok.end
            lines[row - 1] = lines[row - 1][:col].rstrip() + lines[row - 1][end:]
    out = "".join(lines)
    return out if ast.dump(ast.parse(out)) == ast.dump(ast.parse(source)) else source


def cmvlib_modules() -> list[str]:
    """Every module of the unpacked cmvlib zip."""
    out = []
    for path in sorted(LIB.rglob("*.py")):
        mod = ".".join(path.relative_to(LIB).with_suffix("").parts)
        out.append(mod.removesuffix(".__init__"))
    return out


def exercise() -> dict:
    """Import every cmvlib module, run every declared calculator (``calc.names()``) on its defaults, on each
    option of each choice (also as a change from the defaults), and on each junk text in each field and in
    all at once; and the worker's JSON entry on malformed requests. Returns what was run and what failed."""
    if str(LIB) not in sys.path:
        sys.path.insert(0, str(LIB))
    failures: list[str] = []
    runs = 0

    def attempt(what: str, fn) -> object:
        nonlocal runs
        runs += 1
        try:
            return fn()
        except Exception:                                  # noqa: BLE001 - every failure is reported
            failures.append(f"{what}: {traceback.format_exc(limit=-3)}")
            return None

    modules = cmvlib_modules()
    for mod in modules:
        attempt(f"import {mod}", lambda mod=mod: importlib.import_module(mod))
    calc = attempt("import cmvlib.calc", lambda: importlib.import_module("cmvlib.calc"))
    if calc is None:                                       # nothing to run: the failure says why
        return {"modules": modules, "calculators": [], "runs": runs, "answered": {}, "failures": failures}

    answered: dict[str, int] = {}
    for name in calc.names():
        decl = calc.get(name)
        cases = []
        for base in _bases(decl):
            cases.append((base, None))
            for f in decl.fields:
                for label, value in f.options:
                    cases += [({**base, f.name: value}, base), ({**base, f.name: label}, None)]
                if f.kind == "flag":
                    cases += [({**base, f.name: flag}, base) for flag in ("true", "false")]
                if f.limits:
                    cases += [({**base, f.name: _text(x)}, base) for x in (*f.limits, sum(f.limits) / 2)]
                cases += [({**base, f.name: junk}, base) for junk in JUNK]
        cases += [({k: junk for k in decl.defaults()}, None) for junk in JUNK] + [({}, None)]
        answered[name] = 0
        for values, previous in cases:
            out = attempt(f"{name} {values!r} (previous {previous!r})", lambda v=values, p=previous: calc.run(name, v, p))
            if out is not None and not (isinstance(out, dict) and isinstance(out.get("html"), str)):
                failures.append(f"{name} {values!r}: not an outcome: {out!r}")
            elif out is not None and not out["errors"]:
                answered[name] += 1
            attempt(f"json {name}", lambda v=values, p=previous: json.loads(calc.run_json(json.dumps(
                {"calculator": name, "values": v, "previous": p}))))
    for bad in ("", "{", "[]", "null", '{"calculator": "no-such-calculator", "values": {}}', '{"values": 3}',
                '{"calculator": "renal", "values": []}'):
        out = attempt(f"run_json({bad!r})", lambda bad=bad: json.loads(calc.run_json(bad)))
        if out is not None and "error" not in out:
            failures.append(f"run_json({bad!r}) gave no error: {out!r}")
    cases = attempt("import cmvlib.cases.play", lambda: importlib.import_module("cmvlib.cases.play"))
    played = _play_cases(cases, attempt, failures) if cases is not None else {}
    return {"modules": modules, "calculators": list(calc.names()), "runs": runs, "answered": answered,
            "played": played, "failures": failures}


def _play_cases(play, attempt, failures: list[str]) -> dict[str, int]:
    """Play every case (``cmvlib.cases.names()``) through the live panels' entry point, as the page does: the
    expert path to the debrief, with junk typed and picked at every step (a message, the state unchanged)."""
    from cmvlib import cases

    played: dict[str, int] = {}
    for name in cases.names():
        state, turns = None, 0
        for pick in [None] + list(play.expert_picks(name)):
            for junk in ({"pick": "no-such-option"}, {"dose_mg": "abc"}, {"dose_mg": "1e309"}, {"x": 1}):
                out = attempt(f"play {name} junk {junk}", lambda j=junk, s=state: json.loads(play.play_json(json.dumps(
                    {"args": {"case": name}, "state": s, "action": j}))))
                if out is not None and out.get("state") != state and state is not None:
                    failures.append(f"play {name}: junk {junk!r} changed the state")
            action = None if pick is None else {"dose_mg": pick["dose_mg"]} if isinstance(pick, dict) else {"pick": pick}
            out = attempt(f"play {name} {pick!r}", lambda a=action, s=state: json.loads(play.play_json(json.dumps(
                {"args": {"case": name}, "state": s, "action": a}))))
            if out is None or "error" in out:
                failures.append(f"play {name} {pick!r}: {out!r}")
                break
            state, turns = out["state"], turns + 1
        if state is not None and 'data-cmv-score' not in out["html"]:
            failures.append(f"play {name}: the expert path did not reach the debrief")
        played[name] = turns
    for bad in ("", "{", "[]", '{"args": {"case": "no-such-case"}}', '{"args": 3}'):
        out = attempt(f"play_json({bad!r})", lambda bad=bad: json.loads(play.play_json(bad)))
        if out is not None and "error" not in out:
            failures.append(f"play_json({bad!r}) gave no error: {out!r}")
    return played


#: A date for a date field without a default (the monitoring schedule's start: today, in the widgets).
EXAMPLE_DATE = "2026-03-02"


def _text(x: float) -> str:
    return f"{x:g}"


def _bases(decl) -> list[dict[str, str]]:
    """Values a calculator answers (no field message): its defaults with every number at the middle of its
    limits, optional numbers filled and then empty."""
    full = {f.name: _text(sum(f.limits) / 2) if f.kind == "number" and f.limits
            else f.default or EXAMPLE_DATE if f.kind == "date" else f.default for f in decl.fields}
    sparse = {**full, **{f.name: "" for f in decl.fields if f.kind == "number" and f.optional}}
    return [full, sparse]


def needed(startup: str) -> str:
    """The members of the trimmed standard library zip (JSON: name -> text; a folder's is empty), from the
    full one, without comments (:func:`without_comments`): the import-time closure (:func:`closure`) of

    - Pyodide's start-up (``startup``: ``sys.modules`` after ``loadPyodide``, JSON) and every module of
      :data:`PYODIDE_PACKAGES`, with the imports in their functions (called by Pyodide's JavaScript);
    - every import of cmvlib, in function bodies too, and the imports in the functions of the standard
      modules cmvlib imports and of the modules of their packages these import (what cmvlib calls, and
      the package internals those calls go through: ``importlib.resources.files`` ->
      ``importlib.resources._common`` -> ``._adapters``);
    - every module :func:`exercise` imported;
    - every codec of ``encodings`` (looked up by name at run time) but the 8-bit character tables;

    plus the directories of the members. Fails (raises) if :func:`exercise` fails on the full library."""
    zf = stdlib_zip()
    files = modules_in(zf)
    start = set(json.loads(startup))
    report = exercise()
    if report["failures"]:
        raise RuntimeError("cmvlib fails on the full standard library:\n" + "\n".join(report["failures"][:5]))

    def lazy_imports(mods) -> set[str]:
        out: set[str] = set()
        for mod in mods:
            out |= imports(mod, zf.read(files[mod]).decode("utf-8"), files[mod].endswith("/__init__.py"), lazy=True)
        return {m for m in out if m in files}

    pyodide = {m for m in files if m.split(".")[0] in PYODIDE_PACKAGES}
    direct: set[str] = set()
    for path in sorted(LIB.rglob("*.py")):
        mod = ".".join(path.relative_to(LIB).with_suffix("").parts).removesuffix(".__init__")
        direct |= imports(mod, path.read_text(encoding="utf-8"), path.name == "__init__.py", lazy=True)
    direct = {m for m in direct if m in files}
    packages = {m.split(".")[0] for m in direct}
    direct |= {m for m in closure(zf, direct) if m.split(".")[0] in packages}
    ran = {m for m in sys.modules if m in files}
    codecs = {m for m in files if m.startswith("encodings.") and b"decoding_table" not in zf.read(files[m])}
    roots = start | pyodide | lazy_imports(pyodide) | direct \
        | lazy_imports(direct) | ran | codecs
    members = {files[m]: without_comments(zf.read(files[m]).decode("utf-8")) for m in closure(zf, roots)}
    dirs = {n: "" for n in zf.namelist() if n.endswith("/") and any(m.startswith(n) for m in members)}
    return json.dumps(dict(sorted({**members, **dirs}.items())))


def check(_: str = "") -> str:
    """:func:`exercise` on the runtime as it is (the trimmed zip in the tests), as JSON, with the modules
    Python has loaded and the zip it runs on."""
    report = exercise()
    zf = stdlib_zip()
    report["stdlib"] = {"path": zf.filename, "members": len(zf.namelist()),
                        "modules": sorted(modules_in(zf)), "bytes": Path(zf.filename).stat().st_size}
    report["loaded"] = sorted(sys.modules)
    return json.dumps(report)
