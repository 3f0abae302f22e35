# The two commands of the README's quick start, and the checks CI runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint check bench mutate clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_catalogue
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=0 SECRET_KEY=check-only-$$(date +%s)-a-long-random-enough-value-for-django-checks ALLOWED_HOSTS=example.org \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

bench: $(STAMP)
	$(BIN)/python bench/diagnose.py
	$(BIN)/python bench/api_diagnose.py
	$(BIN)/python bench/cli.py --gigabyte-log
	$(BIN)/python bench/worst_cases.py
	$(BIN)/python bench/entry_page.py
	$(BIN)/python bench/corpus.py
	$(BIN)/python bench/markdown_render.py
	$(BIN)/python bench/load_catalogue.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/slow_clients.py

# Mutation testing of the diagnosis engine and the revision workflow (pyproject.toml's
# [tool.mutmut]); not in CI. Run it before closing an issue that touches them. It starts
# afresh each time: mutmut's cache would keep verdicts across changed tests.
# MUTATE_CHILDREN=1 leaves a core to others on a shared machine.
MUTATE_CHILDREN ?= 2

mutate: $(STAMP)
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(MUTATE_CHILDREN)
	$(BIN)/python bench/mutation_score.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
