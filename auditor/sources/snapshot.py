"""Cluster snapshots: everything collected from a cluster, as JSON, safe to attach to a ticket.

`write_snapshot` redacts every sensitive value (anything the broker marks sensitive and any key
naming a password, secret, token, key store or JAAS config) before anything is written;
`read_snapshot` validates the file against auditor/schemas/snapshot.schema.json and returns
the same ClusterSnapshot the live source returned, so that auditing it gives the same findings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.errors import InputError
from auditor.jsonfile import read_json, schema_error
from auditor.model import (
    Broker,
    ClusterSnapshot,
    Configs,
    ConfigSource,
    ConfigValue,
    ConsumerGroup,
    ControllerQuorum,
    CoverageGap,
    GroupOffset,
    Partition,
    QuorumVoter,
    Topic,
    Transaction,
)
from auditor.sources.redaction import redact

SCHEMA_VERSION = 1
KIND = "kafka-audit/cluster-snapshot"


# ---- write


def write_snapshot(snapshot: ClusterSnapshot, path: Path) -> None:
    text = json.dumps(encode(snapshot), indent=1, sort_keys=False) + "\n"
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from exc


def encode(snapshot: ClusterSnapshot) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": KIND,
        "tool": {"name": "kafka-audit", "version": __version__},
        "collected_at": snapshot.collected_at,
        "cluster": {
            "bootstrap": snapshot.bootstrap,
            "cluster_id": snapshot.cluster_id,
            "brokers": [_broker(b) for b in snapshot.brokers],
            "topics": [_topic(t) for t in snapshot.topics],
            "groups": [_group(g) for g in snapshot.groups],
            "quorum": _quorum(snapshot.quorum),
            "features": dict(snapshot.features),
            "transactions": [_transaction(t) for t in snapshot.transactions],
            "gaps": [{"resource": g.resource, "reason": g.reason} for g in snapshot.gaps],
        },
    }


def _configs(configs: Configs) -> dict[str, dict[str, Any]]:
    return {key: _config(redact(value)) for key, value in configs.items()}


def _config(value: ConfigValue) -> dict[str, Any]:
    out: dict[str, Any] = {"value": value.value, "source": value.source.name}
    optional = {"path": value.path, "line": value.line, "detail": value.detail}
    out.update({k: v for k, v in optional.items() if v is not None})
    if value.sensitive:
        out["sensitive"] = True
    return out


def _broker(broker: Broker) -> dict[str, Any]:
    return {
        "id": broker.id,
        "host": broker.host,
        "port": broker.port,
        "rack": broker.rack,
        "fenced": broker.fenced,
        "configs": _configs(broker.configs),
    }


def _topic(topic: Topic) -> dict[str, Any]:
    return {
        "name": topic.name,
        "internal": topic.internal,
        "partitions": [_partition(p) for p in topic.partitions],
        "configs": _configs(topic.configs),
    }


def _partition(p: Partition) -> dict[str, Any]:
    elr = None if p.eligible_leader_replicas is None else list(p.eligible_leader_replicas)
    return {
        "index": p.index,
        "leader": p.leader,
        "replicas": list(p.replicas),
        "isr": list(p.isr),
        "offline_replicas": list(p.offline_replicas),
        "eligible_leader_replicas": elr,
        "adding_replicas": list(p.adding_replicas),
        "removing_replicas": list(p.removing_replicas),
    }


def _group(group: ConsumerGroup) -> dict[str, Any]:
    return {
        "id": group.id,
        "type": group.type,
        "state": group.state,
        "protocol_type": group.protocol_type,
        "members": group.members,
        "offsets": [
            {
                "topic": o.topic,
                "partition": o.partition,
                "committed": o.committed,
                "log_start": o.log_start,
                "log_end": o.log_end,
                "retention_boundary": o.retention_boundary,
                "committed_timestamp_ms": o.committed_timestamp_ms,
                "lag_probes": [[percent, at] for percent, at in o.lag_probes],
            }
            for o in group.offsets
        ],
    }


def _quorum(quorum: ControllerQuorum | None) -> dict[str, Any] | None:
    if quorum is None:
        return None
    return {
        "leader_id": quorum.leader_id,
        "voters": [_voter(v) for v in quorum.voters],
        "observers": [_voter(v) for v in quorum.observers],
    }


def _voter(voter: QuorumVoter) -> dict[str, Any]:
    return {"id": voter.id, "log_end_offset": voter.log_end_offset, "lag": voter.lag}


def _transaction(t: Transaction) -> dict[str, Any]:
    return {
        "transactional_id": t.transactional_id,
        "state": t.state,
        "producer_id": t.producer_id,
        "duration_ms": t.duration_ms,
        "partitions": list(t.partitions),
        "hanging": t.hanging,
    }


# ---- read


def read_snapshot(path: Path) -> ClusterSnapshot:
    """The snapshot in `path`; InputError (exit 2) if it cannot be read or is not a valid snapshot."""
    document = read_json(path, "snapshot")
    validate(document, str(path))
    return decode(document)


def validate(document: Any, source: str) -> None:

    if not isinstance(document, dict) or document.get("kind") != KIND:
        raise InputError(f'{source} is not a kafka-audit snapshot (no "kind": "{KIND}")')
    version = document.get("schema_version")
    if version != SCHEMA_VERSION:
        raise InputError(f"{source}: snapshot schema_version {version!r} is not supported (this version reads 1)")
    error = schema_error(_validator(), document)
    if error is not None:
        raise InputError(f"{source}: invalid snapshot at {error}")


@cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(files("auditor").joinpath("schemas/snapshot.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def decode(document: Mapping[str, Any]) -> ClusterSnapshot:
    cluster = document["cluster"]
    return ClusterSnapshot(
        bootstrap=cluster["bootstrap"],
        collected_at=document["collected_at"],
        cluster_id=cluster["cluster_id"],
        brokers=tuple(_read_broker(b) for b in cluster["brokers"]),
        topics=tuple(_read_topic(t) for t in cluster["topics"]),
        groups=tuple(_read_group(g) for g in cluster["groups"]),
        quorum=_read_quorum(cluster["quorum"]),
        features=dict(cluster["features"]),
        transactions=tuple(_read_transaction(t) for t in cluster["transactions"]),
        gaps=tuple(CoverageGap(g["resource"], g["reason"]) for g in cluster["gaps"]),
    )


def _read_configs(raw: Mapping[str, Mapping[str, Any]]) -> Configs:
    """The configs; a hand-made snapshot's secret (a sensitive key without the flag) is dropped here too."""
    return {
        key: redact(
            ConfigValue(
                key=key,
                value=entry["value"],
                source=ConfigSource[entry["source"]],
                path=entry.get("path"),
                line=entry.get("line"),
                detail=entry.get("detail"),
                sensitive=entry.get("sensitive", False),
            )
        )
        for key, entry in raw.items()
    }


