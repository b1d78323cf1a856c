"""The snapshot file's shape as typed msgspec structures: decoded and validated together, in C.

auditor/schemas/snapshot.schema.json is the published contract; these types accept exactly the
documents it accepts (tests/unit/test_snapshot_contract.py generates documents and checks both
agree), so a snapshot is validated while it is decoded instead of element by element in Python.
Unknown fields are errors (`forbid_unknown_fields`), as `additionalProperties: false` says.
"""

from __future__ import annotations

from typing import Annotated, Generic, Literal, TypeVar

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

SCHEMA_VERSION = 1
KIND: Literal["kafka-audit/cluster-snapshot"] = "kafka-audit/cluster-snapshot"

SourceName = Literal[
    "TOPIC_OVERRIDE",
    "DYNAMIC_BROKER",
    "DYNAMIC_CLUSTER_DEFAULT",
    "STATIC_BROKER",
    "KAFKA_DEFAULT",
    "FILE",
    "CLIENT_DEFAULT",
    "CONNECT_REST",
    "UNKNOWN",
]
NodeIds = tuple[int, ...]


class ConfigEntry(Struct, forbid_unknown_fields=True, frozen=True, omit_defaults=True):
    value: str | None
    source: SourceName
    path: str | UnsetType = UNSET
    line: int | UnsetType = UNSET
    detail: str | UnsetType = UNSET
    sensitive: Literal[True] | UnsetType = UNSET

    def __post_init__(self) -> None:
        if self.sensitive is True and self.value is not None:
            raise ValueError("a sensitive config must have value null (redacted)")


Configs = dict[str, ConfigEntry]


class BrokerDoc(Struct, forbid_unknown_fields=True, frozen=True, omit_defaults=True):
    id: int
    host: str
    port: int
    rack: str | None
    fenced: bool
    configs: Configs
    silent: bool = False


class PartitionDoc(Struct, forbid_unknown_fields=True, frozen=True, omit_defaults=True):
    index: int
    leader: int | None
    replicas: NodeIds
    isr: NodeIds
    offline_replicas: NodeIds
    eligible_leader_replicas: NodeIds | None
    adding_replicas: NodeIds = ()
    removing_replicas: NodeIds = ()


ConfigsT = TypeVar("ConfigsT")
TopicT = TypeVar("TopicT")


class TopicDoc(Struct, Generic[ConfigsT], forbid_unknown_fields=True, frozen=True):
    """`configs` are Configs, or (TOPIC_DECODER) their JSON text still undecoded: most topics of a
    cluster report the same configs byte for byte, decoded once (CONFIGS_DECODER)."""

    name: str
    internal: bool
    partitions: tuple[PartitionDoc, ...]
    configs: ConfigsT


LagProbe = tuple[Annotated[float, Meta(gt=0)], int | None]


class OffsetDoc(Struct, forbid_unknown_fields=True, frozen=True):
    topic: str
    partition: int
    committed: int | None
    log_start: int | None
    log_end: int | None
    retention_boundary: int | None
    committed_timestamp_ms: int | None
    lag_probes: tuple[LagProbe, ...] = ()


class GroupDoc(Struct, forbid_unknown_fields=True, frozen=True, omit_defaults=True):
    id: str
    type: str | None
    state: str | None
    protocol_type: str | None
    members: int | None
    offsets: tuple[OffsetDoc, ...]
    offsets_unread: str | None = None


class VoterDoc(Struct, forbid_unknown_fields=True, frozen=True):
    id: int
    log_end_offset: int | None
    lag: int | None


class QuorumDoc(Struct, forbid_unknown_fields=True, frozen=True):
    leader_id: int | None
    voters: tuple[VoterDoc, ...]
    observers: tuple[VoterDoc, ...]


class TransactionDoc(Struct, forbid_unknown_fields=True, frozen=True):
    transactional_id: str
    state: str
    producer_id: int | None
    duration_ms: int | None
    partitions: tuple[str, ...]
    hanging: bool


class GapDoc(Struct, forbid_unknown_fields=True, frozen=True):
    resource: str
    reason: str


class ClusterDoc(Struct, Generic[TopicT], forbid_unknown_fields=True, frozen=True, omit_defaults=True):
    """`topics` are TopicDocs, or (OUTLINE_DECODER) each topic's JSON still undecoded: a reader
    decodes them one at a time and keeps only the model, never the whole typed tree at once."""

    bootstrap: str
    cluster_id: str | None
    brokers: tuple[BrokerDoc, ...]
    topics: tuple[TopicT, ...]
    groups: tuple[GroupDoc, ...]
    quorum: QuorumDoc | None
    features: dict[str, int]
    transactions: tuple[TransactionDoc, ...]
    gaps: tuple[GapDoc, ...]
    not_applicable: tuple[GapDoc, ...] = ()


class PluginDoc(Struct, forbid_unknown_fields=True, frozen=True):
    class_name: str = msgspec.field(name="class")
    type: str
    version: str | None


class TaskDoc(Struct, forbid_unknown_fields=True, frozen=True):
    id: int
    state: str
    worker_id: str | None
    trace: str | None


class ConnectorDoc(Struct, forbid_unknown_fields=True, frozen=True):
    name: str
    type: str | None
    state: str | None
    config: Configs  # redacted as read from the REST API, and again as written
    tasks: tuple[TaskDoc, ...]
    trace: str | None


class ConnectDoc(Struct, forbid_unknown_fields=True, frozen=True):
    """One Kafka Connect cluster read through its REST API (snapshot --connect-url)."""

    url: str
    version: str | None
    plugins: tuple[PluginDoc, ...]
    connectors: tuple[ConnectorDoc, ...]
    gaps: tuple[GapDoc, ...]


class ToolDoc(Struct, forbid_unknown_fields=True, frozen=True):
    name: Literal["kafka-audit"]
    version: str


class SnapshotDoc(Struct, Generic[TopicT], forbid_unknown_fields=True, frozen=True, omit_defaults=True):
    schema_version: Literal[1]
    kind: Literal["kafka-audit/cluster-snapshot"]
    tool: ToolDoc
    collected_at: str
    cluster: ClusterDoc[TopicT]
    connect: tuple[ConnectDoc, ...] = ()  # absent in snapshots taken without --connect-url


class _Header(Struct):
    """What is checked first, to say "not a snapshot" or "unsupported version" before anything else."""

    kind: object = None
    schema_version: object = None


# A snapshot is read in steps: everything but the topics, each topic left as its JSON text
# (checked as JSON, a slice of the file's bytes); then TOPIC_DECODER on one topic at a time, its
# configs left as their JSON text; then CONFIGS_DECODER on each distinct configs text.
OUTLINE_DECODER = msgspec.json.Decoder(SnapshotDoc[msgspec.Raw])
TOPIC_DECODER = msgspec.json.Decoder(TopicDoc[msgspec.Raw])
CONFIGS_DECODER = msgspec.json.Decoder(Configs)
SnapshotOutline = SnapshotDoc[msgspec.Raw]
WholeSnapshot = SnapshotDoc[TopicDoc[Configs]]  # as written
TopicOutline = TopicDoc[msgspec.Raw]
HEADER_DECODER = msgspec.json.Decoder(_Header)
ENCODER = msgspec.json.Encoder()
