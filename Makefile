# Cibles appelées par le README et par .ci/run. Python 3.11 (Debian 12).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
HOTE ?= 127.0.0.1:8000

.PHONY: demo test test-postgres test-navigateur lint bench paquets-systeme navigateur-systeme clean

# Bibliothèques système de WeasyPrint (PDF) ; installées seulement si elles manquent.
PAQUETS_SYSTEME := python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
paquets-systeme:
	@manquants=""; for p in $(PAQUETS_SYSTEME); do dpkg -s $$p >/dev/null 2>&1 || manquants="$$manquants $$p"; done; \
	if [ -n "$$manquants" ]; then echo "Installation des paquets Debian :$$manquants"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$manquants; fi

$(PY): | paquets-systeme
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installe: requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installe-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installe

## Installe, charge la démonstration sur SQLite et lance le serveur sur http://$(HOTE)/
demo: $(VENV)/.installe
	$(PY) manage.py migrate --noinput --verbosity 0
	$(PY) manage.py charger_demo
	@echo "Ouvrez http://$(HOTE)/ et connectez-vous avec un des comptes ci-dessus."
	$(PY) manage.py runserver $(HOTE)

## Installe et lance les tests (SQLite)
test: $(VENV)/.installe-dev
	$(PY) -m pytest -n 2 -q

## La même suite sur PostgreSQL (base de test créée par Django à côté de $(PG_URL))
test-postgres: $(VENV)/.installe-dev
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -n 2 -q

## Chromium de Debian pour les tests dans le navigateur
navigateur-systeme:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

## Tests dans le navigateur (Playwright + axe-core), dans leur propre processus
test-navigateur: $(VENV)/.installe-dev navigateur-systeme
	$(PY) -m pytest -q -m navigateur tests/navigateur -p no:xdist

lint: $(VENV)/.installe-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

bench: $(VENV)/.installe-dev
	DATABASE_URL=$(PG_URL) $(PY) manage.py migrate --noinput
	DATABASE_URL=$(PG_URL) $(PY) manage.py mesurer_performances

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_media
