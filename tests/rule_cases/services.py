"""Fixtures of the declared-services rules: E2E* (end to end), OUT* (outbox), IDM* (idempotency)."""

from __future__ import annotations

from auditor.model import Estate
from tests.builders import broker, group, offset, partition, snapshot, topic
from tests.client_builders import client
from tests.rule_cases import RuleCase, fails, passes, unknown
from tests.service_builders import consumer_service, outbox_state, producer_service, unique_key

ORDERS_OK = topic("orders", min_isr="2")
TRANSACTIONAL = client(roles=("producer",), version="3.9", acks="all", transactional_id="orders-tx")
UNCOMMITTED = client(roles=("consumer",), version="3.9", enable_auto_commit="false")
COMMITTED = client(roles=("consumer",), version="3.9", enable_auto_commit="false", isolation_level="read_committed")
AUTO_CREATE = tuple(broker(i, auto_create_topics_enable="true") for i in (1, 2, 3))
UNDER_MIN_ISR = topic("orders", parts=(partition(isr=(1,)),))


def _estate(*services: object, cluster: object = None, **rest: object) -> Estate:
    return Estate(cluster=cluster, services=services, **rest)  # type: ignore[arg-type]


CASES: list[RuleCase] = [
    # E2E001: acks=all on min ISR 1 is acks=1.
    fails(
        "E2E001",
        "acks-all-min-isr-1",
        _estate(producer_service(), cluster=snapshot(topic("orders", min_isr="1"))),
        "high",
        "orders -> orders",
    ),
    passes("E2E001", "acks-all-min-isr-2", _estate(producer_service(), cluster=snapshot(ORDERS_OK))),
    passes(
        "E2E001",
        "acks-1-is-PRD001s-business",
        _estate(
            producer_service(config=client(roles=("producer",), version="3.9", acks="1")),
            cluster=snapshot(topic("orders", min_isr="1")),
        ),
    ),
    unknown("E2E001", "no-cluster", _estate(producer_service()), "high", "orders -> orders"),
    # E2E002: a transactional producer's topic read with read_uncommitted.
    fails(
        "E2E002",
        "read-uncommitted-reader",
        _estate(
            producer_service(config=TRANSACTIONAL), consumer_service(config=UNCOMMITTED), cluster=snapshot(ORDERS_OK)
        ),
        "medium",
        "orders -> orders",
    ),
    passes(
        "E2E002",
        "read-committed-reader",
        _estate(
            producer_service(config=TRANSACTIONAL), consumer_service(config=COMMITTED), cluster=snapshot(ORDERS_OK)
        ),
    ),
    passes(
        "E2E002",
        "not-transactional",
        _estate(producer_service(), consumer_service(config=UNCOMMITTED), cluster=snapshot(ORDERS_OK)),
    ),
    # E2E003: a missing topic that the first write would auto-create.
    fails(
        "E2E003",
        "missing-topic-auto-create",
        _estate(producer_service(topics=("ordres",)), cluster=snapshot(ORDERS_OK, broker_list=AUTO_CREATE)),
        "medium",
        "orders -> ordres",
    ),
    passes(
        "E2E003",
        "missing-topic-no-auto-create",
        _estate(producer_service(topics=("ordres",)), cluster=snapshot(ORDERS_OK)),
    ),
    passes("E2E003", "topic-exists", _estate(producer_service(), cluster=snapshot(ORDERS_OK, broker_list=AUTO_CREATE))),
    # E2E004: the declared group has no offsets on the topic.
    fails(
        "E2E004",
        "group-missing",
        _estate(consumer_service(), cluster=snapshot(ORDERS_OK)),
        "medium",
        "billing <- orders",
    ),
    fails(
        "E2E004",
        "group-without-offsets-on-topic",
        _estate(consumer_service(), cluster=snapshot(ORDERS_OK, groups=[group("billing", offset(5, topic_name="x"))])),
        "medium",
        "billing <- orders",
    ),
    passes(
        "E2E004",
        "group-committed",
        _estate(consumer_service(), cluster=snapshot(ORDERS_OK, groups=[group("billing", offset(5))])),
    ),
    # E2E005: writes refused now (or with --assume-down).
    fails(
        "E2E005",
        "under-min-isr",
        _estate(producer_service(), cluster=snapshot(UNDER_MIN_ISR)),
        "critical",
        "orders -> orders",
    ),
    passes("E2E005", "healthy", _estate(producer_service(), cluster=snapshot(ORDERS_OK))),
    passes(
        "E2E005",
        "acks-1-writes-on",
        _estate(
            producer_service(config=client(roles=("producer",), version="3.9", acks="1")),
            cluster=snapshot(UNDER_MIN_ISR),
        ),
    ),
    # OUT001: the outbox table or its columns are missing.
    fails(
        "OUT001",
        "table-missing",
        _estate(producer_service(outbox=True), outboxes=(outbox_state(exists=False),)),
        "high",
        "orders",
    ),
    fails(
        "OUT001",
        "column-missing",
        _estate(producer_service(outbox=True), outboxes=(outbox_state(missing=("created_at",), stale=None),)),
        "high",
        "orders",
    ),
    unknown(
        "OUT001",
        "database-unreadable",
        _estate(producer_service(outbox=True), outboxes=(outbox_state(exists=None, stale=None),)),
        "high",
        "orders",
    ),
    passes("OUT001", "table-ok", _estate(producer_service(outbox=True), outboxes=(outbox_state(),))),
    passes("OUT001", "no-outbox", _estate(producer_service())),
    # OUT002: pending rows older than the threshold.
    fails(
        "OUT002",
        "stuck-relay",
        _estate(producer_service(outbox=True), outboxes=(outbox_state(stale=4),)),
        "high",
        "orders",
    ),
    passes("OUT002", "relay-keeps-up", _estate(producer_service(outbox=True), outboxes=(outbox_state(),))),
    # OUT003: business events without an outbox.
    fails("OUT003", "business-events-no-outbox", _estate(producer_service(business_events=True)), "info", "orders"),
    passes(
        "OUT003",
        "business-events-with-outbox",
        _estate(producer_service(business_events=True, outbox=True), outboxes=(outbox_state(),)),
    ),
    passes("OUT003", "not-business-events", _estate(producer_service())),
    # IDM001: unique-key declared but not enforced.
    fails(
        "IDM001",
        "no-unique-constraint",
        _estate(consumer_service(strategy="unique-key"), unique_keys=(unique_key(unique=False),)),
        "high",
        "billing",
    ),
    fails(
        "IDM001",
        "table-missing",
        _estate(consumer_service(strategy="unique-key"), unique_keys=(unique_key(exists=False, column=None),)),
        "high",
        "billing",
    ),
    passes(
        "IDM001", "unique-constraint", _estate(consumer_service(strategy="unique-key"), unique_keys=(unique_key(),))
    ),
    # IDM002: no idempotency strategy.
    fails("IDM002", "strategy-none", _estate(consumer_service(strategy="none")), "medium", "billing"),
    fails("IDM002", "not-declared", _estate(consumer_service(strategy=None)), "medium", "billing"),
    passes("IDM002", "version-column", _estate(consumer_service())),
]