def _read_broker(raw: Mapping[str, Any]) -> Broker:
    return Broker(raw["id"], raw["host"], raw["port"], raw["rack"], raw["fenced"], _read_configs(raw["configs"]))


def _read_topic(raw: Mapping[str, Any]) -> Topic:
    name = raw["name"]
    partitions = tuple(_read_partition(name, p) for p in raw["partitions"])
    return Topic(name, raw["internal"], partitions, _read_configs(raw["configs"]))


def _read_partition(topic: str, raw: Mapping[str, Any]) -> Partition:
    elr = raw["eligible_leader_replicas"]
    return Partition(
        topic=topic,
        index=raw["index"],
        leader=raw["leader"],
        replicas=tuple(raw["replicas"]),
        isr=tuple(raw["isr"]),
        offline_replicas=tuple(raw["offline_replicas"]),
        eligible_leader_replicas=None if elr is None else tuple(elr),
        adding_replicas=tuple(raw.get("adding_replicas", ())),
        removing_replicas=tuple(raw.get("removing_replicas", ())),
    )


def _read_group(raw: Mapping[str, Any]) -> ConsumerGroup:
    offsets = tuple(_read_offset(o) for o in raw["offsets"])
    return ConsumerGroup(raw["id"], raw["type"], raw["state"], raw["protocol_type"], raw["members"], offsets)


def _read_offset(raw: Mapping[str, Any]) -> GroupOffset:
    """A committed offset; a snapshot written before the time-lag probes has none."""
    probes = tuple((percent, at) for percent, at in raw.get("lag_probes", ()))
    return GroupOffset(**{**raw, "lag_probes": probes})


def _read_quorum(raw: Mapping[str, Any] | None) -> ControllerQuorum | None:
    if raw is None:
        return None
    return ControllerQuorum(
        leader_id=raw["leader_id"],
        voters=tuple(QuorumVoter(**v) for v in raw["voters"]),
        observers=tuple(QuorumVoter(**v) for v in raw["observers"]),
    )


def _read_transaction(raw: Mapping[str, Any]) -> Transaction:
    return Transaction(
        transactional_id=raw["transactional_id"],
        state=raw["state"],
        producer_id=raw["producer_id"],
        duration_ms=raw["duration_ms"],
        partitions=tuple(raw["partitions"]),
        hanging=raw["hanging"],
    )
