# Two commands: `make run` and `make test`. Everything else is a helper.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: translations run test lint test-sqlite test-postgresql install install-test install-bench browser bench clean fonts

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python setup.cfg pyproject.toml $(wildcard humanitarian/translations/*/LC_MESSAGES/*.po)
	$(PY) -m pip install --quiet -e .
	$(VENV)/bin/pybabel compile --use-fuzzy -d humanitarian/translations
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed setup.cfg
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed-test setup.cfg
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
install-bench: $(VENV)/.installed-bench

run: install fonts
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run-all --host $(HOST) --port $(PORT)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test-sqlite: install-test fonts
	$(PY) -m pytest --db=sqlite $(PYTEST_ARGS)

test-postgresql: install-test fonts
	$(PY) -m pytest --db=postgresql $(PYTEST_ARGS)

test: lint browser test-sqlite test-postgresql

# The browser tests drive the distribution's Chromium; Playwright's own download cannot be used.
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Sitreps print Arabic place names through Pango: some installed font must have Arabic glyphs.
fonts:
	@fc-list :lang=ar family 2>/dev/null | grep -q . || \
	  (apt-get update -qq && apt-get install -y -qq fontconfig fonts-dejavu-core)

# Benchmarks on PostgreSQL (database humanitarian_bench); see bench/results.md.
# e.g. make bench BENCH_ARGS="--incidents 100000 --only query,summary"
bench: install-bench fonts
	$(PY) -m bench $(BENCH_ARGS)

# Refresh the catalogue after changing marked strings; translate the new entries in the .po
# files (docs/glossary-ar.md has the agreed terms), then `make install` compiles them.
translations: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l --no-location --sort-output \
		--project humanitarian -o humanitarian/translations/messages.pot .
	$(VENV)/bin/pybabel update -i humanitarian/translations/messages.pot -d humanitarian/translations \
		--no-fuzzy-matching -w 100

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache tests/artifacts
