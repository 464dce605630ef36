"""Prepare the JupyterLite folder that the book's in-browser calculators are built from.

Run by ``make lite-dir`` (a dependency of ``make book-build``); jupyterlite-sphinx then runs
``jupyter lite build --lite-dir <this folder>`` at the end of the Sphinx build. Nothing here is
committed: the folder is generated under ``_build/`` on every machine.

What goes in ``<lite-dir>``:

- ``jupyter-lite.json`` copied from ``lite/``: in-memory storage (a reader never sees an old copy of a
  notebook), ``disablePyPIFallback``, the packages the kernel preloads (from the lock below, all at once).
- ``jupyter_lite_config.json`` from ``lite/`` (no source maps; only the front-end extensions the apps
  need, not every one of the build environment) with the absolute path of ``extensions/``.
- ``static/pyodide/``: the Pyodide runtime from the npm package ``pyodide`` (``lite/package-lock.json``)
  and every wheel the kernel and the apps import, with ``pyodide-lock.json`` rewritten to list exactly
  those files with their real sha256 (Pyodide checks them). No request ever leaves the site:
  entries of the upstream lock that are not shipped are removed.
- ``extensions/``: the three federated extensions the apps need (the Pyodide kernel, the ipywidgets
  manager, the Plotly renderer), copied from the build environment.

Wheels:

- The pure-Python packages of the upstream lock that IPython needs, from PyPI at the lock's exact
  versions (``pip download --no-deps``; pip's cache makes repeat builds fast).
- ``comm`` and ``ipywidgets`` from PyPI at the versions of the build environment (front end and kernel
  then agree); ``jupyterlab_widgets``/``widgetsnbextension`` are not shipped (front-end only).
- ``piplite``, ``pyodide_kernel`` and the ``ipykernel`` shim shipped inside the kernel extension.
- ``cmvlib`` built from this checkout with ``pip wheel --no-deps``.
- ``sqlite3``: a one-file stub that raises ``ModuleNotFoundError`` (Pyodide's compiled sqlite3 module is
  on no package registry; IPython then keeps its history in memory).
- ``jedi``: the same kind of stub (the kernel insists on installing jedi; IPython treats it as optional).
  The apps have no code cells, so no code completion is needed; this saves 1.7 MB (jedi + parso) and
  their unpacking and import on every start.
- No plotly.py: :mod:`cmvlib.charts` builds the figure JSON and :func:`cmvlib.display.show` emits the
  Plotly MIME bundle, which the Plotly front-end extension draws.

Usage: ``python lite/build_runtime.py <lite-dir>``
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NPM_PYODIDE = HERE / "node_modules" / "pyodide"
LABEXTENSIONS = Path(sys.prefix) / "share" / "jupyter" / "labextensions"

#: Runtime files taken from the npm package (no source maps, type stubs or demo consoles).
RUNTIME_FILES = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip")

#: Packages the kernel or the apps import, by their name in the upstream pyodide-lock.json; their
#: dependencies (per the lock) are added. sqlite3 and jedi are replaced by stubs below.
FROM_LOCK = ("micropip", "packaging", "ipython")

#: Extra wheels from PyPI: name -> version (``None``: the version installed in the build environment).
FROM_PYPI = {"comm": None, "ipywidgets": None}

#: Wheels shipped inside the Pyodide kernel's labextension (static/pypi).
KERNEL_WHEELS = ("piplite", "pyodide_kernel", "ipykernel")

#: Front-end extensions copied into <lite-dir>/extensions (everything else in the environment,
#: e.g. Voilà's or jupytext's, is left out: jupyter_lite_config.json ignores sys.prefix).
EXTENSIONS = ("@jupyterlite/pyodide-kernel-extension", "@jupyter-widgets/jupyterlab-manager", "jupyterlab-plotly")

#: Import names of the extra packages (for the lock's "imports").
IMPORTS = {"comm": ["comm"], "ipywidgets": ["ipywidgets"], "cmvlib": ["cmvlib"], "piplite": ["piplite"],
           "pyodide-kernel": ["pyodide_kernel"], "ipykernel": ["ipykernel"], "sqlite3": ["sqlite3"]}
#: Lock dependencies of the extra packages (Pyodide loads these together).
DEPENDS = {"comm": ["traitlets"], "ipywidgets": ["comm", "ipython", "traitlets"], "cmvlib": [],
           "piplite": ["micropip"], "pyodide-kernel": ["ipykernel", "comm", "ipython"], "ipykernel": [],
           "sqlite3": [], "jedi": []}


def canonical(name: str) -> str:
    """PEP 503 name, as Pyodide keys its lock.

    >>> canonical("Prompt_Toolkit"), canonical("pyodide_kernel")
    ('prompt-toolkit', 'pyodide-kernel')
    """
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lock_closure(packages: dict, roots: tuple[str, ...]) -> list[str]:
    """The lock entries needed for ``roots``, dependencies included (canonical names, sorted)."""
    by_canon = {canonical(k): k for k in packages}
    seen: set[str] = set()
    todo = [canonical(r) for r in roots]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(canonical(d) for d in packages[by_canon[name]]["depends"])
    return sorted(seen)


def pip(*args: str) -> None:
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args]
    subprocess.run(cmd, check=True)


def installed_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def wheel_name_version(path: Path) -> tuple[str, str]:
    name, version = path.name.split("-")[:2]
    return canonical(name), version


def stub_wheel(dest_dir: Path, name: str, version: str, files: dict[str, str]) -> Path:
    """A minimal pure-Python wheel holding ``files`` (path -> text), reproducible (fixed timestamps)."""
    dist = f"{name}-{version}.dist-info"
    meta = {
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                            "Summary: stub shipped by the CMV book for the in-browser kernel\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: cmv-book\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    entries = {**files, **meta}
    record = []
    for path, text in entries.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    entries[f"{dist}/RECORD"] = "\n".join(record) + "\n"
    out = dest_dir / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, text in entries.items():
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text)
    return out


SQLITE3_STUB = (
    '"""Stub: Pyodide\'s compiled sqlite3 module is not shipped (IPython keeps history in memory)."""\n'
    "raise ModuleNotFoundError(\"No module named 'sqlite3' (not shipped with the CMV book)\", name='sqlite3')\n"
)


