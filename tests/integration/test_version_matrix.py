"""The same seeded scenario on every Kafka version and mode kafka-audit supports, judged against
that version's own tools.

Each cluster (3 nodes: the RF 3 topic needs them) is started by scripts/kafka_cluster.py from that
version's Maven Central jars, seeded, one broker stopped, then audited; its partition findings are
compared with that version's `kafka-topics --describe --under-replicated-partitions /
--under-min-isr-partitions / --unavailable-partitions`, and its group finding with
`kafka-consumer-groups --describe`. The scenario:

- `mx-rf1`: one partition, replication factor 1, on broker 3 (offline once broker 3 stops);
- `mx-rf3`: replication factor 3, min.insync.replicas 1, unclean leader election on;
- group `mx-behind` committed at 0 on mx-rf3-0, whose log start is then moved to 30 (GRP001);
- an open transaction on mx-rf3 where the version lists them (3.0+);
- broker 3 stopped.

Matrix clusters use ports KAFKA_AUDIT_PORT_BASE+500 and up, and their own run dirs, so they never
meet the suite's main cluster.

The offline partition is compared too. Every version's kafka-topics lists a partition as
under-replicated when its replication factor (less the replicas a reassignment is adding) exceeds
its ISR (TopicCommand's PartitionDescription.isUnderReplicated, the Scala one of 2.8-3.6 and the
Java one of 3.7+, read in each version's jars), which is STO010's condition; the versions differ in
the ISR they report for an RF 1 partition whose only replica stopped: the ISR keeps that replica
where eligible leader replicas are off, and is empty, the replica moved to the ELR, where they are
on (4.x). Each version's own `kafka-topics --describe` line of both seeded partitions is compared
with what kafka-audit read (leader, replicas, ISR, ELR).

README's "Kafka versions" table is checked against what each cluster showed: what is not
applicable there, and the offline partition's ISR and ELR (a row that lies fails).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from kafka_cluster import ZOOKEEPER, Cluster, Settings, version_tuple

from auditor.audit import AuditOptions, audit_estate
from auditor.engine import load_rules
from auditor.model import CONTROLLER_QUORUM, TRANSACTIONS, ClusterSnapshot, Estate, Partition
from auditor.result import AuditResult
from auditor.sources.connection import ConnectionSettings, parse_bootstrap
from auditor.sources.live import collect

pytestmark = pytest.mark.integration

MATRIX = (
    ("2.8.2", "zookeeper"),
    ("3.6.2", "zookeeper"),
    ("3.7.2", "kraft"),
    ("3.9.1", "zookeeper"),
    ("3.9.1", "kraft"),
    ("4.3.1", "kraft"),
)
PORT_OFFSET = 500
STOPPED = 3
RF1, RF3, GROUP, TXN = "mx-rf1", "mx-rf3", "mx-behind", "mx-open"
MESSAGES, LOG_START = 50, 30
PARTITION_RULES = ("STO010", "STO011", "STO012", "STO013")


@dataclass
class Scenario:
    cluster: Cluster
    version: str
    mode: str
    snapshot: ClusterSnapshot
    result: AuditResult
    transactions_listed: bool


@pytest.fixture(scope="module", params=MATRIX, ids=[f"{v}-{m}" for v, m in MATRIX])
def scenario(request: pytest.FixtureRequest) -> Iterator[Scenario]:
    version, mode = request.param
    base = Settings.from_env()
    run_dir = base.run_dir / "matrix" / f"{version}-{mode}"
    cluster = Cluster(Settings(version, base.cache_root, run_dir, base.port_base + PORT_OFFSET))
    cluster.up(3, mode)
    producer = None
    try:
        producer = seed(cluster)
        cluster.stop_node(STOPPED)
        snapshot, result = settled_audit(cluster)
        yield Scenario(cluster, version, mode, snapshot, result, version_tuple(version) >= (3, 0))
    finally:
        if producer is not None:
            producer.close(timeout=1)
        cluster.down()


def seed(cluster: Cluster) -> Any:
    """The scenario's topics, group and open transaction; the transactional producer stays open."""
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.admin import NewTopic
    from kafka.structs import OffsetAndMetadata

    admin = cluster.admin_client()
    try:
        admin.create_topics(
            [
                # min ISR 1, as test_store_runtime's RF 1 topics: with a higher min ISR, 4.x's eligible
                # leader replicas empty its ISR when broker 3 stops (see the module's note)
                NewTopic(RF1, replica_assignments={0: [STOPPED]}, topic_configs={"min.insync.replicas": "1"}),
                NewTopic(
                    RF3,
                    replica_assignments={0: [1, 2, 3]},
                    topic_configs={"min.insync.replicas": "1", "unclean.leader.election.enable": "true"},
                ),
            ]
        )
        producer = KafkaProducer(bootstrap_servers=cluster.bootstrap, acks="all")
        for i in range(MESSAGES):
            producer.send(RF3, f"m{i}".encode())
        producer.flush()
        producer.close()
        partition = TopicPartition(RF3, 0)
        consumer = KafkaConsumer(bootstrap_servers=cluster.bootstrap, group_id=GROUP, enable_auto_commit=False)
        consumer.assign([partition])
        consumer.commit({partition: OffsetAndMetadata(0, None, -1)})
        consumer.close()
        admin.delete_records({partition: LOG_START})
    finally:
        admin.close()
    # open for the whole test (15 min, the brokers' default transaction.max.timeout.ms): an abort at
    # the 60 s default would add a marker and move the log end under the tools' feet
    transactional = KafkaProducer(
        bootstrap_servers=cluster.bootstrap, transactional_id=TXN, acks="all", transaction_timeout_ms=900_000
    )
    transactional.init_transactions()
    transactional.begin_transaction()
    transactional.send(RF3, b"uncommitted")
    transactional.flush()
    return transactional


