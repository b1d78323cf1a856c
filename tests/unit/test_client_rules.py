"""The producer and consumer rules (PRD001-PRD005, CON001-CON003) over client defaults: one line per case."""

from __future__ import annotations

import pytest

from auditor.model import ClientConfig
from tests.client_builders import client, judge_clients
from tests.rule_cases.clients import CLIENT_CONFIGS as CASES
from tests.rule_cases.clients import CONSUMER, PRODUCER, Case


def findings_of(config: ClientConfig) -> set[Case]:
    return {
        (f.rule_id, f.severity.value, f.status.value, f.location.line if f.location else None)
        for f in judge_clients(config)
    }




@pytest.mark.parametrize(("config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_client_rules(config: ClientConfig, expected: set[Case]) -> None:
    assert findings_of(config) == expected


def test_default_finding_names_client_and_version_and_has_no_line() -> None:
    (acks, _idem) = sorted(judge_clients(client(version="2.8.2", roles=PRODUCER)), key=lambda f: f.rule_id)
    assert acks.actual_source == "default of Java kafka-clients 2.8.2"
    assert "default of Java kafka-clients 2.8.2" in acks.message
    assert acks.location is not None and acks.location.line is None and acks.location.path == "app/client.properties"
    assert (acks.resource.kind, acks.resource.name) == ("producer", "app/client.properties")


def test_assumed_version_says_so() -> None:
    (finding,) = judge_clients(client(roles=PRODUCER, enable_idempotence="false"))
    assert finding.actual_source == "set in app/client.properties:1"
    (reset, _) = sorted(judge_clients(client(roles=CONSUMER)), key=lambda f: f.rule_id, reverse=True)
    assert "default of Java kafka-clients >=3.2,<4.0 (assumed)" in reset.message


def test_silent_fallback_names_its_cause() -> None:
    idem = next(f for f in judge_clients(client(roles=PRODUCER, acks="1")) if f.rule_id == "PRD003")
    assert "silently disabled by acks=1" in idem.message
