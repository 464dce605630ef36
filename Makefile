# One command each: `make test` (everything CI runs), `make book` (build + serve the book),
# `make demo` (the Voilà apps). Each creates .venv from requirements.txt when it is missing.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
CHROMIUM ?= /usr/bin/chromium

.PHONY: test unit book book-build book-assets lite-venv lite-assets lite-dir bench-inbrowser bench-live bench-paint demo test-apps bench bench-book bench-voila lock clean browser

$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

venv: $(STAMP)

# Debian's Chromium drives the browser tests (Playwright's own browser download does not work offline).
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install -y chromium" >&2; exit 1; fi; fi

test: $(STAMP) browser
	$(PY) -m pytest

unit: $(STAMP)
	$(PY) -m pytest tests/unit cmvlib

# The book (Jupyter Book 1.x at the repository root). Front-end assets (ipywidgets embedder, MathJax)
# come from npm at the versions in book/package-lock.json and are served from the book's own _static.
BOOK_HTML := _build/html
BOOK_PORT ?= 8000
BOOK_NPM_STAMP := book/node_modules/.installed-stamp

$(BOOK_NPM_STAMP): book/package.json book/package-lock.json
	cd book && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

book-assets: $(BOOK_NPM_STAMP)

# In-browser apps (issue 6): the calculators run on Pyodide in the reader's browser (book/live/,
# book/_ext/inbrowser.py). The JupyterLite tools go into the same venv (requirements-lite.txt), the
# runtime comes from npm (lite/package-lock.json), and lite/build_runtime.py prepares _build/lite-dir
# (runtime + every wheel + rewritten lock) that jupyterlite-sphinx builds into _build/html/lite.
LITE_DIR := _build/lite-dir
LITE_VENV_STAMP := $(VENV)/.lite-installed-stamp
LITE_NPM_STAMP := lite/node_modules/.installed-stamp
LITE_INPUTS := lite/build_runtime.py lite/jupyter-lite.json lite/jupyter_lite_config.json pyproject.toml \
  $(shell find cmvlib -type f \( -name '*.py' -o -name '*.csv' -o -name '*.json' \) -not -path '*/__pycache__/*' 2>/dev/null)

$(LITE_VENV_STAMP): $(STAMP) requirements-lite.txt
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-lite.txt -c constraints.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps voici==0.10.0
	touch $@

$(LITE_NPM_STAMP): lite/package.json lite/package-lock.json
	cd lite && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(LITE_DIR)/.stamp: $(LITE_VENV_STAMP) $(LITE_NPM_STAMP) $(LITE_INPUTS)
	$(PY) lite/build_runtime.py $(LITE_DIR)
	touch $@

lite-venv: $(LITE_VENV_STAMP)
lite-assets: $(LITE_NPM_STAMP)
lite-dir: $(LITE_DIR)/.stamp

# Strict build: every page re-read (--all), warnings are errors (-W -n), every notebook executed
# (execute_notebooks: force) and a failing cell fails the build (nb_execution_raise_on_error).
book-build: $(STAMP) $(BOOK_NPM_STAMP) $(LITE_DIR)/.stamp
	$(VENV)/bin/jupyter-book build . --all -W -n --keep-going --builder html

book: book-build
	@echo "Serving the book on http://127.0.0.1:$(BOOK_PORT) (Ctrl-C to stop)"
	$(PY) -m http.server $(BOOK_PORT) --bind 127.0.0.1 --directory $(BOOK_HTML)

# The Voilà apps (book/apps) with the classroom configuration in voila/voila.json: pre-heated kernel pools,
# idle kernels culled, no tracebacks, only book/apps served, the CDN-free template voila/templates/cmv-offline
# (found through JUPYTER_PATH) and voila/cmv_voila.py (TCP_NODELAY on kernel websockets, through PYTHONPATH).
# For a classroom server: make demo DEMO_IP=0.0.0.0 DEMO_PORT=8866.
DEMO_IP ?= 127.0.0.1
DEMO_PORT ?= 8866
VOILA_ARGS ?=
VOILA_ENV = JUPYTER_PATH=$(CURDIR)$${JUPYTER_PATH:+:$$JUPYTER_PATH} PYTHONPATH=$(CURDIR)/voila$${PYTHONPATH:+:$$PYTHONPATH} \
  VOILA_APP_IP=$(DEMO_IP)

demo: $(STAMP)
	@echo "Voilà apps on http://$(DEMO_IP):$(DEMO_PORT)/ (Ctrl-C to stop)"
	$(VOILA_ENV) $(VENV)/bin/voila --no-browser --Voila.config_file_paths=$(CURDIR)/voila \
	  --Voila.root_dir=$(CURDIR)/book/apps --Voila.ip=$(DEMO_IP) --port=$(DEMO_PORT) $(VOILA_ARGS)

# The Voilà apps' browser and security tests alone (they also run in `make test`).
test-apps: $(STAMP) browser
	$(PY) -m pytest tests/apps

# Voilà figures (time to interactive, round trip, 30 sessions, 200 loads); ~10-15 min, not part of make test.
bench-voila: $(STAMP) browser
	$(PY) bench/bench_voila.py

bench: $(STAMP)
	$(PY) bench/bench_core.py

# Book figures: strict clean build time (3 builds, ~5-10 min) and the weight of every page.
bench-book: $(STAMP) $(BOOK_NPM_STAMP) $(LITE_DIR)/.stamp
	$(PY) bench/bench_book.py

# In-browser figures (bytes on first load, time to a calculator answering cold and warm); builds the book.
bench-inbrowser: book-build browser
	$(PY) bench/bench_inbrowser.py

# Calculators live in place (issue 11): navigation -> first answer, cold and warm, against a bare-Pyodide
# anchor page measured in the same run (~3-5 min); builds the book.
bench-live: book-build browser
	$(PY) bench/bench_live.py

# Pages stay fast (issue 11): first contentful paint and first chart of every chart or calculator page, as
# ratios to a text-only page (the glossary) timed in the same run, cold and warm (~5 min); builds the book.
bench-paint: book-build browser
	$(PY) bench/bench_paint.py

lock:
	rm -rf /tmp/cmv-lock && python3 -m venv /tmp/cmv-lock && /tmp/cmv-lock/bin/pip install -q -r requirements.txt
	( echo '# Every package of the environment, pinned (pip freeze of a fresh `make venv`). Regenerate with `make lock`.'; \
	  /tmp/cmv-lock/bin/pip freeze | grep -v '^-e' ) > constraints.txt

clean:
	rm -rf $(VENV) _build book/node_modules lite/node_modules