def settled_audit(cluster: Cluster, timeout_s: float = 90) -> tuple[ClusterSnapshot, AuditResult]:
    """Audit (through the live brokers) until broker 3 has left the ISRs and the group is read."""
    live = ",".join(f"127.0.0.1:{n.plaintext}" for n in cluster.nodes if n.node_id != STOPPED)
    settings = ConnectionSettings(parse_bootstrap(live), timeout_s=20)
    rules = load_rules()
    deadline = time.monotonic() + timeout_s
    while True:
        snapshot = collect(settings)
        result = audit_estate(Estate(cluster=snapshot), (), rules, AuditOptions(fail_on=None))
        found = {rule for rule, _ in partition_findings(result)}
        if {"STO010", "STO013"} <= found and any(g.id == GROUP for g in snapshot.groups):
            return snapshot, result
        assert time.monotonic() < deadline, f"not settled: {sorted(found)}, gaps {snapshot.gaps}"
        time.sleep(2)


def partition_findings(result: AuditResult) -> set[tuple[str, str]]:
    return {
        (f.rule_id, f.resource.name)
        for f in result.findings
        if f.rule_id in PARTITION_RULES and f.resource.name.rsplit("-", 1)[0] in (RF1, RF3)
    }


def live_bootstrap(cluster: Cluster) -> str:
    return next(f"127.0.0.1:{n.plaintext}" for n in cluster.nodes if n.node_id != STOPPED)


def kafka_topics_lines(cluster: Cluster, *flags: str) -> dict[str, str]:
    """The seeded partitions' lines of `kafka-topics --describe [flags]`, by partition name."""
    done = cluster.run_kafka_tool(
        cluster.tool_class("TopicCommand"), "--bootstrap-server", live_bootstrap(cluster), "--describe", *flags
    )
    assert done.returncode == 0, done.stderr
    found = {}
    for line in done.stdout.splitlines():
        match = re.search(r"Topic: (\S+)\s.*Partition: (\d+)", line)
        if match and match.group(1) in (RF1, RF3):
            found[f"{match.group(1)}-{match.group(2)}"] = line
    return found


def kafka_topics(cluster: Cluster, flag: str) -> set[str]:
    return set(kafka_topics_lines(cluster, flag))


def seeded_partition(snapshot: ClusterSnapshot, topic: str) -> Partition:
    return next(p for t in snapshot.topics if t.name == topic for p in t.partitions if p.index == 0)