JEDI_STUB = (
    '"""Stub: code completion is not shipped with the in-browser apps (IPython treats jedi as optional)."""\n'
    "raise ModuleNotFoundError(\"No module named 'jedi' (not shipped with the CMV book)\", name='jedi')\n"
)


def build_cmvlib_wheel(dest_dir: Path) -> Path:
    """``pip wheel --no-deps`` of this checkout, built from a clean copy (no build/ left in the tree)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, src / name)
        shutil.copytree(ROOT / "cmvlib", src / "cmvlib",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "tests"))
        pip("wheel", "--no-deps", "-w", str(dest_dir), str(src))
    wheels = sorted(dest_dir.glob("cmvlib-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def lock_entry(name: str, version: str, path: Path, packages_old: dict | None = None) -> dict:
    entry = {
        "name": name, "version": version, "file_name": path.name, "install_dir": "site",
        "sha256": sha256(path), "package_type": "package", "imports": IMPORTS.get(name, [name.replace("-", "_")]),
        "depends": DEPENDS.get(name, []), "unvendored_tests": False,
    }
    if packages_old is not None:
        entry["imports"] = packages_old.get("imports", entry["imports"])
        entry["depends"] = list(packages_old.get("depends", []))
    return entry


def prepare(lite_dir: Path, python_version: str = "3.13") -> dict:
    if not NPM_PYODIDE.is_dir():
        raise SystemExit(f"{NPM_PYODIDE} is missing: run `make lite-assets` (npm ci in lite/)")
    if lite_dir.exists():
        shutil.rmtree(lite_dir)
    pyodide_dir = lite_dir / "static" / "pyodide"
    pyodide_dir.mkdir(parents=True)
    shutil.copy2(HERE / "jupyter-lite.json", lite_dir / "jupyter-lite.json")
    # jupyter lite build reads this with --config, from any working directory: make the path absolute.
    build_config = json.loads((HERE / "jupyter_lite_config.json").read_text(encoding="utf-8"))
    build_config.setdefault("FederatedExtensionAddon", {})["extra_labextensions_path"] = [
        str((lite_dir / "extensions").resolve())]
    (lite_dir / "jupyter_lite_config.json").write_text(json.dumps(build_config, indent=2) + "\n", encoding="utf-8")
    for name in RUNTIME_FILES:
        shutil.copy2(NPM_PYODIDE / name, pyodide_dir / name)

    upstream = json.loads((NPM_PYODIDE / "pyodide-lock.json").read_text(encoding="utf-8"))
    packages = {canonical(k): v for k, v in upstream["packages"].items()}
    needed = [n for n in lock_closure(upstream["packages"], FROM_LOCK) if n != "sqlite3"]
    pinned = [f"{packages[n]['name']}=={packages[n]['version']}" for n in needed]
    extra = [f"{n}=={v or installed_version(n)}" for n, v in FROM_PYPI.items()]
    pip("download", "--no-deps", "--only-binary=:all:", "--platform", "any", "--implementation", "py",
        "--python-version", python_version, "-d", str(pyodide_dir), *pinned, *extra)

    kernel_pypi = LABEXTENSIONS / "@jupyterlite" / "pyodide-kernel-extension" / "static" / "pypi"
    for stem in KERNEL_WHEELS:
        found = sorted(kernel_pypi.glob(f"{stem}-*.whl"))
        if not found:
            raise SystemExit(f"no {stem} wheel in {kernel_pypi}: install jupyterlite-pyodide-kernel (make lite-venv)")
        shutil.copy2(found[-1], pyodide_dir / found[-1].name)
    build_cmvlib_wheel(pyodide_dir)
    stub_wheel(pyodide_dir, "sqlite3", "0.0.0", {"sqlite3/__init__.py": SQLITE3_STUB})
    stub_wheel(pyodide_dir, "jedi", "0.0.0", {"jedi/__init__.py": JEDI_STUB})

    new_packages: dict[str, dict] = {}
    for wheel in sorted(pyodide_dir.glob("*.whl")):
        name, version = wheel_name_version(wheel)
        if name in packages and name not in ("sqlite3", "jedi"):
            if packages[name]["version"] != version:
                raise SystemExit(f"{wheel.name}: the lock pins {name} {packages[name]['version']}")
            new_packages[name] = lock_entry(name, version, wheel, packages[name])
        else:
            new_packages[name] = lock_entry(name, version, wheel)
    missing = {d for e in new_packages.values() for d in map(canonical, e["depends"])} - set(new_packages)
    if missing:
        raise SystemExit(f"lock dependencies without a shipped wheel: {sorted(missing)}")
    lock = {"info": upstream["info"], "packages": dict(sorted(new_packages.items()))}
    (pyodide_dir / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    ext_dir = lite_dir / "extensions"
    for ext in EXTENSIONS:
        src = LABEXTENSIONS / ext
        if not (src / "package.json").is_file():
            raise SystemExit(f"front-end extension {ext} is not installed in {LABEXTENSIONS} (make lite-venv)")
        shutil.copytree(src, ext_dir / ext, ignore=shutil.ignore_patterns("*.map"))
    return lock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("lite_dir", type=Path)
    args = parser.parse_args(argv)
    lock = prepare(args.lite_dir)
    total = sum(f.stat().st_size for f in (args.lite_dir / "static" / "pyodide").iterdir())
    print(f"lite dir {args.lite_dir}: {len(lock['packages'])} wheels, runtime {total / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
