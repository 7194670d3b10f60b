# Carenet: `make run` sets everything up and serves the Chumphon demo; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test setup lint check-python system-packages demo translations clean

$(VENV)/.runtime: pyproject.toml
	@$(MAKE) --no-print-directory check-python
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed: apt-get install -y nodejs npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Carenet needs Python 3.11 or newer")'

translations: $(VENV)/.runtime
	$(PY) manage.py compile_translations

setup: $(VENV)/.runtime node_modules/.installed translations

# The demo is built with DEBUG off: Django's debug cursor would quote every parameter of its
# bulk INSERTs (SQLite asks the database to), about a tenth of the demo's time.
demo: setup
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_areas
	@echo "Building the Chumphon demo: about three minutes on two cores..."
	CARENET_DEMO=true DJANGO_DEBUG=false $(PY) manage.py demo

# The demo is served as a province would see it: Thai error pages, not Django's debug pages,
# and static files collected as in production. `DJANGO_DEBUG=true make run` for the debug pages.
run: demo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-false} $(PY) manage.py collectstatic --no-input --verbosity 0
	@echo ""
	@echo "Carenet is serving on http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	CARENET_DEMO=true DJANGO_DEBUG=$${DJANGO_DEBUG:-false} $(PY) manage.py runserver $(HOST):$(PORT)

# Debian's chromium drives the browser tests (Playwright's own browser download cannot be used);
# gettext lets the translation test check that every source string is in the catalogues;
# WeasyPrint draws PDFs with pango, and poppler-utils (pdftotext, pdffonts) lets the PDF tests
# read them back.
SYSTEM_PACKAGES := chromium fonts-thai-tlwg gettext libpango-1.0-0 libpangoft2-1.0-0 poppler-utils
system-packages:
	@{ command -v chromium && command -v xgettext && command -v pdftoppm \
	  && /sbin/ldconfig -p | grep -q libpangoft2-1.0; } >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      $(SYSTEM_PACKAGES) >/dev/null; \
	  else echo "Install Debian's packages: apt-get install $(SYSTEM_PACKAGES)"; fi; }

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy carenet config bench

test: setup $(VENV)/.dev system-packages lint
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules staticfiles var