def described(line: str) -> dict[str, str]:
    """`Leader: none\tReplicas: 3\tIsr: \tElr: 3` -> {"Leader": "none", "Replicas": "3", ...}."""
    return {key: value.strip() for key, value in re.findall(r"(\w+): ([^\t]*)", line)}


def ids(text: str) -> tuple[int, ...]:
    return tuple(int(i) for i in text.split(",") if i.strip())


def test_partition_findings_agree_with_kafka_topics(scenario: Scenario) -> None:
    found = partition_findings(scenario.result)
    by_rule = {rule: {name for r, name in found if r == rule} for rule in PARTITION_RULES}
    cluster = scenario.cluster
    unavailable = kafka_topics(cluster, "--unavailable-partitions")
    assert by_rule["STO013"] == unavailable == {f"{RF1}-0"}
    # kafka-topics counts a partition without a leader as under min ISR; kafka-audit reports it offline
    assert by_rule["STO011"] | by_rule["STO013"] == kafka_topics(cluster, "--under-min-isr-partitions")
    # the offline partition included: it is under-replicated exactly where its ISR was emptied
    offline_isr = seeded_partition(scenario.snapshot, RF1).isr
    expected = {f"{RF3}-0"} | ({f"{RF1}-0"} if not offline_isr else set())
    assert by_rule["STO010"] == kafka_topics(cluster, "--under-replicated-partitions") == expected


def test_the_seeded_partitions_read_as_kafka_topics_describes_them(scenario: Scenario) -> None:
    """Leader, replicas, ISR and (where the tool prints it) ELR of both seeded partitions."""
    lines = kafka_topics_lines(scenario.cluster)
    for topic in (RF1, RF3):
        tool = described(lines[f"{topic}-0"])
        read = seeded_partition(scenario.snapshot, topic)
        leader = "none" if read.leader is None else str(read.leader)
        assert (tool["Leader"], ids(tool["Replicas"]), ids(tool["Isr"])) == (leader, read.replicas, read.isr), tool
        if "Elr" in tool and tool["Elr"] != "N/A":
            assert ids(tool["Elr"]) == read.eligible_leader_replicas, tool


def test_topic_findings_of_the_seeded_topics(scenario: Scenario) -> None:
    """RF 1 (STO001), min ISR 1 (STO002) and unclean election (STO004) on the topics that have them."""
    found = {(f.rule_id, f.resource.name) for f in scenario.result.findings}
    assert {("STO001", RF1), ("STO002", RF3), ("STO004", RF3)} <= found


def test_group_finding_agrees_with_kafka_consumer_groups(scenario: Scenario) -> None:
    cluster = scenario.cluster
    done = cluster.run_kafka_tool(
        cluster.tool_class("ConsumerGroupCommand"),
        "--bootstrap-server",
        live_bootstrap(cluster),
        "--describe",
        "--group",
        GROUP,
        "--timeout",  # the tool's 5 s default is too short on a loaded machine
        "60000",
    )
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if line.split()[:2] == [GROUP, RF3]]
    assert len(rows) == 1, done.stdout
    tool_committed, tool_end = int(rows[0][3]), int(rows[0][4])  # GROUP TOPIC PARTITION CURRENT LOG-END LAG
    group = next(g for g in scenario.snapshot.groups if g.id == GROUP)
    offset = next(o for o in group.offsets if (o.topic, o.partition) == (RF3, 0))
    assert (offset.committed, offset.log_end) == (tool_committed, tool_end)
    grp001 = next(f for f in scenario.result.findings if (f.rule_id, f.resource.name) == ("GRP001", GROUP))
    assert f"committed {tool_committed}, log start {LOG_START}" in grp001.actual


def test_what_the_version_and_mode_cannot_have_is_not_applicable(scenario: Scenario) -> None:
    snapshot, result = scenario.snapshot, scenario.result
    absent = {n.resource for n in snapshot.not_applicable}
    not_run = {n.rule_id for n in result.not_run}
    if scenario.mode == ZOOKEEPER:
        assert CONTROLLER_QUORUM in absent and "STO017" in not_run
    else:
        assert snapshot.quorum is not None and len(snapshot.quorum.voters) == 3
        assert "STO017" not in not_run
    if scenario.transactions_listed:
        assert TRANSACTIONS not in absent
        assert [(t.transactional_id, t.state) for t in snapshot.transactions] == [(TXN, "Ongoing")]
    else:
        assert TRANSACTIONS in absent


