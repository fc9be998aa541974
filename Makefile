# Everything a fresh clone needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make run API_PORT=8080 UI_PORT=3080` when the default ports are taken.
API_PORT ?= 8000
UI_PORT ?= 3000

.PHONY: run test coverage lint bench clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/modwatch up --demo --api-port $(API_PORT) --ui-port $(UI_PORT)

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Every test, with coverage of this process and of every Python subprocess it starts.
coverage: $(STAMP)
	rm -f .coverage .coverage.*
	$(BIN)/python -m coverage run -m pytest -q
	$(BIN)/python -m coverage combine -q
	$(BIN)/python -m coverage report --sort=cover

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/modwatch bench

clean:
	rm -rf $(VENV) .modwatch .pytest_cache .ruff_cache .coverage .coverage.*
