"""What the sources read: plain frozen dataclasses, every configuration value with provenance.

The model says what is there; it does not judge. Facts (auditor.facts) derive what the rules
need, and the rules judge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from auditor.enums import StrEnum


class Kind(StrEnum):
    """What rules judge and findings name: each kind of subject (auditor.facts.KINDS has one per member)."""

    TOPIC = "topic"
    BROKER = "broker"
    PARTITION = "partition"
    CLUSTER = "cluster"
    GROUP = "group"
    PRODUCER = "producer"
    CONSUMER = "consumer"
    WRITE = "write"  # a declared service's producer writing one topic
    READ = "read"  # a declared service's consumer group reading one topic
    SERVICE = "service"
    BROKER_DEFAULT = "broker-default"  # a broker setting declared topics leave to brokers not in the audit
    CONNECT_WORKER = "connect-worker"  # a Kafka Connect worker's configuration
    CONNECTOR = "connector"  # a Kafka Connect connector (file or live)
    CONNECT_TOPIC = "connect-topic"  # a Connect worker's config/offset/status topic on the cluster
    STREAMS = "streams"  # a Kafka Streams application's configuration
    STREAMS_TOPIC = "streams-topic"  # a Streams application's changelog/repartition topic on the cluster
    MIRROR_FLOW = "mirror-flow"  # a MirrorMaker 2 replication flow (source -> target)
    MIRROR_TOPIC = "mirror-topic"  # a MirrorMaker 2 internal or remote topic on the cluster


class Role(StrEnum):
    """What a client configuration is for; one file may configure both."""

    PRODUCER = "producer"
    CONSUMER = "consumer"


class TargetKind(StrEnum):
    """What one run read: a live cluster, a snapshot of one, a configuration file, a database."""

    CLUSTER = "cluster"
    SNAPSHOT = "snapshot"
    FILE = "file"
    DATABASE = "database"
    CONNECT = "connect"  # a Kafka Connect cluster's REST API

    @property
    def is_file(self) -> bool:
        """Files, databases and Connect REST URLs are where a finding's location points; the rest is the cluster."""
        return self in (TargetKind.FILE, TargetKind.DATABASE, TargetKind.CONNECT)


@dataclass(frozen=True)
class Target:
    """What was audited: a cluster, a snapshot, a file, a database; `format` says how it was read."""

    kind: TargetKind
    name: str
    format: str
    via: str | None = None  # a live cluster: where its bootstrap servers were given (flag, variable, file)


class ConfigSource(StrEnum):
    """Where an effective configuration value came from, in an operator's words."""

    TOPIC_OVERRIDE = "topic override"
    DYNAMIC_BROKER = "dynamic broker config"
    DYNAMIC_CLUSTER_DEFAULT = "dynamic cluster default"
    STATIC_BROKER = "static broker config (server.properties)"
    KAFKA_DEFAULT = "Kafka default"
    FILE = "file"
    CLIENT_DEFAULT = "client default"
    CONNECT_REST = "Kafka Connect REST API"
    POLICY = "declared in the policy"  # broker_defaults: what the brokers outside the audit use
    UNKNOWN = "unknown"


# Kafka's DescribeConfigs ConfigSource names (as kafka-python 3.x returns them) -> ours.
KAFKA_CONFIG_SOURCES: dict[str, ConfigSource] = {
    "DYNAMIC_TOPIC_CONFIG": ConfigSource.TOPIC_OVERRIDE,
    "DYNAMIC_BROKER_CONFIG": ConfigSource.DYNAMIC_BROKER,
    "DYNAMIC_DEFAULT_BROKER_CONFIG": ConfigSource.DYNAMIC_CLUSTER_DEFAULT,
    "STATIC_BROKER_CONFIG": ConfigSource.STATIC_BROKER,
    "DEFAULT_CONFIG": ConfigSource.KAFKA_DEFAULT,
}


@dataclass(frozen=True, slots=True)
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
    snippet: str | None = None  # the source line, for a value set in application code

    def describe_source(self) -> str:
        """Where the value came from, said once: `set in app.properties:3`, `topic override`,
        `default of Java kafka-clients 3.7 (assumed)`, `static broker config (server.properties):
        KAFKA_CFG_X in compose.yml:12`."""
        if self.source is ConfigSource.POLICY:  # broker_defaults: at line N of the policy file
            return f"{self.source.value} {self.detail or f'at line {self.line} of {self.path}'}"
        place = f"{self.path}:{self.line}" if self.path and self.line else self.path
        if self.detail and self.detail.startswith("default of "):
            where = self.detail  # names the default already; "client default: default of" stutters
        elif self.source is ConfigSource.FILE and place:
            return f"set in {place}" if not self.detail else f"set in {place}: {self.detail}"
        else:
            where = self.source.value if not self.detail else f"{self.source.value}: {self.detail}"
        return where if not place else f"{where} ({place})"


