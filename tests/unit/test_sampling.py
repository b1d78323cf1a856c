"""--samples: a partition finding is reported only when it holds in every sample."""

from __future__ import annotations

from auditor.audit import AuditOptions, audit_estate
from auditor.engine import load_rules
from auditor.model import ClusterSnapshot, Estate
from auditor.sampling import collect_samples
from tests.builders import partition, snapshot, topic


def state(*under_replicated: int) -> ClusterSnapshot:
    parts = [partition(index=i, isr=(1, 2) if i in under_replicated else None) for i in range(3)]
    return snapshot(topic("orders", parts=parts))


def test_only_findings_held_in_every_sample_are_reported() -> None:
    samples = [state(0, 1), state(0), state(0, 2)]
    result = audit_estate(
        Estate(cluster=samples[-1]), (), load_rules(), AuditOptions(sample_interval_s=2), earlier=samples[:-1]
    )
    found = {(f.rule_id, f.resource.name) for f in result.findings if f.resource.kind == "partition"}
    assert found == {("STO010", "orders-0"), ("STO012", "orders-0")}
    assert all("(held in all 3 samples, 2 s apart)" in f.message for f in result.findings if f.rule_id == "STO010")
    assert result.samples == 3


def test_one_sample_reports_the_state_as_read() -> None:
    result = audit_estate(Estate(cluster=state(1)), (), load_rules(), AuditOptions())
    assert {f.resource.name for f in result.findings if f.rule_id == "STO010"} == {"orders-1"}
    assert "held in all" not in result.findings[0].message


def test_collect_samples_sleeps_between_reads() -> None:
    reads = iter([state(), state(1), state(2)])
    slept: list[float] = []
    got = collect_samples(lambda: next(reads), 3, 1.5, sleep=slept.append)
    assert len(got) == 3 and slept == [1.5, 1.5]
