"""The services manifest: how each service produces and consumes, declared by the team.

    services:
      orders-service:
        producer: {config: orders-producer.properties, topics: [orders], business_events: true}
        outbox:
          url_env: ORDERS_DB_URL        # the environment variable holding the database URL
          table: outbox
          status_column: status
          pending_value: PENDING
          created_at_column: created_at
          threshold: 5m                 # seconds, or a number with s, m, h or d
      billing:
        consumer:
          config: billing-consumer.yaml
          group: billing
          topics: [orders]
          idempotency: {strategy: unique-key, url_env: BILLING_DB_URL, table: processed, column: order_id}

It is the `services:` section of the policy file, or a file of its own (`--services FILE`) with
the same section. Config paths are relative to the manifest's folder. Every defect is an
InputError naming the file and line (exit 2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.model import (
    ClientConfig,
    ConsumerDeclaration,
    Declared,
    Estate,
    IdempotencyDeclaration,
    OutboxDeclaration,
    ProducerDeclaration,
    Role,
    Service,
    Target,
    TargetKind,
)
from auditor.yamlread import Located, load_located

SERVICE_KEYS = ("producer", "consumer", "outbox")
PRODUCER_KEYS = ("config", "topics", "business_events")
CONSUMER_KEYS = ("config", "group", "topics", "idempotency")
OUTBOX_KEYS = ("url_env", "table", "status_column", "pending_value", "created_at_column", "threshold")
IDEMPOTENCY_KEYS = ("strategy", "url_env", "table", "column")
STRATEGIES = ("unique-key", "version-column", "none")
DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)?\s*$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def with_services(estate: Estate, services: tuple[Service, ...]) -> tuple[Estate, tuple[Target, ...]]:
    """The estate with the declared services, their client configs and what their databases hold."""
    if not services:
        return estate, ()
    from auditor.sources.database import read_databases

    read = read_databases(services)
    estate = replace(
        declare_services(estate, services),
        outboxes=tuple(read.outboxes),
        unique_keys=tuple(read.unique_keys),
        gaps=estate.gaps + tuple(read.gaps),
    )
    manifest = Target(TargetKind.FILE, services[0].at.path, "kafka-audit-services")
    return estate, (manifest, *read.targets.values())


def declare_services(estate: Estate, services: tuple[Service, ...]) -> Estate:
    """The estate with the services, and their client configs among the clients the rules judge."""
    clients = list(estate.clients)
    for config in (d.config for s in services for d in (s.producer, s.consumer) if d is not None and d.config):
        if config not in clients:  # a file also given as PATH, or shared by two services, is judged once
            clients.append(config)
    return replace(estate, services=services, clients=tuple(clients))


def load_services_file(path: Path) -> tuple[Service, ...]:
    """A manifest of its own (--services FILE): a mapping with a `services:` section."""
    document = load_located(path)
    if not isinstance(document, Located) or "services" not in document:
        raise InputError(f"{path}:1: a services file must be a mapping with a 'services:' section")
    _known(document, ("services",), "key")
    return parse_services(document["services"], document.where("services"), path.parent)


def parse_services(section: Any, where: str, base: Path) -> tuple[Service, ...]:
    """The `services:` section: service name -> its declarations."""
    if not isinstance(section, Located) or not section:
        raise InputError(f"{where}: services must map service names to their producer, consumer and outbox")
    return tuple(_service(name, spec, section.where(name), base) for name, spec in section.items())


def _service(name: str, spec: Any, where: str, base: Path) -> Service:
    if not isinstance(spec, Located):
        raise InputError(f"{where}: service {name!r} must be a mapping of {', '.join(SERVICE_KEYS)}")
    _known(spec, SERVICE_KEYS, f"key of service {name!r}")
    if "producer" not in spec and "consumer" not in spec:
        raise InputError(f"{where}: service {name!r} declares neither a producer nor a consumer")
    if "outbox" in spec and "producer" not in spec:
        raise InputError(f"{spec.where('outbox')}: service {name!r} declares an outbox but no producer")
    return Service(
        name=name,
        at=_at(where),
        producer=_producer(spec["producer"], spec.where("producer"), base) if "producer" in spec else None,
        consumer=_consumer(spec["consumer"], spec.where("consumer"), base) if "consumer" in spec else None,
        outbox=_outbox(spec["outbox"], spec.where("outbox")) if "outbox" in spec else None,
    )


def _producer(spec: Any, where: str, base: Path) -> ProducerDeclaration:
    section = _mapping(spec, where, "producer", PRODUCER_KEYS)
    flag = section.get("business_events", False)
    if not isinstance(flag, bool):
        raise InputError(f"{section.where('business_events')}: business_events must be true or false")
    return ProducerDeclaration(
        config=_config(section, base, Role.PRODUCER),
        topics=_topics(section),
        business_events=flag,
        at=_at(where),
    )


def _consumer(spec: Any, where: str, base: Path) -> ConsumerDeclaration:
    section = _mapping(spec, where, "consumer", CONSUMER_KEYS)
    group = _text(section, "group")
    idempotency = section.get("idempotency")
    return ConsumerDeclaration(
        config=_config(section, base, Role.CONSUMER),
        group=group,
        topics=_topics(section),
        idempotency=None if idempotency is None else _idempotency(idempotency, section.where("idempotency")),
        at=_at(where),
    )


def _outbox(spec: Any, where: str) -> OutboxDeclaration:
    section = _mapping(spec, where, "outbox", OUTBOX_KEYS)
    return OutboxDeclaration(
        url_env=_env_name(section, "url_env"),
        table=_text(section, "table"),
        status_column=_text(section, "status_column"),
        pending_value=_text(section, "pending_value", scalar=True),
        created_at_column=_text(section, "created_at_column"),
        threshold_s=_duration(section, "threshold"),
        at=_at(where),
    )


def _idempotency(spec: Any, where: str) -> IdempotencyDeclaration:
    section = _mapping(spec, where, "idempotency", IDEMPOTENCY_KEYS)
    strategy = _text(section, "strategy")
    if strategy not in STRATEGIES:
        raise InputError(f"{section.where('strategy')}: strategy must be one of {', '.join(STRATEGIES)}")
    if strategy != "unique-key":
        extra = [key for key in ("url_env", "table", "column") if key in section]
        if extra:
            raise InputError(f"{section.where(extra[0])}: {extra[0]} applies only to strategy unique-key")
        return IdempotencyDeclaration(strategy, at=_at(where))
    return IdempotencyDeclaration(
        strategy,
        table=_text(section, "table"),
        column=_text(section, "column"),
        url_env=_env_name(section, "url_env"),
        at=_at(where),
    )


def _config(section: Located, base: Path, role: Role) -> ClientConfig | None:
    """The client configuration the service runs with, read by the file sources.

    `path#Name` or `path:LINE` picks one client built in a source file: Name is the variable,
    method or class it is built in, LINE the line that builds it.
    """
    if "config" not in section:
        return None
    given, anchor = _anchor(_text(section, "config"))
    path = Path(given) if Path(given).is_absolute() else base / given
    if not path.is_file():
        raise InputError(f"{section.where('config')}: {role} config file {given!r} not found (looked at {path})")
    from auditor.sources.files import read_paths

    found = [c for c in read_paths((str(path),)).clients if role in c.roles]
    if anchor is not None:
        found = [c for c in found if anchor in c.names or (anchor.isdigit() and c.line == int(anchor))]
        lines = ", ".join(str(c.line) for c in found)
        if len(found) > 1:
            raise InputError(f"{section.where('config')}: {anchor!r} names {role}s at lines {lines} of {given!r}")
    if not found:
        what = f"no {role} named {anchor!r}" if anchor else f"no {role} configuration"
        raise InputError(f"{section.where('config')}: {given!r} holds {what}")
    return min(found, key=lambda c: c.profile is not None)  # the profile-less configuration first


def _anchor(given: str) -> tuple[str, str | None]:
    """'src/app.py#OrderPublisher' -> ('src/app.py', 'OrderPublisher'); 'src/app.py:42' -> (..., '42')."""
    if "#" in given:
        path, _, anchor = given.rpartition("#")
        return path, anchor.strip() or None
    path, colon, line = given.rpartition(":")
    if colon and line.isdigit() and path:
        return path, line
    return given, None


def _mapping(spec: Any, where: str, what: str, keys: Iterable[str]) -> Located:
    if not isinstance(spec, Located):
        raise InputError(f"{where}: {what} must be a mapping of {', '.join(keys)}")
    _known(spec, keys, f"{what} key")
    return spec


def _topics(section: Located) -> tuple[str, ...]:
    topics = section.get("topics")
    if not isinstance(topics, list) or not topics or not all(isinstance(t, str) and t for t in topics):
        raise InputError(f"{section.where('topics')}: topics must be a non-empty list of topic names")
    return tuple(dict.fromkeys(topics))


def _text(section: Located, key: str, scalar: bool = False) -> str:
    if key not in section:
        raise InputError(f"{section.where()}: {key} is required here")
    value = section.get(key)
    if scalar and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{section.where(key)}: {key} must be a non-empty string")
    return value.strip()


def _env_name(section: Located, key: str) -> str:
    name = _text(section, key)
    if not ENV_NAME.match(name):
        raise InputError(f"{section.where(key)}: {key} names an environment variable (e.g. ORDERS_DB_URL), not a URL")
    return name


def _duration(section: Located, key: str) -> int:
    value = section.get(key)
    match = DURATION.match(str(value)) if isinstance(value, (int, str)) and not isinstance(value, bool) else None
    if match is None or int(match.group(1)) <= 0:
        raise InputError(f"{section.where(key)}: {key} must be a positive duration: seconds, or 30s, 5m, 2h, 1d")
    return int(match.group(1)) * UNITS[match.group(2) or "s"]


def _known(mapping: Located, keys: Iterable[str], what: str) -> None:
    allowed = list(keys)
    for key in mapping:
        if key not in allowed:
            raise InputError(f"{mapping.where(key)}: unknown {what} {key!r}; known: {', '.join(allowed)}")


def _at(where: str) -> Declared:
    path, _, line = where.rpartition(":")
    return Declared(path, int(line))
