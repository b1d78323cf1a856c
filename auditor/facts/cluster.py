"""Facts of the cluster as a whole: its KRaft controller quorum and the brokers that do not answer."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts.base import CLUSTER_ACCESS, Fact, FactSpec, FactTable, Scope, Subject, SubjectKind, cluster_access
from auditor.findings import Resource
from auditor.model import CONTROLLER_QUORUM, Broker, ClusterSnapshot, Estate, Kind


def _controller_voters(cluster: ClusterSnapshot) -> Fact:
    quorum = cluster.quorum
    if quorum is not None:
        return Fact(len(quorum.voters))
    return Fact(None, not_applicable=cluster.why_not_applicable(CONTROLLER_QUORUM))


def cluster_subjects(estate: Estate) -> Iterator[Subject]:
    cluster = estate.cluster
    if cluster is None:
        return
    name = cluster.cluster_id or cluster.bootstrap
    silent = ",".join(str(b.id) for b in _silent_brokers(cluster)) or "none"
    yield Subject(
        resource=Resource(Kind.CLUSTER, name),
        scope=Scope(),
        facts=CLUSTER_FACTS.derive(cluster),
        context={"cluster": name, **cluster_access(cluster), "silent_brokers": silent},
    )


def _silent_brokers(cluster: ClusterSnapshot) -> list[Broker]:
    """Registered, unfenced brokers that did not answer a request within its deadline."""
    return [b for b in cluster.brokers if b.silent and not b.fenced]


Spec = FactSpec[ClusterSnapshot, Fact]
CLUSTER_FACTS = FactTable(
    Spec(
        "controller_voters",
        "voters of the KRaft controller quorum (DescribeQuorum); unknown when not read, not "
        "applicable (rules reading it do not run) on a ZooKeeper cluster",
        _controller_voters,
    ),
    Spec("broker_count", "registered brokers", lambda c: Fact(len(c.brokers) if c.brokers else None)),
    Spec(
        "silent_broker_count",
        "registered, unfenced brokers that did not answer a request within its deadline",
        lambda c: Fact(len(_silent_brokers(c))),
    ),
)

CLUSTER = SubjectKind(
    name=Kind.CLUSTER,
    facts=CLUSTER_FACTS,
    context={
        "cluster": "cluster id (or bootstrap servers when unknown)",
        **CLUSTER_ACCESS,
        "silent_brokers": "ids of the brokers that did not answer, comma-separated ('none')",
    },
    build=cluster_subjects,
)