Configs = dict[str, ConfigValue]


@dataclass(frozen=True)
class CoverageGap:
    """Something the audit could not read, and why. Gaps are reported, never hidden."""

    resource: str
    reason: str


# What a cluster may lack by its mode or version (ClusterSnapshot.not_applicable's resources).
CONTROLLER_QUORUM = "controller quorum"
FEATURES = "finalized features"
ELIGIBLE_LEADER_REPLICAS = "eligible leader replicas"
TRANSACTIONS = "transactions"


@dataclass(frozen=True)
class NotApplicable:
    """What this cluster cannot have (a KRaft controller quorum on a ZooKeeper cluster, transactions
    on a broker older than their API), and why: the rules that need it do not run. Unlike a gap,
    nothing is missing from the audit."""

    resource: str
    reason: str


@dataclass(frozen=True, slots=True)
class Broker:
    id: int
    host: str
    port: int
    rack: str | None = None
    fenced: bool = False
    configs: Configs = field(default_factory=dict)
    # Registered and not fenced, yet it did not answer a request within its deadline (frozen,
    # overloaded, partitioned): clients cannot use it even though metadata still lists it.
    silent: bool = False


@dataclass(frozen=True, slots=True)
class Partition:
    topic: str
    index: int
    leader: int | None
    replicas: tuple[int, ...]
    isr: tuple[int, ...]
    offline_replicas: tuple[int, ...] = ()
    eligible_leader_replicas: tuple[int, ...] | None = None
    # an ongoing reassignment (ListPartitionReassignments): `replicas` holds old and new ones
    adding_replicas: tuple[int, ...] = ()
    removing_replicas: tuple[int, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.topic}-{self.index}"


@dataclass(frozen=True, slots=True)
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
class QuorumVoter:
    id: int
    log_end_offset: int | None = None
    lag: int | None = None


@dataclass(frozen=True)
class ControllerQuorum:
    """The KRaft controller quorum (DescribeQuorum)."""

    leader_id: int | None
    voters: tuple[QuorumVoter, ...]
    observers: tuple[QuorumVoter, ...] = ()


@dataclass(frozen=True, slots=True)
class GroupOffset:
    """A group's committed offset on one partition, beside the partition's log bounds.

    `retention_boundary` is the offset at "now minus retention.ms" (ListOffsets by
    timestamp): what retention will delete next. None when not known.
    `lag_probes` are (percent p, the offset at "now minus p% of retention.ms"): the first
    offset whose timestamp is at or after that instant, None when every message is older.
    The time lag exceeds p% of retention.ms exactly when the committed offset is below it.
    """

    topic: str
    partition: int
    committed: int | None
    log_start: int | None = None
    log_end: int | None = None
    retention_boundary: int | None = None
    committed_timestamp_ms: int | None = None
    lag_probes: tuple[tuple[float, int | None], ...] = ()


@dataclass(frozen=True, slots=True)
class ConsumerGroup:
    id: str
    type: str | None = None  # classic | consumer | share
    state: str | None = None
    protocol_type: str | None = None
    members: int | None = None
    offsets: tuple[GroupOffset, ...] = ()
    # why some or all committed offsets were not read: then `offsets` is not the whole group and
    # no verdict on them may pass
    offsets_unread: str | None = None


@dataclass(frozen=True)
class Transaction:
    """An ongoing or hanging transaction (informational)."""

    transactional_id: str
    state: str
    producer_id: int | None = None
    duration_ms: int | None = None
    partitions: tuple[str, ...] = ()
    hanging: bool = False


