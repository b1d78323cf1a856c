"""Facts of Kafka Connect: workers (files), connectors (files and live), and the workers' internal
topics on the audited cluster."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

from auditor.facts.base import Fact, FactSpec, FactTable, FactValue, Subject, parse_bool, parse_int
from auditor.facts.clients import parse_acks, parse_offset_reset
from auditor.facts.components import (
    ComponentView,
    broker_default_rf,
    class_name,
    component_kind,
    component_subject,
    one_of,
    replication_factor,
    text,
    weakest,
)
from auditor.model import Connector, ConnectWorker, Estate, Kind, connector_plugin

STORAGE = ("config", "offset", "status")
DLQ_TOPIC = "errors.deadletterqueue.topic.name"


POLICIES = ("All", "None", "Principal", "Allowlist")
parse_tolerance = one_of("none", "all")
parse_eos_support = one_of("disabled", "preparing", "enabled")


def parse_policy(raw: str | None) -> FactValue:
    """All / None / Principal / Allowlist, by alias or Kafka's class; a custom policy class is unknown
    (its code decides what connectors may override)."""
    name = class_name(raw)
    if not isinstance(name, str):
        return None
    alias = name.removesuffix("ConnectorClientConfigOverridePolicy") or name
    return alias if alias in POLICIES else None


# --------------------------------------------------------------------------- workers


def worker_view(worker: ConnectWorker) -> ComponentView:
    return ComponentView("connect-worker", worker.settings, worker.version)


@dataclass(frozen=True)
class WorkerSeen:
    """What a Connect worker's facts are derived from; its settings and the brokers' default
    replication factor are read once."""

    worker: ConnectWorker
    estate: Estate

    @cached_property
    def view(self) -> ComponentView:
        return worker_view(self.worker)

    @cached_property
    def storage_rf(self) -> dict[str, Fact]:
        """Each internal topic's effective replication factor, by role (config, offset, status)."""
        broker_rf = broker_default_rf(self.estate, self.worker.settings.get("bootstrap.servers"), self.worker.path)
        key = "{}.storage.replication.factor"
        return {role: replication_factor(self.view.get(parse_int, key.format(role)), broker_rf) for role in STORAGE}


def override_policy(view: ComponentView) -> Fact:
    return view.get(parse_policy, "connector.client.config.override.policy")


def worker_subjects(estate: Estate) -> Iterator[Subject]:
    """Workers whose configuration was read (files, Strimzi): a live worker's REST API does not show it."""
    for worker in estate.connect_workers:
        if worker.url is None:
            facts = WORKER_FACTS.derive(WorkerSeen(worker, estate))
            yield component_subject(Kind.CONNECT_WORKER, worker.name, worker.path, facts, {}, worker_view(worker).label)


WorkerSpec = FactSpec[WorkerSeen, Fact]
WORKER_FACTS = FactTable(
    WorkerSpec(
        "distributed",
        "true for a distributed worker, false for standalone (offsets in a local file)",
        lambda w: Fact(w.worker.distributed),
    ),
    WorkerSpec(
        "config_storage_rf",
        "effective config.storage.replication.factor (-1: the brokers' default.replication.factor)",
        lambda w: w.storage_rf["config"],
    ),
    WorkerSpec(
        "offset_storage_rf",
        "effective offset.storage.replication.factor (-1: the brokers' default.replication.factor)",
        lambda w: w.storage_rf["offset"],
    ),
    WorkerSpec(
        "status_storage_rf",
        "effective status.storage.replication.factor (-1: the brokers' default.replication.factor)",
        lambda w: w.storage_rf["status"],
    ),
    WorkerSpec(
        "min_storage_rf",
        "the smallest of the three internal topic replication factors",
        lambda w: weakest(list(w.storage_rf.values())),
    ),
    WorkerSpec(
        "override_policy",
        "connector.client.config.override.policy: All, None, Principal or Allowlist",
        lambda w: override_policy(w.view),
    ),
    WorkerSpec(
        "exactly_once_source_support",
        "exactly.once.source.support: disabled, preparing or enabled",
        lambda w: w.view.get(parse_eos_support, "exactly.once.source.support"),
    ),
    WorkerSpec(
        "producer_acks",
        "acks of the source connectors' producers (worker producer.acks; Connect's default all)",
        lambda w: w.view.get(parse_acks, "producer.acks"),
    ),
    WorkerSpec(
        "consumer_auto_offset_reset",
        "auto.offset.reset of the sink connectors' consumers (Connect's default earliest)",
        lambda w: w.view.get(parse_offset_reset, "consumer.auto.offset.reset"),
    ),
)
CONNECT_WORKER = component_kind(Kind.CONNECT_WORKER, WORKER_FACTS, worker_subjects)


# --------------------------------------------------------------------------- connectors


@dataclass(frozen=True)
class ConnectorSeen:
    """What a connector's facts are derived from: it, the worker it runs on (when known), the estate."""

    connector: Connector
    estate: Estate
    worker: ConnectWorker | None

    @cached_property
    def view(self) -> ComponentView:
        return ComponentView("connector", self.connector.settings, self.worker.version if self.worker else None)

    @property
    def live(self) -> bool:
        return self.connector.state is not None

    def dlq(self) -> Fact:
        return self.view.get(text, DLQ_TOPIC)


def _has_dlq(seen: ConnectorSeen) -> Fact:
    dlq = seen.dlq()
    return Fact(isinstance(dlq.value, str), dlq.origin) if seen.connector.type == "sink" else Fact(False)


