"""What the sources read: plain frozen dataclasses, every configuration value with provenance.

The model says what is there; it does not judge. Facts (auditor.facts) derive what the rules
need, and the rules judge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class ConfigSource(str, Enum):
    """Where an effective configuration value came from, in an operator's words."""

    TOPIC_OVERRIDE = "topic override"
    DYNAMIC_BROKER = "dynamic broker config"
    DYNAMIC_CLUSTER_DEFAULT = "dynamic cluster default"
    STATIC_BROKER = "static broker config (server.properties)"
    KAFKA_DEFAULT = "Kafka default"
    FILE = "file"
    CLIENT_DEFAULT = "client default"
    UNKNOWN = "unknown"


# Kafka's DescribeConfigs ConfigSource names (as kafka-python 3.x returns them) -> ours.
KAFKA_CONFIG_SOURCES: dict[str, ConfigSource] = {
    "DYNAMIC_TOPIC_CONFIG": ConfigSource.TOPIC_OVERRIDE,
    "DYNAMIC_BROKER_CONFIG": ConfigSource.DYNAMIC_BROKER,
    "DYNAMIC_DEFAULT_BROKER_CONFIG": ConfigSource.DYNAMIC_CLUSTER_DEFAULT,
    "STATIC_BROKER_CONFIG": ConfigSource.STATIC_BROKER,
    "DEFAULT_CONFIG": ConfigSource.KAFKA_DEFAULT,
}


@dataclass(frozen=True)
class ConfigValue:
    """One effective configuration value and where it came from.

    `value` is None when the value is unknown (not readable, unresolved placeholder); a rule
    that needs it yields an `unknown` finding, never a pass.
    """

    key: str
    value: str | None
    source: ConfigSource
    path: str | None = None
    line: int | None = None
    detail: str | None = None
    sensitive: bool = False

    def describe_source(self) -> str:
        where = self.source.value
        if self.detail:
            where = f"{where}: {self.detail}"
        if self.path:
            where = f"{where} ({self.path}:{self.line})" if self.line else f"{where} ({self.path})"
        return where


Configs = dict[str, ConfigValue]


@dataclass(frozen=True)
class CoverageGap:
    """Something the audit could not read, and why. Gaps are reported, never hidden."""

    resource: str
    reason: str


@dataclass(frozen=True)
class Broker:
    id: int
    host: str
    port: int
    rack: str | None = None
    fenced: bool = False
    configs: Configs = field(default_factory=dict)


@dataclass(frozen=True)
class Partition:
    topic: str
    index: int
    leader: int | None
    replicas: tuple[int, ...]
    isr: tuple[int, ...]
    offline_replicas: tuple[int, ...] = ()
    eligible_leader_replicas: tuple[int, ...] | None = None

    @property
    def name(self) -> str:
        return f"{self.topic}-{self.index}"


@dataclass(frozen=True)
class Topic:
    name: str
    internal: bool
    partitions: tuple[Partition, ...]
    configs: Configs = field(default_factory=dict)

    @property
    def replication_factor(self) -> int | None:
        """The topic's replication factor; the smallest replica set if partitions differ."""
        sizes = [len(p.replicas) for p in self.partitions]
        return min(sizes) if sizes else None


@dataclass(frozen=True)
class ClusterSnapshot:
    """Everything read from one cluster at one time."""

    bootstrap: str
    collected_at: str
    cluster_id: str | None = None
    brokers: tuple[Broker, ...] = ()
    topics: tuple[Topic, ...] = ()
    gaps: tuple[CoverageGap, ...] = ()