@dataclass(frozen=True)
class ClusterSnapshot:
    """Everything read from one cluster at one time."""

    bootstrap: str
    collected_at: str
    cluster_id: str | None = None
    brokers: tuple[Broker, ...] = ()
    topics: tuple[Topic, ...] = ()
    groups: tuple[ConsumerGroup, ...] = ()
    quorum: ControllerQuorum | None = None
    features: dict[str, int] = field(default_factory=dict)  # finalized max version levels
    transactions: tuple[Transaction, ...] = ()
    gaps: tuple[CoverageGap, ...] = ()
    not_applicable: tuple[NotApplicable, ...] = ()
    # The Kafka CLI client properties file the audit read it with (a fix command needs it too);
    # a run's own setting, never written to a snapshot file.
    command_config: str | None = None

    def why_not_applicable(self, resource: str) -> str | None:
        """Why this cluster cannot have `resource` (one of NOT_APPLICABLE_RESOURCES), or None."""
        return next((n.reason for n in self.not_applicable if n.resource == resource), None)

    # (topic, partition) -> bytes of its largest replica, read (DescribeLogDirs) only for a plan;
    # None when not asked for or not read (then `gaps` says why). Never in a snapshot file.
    replica_sizes: Mapping[tuple[str, int], int] | None = None


# --- What configuration files declare (sources/files). ---


@dataclass(frozen=True)
class ClientConfig:
    """A producer and/or consumer configuration read from a file, before client defaults.

    `settings` holds only what the file sets, keyed by the Java client's property names
    (aliases and library-specific names already mapped), each with path and line. What an
    omitted key means depends on `library` and `library_version` (facts apply the defaults).
    """

    path: str
    roles: frozenset[Role]
    library: str  # java | librdkafka | kafka-python | spring | ...
    library_version: str | None = None
    settings: Configs = field(default_factory=dict)
    profile: str | None = None
    name: str | None = None  # the resource name findings use; defaults to path
    # A client built in application code: the construction's line and source text, the names a
    # services manifest may use for it (`path#Name`: its variable, method or class), and why
    # keys the code does not set may still be set elsewhere (then they are unknown, not defaults).
    line: int | None = None
    snippet: str | None = None
    names: tuple[str, ...] = ()
    opaque: str | None = None
    library_version_at: str | None = None  # the build file and line that pin library_version
    from_environment: bool = False  # Spring properties a container's environment sets (Kubernetes)
    # Where in an application's own config file the client's settings are: a nested map's key path
    # (`kafka.producer` in settings.yaml) or a .env's variable prefix (`ORDERS_KAFKA_PRODUCER_`).
    within: str | None = None


@dataclass(frozen=True)
class BrokerSettings:
    """Broker settings declared in a file: server.properties, a compose service, a Strimzi Kafka.

    `name` is the resource name findings use: the file path for server.properties, the compose
    service name, `Kafka/<name>` for Strimzi. `settings` holds only what the file sets, keyed by
    broker property name (image env prefixes already mapped), each a ConfigValue with path and
    line (value None and a detail when a placeholder cannot be resolved). What is not set means
    the Kafka default; applying it is the broker facts' job.
    """

    name: str
    path: str
    format: str
    settings: Configs = field(default_factory=dict)
    nodes: int | None = 1  # brokers this declaration stands for (Strimzi replicas); None: unknown
    namespace: str | None = None  # a Kubernetes resource's metadata.namespace (Strimzi)
    variable_prefix: str | None = None  # a compose service's image: the prefix of its setting variables


@dataclass(frozen=True)
class DeclaredGrouping:
    """A cluster the policy declares for files (`clusters: - name: prod, files: [deploy/prod/*]`):
    the brokers and topics of matching files are that cluster, whatever else they say."""

    name: str
    patterns: tuple[str, ...]  # globs, relative to `folder` (the policy file's); `*` crosses folders
    folder: str
    where: str  # the policy file and line

    def holds(self, path: str) -> bool:
        resolved = Path(path).resolve().as_posix()
        base = Path(self.folder).resolve()
        return any(fnmatchcase(resolved, (base / pattern).as_posix()) for pattern in self.patterns)


@dataclass(frozen=True)
class ClusterMember:
    """A broker declaration or a declared topic in a cluster the audit formed from files."""

    kind: str  # "broker" or "topic"
    name: str  # as findings name it (compose service, Kafka/<name>, the file, kafka_topic.x)
    path: str
    link: str | None = None  # a topic: what links it to the cluster (its label, cluster file, provider)


@dataclass(frozen=True)
class ClusterGroup:
    """A cluster the audit formed from files: its brokers and the topics linked to it, and why
    they are one cluster. Cross-file rules (STO016, STO018) compare brokers only within one."""

    name: str
    evidence: str  # why its members are together: one compose file, one Strimzi Kafka, one quorum
    members: tuple[ClusterMember, ...]

    def count(self, kind: str) -> int:
        return sum(1 for m in self.members if m.kind == kind)


