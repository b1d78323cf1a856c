"""--samples: a partition finding is reported only when it holds in every sample."""

from __future__ import annotations

import pytest

from auditor.audit import AuditOptions, audit_estate
from auditor.engine import load_rules
from auditor.errors import InputError
from auditor.model import ClusterSnapshot, Estate
from auditor.sampling import check_sampling, collect_samples
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
    got = collect_samples(lambda _: next(reads), 3, 1.5, 30.0, sleep=slept.append)
    assert len(got) == 3 and slept == [1.5, 1.5]


def test_the_samples_and_their_intervals_share_one_timeout() -> None:
    """--timeout 20 --samples 3 --sample-interval 4: 12 s for the reads, 4 s each; a read that
    finishes early leaves its time to the next ones (#11 point 9)."""
    now = [0.0]
    budgets: list[float] = []

    def read(budget_s: float) -> ClusterSnapshot:
        budgets.append(budget_s)
        now[0] += budget_s if len(budgets) > 1 else 1.0  # the first read takes 1 s of its 4
        return state()

    collect_samples(read, 3, 4.0, 20.0, sleep=lambda s: now.__setitem__(0, now[0] + s), clock=lambda: now[0])
    assert budgets == [4.0, 5.5, 5.5]
    assert now[0] == 20.0


@pytest.mark.parametrize(("samples", "interval", "timeout"), [(5, 5.0, 20.0), (2, 30.0, 30.0), (1000, 0.0, 30.0)])
def test_samples_that_cannot_fit_the_timeout_are_an_input_error(samples: int, interval: float, timeout: float) -> None:
    with pytest.raises(InputError, match="give a longer timeout, it bounds all the samples"):
        check_sampling(samples, interval, timeout, 1.0)
