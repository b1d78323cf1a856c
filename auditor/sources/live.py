"""Read a live cluster through kafka-python's admin client. Read-only: describe/list only.

Whatever cannot be read becomes a CoverageGap with the reason; the audit goes on with the
rest. Only a cluster that cannot be reached at all raises ClusterUnreachable (exit 3).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from auditor.errors import ClusterUnreachable
from auditor.model import (
    KAFKA_CONFIG_SOURCES,
    Broker,
    ClusterSnapshot,
    Configs,
    ConfigSource,
    ConfigValue,
    CoverageGap,
    Partition,
    Topic,
)
from auditor.sources.connection import ConnectionSettings

if TYPE_CHECKING:
    from kafka import KafkaAdminClient

# kafka-python logs connection failures at ERROR; the audit reports them itself.
logging.getLogger("kafka").setLevel(logging.CRITICAL)


def collect(settings: ConnectionSettings) -> ClusterSnapshot:
    """Everything the rules need from the cluster at `settings.bootstrap_servers`."""
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with admin_client(settings) as admin:
        cluster = _describe_cluster(admin)
        topics, gaps = _describe_topics(admin)
        configs, config_gaps = _topic_configs(admin, [t["name"] for t in topics])
    return ClusterSnapshot(
        bootstrap=",".join(settings.bootstrap_servers),
        collected_at=started,
        cluster_id=cluster.get("cluster_id"),
        brokers=tuple(_broker(b) for b in cluster["brokers"]),
        topics=tuple(_topic(t, configs.get(t["name"], {})) for t in topics),
        gaps=tuple(gaps + config_gaps),
    )


@contextmanager
def admin_client(settings: ConnectionSettings) -> Iterator[KafkaAdminClient]:
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    servers = ",".join(settings.bootstrap_servers)
    try:
        admin = KafkaAdminClient(**settings.admin_kwargs())
    except (KafkaError, OSError) as exc:
        raise ClusterUnreachable(f"cannot connect to {servers}: {describe_error(exc)}") from exc
    try:
        yield admin
    except (KafkaError, OSError) as exc:
        raise ClusterUnreachable(f"lost the cluster at {servers}: {describe_error(exc)}") from exc
    finally:
        admin.close()


def describe_error(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    name = type(exc).__name__
    if not text or text.startswith(name):
        return text or name
    return f"{name}: {text}"


def _describe_cluster(admin: KafkaAdminClient) -> dict[str, Any]:
    result: dict[str, Any] = admin.describe_cluster()
    return result


def _broker(raw: Mapping[str, Any]) -> Broker:
    return Broker(
        id=int(raw["broker_id"]),
        host=str(raw["host"]),
        port=int(raw["port"]),
        rack=raw.get("rack"),
        fenced=bool(raw.get("is_fenced", False)),
    )


def _describe_topics(admin: KafkaAdminClient) -> tuple[list[dict[str, Any]], list[CoverageGap]]:
    readable: list[dict[str, Any]] = []
    gaps: list[CoverageGap] = []
    for raw in admin.describe_topics():
        if raw.get("error_code", 0):
            gaps.append(CoverageGap(f"topic {raw.get('name')}", _error_name(raw["error_code"])))
        else:
            readable.append(raw)
    return readable, gaps


def _topic_configs(admin: KafkaAdminClient, names: list[str]) -> tuple[dict[str, Configs], list[CoverageGap]]:
    """All effective configs of every topic, with sources, in one batched request."""
    from kafka.admin import ConfigResource, ConfigResourceType

    if not names:
        return {}, []
    resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
    described = admin.describe_configs(resources, include_synonyms=True, config_filter="all").get("topic", {})
    configs: dict[str, Configs] = {}
    gaps: list[CoverageGap] = []
    for name in names:
        entries = described.get(name)
        if not entries:
            gaps.append(CoverageGap(f"topic {name}", "configs not returned (DESCRIBE_CONFIGS not authorised?)"))
            continue
        configs[name] = {key: _config_value(key, entry) for key, entry in entries.items()}
    return configs, gaps


def _config_value(key: str, entry: Mapping[str, Any]) -> ConfigValue:
    sensitive = bool(entry.get("is_sensitive"))
    return ConfigValue(
        key=key,
        value=None if sensitive else entry.get("value"),
        source=KAFKA_CONFIG_SOURCES.get(str(entry.get("config_source")), ConfigSource.UNKNOWN),
        sensitive=sensitive,
    )


def _topic(raw: Mapping[str, Any], configs: Configs) -> Topic:
    name = str(raw["name"])
    partitions = tuple(sorted((_partition(name, p) for p in raw.get("partitions", ())), key=lambda p: p.index))
    return Topic(name=name, internal=bool(raw.get("is_internal")), partitions=partitions, configs=configs)


def _partition(topic: str, raw: Mapping[str, Any]) -> Partition:
    leader = raw.get("leader_id")
    return Partition(
        topic=topic,
        index=int(raw["partition_index"]),
        leader=None if leader is None or leader < 0 else int(leader),
        replicas=tuple(raw.get("replica_nodes", ())),
        isr=tuple(raw.get("isr_nodes", ())),
        offline_replicas=tuple(raw.get("offline_replicas", ())),
    )


def _error_name(code: int) -> str:
    from kafka.errors import for_code

    return str(for_code(code).__name__)
