# kafka-audit: the two commands of the README, and the pieces they are made of.
#   make demo   venv + Kafka from Maven Central + 3-node cluster + demo scenario + audit
#   make test   venv + lint + the whole test suite against a real cluster it starts and stops
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CLUSTER := $(BIN)/python scripts/kafka-cluster
# Microsoft's SARIF validator, which the tests run on every SARIF report (npm package, native binary).
SARIF_MULTITOOL_VERSION := 5.7.0
SARIF_DIR := .tools/sarif
SARIF_STAMP := $(SARIF_DIR)/.installed-$(SARIF_MULTITOOL_VERSION)
# actionlint (rhysd), built from its Go module: `make lint` checks the workflows with it, and the
# action and workflows with zizmor (a GitHub Actions security linter, from PyPI with the dev extra).
ACTIONLINT_VERSION := 1.7.7
ACTIONLINT := .tools/actionlint-$(ACTIONLINT_VERSION)/actionlint

.PHONY: venv demo test unit lint cluster down sample-reports sarif-tool postgres-server bench bench-big docs

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

$(SARIF_STAMP):
	npm install --prefix $(SARIF_DIR) --no-audit --no-fund --loglevel=error @microsoft/sarif-multitool@$(SARIF_MULTITOOL_VERSION)
	chmod u+x $(SARIF_DIR)/node_modules/@microsoft/sarif-multitool-*/Sarif.Multitool
	touch $@

sarif-tool: $(SARIF_STAMP)

# PostgreSQL for the outbox/unique-key integration tests: the Debian package when missing (root,
# apt-get); tests/postgres_fixtures.py starts a private server and stops it after the session.
postgres-server:
	$(PYTHON) scripts/postgres_server.py install

cluster: venv
	$(CLUSTER) up

down: venv
	$(CLUSTER) down

demo: cluster
	$(BIN)/python scripts/demo.py

$(ACTIONLINT):
	GOBIN=$(abspath $(dir $@)) go install github.com/rhysd/actionlint/cmd/actionlint@v$(ACTIONLINT_VERSION)

lint: venv $(ACTIONLINT)
	$(BIN)/ruff check auditor tests scripts bench
	$(BIN)/mypy
	$(ACTIONLINT) .github/workflows/*.yml
	$(BIN)/zizmor --offline --no-progress --min-severity low .
	$(BIN)/lint-imports

unit: venv
	$(BIN)/python -m pytest -m "not integration"

# The integration tests start the cluster themselves when none is running, and stop it after.
test: lint sarif-tool postgres-server
	$(BIN)/python -m pytest

# Every benchmark (not part of make test; docs/benchmarks.md holds the results): the offline ones,
# the regression guard on the generated 60,000-partition snapshot (fails beyond twice its recorded
# median), the fleet (three 1-node clusters it starts and stops), then the 2,000-topic live audit
# vs Kafka's CLI tools and the floor on the checkout's cluster (started with 1g heaps and seeded
# if needed; `make down` stops it).
bench: venv
	$(BIN)/python bench/files_bench.py --runs 5
	$(BIN)/python bench/reports_bench.py --topics 2000 --runs 3
	$(BIN)/python bench/json_libs.py --runs 3
	$(BIN)/python bench/snapshot_bench.py --partitions 6000 60000 --runs 3
	$(BIN)/python bench/snapshot_bench.py --check --runs 2
	$(BIN)/python bench/fleet_bench.py --runs 5
	$(BIN)/python bench/plan_bench.py --runs 3
	KAFKA_AUDIT_BROKER_HEAP=$${KAFKA_AUDIT_BROKER_HEAP:-1g} $(CLUSTER) up
	$(BIN)/python bench/seed.py up || $(BIN)/python bench/seed.py up
	$(BIN)/python bench/collect.py --runs 5
	$(MAKE) bench-big

# The 20,000-topic x 3-partition live audit (bench/collect_big.py): its own 5-node cluster (RF 1:
# one broker holds at most ~18,000 log segments under a 20,000-descriptor limit) in
# <run dir>-big on ports base+500.., seeded in chunks (about 5 minutes), measured, then stopped.
BIG := KAFKA_AUDIT_RUN_DIR=$${KAFKA_AUDIT_RUN_DIR:-$(CURDIR)/.kafka-run}-big \
	KAFKA_AUDIT_PORT_BASE=$$(( $${KAFKA_AUDIT_PORT_BASE:-19090} + 500 ))
bench-big: venv
	$(BIG) KAFKA_AUDIT_BROKER_HEAP=$${KAFKA_AUDIT_BROKER_HEAP:-1536m} $(CLUSTER) up --nodes 5
	$(BIG) $(BIN)/python bench/seed.py up --topics 20000 --replication-factor 1 --groups 1000 --batch 500
	$(BIG) $(BIN)/python bench/collect_big.py --runs 3; rc=$$?; $(BIG) $(CLUSTER) down; exit $$rc

# One report of each format from the demo cluster (started if needed); see scripts/sample_reports.py.
# The generated documents: the rule catalog and the command-line reference (tests fail when stale).
docs: venv
	$(BIN)/python -m auditor.catalog > docs/rules.md
	$(BIN)/python -m auditor.cli_reference > docs/cli.md

sample-reports: cluster
	$(BIN)/python scripts/sample_reports.py