def _failed_tasks(seen: ConnectorSeen) -> Fact:
    failed = [t for t in seen.connector.tasks if t.state == "FAILED"]
    return Fact(len(failed) if seen.live else None)


def _dlq_rf(seen: ConnectorSeen) -> Fact:
    rf = seen.view.get(parse_int, "errors.deadletterqueue.topic.replication.factor")
    worker = seen.worker
    bootstrap = worker.settings.get("bootstrap.servers") if worker is not None else None
    return replication_factor(rf, broker_default_rf(seen.estate, bootstrap, seen.connector.path))


def _installed(connector: Connector, worker: ConnectWorker | None) -> Fact:
    """Whether the live worker lists the connector's class among its plugins; unknown for a file, or
    a worker whose plugins were not read."""
    if worker is None or not worker.plugins:
        return Fact(None)
    value = connector.settings.get("connector.class")
    return Fact(connector_plugin(worker.plugins, value.value if value else None) is not None)


def plugin_text(connector: Connector, worker: ConnectWorker | None) -> str:
    """The plugin a live connector runs, as the worker lists it: class, type and version."""
    if worker is None or not worker.plugins:
        return "unknown (no plugin list read)"
    value = connector.settings.get("connector.class")
    plugin = connector_plugin(worker.plugins, value.value if value else None)
    if plugin is None:
        return f"{value.value if value else 'no connector.class'} (not installed on {worker.name})"
    return f"{plugin.class_name} {plugin.version or '(version not reported)'} ({plugin.type})"


def _override(view: ComponentView, key: str, parse: Callable[[str | None], FactValue]) -> Fact:
    """A connector's client override; 'unset' when it has none (the worker's value applies)."""
    return view.get(parse, key) if view.is_set(key) else Fact("unset")


def _worker_policy(worker: ConnectWorker | None) -> Fact:
    if worker is None or worker.url is not None:
        return Fact(None)
    return override_policy(worker_view(worker))


def connector_subjects(estate: Estate) -> Iterator[Subject]:
    workers = {w.name: w for w in estate.connect_workers}
    for connector in estate.connectors:
        worker = workers.get(connector.worker or "")
        facts = CONNECTOR_FACTS.derive(ConnectorSeen(connector, estate, worker))
        failed = [t for t in connector.tasks if t.state == "FAILED"]
        context = {
            "worker": worker.name if worker else "unknown",
            "failed": ", ".join(f"task {t.id} on {t.worker_id or '?'}" for t in failed) or "none",
            "trace": _first_line(next((t.trace for t in failed if t.trace), connector.connector_trace)),
            "plugin": plugin_text(connector, worker),
        }
        label = ComponentView("connector", connector.settings, worker.version if worker else None).label
        yield component_subject(Kind.CONNECTOR, connector.name, connector.path, facts, context, label)


def _first_line(trace: str | None) -> str:
    return (trace or "").strip().splitlines()[0][:300] if trace and trace.strip() else "no trace reported"


ConnectorSpec = FactSpec[ConnectorSeen, Fact]
CONNECTOR_FACTS = FactTable(
    ConnectorSpec(
        "type",
        "source or sink (from the REST API, else the connector class or its topics setting)",
        lambda c: Fact(c.connector.type),
    ),
    ConnectorSpec(
        "errors_tolerance",
        "effective errors.tolerance: none or all",
        lambda c: c.view.get(parse_tolerance, "errors.tolerance"),
    ),
    ConnectorSpec(
        "has_dlq", "sink connectors: errors.deadletterqueue.topic.name is set (always false for a source)", _has_dlq
    ),
    ConnectorSpec("dlq_topic", "errors.deadletterqueue.topic.name", lambda c: c.dlq()),
    ConnectorSpec(
        "errors_log_enable", "effective errors.log.enable", lambda c: c.view.get(parse_bool, "errors.log.enable")
    ),
    ConnectorSpec(
        "dlq_rf", "effective errors.deadletterqueue.topic.replication.factor (-1: the brokers' default)", _dlq_rf
    ),
    ConnectorSpec(
        "acks_override",
        "producer.override.acks (all, 1, 0), or 'unset'",
        lambda c: _override(c.view, "producer.override.acks", parse_acks),
    ),
    ConnectorSpec(
        "offset_reset_override",
        "consumer.override.auto.offset.reset (earliest, latest, none), or 'unset'",
        lambda c: _override(c.view, "consumer.override.auto.offset.reset", parse_offset_reset),
    ),
    ConnectorSpec("live", "true for a connector read from a running Connect cluster", lambda c: Fact(c.live)),
    ConnectorSpec(
        "state",
        "the connector's state on a live cluster (RUNNING, FAILED, PAUSED, ...)",
        lambda c: Fact(c.connector.state),
    ),
    ConnectorSpec("failed_tasks", "tasks in state FAILED on a live cluster", _failed_tasks),
    ConnectorSpec(
        "worker_override_policy",
        "the override policy of the worker it runs on, when that worker's file was read",
        lambda c: _worker_policy(c.worker),
    ),
    ConnectorSpec(
        "plugin_installed",
        "live: the worker lists the connector's class among its plugins (GET /connector-plugins)",
        lambda c: _installed(c.connector, c.worker),
    ),
)
CONNECTOR = component_kind(
    Kind.CONNECTOR,
    CONNECTOR_FACTS,
    connector_subjects,
    read_from="the file, or the Connect REST URL",
    worker="the worker it runs on, when known",
    failed="the failed tasks and their workers",
    trace="the first line of the first failed task's trace",
    plugin="live: the connector's plugin as the worker lists it (class, version, type)",
)
