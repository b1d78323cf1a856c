"""Facts of a topic as the cluster reports it."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts.base import Fact, Subject, SubjectKind, config_fact, parse_bool, parse_int
from auditor.findings import Resource
from auditor.model import Estate, Topic


def topic_subject(topic: Topic, bootstrap: str) -> Subject:
    configs = topic.configs
    facts = {
        "name": Fact(topic.name),
        "internal": Fact(topic.internal),
        "partition_count": Fact(len(topic.partitions)),
        "replication_factor": Fact(topic.replication_factor),
        "min_insync_replicas": config_fact(configs, "min.insync.replicas", parse_int),
        "unclean_leader_election_enable": config_fact(configs, "unclean.leader.election.enable", parse_bool),
    }
    return Subject(
        resource=Resource("topic", topic.name),
        facts=facts,
        context={"topic": topic.name, "bootstrap": bootstrap},
    )


def topic_subjects(estate: Estate) -> Iterator[Subject]:
    if estate.cluster is None:
        return
    for topic in estate.cluster.topics:
        yield topic_subject(topic, estate.cluster.bootstrap)


TOPIC = SubjectKind(
    name="topic",
    facts={
        "name": "topic name",
        "internal": "true for Kafka's internal topics (__consumer_offsets, __transaction_state)",
        "partition_count": "number of partitions",
        "replication_factor": "replicas per partition (the smallest if partitions differ)",
        "min_insync_replicas": "effective min.insync.replicas of the topic, with its source",
        "unclean_leader_election_enable": "effective unclean.leader.election.enable, with its source",
    },
    context={"topic": "topic name", "bootstrap": "the cluster's bootstrap servers"},
    build=topic_subjects,
)
