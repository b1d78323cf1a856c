"""The services manifest: parsed into declarations, every defect exit 2 with file and line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.sources.services import load_services_file

FIXTURE = Path(__file__).parent.parent / "fixtures" / "services" / "services.yaml"


def test_manifest_declares_producer_outbox_consumer_and_idempotency() -> None:
    orders, billing = load_services_file(FIXTURE)
    assert orders.name == "orders" and orders.at.line == 2
    assert orders.producer is not None and orders.producer.topics == ("orders",) and orders.producer.business_events
    assert orders.producer.config is not None and orders.producer.config.settings["acks"].value == "all"
    assert orders.outbox is not None and orders.outbox.threshold_s == 300 and orders.outbox.url_env == "ORDERS_DB_URL"
    assert billing.consumer is not None and billing.consumer.group == "billing"
    idem = billing.consumer.idempotency
    assert idem is not None and (idem.strategy, idem.table, idem.column) == ("unique-key", "processed", "order_id")


BAD = [
    ("services: []\n", ":1: services must map"),
    ("services:\n  a:\n    producer: {topics: [t]}\n    colour: red\n", ":4: unknown key of service 'a' 'colour'"),
    ("services:\n  a:\n    outbox: {}\n", ":2: service 'a' declares neither"),
    ("services:\n  a:\n    producer: {topics: []}\n", ":3: topics must be a non-empty list"),
    ("services:\n  a:\n    producer: {topics: [t], config: nope.properties}\n", ":3: producer config file 'nope"),
    (
        "services:\n  a:\n    producer: {topics: [t]}\n    outbox:\n      url_env: postgresql://u:p@h/db\n"
        "      table: o\n      status_column: s\n      pending_value: P\n"
        "      created_at_column: c\n      threshold: 5m\n",
        ":5: url_env names an environment variable",
    ),
    (
        "services:\n  a:\n    producer: {topics: [t]}\n    outbox:\n      url_env: DB\n      table: o\n"
        "      status_column: s\n      pending_value: P\n      created_at_column: c\n      threshold: soon\n",
        ":10: threshold must be a positive duration",
    ),
    (
        "services:\n  a:\n    consumer:\n      group: g\n      topics: [t]\n      idempotency: {strategy: maybe}\n",
        ":6: strategy must be one of unique-key, version-column, none",
    ),
    (
        "services:\n  a:\n    consumer:\n      group: g\n      topics: [t]\n      idempotency:\n"
        "        strategy: unique-key\n        table: processed\n        url_env: DB\n",
        ":7: column is required here",
    ),
]


@pytest.mark.parametrize(("text", "error"), BAD, ids=[e for _, e in BAD])
def test_bad_manifest_names_file_and_line(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "services.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as raised:
        load_services_file(path)
    assert f"{path}{error}" in str(raised.value)


def test_cli_rejects_a_bad_manifest_with_exit_2(tmp_path: Path) -> None:
    manifest = tmp_path / "services.yaml"
    manifest.write_text("services:\n  a:\n    producer: {topics: [t]}\n    colour: red\n")
    run = subprocess.run(
        [sys.executable, "-m", "auditor", "audit", "--services", str(manifest)], capture_output=True, text=True
    )
    assert run.returncode == 2
    assert run.stderr.strip() == (
        f"kafka-audit: error: {manifest}:4: unknown key of service 'a' 'colour'; known: producer, consumer, outbox"
    )


def test_policy_file_services_section(tmp_path: Path) -> None:
    """The policy's `services:` section is the manifest when --services is not given."""
    (tmp_path / "p.properties").write_text("acks=1\n")
    policy = tmp_path / ".kafka-audit.yaml"
    policy.write_text("fail_on: never\nservices:\n  a:\n    producer: {config: p.properties, topics: [t]}\n")
    run = subprocess.run(
        [sys.executable, "-m", "auditor", "audit", "--policy", str(policy), "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert '"rule_id": "PRD001"' in run.stdout and '"name": "a -> t"' in run.stdout


CODE = Path(__file__).parent.parent / "fixtures" / "code" / "python" / "publisher.py"


@pytest.mark.parametrize("anchor", ["#OrderPublisher", "#producer", ":13"])
def test_config_points_at_a_client_built_in_code(tmp_path: Path, anchor: str) -> None:
    manifest = tmp_path / "services.yaml"
    manifest.write_text(f"services:\n  orders:\n    producer:\n      config: {CODE}{anchor}\n      topics: [orders]\n")
    (orders,) = load_services_file(manifest)
    assert orders.producer is not None and orders.producer.config is not None
    assert orders.producer.config.line == 13
    assert orders.producer.config.settings["acks"].value == "1"


@pytest.mark.parametrize(
    ("anchor", "error"),
    [("#Nowhere", "holds no producer named 'Nowhere'"), (":14", "holds no producer named '14'")],
)
def test_config_anchor_that_names_no_client(tmp_path: Path, anchor: str, error: str) -> None:
    manifest = tmp_path / "services.yaml"
    manifest.write_text(f"services:\n  orders:\n    producer:\n      config: {CODE}{anchor}\n      topics: [orders]\n")
    with pytest.raises(InputError, match=error):
        load_services_file(manifest)
