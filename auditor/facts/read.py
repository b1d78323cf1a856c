"""Facts of a declared read: one service's consumer group reading one topic, as the cluster shows it."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts.base import CLUSTER_ACCESS, Fact, Scope, Subject, SubjectKind, cluster_access, declared_location
from auditor.findings import Resource
from auditor.model import ClusterSnapshot, ConsumerDeclaration, Estate, Kind


def read_resource(service: str, topic: str) -> Resource:
    return Resource(Kind.READ, f"{service} <- {topic}")


def read_subjects(estate: Estate) -> Iterator[Subject]:
    for service in estate.services:
        if service.consumer is not None:
            for topic in service.consumer.topics:
                yield read_subject(service.name, service.consumer, topic, estate.cluster)


def read_subject(service: str, consumer: ConsumerDeclaration, topic: str, cluster: ClusterSnapshot | None) -> Subject:
    group = next((g for g in cluster.groups if g.id == consumer.group), None) if cluster else None
    committed = any(o.topic == topic and o.committed is not None for o in group.offsets) if group is not None else False
    facts = {
        "service": Fact(service),
        "topic": Fact(topic),
        "group_exists": Fact(None if cluster is None else group is not None),
        "has_committed_offsets": Fact(None if cluster is None else committed),
    }
    return Subject(
        resource=read_resource(service, topic),
        scope=Scope(topic=topic, group=consumer.group),
        facts=facts,
        location=declared_location(consumer.at),
        context={
            "service": service,
            "topic": topic,
            "group": consumer.group,
            **cluster_access(cluster),
        },
    )


READ = SubjectKind(
    name=Kind.READ,
    facts={
        "service": "the declared service",
        "topic": "a topic its consumer group declares it reads",
        "group_exists": "whether the declared group exists on the cluster (unknown without one)",
        "has_committed_offsets": "whether the group has committed offsets on the topic",
    },
    context={
        "service": "the declared service",
        "topic": "the topic",
        "group": "the declared consumer group id",
        **CLUSTER_ACCESS,
    },
    build=read_subjects,
)
