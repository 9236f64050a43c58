# IMIO central purchasing — developer commands.
#   make run    virtualenv, install, migrate, demo data, serve http://127.0.0.1:8000 (SQLite)
#   make test   the whole suite (SQLite by default; set DATABASE_URL for PostgreSQL)
#   make serve  production on this machine: gunicorn, a Celery worker and beat (Procfile), on
#               DATABASE_URL (PostgreSQL) and REDIS_URL; see docs/OPERATIONS.md

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
PYTEST_WORKERS ?= 2

.PHONY: run test serve bench bench-large venv system-check messages js-tools translations-check lint format check clean

run: venv system-check messages
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py sealing_keys --create
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: venv messages js-tools
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Production: checks, migrations and static files first, then the Procfile's processes (honcho),
# which stop together. Settings from the environment (docs/OPERATIONS.md).
serve: venv messages
	@test -n "$$DATABASE_URL" -a -n "$$REDIS_URL" || { \
	  echo "make serve needs DATABASE_URL (PostgreSQL) and REDIS_URL, with SECRET_KEY, ALLOWED_HOSTS"; \
	  echo "and SEALING_KEYS: see docs/OPERATIONS.md. For a local trial, 'make run'."; exit 1; }
	$(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input -v0
	mkdir -p var
	$(BIN)/honcho start -f Procfile

# Every benchmark at the medium scale, one table (bench/README.md); PostgreSQL, a database of its own.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/procurement_bench
bench: venv
	@psql "$(BENCH_DATABASE_URL)" -c 'select 1' >/dev/null 2>&1 || createdb "$$(basename $(BENCH_DATABASE_URL))" -h 127.0.0.1 -U postgres
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --no-input -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/all.py --scale medium --generate

bench-large: venv
	@psql "$(BENCH_DATABASE_URL)" -c 'select 1' >/dev/null 2>&1 || createdb "$$(basename $(BENCH_DATABASE_URL))" -h 127.0.0.1 -U postgres
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --no-input -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/all.py --scale large --generate

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is needed (Django 5.2 LTS on the machines)"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

# WeasyPrint (PDF documents) needs Pango from the system.
system-check: venv
	@$(PY) -c 'import weasyprint' 2>/dev/null || { \
	  echo "WeasyPrint cannot load Pango. Install it from your system's packages:"; \
	  echo "  Debian/Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"; \
	  echo "  Fedora: sudo dnf install pango    macOS: brew install pango"; \
	  exit 1; }

# Compile the translations when gettext is installed; the compiled .mo files are committed too.
messages: venv
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore=.venv -v0; \
	else echo "gettext not installed: using the committed compiled translations"; fi

# axe-core, which checks the pages' accessibility in the browser tests, from npm (package-lock.json).
js-tools:
	@if [ ! -d node_modules/axe-core ] && command -v npm >/dev/null; then npm ci --no-audit --no-fund; fi

# Every message of the code is in the French catalogue, translated (gettext needed).
translations-check: venv
	$(PY) manage.py makemessages -l fr --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=tests --no-obsolete -v0
	@untranslated=$$(msgattrib --untranslated --no-obsolete locale/fr/LC_MESSAGES/django.po; msgattrib --only-fuzzy --no-obsolete locale/fr/LC_MESSAGES/django.po); \
	if [ -n "$$untranslated" ]; then echo "French messages to translate:"; echo "$$untranslated"; exit 1; fi

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: venv
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
