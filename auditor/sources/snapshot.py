"""Cluster snapshots: everything collected from a cluster, as JSON, safe to attach to a ticket.

`write_snapshot` redacts every sensitive value (anything the broker marks sensitive and any key
naming a password, secret, token, key store or JAAS config) before anything is written;
`read_snapshot` decodes and validates the file as it reads it (the typed structures of
snapshot_document.py, which accept exactly what auditor/schemas/snapshot.schema.json does) and
returns the same ClusterSnapshot the live source returned, so that auditing it gives the same
findings. Topics are decoded one at a time and turned into the model at once, so the file's bytes,
the model and one topic's typed document are held together, never every topic's. Topics whose
configs are the same JSON text share one decoded Configs; equal config values, config names and
replica lists are shared, not copied per topic: a 300,000 partition snapshot holds millions of
config entries, nearly all of them a Kafka default.

With `snapshot --connect-url`, each Kafka Connect cluster's REST answers are saved beside the
cluster (`connect`): the worker's version, its installed plugins, every connector's effective
config (secrets already dropped as read, and redacted again as written) and status.
`read_snapshot_connect` gives them back as the ConnectRead the live source returned, MirrorMaker 2
flows derived again from the connectors, so `audit --snapshot` judges Connect as a live audit does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import msgspec

from auditor import __version__
from auditor.errors import InputError
from auditor.jsonfile import dump_json, read_bytes
from auditor.model import (
    Broker,
    ClusterSnapshot,
    Configs,
    ConfigSource,
    ConfigValue,
    ConnectorTask,
    ConnectPlugin,
    ConnectWorker,
    ConsumerGroup,
    ControllerQuorum,
    CoverageGap,
    GroupOffset,
    NotApplicable,
    Partition,
    QuorumVoter,
    Topic,
    Transaction,
)
from auditor.model import Connector as ConnectorModel
from auditor.sources import snapshot_document as doc
from auditor.sources.redaction import redact

if TYPE_CHECKING:  # the Connect REST reader (ssl, urllib) is imported only to decode a saved Connect cluster
    from auditor.sources.connect_rest import ConnectRead

SCHEMA_VERSION = doc.SCHEMA_VERSION
KIND = doc.KIND

# ---- write


def write_snapshot(
    snapshot: ClusterSnapshot, path: Path, pretty: bool | None = None, connect: Sequence[ConnectRead] = ()
) -> None:
    """Write the redacted snapshot (and the Connect clusters read); indented when `pretty`, or (None) when small."""
    try:
        path.write_bytes(dump_json(encode(snapshot, connect), pretty))
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from exc


def encode(snapshot: ClusterSnapshot, connect: Sequence[ConnectRead] = ()) -> doc.WholeSnapshot:
    return doc.SnapshotDoc(
        schema_version=1,
        kind=KIND,
        tool=doc.ToolDoc("kafka-audit", __version__),
        collected_at=snapshot.collected_at,
        cluster=doc.ClusterDoc(
            bootstrap=snapshot.bootstrap,
            cluster_id=snapshot.cluster_id,
            brokers=tuple(_broker(b) for b in snapshot.brokers),
            topics=tuple(_topic(t) for t in snapshot.topics),
            groups=tuple(_group(g) for g in snapshot.groups),
            quorum=_quorum(snapshot.quorum),
            features=dict(snapshot.features),
            transactions=tuple(_transaction(t) for t in snapshot.transactions),
            gaps=tuple(doc.GapDoc(g.resource, g.reason) for g in snapshot.gaps),
            not_applicable=tuple(doc.GapDoc(n.resource, n.reason) for n in snapshot.not_applicable),
        ),
        connect=tuple(_connect(read) for read in connect),
    )


def _connect(read: ConnectRead) -> doc.ConnectDoc:
    (worker,) = read.workers  # one per REST URL (connect_rest.read_connect)
    return doc.ConnectDoc(
        url=worker.url or worker.path,
        version=worker.version,
        plugins=tuple(doc.PluginDoc(p.class_name, p.type, p.version) for p in worker.plugins),
        connectors=tuple(_connector(c) for c in read.connectors),
        gaps=tuple(doc.GapDoc(g.resource, g.reason) for g in read.gaps),
    )


def _connector(connector: ConnectorModel) -> doc.ConnectorDoc:
    return doc.ConnectorDoc(
        name=connector.name,
        type=connector.type,
        state=connector.state,
        config=_configs(connector.settings),
        tasks=tuple(doc.TaskDoc(t.id, t.state, t.worker_id, t.trace) for t in connector.tasks),
        trace=connector.connector_trace,
    )


def _configs(configs: Configs) -> doc.Configs:
    return {key: _config(redact(value)) for key, value in configs.items()}


def _config(value: ConfigValue) -> doc.ConfigEntry:
    return doc.ConfigEntry(
        value=value.value,
        source=value.source.name,  # type: ignore[arg-type]  # ConfigSource names are SourceName
        path=msgspec.UNSET if value.path is None else value.path,
        line=msgspec.UNSET if value.line is None else value.line,
        detail=msgspec.UNSET if value.detail is None else value.detail,
        sensitive=True if value.sensitive else msgspec.UNSET,
    )


def _broker(broker: Broker) -> doc.BrokerDoc:
    configs = _configs(broker.configs)
    return doc.BrokerDoc(broker.id, broker.host, broker.port, broker.rack, broker.fenced, configs, broker.silent)


def _topic(topic: Topic) -> doc.TopicDoc[doc.Configs]:
    partitions = tuple(_partition(p) for p in topic.partitions)
    return doc.TopicDoc(topic.name, topic.internal, partitions, _configs(topic.configs))


def _partition(p: Partition) -> doc.PartitionDoc:
    return doc.PartitionDoc(
        index=p.index,
        leader=p.leader,
        replicas=p.replicas,
        isr=p.isr,
        offline_replicas=p.offline_replicas,
        eligible_leader_replicas=p.eligible_leader_replicas,
        adding_replicas=p.adding_replicas,
        removing_replicas=p.removing_replicas,
    )


def _group(group: ConsumerGroup) -> doc.GroupDoc:
    offsets = tuple(
        doc.OffsetDoc(
            o.topic,
            o.partition,
            o.committed,
            o.log_start,
            o.log_end,
            o.retention_boundary,
            o.committed_timestamp_ms,
            o.lag_probes,
        )
        for o in group.offsets
    )
    return doc.GroupDoc(
        group.id, group.type, group.state, group.protocol_type, group.members, offsets, group.offsets_unread
    )


def _quorum(quorum: ControllerQuorum | None) -> doc.QuorumDoc | None:
    if quorum is None:
        return None
    return doc.QuorumDoc(quorum.leader_id, tuple(map(_voter, quorum.voters)), tuple(map(_voter, quorum.observers)))


def _voter(voter: QuorumVoter) -> doc.VoterDoc:
    return doc.VoterDoc(voter.id, voter.log_end_offset, voter.lag)


def _transaction(t: Transaction) -> doc.TransactionDoc:
    return doc.TransactionDoc(t.transactional_id, t.state, t.producer_id, t.duration_ms, t.partitions, t.hanging)


# ---- read


def read_snapshot(path: Path) -> ClusterSnapshot:
    """The snapshot in `path`; InputError (exit 2) if it cannot be read or is not a valid snapshot."""
    return decode(parse(read_bytes(path, "snapshot"), str(path)), str(path))


def _twice(source: str, where: str, what: str, keys: Sequence[str]) -> InputError | None:
    """A broker id, a topic name or a topic's partition index given twice is an input error: one
    of the two would silently hide the other (a healthy copy over an offline partition)."""
    first: dict[str, int] = {}
    for position, key in enumerate(keys):
        if key in first:
            earlier = f"{where}/{first[key]}"
            return InputError(f"{source}: {where}/{position}: {what} {key!r} given twice (first at {earlier})")
        first[key] = position
    return None


def _unique(source: str, where: str, what: str, keys: Sequence[str]) -> None:
    twice = _twice(source, where, what, keys)
    if twice is not None:
        raise twice


def read_snapshot_connect(path: Path) -> tuple[ClusterSnapshot, tuple[ConnectRead, ...]]:
    """The snapshot in `path` and the Connect clusters saved in it (none without --connect-url)."""
    document = parse(read_bytes(path, "snapshot"), str(path))
    return decode(document, str(path)), tuple(decode_connect(c) for c in document.connect)


def decode_connect(raw: doc.ConnectDoc) -> ConnectRead:
    """A saved Connect cluster as connect_rest.read_connect returned it live."""
    from auditor.sources.connect_rest import FORMAT as CONNECT_FORMAT
    from auditor.sources.connect_rest import ConnectRead, mirror_flows, worker_name

    name = worker_name(raw.url)
    plugins = tuple(ConnectPlugin(p.class_name, p.type, p.version) for p in raw.plugins)
    worker = ConnectWorker(name, raw.url, CONNECT_FORMAT, {}, None, raw.url, raw.version, plugins)
    shared = _Shared()
    connectors = tuple(
        ConnectorModel(
            name=c.name,
            path=raw.url,
            format=CONNECT_FORMAT,
            settings=_read_configs(c.config, shared),
            type=c.type,
            worker=name,
            state=c.state,
            tasks=tuple(ConnectorTask(t.id, t.state, t.worker_id, t.trace) for t in c.tasks),
            connector_trace=c.trace,
        )
        for c in raw.connectors
    )
    gaps = tuple(CoverageGap(g.resource, g.reason) for g in raw.gaps)
    return ConnectRead((worker,), connectors, mirror_flows(connectors, raw.url), gaps)


def parse(data: bytes, source: str) -> doc.SnapshotOutline:
    """Decode and validate everything but the topics, which `decode` decodes one at a time (each is
    JSON already checked here); the error names the place, as the schema would."""
    try:
        return doc.OUTLINE_DECODER.decode(data)
    except msgspec.ValidationError as exc:
        _check_header(data, source)
        raise InputError(f"{source}: invalid snapshot at {_where(exc)}") from exc
    except msgspec.DecodeError as exc:
        raise InputError(f"snapshot {source} is not JSON: {exc}") from exc


def _check_header(data: bytes, source: str) -> None:
    """Say "not a snapshot" or "unsupported version" rather than the first field that differs."""
    try:
        header = doc.HEADER_DECODER.decode(data)
    except msgspec.ValidationError:
        header = doc._Header()
    except msgspec.DecodeError as exc:  # invalid JSON past the field the full decoder stopped at
        raise InputError(f"snapshot {source} is not JSON: {exc}") from exc
    if header.kind != KIND:
        raise InputError(f'{source} is not a kafka-audit snapshot (no "kind": "{KIND}")')
    if header.schema_version != SCHEMA_VERSION:
        version = header.schema_version
        raise InputError(f"{source}: snapshot schema_version {version!r} is not supported (this version reads 1)")


def _where(error: msgspec.ValidationError, within: Sequence[str] = ()) -> str:
    """msgspec's `Expected int, got str - at $.cluster.topics[0]...` as `cluster/topics/0/...: ...`
    (a map's key is not named by msgspec: `*`); `within`: the place of what was decoded alone."""
    message, _, at = str(error).partition(" - at `")
    message = _QUOTED_VALUE.sub("'(not shown)'", message)
    steps = [name or ("*" if index == "..." else index) for name, index in _STEP.findall(at)]
    return f"{'/'.join([*within, *steps]) or '(top level)'}: {message}"


# msgspec quotes the offending value ("Invalid enum value 'x'"): in a snapshot it may be a secret
# (a config entry marked sensitive), so it never reaches stderr. Field names are the schema's.
_QUOTED_VALUE = re.compile(r"'[^']*'")
_STEP = re.compile(r"\.(\w+)|\[(\d+|\.\.\.)\]")


def decode(document: doc.SnapshotOutline, source: str) -> ClusterSnapshot:
    """The model of a parsed snapshot. Topics are decoded, checked and turned into the model one at
    a time, each typed document dropped once read: at 300,000 partitions the typed tree of every
    topic at once was larger than the file and the model together."""
    cluster = document.cluster
    _unique(source, "cluster/brokers", "broker", [str(b.id) for b in cluster.brokers])
    shared = _Shared()
    return ClusterSnapshot(
        bootstrap=cluster.bootstrap,
        collected_at=document.collected_at,
        cluster_id=cluster.cluster_id,
        brokers=tuple(_read_broker(b, shared) for b in cluster.brokers),
        topics=_read_topics(cluster.topics, source, shared),
        groups=tuple(_read_group(g) for g in cluster.groups),
        quorum=_read_quorum(cluster.quorum),
        features=dict(cluster.features),
        transactions=tuple(_read_transaction(t) for t in cluster.transactions),
        gaps=tuple(CoverageGap(g.resource, g.reason) for g in cluster.gaps),
        not_applicable=tuple(NotApplicable(n.resource, n.reason) for n in cluster.not_applicable),
    )


def _read_topics(raws: Sequence[msgspec.Raw], source: str, shared: _Shared) -> tuple[Topic, ...]:
    """Every topic, in order. As when the whole document was checked at once, a topic name given
    twice is reported before any topic's partition index given twice."""
    topics = []
    partition_twice: InputError | None = None
    for index, raw in enumerate(raws):
        typed = _decode_topic(raw, index, source)
        if partition_twice is None:
            where = f"cluster/topics/{index}/partitions"
            what = f"partition of topic {typed.name!r} with index"
            partition_twice = _twice(source, where, what, [str(p.index) for p in typed.partitions])
        topics.append(_read_topic(typed, shared.topic_configs(typed.configs, index, source), shared))
    _unique(source, "cluster/topics", "topic", [t.name for t in topics])
    if partition_twice is not None:
        raise partition_twice
    return tuple(topics)


def _decode_topic(raw: msgspec.Raw, index: int, source: str) -> doc.TopicOutline:
    try:
        return doc.TOPIC_DECODER.decode(raw)
    except msgspec.ValidationError as exc:
        raise InputError(f"{source}: invalid snapshot at {_where(exc, ('cluster', 'topics', str(index)))}") from exc


def _decode_configs(raw: msgspec.Raw, index: int, source: str) -> doc.Configs:
    try:
        return doc.CONFIGS_DECODER.decode(raw)
    except msgspec.ValidationError as exc:
        within = ("cluster", "topics", str(index), "configs")
        raise InputError(f"{source}: invalid snapshot at {_where(exc, within)}") from exc


# Distinct topic configs texts kept to be reused: a cluster has a few (the defaults, each team's
# overrides); past this many, further ones are decoded each time rather than held.
DISTINCT_TOPIC_CONFIGS_KEPT = 4096


_T = TypeVar("_T")


class _Shared:
    """One object per distinct config value and replica list: topics share their defaults. Topics
    whose configs are the same JSON text, byte for byte, share one Configs, decoded once."""

    def __init__(self) -> None:
        self._configs: dict[tuple[str, doc.ConfigEntry], ConfigValue] = {}
        self._ids: dict[tuple[int, ...], tuple[int, ...]] = {}
        self._topic_configs: dict[bytes, Configs] = {}

    def topic_configs(self, raw: msgspec.Raw, index: int, source: str) -> Configs:
        text = bytes(raw)
        found = self._topic_configs.get(text)
        if found is None:
            found = _read_configs(_decode_configs(raw, index, source), self)
            if len(self._topic_configs) < DISTINCT_TOPIC_CONFIGS_KEPT:
                self._topic_configs[text] = found
        return found

    def config(self, key: str, entry: doc.ConfigEntry) -> ConfigValue:
        found = self._configs.get((key, entry))
        if found is None:
            found = self._configs[(key, entry)] = _config_value(key, entry)
        return found

    def ids(self, ids: tuple[int, ...]) -> tuple[int, ...]:
        return self._ids.setdefault(ids, ids)


def _config_value(key: str, entry: doc.ConfigEntry) -> ConfigValue:
    """The value; a hand-made snapshot's secret (a sensitive key without the flag) is dropped here too."""
    return redact(
        ConfigValue(
            key=key,
            value=entry.value,
            source=ConfigSource[entry.source],
            path=_set(entry.path),
            line=_set(entry.line),
            detail=_set(entry.detail),
            sensitive=entry.sensitive is True,
        )
    )


def _set(value: _T | msgspec.UnsetType) -> _T | None:
    return None if isinstance(value, msgspec.UnsetType) else value


def _read_configs(raw: doc.Configs, shared: _Shared) -> Configs:
    """Keyed by the shared value's own key: one string per config name, not one per topic."""
    configs = (shared.config(key, entry) for key, entry in raw.items())
    return {value.key: value for value in configs}


def _read_broker(raw: doc.BrokerDoc, shared: _Shared) -> Broker:
    return Broker(raw.id, raw.host, raw.port, raw.rack, raw.fenced, _read_configs(raw.configs, shared), raw.silent)


def _read_topic(raw: doc.TopicOutline, configs: Configs, shared: _Shared) -> Topic:
    name = raw.name
    partitions = tuple(_read_partition(name, p, shared) for p in raw.partitions)
    return Topic(name, raw.internal, partitions, configs)


def _read_partition(topic: str, raw: doc.PartitionDoc, shared: _Shared) -> Partition:
    elr = raw.eligible_leader_replicas
    return Partition(
        topic=topic,
        index=raw.index,
        leader=raw.leader,
        replicas=shared.ids(raw.replicas),
        isr=shared.ids(raw.isr),
        offline_replicas=shared.ids(raw.offline_replicas),
        eligible_leader_replicas=None if elr is None else shared.ids(elr),
        adding_replicas=shared.ids(raw.adding_replicas),
        removing_replicas=shared.ids(raw.removing_replicas),
    )


def _read_group(raw: doc.GroupDoc) -> ConsumerGroup:
    offsets = tuple(_read_offset(o) for o in raw.offsets)
    return ConsumerGroup(raw.id, raw.type, raw.state, raw.protocol_type, raw.members, offsets, raw.offsets_unread)


def _read_offset(raw: doc.OffsetDoc) -> GroupOffset:
    """A committed offset; a snapshot written before the time-lag probes has none."""
    return GroupOffset(
        topic=raw.topic,
        partition=raw.partition,
        committed=raw.committed,
        log_start=raw.log_start,
        log_end=raw.log_end,
        retention_boundary=raw.retention_boundary,
        committed_timestamp_ms=raw.committed_timestamp_ms,
        lag_probes=tuple((_number(percent), at) for percent, at in raw.lag_probes),
    )


def _number(value: float) -> float:
    """A probe's percent as it was written: 80 stays 80 (an int), 99.5 stays a float."""
    return int(value) if value.is_integer() else value


def _read_quorum(raw: doc.QuorumDoc | None) -> ControllerQuorum | None:
    if raw is None:
        return None
    return ControllerQuorum(
        leader_id=raw.leader_id,
        voters=tuple(QuorumVoter(v.id, v.log_end_offset, v.lag) for v in raw.voters),
        observers=tuple(QuorumVoter(v.id, v.log_end_offset, v.lag) for v in raw.observers),
    )


def _read_transaction(raw: doc.TransactionDoc) -> Transaction:
    return Transaction(
        transactional_id=raw.transactional_id,
        state=raw.state,
        producer_id=raw.producer_id,
        duration_ms=raw.duration_ms,
        partitions=raw.partitions,
        hanging=raw.hanging,
    )