@dataclass(frozen=True)
class DeclaredTopic:
    """A topic declared in a file (Strimzi KafkaTopic, Terraform, topicctl, compose).

    `name` is the resource name findings use (`KafkaTopic/<name>`, `kafka_topic.<label>["key"]`,
    the topic name for topicctl and KAFKA_CREATE_TOPICS); `topic_name` the Kafka topic's name
    when known. `replication_factor`, `partitions` and `settings` hold only what the file sets,
    each with path and line (value None and a detail for an unresolved placeholder or Terraform
    variable); what it leaves out comes from the broker settings named by `inherits_from`
    (a compose service, `Kafka/<cluster>`), which the topic facts apply.
    """

    name: str
    path: str
    format: str
    replication_factor: ConfigValue | None = None
    partitions: ConfigValue | None = None
    settings: Configs = field(default_factory=dict)
    inherits_from: str | None = None  # the BrokerSettings name whose defaults apply
    topic_name: str | None = None
    namespace: str | None = None  # a Kubernetes resource's metadata.namespace (Strimzi)
    # The cluster the topic's tool or provider connects to (topicctl's cluster file bootstrapAddrs,
    # a Terraform kafka provider's bootstrap_servers) and where that is declared: links the topic
    # to the declared brokers that listen there.
    bootstrap: tuple[str, ...] = ()
    bootstrap_from: str | None = None
    # The topic's config map, when it was not read (Terraform `config = merge(...)`): its place and
    # why (detail); every topic setting is then unknown, never inherited from the brokers.
    settings_unknown: ConfigValue | None = None


# --- Kafka Connect, Kafka Streams and MirrorMaker 2 (files, and the Connect REST API). ---


@dataclass(frozen=True)
class ConnectWorker:
    """A Kafka Connect worker: its properties file, a Strimzi KafkaConnect, or a live worker (REST).

    `settings` holds only what the source sets (worker property names, e.g.
    offset.storage.replication.factor); `distributed` is None when the mode cannot be told.
    `url` and `version` are set for a worker read through its REST API.
    """

    name: str
    path: str
    format: str
    settings: Configs = field(default_factory=dict)
    distributed: bool | None = True
    url: str | None = None
    version: str | None = None
    plugins: tuple[ConnectPlugin, ...] = ()  # a live worker's GET /connector-plugins


@dataclass(frozen=True)
class ConnectPlugin:
    """A plugin installed on a live Connect worker (GET /connector-plugins?connectorsOnly=false):
    `type` is source, sink, converter, header_converter, transformation or predicate."""

    class_name: str
    type: str
    version: str | None = None

    def names(self) -> tuple[str, ...]:
        """The names a connector config may give it: the class, its simple name, and the alias
        without the type suffix (FileStreamSinkConnector -> FileStreamSink), as Connect resolves them."""
        simple = self.class_name.rsplit(".", 1)[-1]
        alias = simple.removesuffix("Connector") if self.type in ("source", "sink") else simple
        return tuple(dict.fromkeys((self.class_name, simple, alias)))


def connector_plugin(plugins: tuple[ConnectPlugin, ...], connector_class: str | None) -> ConnectPlugin | None:
    """The installed connector plugin a connector.class names (full class, simple name or alias)."""
    if not connector_class or not connector_class.strip():
        return None
    wanted = connector_class.strip()
    return next((p for p in plugins if p.type in ("source", "sink") and wanted in p.names()), None)


@dataclass(frozen=True)
class ConnectorTask:
    """One task of a live connector, as GET /connectors/{name}/status reports it."""

    id: int
    state: str
    worker_id: str | None = None
    trace: str | None = None


@dataclass(frozen=True)
class Connector:
    """A Kafka Connect connector: REST JSON, standalone .properties, Strimzi KafkaConnector, CFK Connector.

    `settings` are the connector's own keys (connector.class, errors.tolerance,
    producer.override.acks, ...). `type` is source or sink (None when the class does not say);
    `worker` the name of the ConnectWorker it runs on when known. `state` and `tasks` come from
    a live worker's status; None / () for a file.
    """

    name: str
    path: str
    format: str
    settings: Configs = field(default_factory=dict)
    type: str | None = None
    worker: str | None = None
    state: str | None = None
    tasks: tuple[ConnectorTask, ...] = ()
    connector_trace: str | None = None


@dataclass(frozen=True)
class StreamsApp:
    """A Kafka Streams application's configuration (properties, spring.kafka.streams.*).

    `name` is the application.id when set, else the path; `library_version` the Kafka Streams
    version whose defaults apply (None: the current one, assumed).
    """

    name: str
    path: str
    format: str
    settings: Configs = field(default_factory=dict)
    library_version: str | None = None


