"""The checklist view: per declared service, each item's verdict, rendered by every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.audit import AuditOptions, audit_estate
from auditor.checklist import ITEMS, checklist_document, checklist_members
from auditor.engine import load_rules
from auditor.findings import ChecklistItem
from auditor.model import Estate
from auditor.reports import OutputFormat, RenderOptions, render
from auditor.reports.load import load_report
from auditor.result import AuditResult
from auditor.sources.services import declare_services
from auditor.whatif import AssumeDown
from tests.builders import group, offset, snapshot, topic
from tests.client_builders import client
from tests.report_schema import assert_valid_report
from tests.service_builders import consumer_service, outbox_state, producer_service

SAFE_PRODUCER = client(roles=("producer",), version="3.9", acks="all", enable_idempotence="true")
UNSAFE_PRODUCER = client(roles=("producer",), version="3.9", acks="1")
UNSAFE_PRODUCER = type(UNSAFE_PRODUCER)(**{**UNSAFE_PRODUCER.__dict__, "path": "app/unsafe.properties"})


@pytest.fixture(scope="module")
def result() -> AuditResult:
    cluster = snapshot(
        topic("orders", min_isr="2"),
        topic("payments", min_isr="1"),
        groups=[group("billing", offset(5))],
    )
    services = (
        producer_service("orders", config=SAFE_PRODUCER, outbox=True),
        producer_service("payments", topics=("payments",), config=UNSAFE_PRODUCER),
        consumer_service("billing", strategy="none"),
    )
    estate = declare_services(Estate(cluster=cluster, outboxes=(outbox_state("orders"),)), services)
    return audit_estate(estate, (), load_rules(), AuditOptions())


def statuses(result: AuditResult) -> dict[str, dict[str, str]]:
    assert result.checklist is not None
    return {s.service: {e.item: e.status for e in s.entries} for s in result.checklist.services}


def test_items_per_service(result: AuditResult) -> None:
    table = statuses(result)
    assert table["orders"] == {
        "producer acks and retries": "pass",
        "idempotence": "pass",
        "outbox": "pass",
        "replication factor": "pass",
        "min ISR": "pass",
        "unclean election": "pass",
        "manual commit": "not declared",
        "idempotent consumer": "not declared",
    }
    assert table["payments"]["producer acks and retries"] == "fail"
    assert table["payments"]["idempotence"] == "fail"  # acks=1 silently turns the Java default off
    assert table["payments"]["outbox"] == "not declared"
    assert table["payments"]["min ISR"] == "fail"
    assert table["billing"]["manual commit"] == "pass"
    assert table["billing"]["idempotent consumer"] == "fail"
    assert table["billing"]["producer acks and retries"] == "not declared"


def test_survival_per_write(result: AuditResult) -> None:
    assert result.checklist is not None
    writes = {
        (s.service, w.topic): (w.without_loss, w.without_blocking) for s in result.checklist.services for w in s.writes
    }
    assert writes == {
        ("orders", "orders"): (1, 1),
        ("payments", "payments"): (0, 2),
    }  # acks=1: one copy; a leader while any ISR member lives


def test_no_cluster_is_unknown_not_pass() -> None:
    estate = declare_services(Estate(), (producer_service("orders", config=SAFE_PRODUCER),))
    table = statuses(audit_estate(estate, (), load_rules(), AuditOptions()))
    assert table["orders"]["replication factor"] == "unknown"
    assert table["orders"]["producer acks and retries"] == "unknown"  # E2E001 cannot see the topic


def test_no_services_no_checklist() -> None:
    assert audit_estate(Estate(cluster=snapshot()), (), load_rules(), AuditOptions()).checklist is None


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_every_format_renders_the_checklist(result: AuditResult, fmt: OutputFormat) -> None:
    text = render(result, fmt, RenderOptions())
    assert "payments" in text
    if fmt in (OutputFormat.JSON, OutputFormat.SARIF):
        assert json.loads(text) and '"idempotent consumer"' in text
    elif fmt is OutputFormat.GITHUB:
        assert "kafka-audit checklist: orders: 6 pass, 2 not declared;" in text
        assert "orders -> orders: survives 1 broker failure without loss, 1 broker failure without blocking" in text
    elif fmt is OutputFormat.JUNIT:
        assert 'name="consume: idempotent consumer" classname="billing"' in text
    else:
        assert "Checklist per declared service" in text and "not declared" in text


def test_json_checklist_is_valid_and_loads_back(result: AuditResult, tmp_path: Path) -> None:
    text = render(result, OutputFormat.JSON)
    document = json.loads(text)
    assert_valid_report(document)
    assert result.checklist is not None
    assert document["checklist"] == checklist_document(result.checklist)
    saved = tmp_path / "report.json"
    saved.write_text(text)
    assert load_report(saved).checklist == result.checklist


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_what_if_is_said_without_services(fmt: OutputFormat) -> None:
    """--assume-down without a manifest: every format still says the verdicts are a what-if."""
    options = AuditOptions(assume_down=AssumeDown(brokers=frozenset({2})))
    result = audit_estate(Estate(cluster=snapshot()), (), load_rules(), options)
    text = render(result, fmt, RenderOptions())
    if fmt is OutputFormat.JUNIT:  # no checklist testcases without services; the JSON says it
        assert "checklist" not in text
    else:
        assert "broker:2" in text


def test_every_checklist_item_is_judged_by_rules_that_say_so_in_their_yaml() -> None:
    members = checklist_members(load_rules())
    assert all(members[item.name] for item in ITEMS), members
    assert members[ChecklistItem.IDEMPOTENCE] == ("PRD003", "PRD004")
