"""Facts of Kafka Connect: workers (files), connectors (files and live), and the workers' internal
topics on the audited cluster."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from auditor.facts.base import Fact, FactValue, Subject, parse_bool, parse_int
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


def worker_facts(worker: ConnectWorker, estate: Estate) -> dict[str, Fact]:
    view = ComponentView("connect-worker", worker.settings, worker.version)
    broker_rf = broker_default_rf(estate)
    storage = {
        f"{role}_storage_rf": replication_factor(view.get(parse_int, f"{role}.storage.replication.factor"), broker_rf)
        for role in STORAGE
    }
    return {
        "distributed": Fact(worker.distributed),
        **storage,
        "min_storage_rf": weakest(list(storage.values())),
        "override_policy": view.get(parse_policy, "connector.client.config.override.policy"),
        "exactly_once_source_support": view.get(parse_eos_support, "exactly.once.source.support"),
        "producer_acks": view.get(parse_acks, "producer.acks"),
        "consumer_auto_offset_reset": view.get(parse_offset_reset, "consumer.auto.offset.reset"),
    }


def worker_subjects(estate: Estate) -> Iterator[Subject]:
    """Workers whose configuration was read (files, Strimzi): a live worker's REST API does not show it."""
    for worker in estate.connect_workers:
        if worker.url is None:
            facts = worker_facts(worker, estate)
            view = ComponentView("connect-worker", worker.settings, worker.version)
            yield component_subject(Kind.CONNECT_WORKER, worker.name, worker.path, facts, {}, view.label)


WORKER_FACTS = {
    "distributed": "true for a distributed worker, false for standalone (offsets in a local file)",
    "config_storage_rf": "effective config.storage.replication.factor (-1: the brokers' default.replication.factor)",
    "offset_storage_rf": "effective offset.storage.replication.factor (-1: the brokers' default.replication.factor)",
    "status_storage_rf": "effective status.storage.replication.factor (-1: the brokers' default.replication.factor)",
    "min_storage_rf": "the smallest of the three internal topic replication factors",
    "override_policy": "connector.client.config.override.policy: All, None, Principal or Allowlist",
    "exactly_once_source_support": "exactly.once.source.support: disabled, preparing or enabled",
    "producer_acks": "acks of the source connectors' producers (worker producer.acks; Connect's default all)",
    "consumer_auto_offset_reset": "auto.offset.reset of the sink connectors' consumers (Connect's default earliest)",
}
CONNECT_WORKER = component_kind(Kind.CONNECT_WORKER, WORKER_FACTS, worker_subjects)


# --------------------------------------------------------------------------- connectors


def connector_facts(connector: Connector, estate: Estate, worker: ConnectWorker | None) -> dict[str, Fact]:
    view = ComponentView("connector", connector.settings, worker.version if worker else None)
    dlq = view.get(text, "errors.deadletterqueue.topic.name")
    live = connector.state is not None
    failed = [t for t in connector.tasks if t.state == "FAILED"]
    return {
        "type": Fact(connector.type),
        "errors_tolerance": view.get(parse_tolerance, "errors.tolerance"),
        "has_dlq": Fact(isinstance(dlq.value, str), dlq.origin) if connector.type == "sink" else Fact(False),
        "dlq_topic": dlq,
        "errors_log_enable": view.get(parse_bool, "errors.log.enable"),
        "dlq_rf": replication_factor(
            view.get(parse_int, "errors.deadletterqueue.topic.replication.factor"), broker_default_rf(estate)
        ),
        "acks_override": _override(view, "producer.override.acks", parse_acks),
        "offset_reset_override": _override(view, "consumer.override.auto.offset.reset", parse_offset_reset),
        "live": Fact(live),
        "state": Fact(connector.state),
        "failed_tasks": Fact(len(failed) if live else None),
        "worker_override_policy": _worker_policy(worker, estate),
        "plugin_installed": _installed(connector, worker),
    }


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


def _worker_policy(worker: ConnectWorker | None, estate: Estate) -> Fact:
    if worker is None or worker.url is not None:
        return Fact(None)
    return worker_facts(worker, estate)["override_policy"]


def connector_subjects(estate: Estate) -> Iterator[Subject]:
    workers = {w.name: w for w in estate.connect_workers}
    for connector in estate.connectors:
        worker = workers.get(connector.worker or "")
        facts = connector_facts(connector, estate, worker)
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


CONNECTOR_FACTS = {
    "type": "source or sink (from the REST API, else the connector class or its topics setting)",
    "errors_tolerance": "effective errors.tolerance: none or all",
    "has_dlq": "sink connectors: errors.deadletterqueue.topic.name is set (always false for a source)",
    "dlq_topic": "errors.deadletterqueue.topic.name",
    "errors_log_enable": "effective errors.log.enable",
    "dlq_rf": "effective errors.deadletterqueue.topic.replication.factor (-1: the brokers' default)",
    "acks_override": "producer.override.acks (all, 1, 0), or 'unset'",
    "offset_reset_override": "consumer.override.auto.offset.reset (earliest, latest, none), or 'unset'",
    "live": "true for a connector read from a running Connect cluster",
    "state": "the connector's state on a live cluster (RUNNING, FAILED, PAUSED, ...)",
    "failed_tasks": "tasks in state FAILED on a live cluster",
    "worker_override_policy": "the override policy of the worker it runs on, when that worker's file was read",
    "plugin_installed": "live: the worker lists the connector's class among its plugins (GET /connector-plugins)",
}
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
