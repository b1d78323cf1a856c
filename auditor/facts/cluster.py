"""Facts of the cluster as a whole: its KRaft controller quorum."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts.base import CLUSTER_ACCESS, Fact, Scope, Subject, SubjectKind, cluster_access
from auditor.findings import Resource
from auditor.model import CONTROLLER_QUORUM, Estate, Kind


def cluster_subjects(estate: Estate) -> Iterator[Subject]:
    cluster = estate.cluster
    if cluster is None:
        return
    name = cluster.cluster_id or cluster.bootstrap
    quorum = cluster.quorum
    facts = {
        "controller_voters": Fact(
            None if quorum is None else len(quorum.voters),
            not_applicable=cluster.why_not_applicable(CONTROLLER_QUORUM) if quorum is None else None,
        ),
        "broker_count": Fact(len(cluster.brokers) if cluster.brokers else None),
    }
    yield Subject(
        resource=Resource(Kind.CLUSTER, name),
        scope=Scope(),
        facts=facts,
        context={"cluster": name, **cluster_access(cluster)},
    )


CLUSTER = SubjectKind(
    name=Kind.CLUSTER,
    facts={
        "controller_voters": "voters of the KRaft controller quorum (DescribeQuorum); unknown when not read, "
        "not applicable (rules reading it do not run) on a ZooKeeper cluster",
        "broker_count": "registered brokers",
    },
    context={
        "cluster": "cluster id (or bootstrap servers when unknown)",
        **CLUSTER_ACCESS,
    },
    build=cluster_subjects,
)
