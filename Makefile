# kafka-audit: the two commands of the README, and the pieces they are made of.
#   make demo   venv + Kafka from Maven Central + 3-node cluster + demo scenario + audit
#   make test   venv + lint + the whole test suite against a real cluster it starts and stops
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CLUSTER := $(BIN)/python scripts/kafka-cluster

.PHONY: venv demo test unit lint cluster down sample-reports

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

cluster: venv
	$(CLUSTER) up

down: venv
	$(CLUSTER) down

demo: cluster
	$(BIN)/python scripts/demo.py

lint: venv
	$(BIN)/ruff check auditor tests scripts
	$(BIN)/mypy

unit: venv
	$(BIN)/python -m pytest -m "not integration"

# The integration tests start the cluster themselves when none is running, and stop it after.
test: lint
	$(BIN)/python -m pytest
