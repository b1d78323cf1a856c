"""Kafka's broker defaults (Apache Kafka 4.x), for settings a broker file leaves out.

A live cluster reports every effective value with its source, so these apply only to broker
settings declared in files: a key the file does not set takes Kafka's default, which is known.
"""

from __future__ import annotations

from collections.abc import Mapping

from auditor.model import Configs, ConfigSource, ConfigValue

BROKER_DEFAULTS: Mapping[str, str] = {
    "min.insync.replicas": "1",
    "default.replication.factor": "1",
    "unclean.leader.election.enable": "false",
    "auto.create.topics.enable": "true",
    "offsets.topic.replication.factor": "3",
    "transaction.state.log.replication.factor": "3",
    "transaction.state.log.min.isr": "2",
    "log.retention.ms": "604800000",  # log.retention.hours=168
}

# The broker settings a topic inherits when it does not override them (topic key -> broker key).
TOPIC_FROM_BROKER: Mapping[str, str] = {
    "min.insync.replicas": "min.insync.replicas",
    "unclean.leader.election.enable": "unclean.leader.election.enable",
    "retention.ms": "log.retention.ms",
}

# The broker settings a topic declaration may leave to its brokers, by the topic fact they decide;
# what a policy's broker_defaults may declare for brokers that are not in the audit.
INHERITED_FACTS: Mapping[str, str] = {
    "replication_factor": "default.replication.factor",
    "min_insync_replicas": "min.insync.replicas",
    "unclean_leader_election_enable": "unclean.leader.election.enable",
}


def with_broker_defaults(settings: Configs, path: str) -> Configs:
    """A broker file's settings, completed with Kafka's defaults for the keys it does not set."""
    effective = dict(settings)
    for key, value in BROKER_DEFAULTS.items():
        if key not in effective:
            effective[key] = ConfigValue(
                key, value, ConfigSource.KAFKA_DEFAULT, path=path, detail="not set in the file"
            )
    return effective