def test_the_only_gaps_are_the_stopped_broker(scenario: Scenario) -> None:
    """Nothing else goes unread on any version: no API negotiated wrong, no answer misread."""
    assert all(str(STOPPED) in gap.resource for gap in scenario.snapshot.gaps), scenario.snapshot.gaps


README = Path(__file__).resolve().parents[2] / "README.md"
VERSION_ROW = re.compile(r"^\| (\d+\.\d+\.\d+) \| (ZooKeeper|KRaft) \| ([^|]+) \| ([^|]+) \|\s*$")
OFFLINE_CELL = re.compile(r"^ISR \[([\d,]*)\]; ELR (not applicable|\[([\d,]*)\])")


def readme_rows() -> dict[tuple[str, str], tuple[str, str]]:
    """README's "Kafka versions" table: (version, mode) -> (not applicable there, offline partition)."""
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        match = VERSION_ROW.match(line)
        if match:
            rows[match.group(1), match.group(2).lower()] = (match.group(3).strip(), match.group(4).strip())
    return rows


def test_a_controller_request_sent_where_the_controller_no_longer_is(scenario: Scenario) -> None:
    """ListPartitionReassignments, controller-only, with the session's controller out of date (the
    controller moved since its metadata was read): a ZooKeeper-mode broker that is not the
    controller answers NOT_CONTROLLER, and Session.send_to_controller asks the controller a fresh
    Metadata answer names; a KRaft broker forwards the request to the active controller itself."""
    from kafka.protocol.admin import ListPartitionReassignmentsRequest

    from auditor.sources.live.session import NOT_CONTROLLER, open_session

    request = ListPartitionReassignmentsRequest(timeout_ms=5000, topics=None)
    with open_session(ConnectionSettings(parse_bootstrap(live_bootstrap(scenario.cluster)), timeout_s=20)) as session:
        controller = session.refresh_metadata().controller_id
        stale = next(n.node_id for n in scenario.cluster.nodes if n.node_id not in (controller, STOPPED))
        session.admin._manager.cluster.controller = session.admin._manager.cluster.broker_metadata(stale)
        direct = session.send(request, stale).error_code
        assert direct == (NOT_CONTROLLER if scenario.mode == ZOOKEEPER else 0)
        assert session.send_to_controller(request).error_code == 0
        assert session.gaps == ()


def test_readme_lists_every_version_of_the_matrix() -> None:
    assert set(readme_rows()) == set(MATRIX)


def test_the_readme_row_says_what_this_cluster_showed(scenario: Scenario) -> None:
    """The row's not-applicable resources (and the rules it says do not run), and its offline RF 1
    partition's ISR and ELR, and whether kafka-topics calls that partition under-replicated."""
    absent_cell, offline_cell = readme_rows()[scenario.version, scenario.mode]
    named = re.sub(r"\([^)]*\)", "", absent_cell)
    claimed = set() if named.strip() == "nothing" else {name.strip() for name in named.split(",")}
    assert claimed == {n.resource for n in scenario.snapshot.not_applicable}, absent_cell
    not_run = {n.rule_id for n in scenario.result.not_run}
    assert set(re.findall(r"STO\d{3}", absent_cell)) <= not_run, absent_cell
    match = OFFLINE_CELL.match(offline_cell)
    assert match, offline_cell
    offline = seeded_partition(scenario.snapshot, RF1)
    assert ids(match.group(1)) == offline.isr, offline_cell
    elr = None if match.group(2) == "not applicable" else ids(match.group(3))
    assert elr == offline.eligible_leader_replicas, offline_cell
    under_replicated = f"{RF1}-0" in kafka_topics(scenario.cluster, "--under-replicated-partitions")
    assert ("not under-replicated" not in offline_cell) == under_replicated, offline_cell
