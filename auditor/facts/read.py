"""Facts of a declared read: one service's consumer group reading one topic, as the cluster shows it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from auditor.facts.base import (
    CLUSTER_ACCESS,
    Fact,
    FactSpec,
    FactTable,
    Scope,
    Subject,
    SubjectKind,
    cluster_access,
    declared_location,
)
from auditor.findings import Resource
from auditor.model import ClusterSnapshot, ConsumerDeclaration, ConsumerGroup, Estate, Kind


def read_resource(service: str, topic: str) -> Resource:
    return Resource(Kind.READ, f"{service} <- {topic}")


def read_subjects(estate: Estate) -> Iterator[Subject]:
    for service in estate.services:
        if service.consumer is not None:
            for topic in service.consumer.topics:
                yield read_subject(service.name, service.consumer, topic, estate.cluster)


@dataclass(frozen=True)
class ReadSeen:
    """What a declared read's facts are derived from: the declaration and the group the cluster shows."""

    service: str
    topic: str
    cluster: ClusterSnapshot | None
    group: ConsumerGroup | None

    @property
    def committed(self) -> bool:
        return self.group is not None and any(
            o.topic == self.topic and o.committed is not None for o in self.group.offsets
        )


def read_subject(service: str, consumer: ConsumerDeclaration, topic: str, cluster: ClusterSnapshot | None) -> Subject:
    group = next((g for g in cluster.groups if g.id == consumer.group), None) if cluster else None
    return Subject(
        resource=read_resource(service, topic),
        scope=Scope(topic=topic, group=consumer.group),
        facts=READ_FACTS.derive(ReadSeen(service, topic, cluster, group)),
        location=declared_location(consumer.at),
        context={
            "service": service,
            "topic": topic,
            "group": consumer.group,
            **cluster_access(cluster),
        },
    )


Spec = FactSpec[ReadSeen, Fact]
READ_FACTS = FactTable(
    Spec("service", "the declared service", lambda r: Fact(r.service)),
    Spec("topic", "a topic its consumer group declares it reads", lambda r: Fact(r.topic)),
    Spec(
        "group_exists",
        "whether the declared group exists on the cluster (unknown without one)",
        lambda r: Fact(None if r.cluster is None else r.group is not None),
    ),
    Spec(
        "has_committed_offsets",
        "whether the group has committed offsets on the topic",
        lambda r: Fact(None if r.cluster is None else r.committed),
    ),
)

READ = SubjectKind(
    name=Kind.READ,
    facts=READ_FACTS,
    context={
        "service": "the declared service",
        "topic": "the topic",
        "group": "the declared consumer group id",
        **CLUSTER_ACCESS,
    },
    build=read_subjects,
)
