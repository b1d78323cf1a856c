"""Build declared services (the services manifest) and what their databases hold, for unit tests."""

from __future__ import annotations

from auditor.model import (
    ClientConfig,
    ConsumerDeclaration,
    Declared,
    IdempotencyDeclaration,
    OutboxDeclaration,
    OutboxState,
    ProducerDeclaration,
    Service,
    UniqueKeyState,
)
from tests.client_builders import client

MANIFEST = ".kafka-audit.yaml"


def at(line: int = 1) -> Declared:
    return Declared(MANIFEST, line)


def producer_service(
    name: str = "orders",
    topics: tuple[str, ...] = ("orders",),
    config: ClientConfig | None = None,
    business_events: bool = False,
    outbox: bool = False,
) -> Service:
    """A producing service; its producer defaults to a Java 3.9 client with acks=all."""
    chosen = config if config is not None else client(roles=("producer",), version="3.9", acks="all")
    declared_outbox = (
        OutboxDeclaration("ORDERS_DB_URL", "outbox", "status", "PENDING", "created_at", 300, at(8)) if outbox else None
    )
    return Service(
        name, at(2), producer=ProducerDeclaration(chosen, topics, business_events, at(3)), outbox=declared_outbox
    )


def consumer_service(
    name: str = "billing",
    topics: tuple[str, ...] = ("orders",),
    group: str = "billing",
    config: ClientConfig | None = None,
    strategy: str | None = "version-column",
) -> Service:
    chosen = config if config is not None else client(roles=("consumer",), version="3.9", enable_auto_commit="false")
    idempotency = None
    if strategy == "unique-key":
        idempotency = IdempotencyDeclaration(strategy, "processed", "order_id", "BILLING_DB_URL", at(14))
    elif strategy is not None:
        idempotency = IdempotencyDeclaration(strategy, at=at(14))
    return Service(name, at(10), consumer=ConsumerDeclaration(chosen, group, topics, idempotency, at(11)))


def outbox_state(
    service: str = "orders", exists: bool | None = True, missing: tuple[str, ...] = (), stale: int | None = 0
) -> OutboxState:
    return OutboxState(service, exists, missing, stale, 0 if stale == 0 else 3600)


def unique_key(
    service: str = "billing", exists: bool | None = True, column: bool | None = True, unique: bool | None = True
) -> UniqueKeyState:
    return UniqueKeyState(service, exists, column, unique)
