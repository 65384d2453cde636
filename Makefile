# bahth: every target sets up what it needs (a virtualenv in .venv) before it runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INDEX ?= instance/index
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint browser sphinx bench clean

# setup.cfg holds the ranges bahth works with; constraints.txt the exact versions installed here.
$(BIN)/bahth: setup.cfg pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,cluster]'
	touch $(BIN)/bahth

install: $(BIN)/bahth

# The main job: index the seeds (incremental: unchanged files are skipped) and serve the page.
# An index an older bahth built (another analyzer version) is rebuilt from seeds/: the demo's
# index holds the seeds, and the one command must still work after an upgrade.
run: install
	$(BIN)/bahth index seeds/ --index $(INDEX) || { echo "rebuilding $(INDEX) from seeds/"; \
		$(BIN)/bahth index --rebuild seeds/ --index $(INDEX); }
	$(BIN)/bahth serve --index $(INDEX) --host $(HOST) --port $(PORT)

# Debian's Chromium and an Arabic font, for the browser tests (skipped when already there).
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto.*Arabic" || bash .ci/install-browser

# Debian's sphinxsearch (searchd) for the Sphinx/Manticore backend's tests (skipped when there).
sphinx:
	@command -v searchd >/dev/null 2>&1 || bash .ci/install-sphinx

test: install browser sphinx
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

# Every benchmark table (bench/README.md): arwiki quality (vendored data), then SaudiNewsNet
# known-item search, latency, indexing speed and a server's memory (read from ../shared; they say
# so when missing).
bench: install
	$(BIN)/pip install --quiet -c constraints.txt -e '.[bench]'
	$(BIN)/python -m bench.arwiki --check-cli
	$(BIN)/python -m bench.check_ranx bench/data/arwiki/qrels.txt bench/out/arwiki/default.trec
	$(BIN)/python -m bench.news
	$(BIN)/python -m bench.marsum
	$(BIN)/python -m bench.index_speed
	$(BIN)/python -m bench.memory
	$(BIN)/python -m bench.analyzer_speed --saudinewsnet

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) instance build *.egg-info .pytest_cache