@dataclass(frozen=True)
class StreamsHandler:
    """A Kafka Streams exception handler class found in Java source (sources/code/handlers.py).

    `kind` is production, deserialization or processing; `drops` is True when one of its handle
    methods returns CONTINUE / resume() (the failed record is dropped), False when every return
    fails, retries or hands the record to a dead letter queue, None when the code does not say.
    `line` and `snippet` are the return that decided it.
    """

    class_name: str
    kind: str
    drops: bool | None
    path: str
    line: int
    snippet: str


@dataclass(frozen=True)
class MirrorFlow:
    """One MirrorMaker 2 replication flow (source -> target): mm2.properties or a Strimzi mirror.

    `settings` are the keys that apply to this flow, the flow-specific `A->B.` ones over the
    global ones, each with its own path and line.
    """

    name: str
    path: str
    format: str
    source: str
    target: str
    settings: Configs = field(default_factory=dict)


# --- What a team declares about its services (the services manifest), and what the databases hold. ---


@dataclass(frozen=True)
class Declared:
    """Where a declaration is: the manifest file and line, for findings and errors."""

    path: str
    line: int


@dataclass(frozen=True)
class OutboxDeclaration:
    """A transactional outbox table: rows written in the business transaction, relayed to Kafka."""

    url_env: str  # the environment variable holding the database URL (never the URL itself)
    table: str
    status_column: str
    pending_value: str
    created_at_column: str
    threshold_s: int
    at: Declared


@dataclass(frozen=True)
class IdempotencyDeclaration:
    """How a consumer makes reprocessing harmless: unique-key (table, column), version-column, none."""

    strategy: str
    table: str | None = None
    column: str | None = None
    url_env: str | None = None  # unique-key: the database holding the table
    at: Declared | None = None


@dataclass(frozen=True)
class ProducerDeclaration:
    config: ClientConfig | None  # None: no config file declared
    topics: tuple[str, ...]
    business_events: bool
    at: Declared


@dataclass(frozen=True)
class ConsumerDeclaration:
    config: ClientConfig | None
    group: str
    topics: tuple[str, ...]
    idempotency: IdempotencyDeclaration | None  # None: not declared
    at: Declared


@dataclass(frozen=True)
class Service:
    name: str
    at: Declared
    producer: ProducerDeclaration | None = None
    consumer: ConsumerDeclaration | None = None
    outbox: OutboxDeclaration | None = None


@dataclass(frozen=True)
class OutboxState:
    """What the outbox table holds. Values are None when the table could not be read."""

    service: str
    table_exists: bool | None
    missing_columns: tuple[str, ...] = ()
    stale_pending: int | None = None  # pending rows older than the threshold
    oldest_pending_age_s: int | None = None


@dataclass(frozen=True)
class UniqueKeyState:
    """Whether a consumer's dedup column is enforced unique (primary key, unique constraint or index)."""

    service: str
    table_exists: bool | None
    column_exists: bool | None = None
    unique: bool | None = None


@dataclass(frozen=True)
class Estate:
    """Everything one run read: a cluster (live or snapshot), configuration files, declared services."""

    cluster: ClusterSnapshot | None = None
    clients: tuple[ClientConfig, ...] = ()
    brokers: tuple[BrokerSettings, ...] = ()
    topics: tuple[DeclaredTopic, ...] = ()
    gaps: tuple[CoverageGap, ...] = ()
    services: tuple[Service, ...] = ()
    outboxes: tuple[OutboxState, ...] = ()
    unique_keys: tuple[UniqueKeyState, ...] = ()
    connect_workers: tuple[ConnectWorker, ...] = ()
    connectors: tuple[Connector, ...] = ()
    streams_apps: tuple[StreamsApp, ...] = ()
    mirror_flows: tuple[MirrorFlow, ...] = ()
    streams_handlers: tuple[StreamsHandler, ...] = ()  # custom exception handlers read from Java source
    # The policy's broker_defaults: the values of brokers not in the audit, each with its policy line.
    broker_defaults: Mapping[str, ConfigValue] = field(default_factory=dict)
    groupings: tuple[DeclaredGrouping, ...] = ()  # clusters the policy declares for files

    @property
    def all_gaps(self) -> tuple[CoverageGap, ...]:
        return (self.cluster.gaps if self.cluster else ()) + self.gaps
