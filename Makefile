# Everything a fresh clone needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make run API_PORT=8080 UI_PORT=3080` when the default ports are taken.
API_PORT ?= 8000
UI_PORT ?= 3000

.PHONY: run test coverage lint bench clean chromium

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/modwatch up --demo --api-port $(API_PORT) --ui-port $(UI_PORT)

test: $(STAMP) chromium
	$(BIN)/python -m pytest -q

# Every test, with coverage of this process and of every Python subprocess it starts.
coverage: $(STAMP) chromium
	rm -f .coverage .coverage.*
	$(BIN)/python -m coverage run -m pytest -q
	$(BIN)/python -m coverage combine -q
	$(BIN)/python -m coverage report --sort=cover

# The dashboard's browser tests drive the system's Chromium through Playwright, which never downloads a browser.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; }

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/modwatch bench

clean:
	rm -rf $(VENV) .modwatch .pytest_cache .ruff_cache .coverage .coverage.*
