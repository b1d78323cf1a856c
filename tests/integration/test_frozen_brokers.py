"""A broker that accepts connections and never answers (#11 points 2 and 9), on the real cluster.

A SIGSTOPped broker JVM keeps its listening socket: connections are accepted by the kernel and
nothing answers, exactly what a broker in a long GC pause or on a hung disk shows. Before the
controller fences it (broker.session.timeout.ms, 4 s in the harness) it is still registered and
in every ISR. The collection must finish by --timeout (overshoot at most max(10%, 0.5 s)), ask
other brokers what they can answer, report gaps for what only the frozen broker holds, report
the broker as not answering (STO020) and judge its partitions with it offline.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from auditor.audit import AuditOptions, audit_estate
from auditor.engine import load_rules
from auditor.errors import ClusterUnreachable
from auditor.model import ClusterSnapshot, Estate
from auditor.result import AuditResult
from auditor.sampling import collect_samples
from auditor.sources.connection import ConnectionSettings
from auditor.sources.live import collect

pytestmark = pytest.mark.integration

TIMEOUT_S = 8.0
ALLOWED_OVERSHOOT_S = max(0.1 * TIMEOUT_S, 0.5)


def within_deadline(call: Callable[[], Any], timeout_s: float = TIMEOUT_S) -> Any:
    started = time.monotonic()
    value = call()
    elapsed = time.monotonic() - started
    assert elapsed <= timeout_s + max(0.1 * timeout_s, 0.5), f"{elapsed:.2f}s for --timeout {timeout_s:g}"
    return value


def first_node(cluster: Any) -> str:
    return str(cluster.bootstrap.split(",")[0])


def audit(bootstrap: str, progress: Callable[[str], None] | None = None) -> AuditResult:
    """The collection, timed against its deadline, then judged as `kafka-audit audit` judges it."""
    settings = ConnectionSettings(tuple(bootstrap.split(",")), timeout_s=TIMEOUT_S)
    snapshot = within_deadline(lambda: collect(settings, progress))
    return audit_estate(Estate(cluster=snapshot), (), load_rules(), AuditOptions(fail_on=None))


def assert_node_3_judged_silent(result: AuditResult, topic: str) -> None:
    assert result.exit_code == 0  # judged with --fail-on never: not exit 3, the audit completed
    (silent,) = [f for f in result.findings if f.rule_id == "STO020"]
    assert "3" in silent.actual
    gaps = {gap.resource: gap.reason for gap in result.gaps}
    assert "did not answer" in gaps["broker 3"], gaps
    partition = {f.rule_id for f in result.findings if f.resource.name == f"{topic}-0"}
    assert "STO010" in partition  # broker 3 is in the ISR the metadata shows, and answers nothing
    assert not any(f.rule_id.startswith("STO00") and f.resource.name == "3" for f in result.findings)


def test_a_broker_frozen_before_the_audit(kafka_cluster: Any, make_topic: Callable[..., str]) -> None:
    name = make_topic("frozen")
    with kafka_cluster.frozen(3):
        result = audit(first_node(kafka_cluster))
    assert_node_3_judged_silent(result, name)


def test_a_broker_frozen_while_the_audit_runs(kafka_cluster: Any, make_topic: Callable[..., str]) -> None:
    """Frozen right after the cluster was described: every later request to it goes unanswered."""
    name = make_topic("frozen-during")
    pid = kafka_cluster.node(3).pid
    steps: list[str] = []

    def freeze_once_described(step: str) -> None:
        steps.append(step)
        if len(steps) == 2:
            import os
            import signal

            os.kill(pid, signal.SIGSTOP)

    try:
        result = audit(first_node(kafka_cluster), freeze_once_described)
    finally:
        import os
        import signal

        os.kill(pid, signal.SIGCONT)
        kafka_cluster.wait_settled()  # leadership back on broker 3 before the next test
    assert len(steps) == 4
    assert_node_3_judged_silent(result, name)


@pytest.fixture
def silent_listener() -> Iterator[str]:
    """A port that accepts connections and never answers a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        server.close()


def test_a_silent_listener_first_in_the_bootstrap_list(kafka_cluster: Any, silent_listener: str) -> None:
    """kafka-python alone picks a bootstrap address at random and waits the whole timeout on it."""
    for _ in range(3):
        snapshot: ClusterSnapshot = within_deadline(
            lambda: collect(ConnectionSettings((silent_listener, first_node(kafka_cluster)), TIMEOUT_S))
        )
        assert snapshot.gaps == ()
        assert {b.id for b in snapshot.brokers} == {1, 2, 3} and not any(b.silent for b in snapshot.brokers)


def test_only_a_silent_listener_is_exit_3_by_the_deadline(silent_listener: str) -> None:
    with pytest.raises(ClusterUnreachable):
        within_deadline(lambda: collect(ConnectionSettings((silent_listener,), TIMEOUT_S)))


def test_quorum_lost_the_collection_still_ends_by_the_deadline(
    kafka_cluster: Any, make_topic: Callable[..., str]
) -> None:
    """Two of the three combined broker-controllers frozen: no quorum, no metadata changes."""
    make_topic("quorum")
    with kafka_cluster.frozen(2, 3):
        time.sleep(1)
        result = audit(first_node(kafka_cluster))
    assert result.exit_code == 0
    assert result.gaps  # what brokers 2 and 3 hold was not read


def test_samples_share_the_timeout(kafka_cluster: Any) -> None:
    """--samples 3 --sample-interval 1 --timeout 8 with a frozen broker: the three reads and the
    two intervals end by the one deadline (each read waited up to the whole timeout before). Each
    read gets 2 s, room for the 1 s the frozen broker costs and the retry elsewhere; with 2 s
    intervals (1.33 s a read) reads failed on this loaded machine before the retry could finish."""
    settings = ConnectionSettings((first_node(kafka_cluster),), timeout_s=TIMEOUT_S)
    reads: list[ClusterSnapshot] = []

    def read(budget_s: float) -> ClusterSnapshot:
        reads.append(collect(replace(settings, timeout_s=budget_s)))
        return reads[-1]

    with kafka_cluster.frozen(3):
        within_deadline(lambda: collect_samples(read, 3, 1.0, TIMEOUT_S))
    assert len(reads) == 3
