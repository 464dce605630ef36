# One command each: `make test` (everything CI runs), `make book` (build + serve the book),
# `make demo` (the Voilà apps, for instructors). Each creates .venv from requirements.txt when it is missing.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
CHROMIUM ?= /usr/bin/chromium

.PHONY: test unit book book-build book-assets bench-live bench-paint demo test-apps bench bench-book bench-voila lock clean browser pdf classroom-assets

# The classroom server's files (Voilà config, server-extension config, template) in the venv's Jupyter paths:
# pyproject's data-files install them with a non-editable install; setuptools' editable install skips data
# files, so they are linked here (edits in voila/ apply at once).
CLASSROOM_FILES := etc/jupyter/voila.json=voila/voila.json \
  etc/jupyter/jupyter_server_config.json=voila/jupyter_server_config.json \
  share/jupyter/voila/templates/cmv-offline=voila/templates/cmv-offline

$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	for f in $(CLASSROOM_FILES); do mkdir -p "$(VENV)/$$(dirname $${f%%=*})" && \
	  ln -sfn "$(CURDIR)/$${f#*=}" "$(VENV)/$${f%%=*}"; done
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
	$(PY) -m pytest tests/unit cmvlib pdf/names.py book/_ext/widget_state.py

# The book (Jupyter Book 1.x at the repository root). Front-end assets (ipywidgets embedder, MathJax, the
# Pyodide runtime of the live calculators, esbuild) come from npm at the versions in book/package-lock.json
# and are served from the book's own _static.
BOOK_HTML := _build/html
BOOK_PORT ?= 8000
BOOK_NPM_STAMP := book/node_modules/.installed-stamp

$(BOOK_NPM_STAMP): book/package.json book/package-lock.json
	cd book && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

book-assets: $(BOOK_NPM_STAMP)

# Strict build: every page re-read (--all), warnings are errors (-W -n), every notebook executed
# (execute_notebooks: force) and a failing cell fails the build (nb_execution_raise_on_error).
book-build: $(STAMP) $(BOOK_NPM_STAMP)
	rm -rf $(BOOK_HTML)/pdf   # never publish PDFs of an older build (make pdf prints them again)
	$(VENV)/bin/jupyter-book build . --all -W -n --keep-going --builder html
	$(MAKE) --no-print-directory lms

# The question bank for Moodle (XML) and Canvas/Blackboard (QTI 1.2 .zip), published with the site.
.PHONY: lms
lms: $(STAMP)
	$(PY) -m cmvlib.lms $(BOOK_HTML)/lms

# The printed book and one handout per worked case (pdf/build.py): Debian's Chromium prints the freshly built
# pages, pypdf merges them; written to _build/html/pdf/ (published with the site). ~1.5-2.5 min after the build.
pdf: book-build browser
	$(PY) -m pdf.build $(BOOK_HTML)

# `make book PDF=1` also prints the book and the handouts before serving (make pdf).
book: book-build
	$(if $(PDF),$(PY) -m pdf.build $(BOOK_HTML))
	@echo "Serving the book on http://127.0.0.1:$(BOOK_PORT) (Ctrl-C to stop)"
	$(PY) -m http.server $(BOOK_PORT) --bind 127.0.0.1 --directory $(BOOK_HTML)

# The Voilà apps (book/apps) with the classroom configuration installed in the venv (voila/voila.json: pre-heated
# kernel pools, idle kernels culled, no tracebacks, the CDN-free template cmv-offline, TCP_NODELAY on kernel
# websockets through cmvlib.voila_server); only book/apps is served. `voila book/apps` does the same from
# anywhere. For a classroom server: make demo DEMO_IP=0.0.0.0 DEMO_PORT=8866.
DEMO_IP ?= 127.0.0.1
DEMO_PORT ?= 8866
VOILA_ARGS ?=

demo: $(STAMP)
	@echo "Voilà apps on http://$(DEMO_IP):$(DEMO_PORT)/ (Ctrl-C to stop)"
	VOILA_APP_IP=$(DEMO_IP) $(VENV)/bin/voila --Voila.ip=$(DEMO_IP) --port=$(DEMO_PORT) $(VOILA_ARGS) $(CURDIR)/book/apps

# The classroom server's front end (voila/frontend/classroom.js) rebuilt into the template's static folder. The
# built files are committed (an installation needs no Node.js); tests/apps/test_classroom_frontend.py fails when
# they are older than their sources.
classroom-assets: $(BOOK_NPM_STAMP)
	node voila/frontend/build.mjs

# The Voilà apps' browser and security tests alone (they also run in `make test`).
test-apps: $(STAMP) browser
	$(PY) -m pytest tests/apps

# Voilà figures (time to interactive, round trip, 30 sessions, 200 loads); ~10-15 min, not part of make test.
bench-voila: $(STAMP) browser
	$(PY) bench/bench_voila.py

bench: $(STAMP)
	$(PY) bench/bench_core.py
	$(PY) bench/bench_kernel_update.py

# Book figures: strict clean build time (3 builds, ~5-10 min) and the weight of every page.
bench-book: $(STAMP) $(BOOK_NPM_STAMP)
	$(PY) bench/bench_book.py

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
	rm -rf $(VENV) _build book/node_modules
