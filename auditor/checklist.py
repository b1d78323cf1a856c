"""The checklist view: the no-loss checklist's items, per declared service, from the verdicts.

Each item is judged by a few rules on the resources that belong to a service: its producer
and consumer configuration, the topics it writes and reads, its (service, topic) writes and
reads, and the service itself (outbox, idempotency). An item is

- `fail` when one of its rules found a failure there (a waived finding is still a failure of
  the guarantee, accepted by someone: it says `fail`),
- `unknown` when one found an unknown value, or some resource was not judged at all (no
  cluster to read the topic from, a topic left out by the policy),
- `not declared` when the service declares no part the item is about (no producer, no outbox),
- `pass` when every resource was judged and passed.

It also carries, per service and topic written, how many broker failures the writes survive
without loss and without blocking (auditor.facts.survival).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditor.findings import ChecklistItem, Finding, Pass, Resource, Status
from auditor.model import Kind

if TYPE_CHECKING:
    from auditor.engine import Rule
    from auditor.facts import Subject
    from auditor.model import Service

PASS, FAIL, UNKNOWN, NOT_DECLARED = "pass", "fail", "unknown", "not declared"


@dataclass(frozen=True)
class Item:
    name: ChecklistItem
    stage: str
    needs: str  # the part of the service it is about: producer | outbox | any | consumer
    judged_on: tuple[str, ...]  # resource groups: producer_config, writes, topics, service, consumer_config


# Which rules judge an item is not written here: each rule says it in its YAML (`checklist:`).
ITEMS: tuple[Item, ...] = (
    Item(ChecklistItem.PRODUCER_ACKS, "produce", "producer", ("producer_config", "writes")),
    Item(ChecklistItem.IDEMPOTENCE, "produce", "producer", ("producer_config",)),
    Item(ChecklistItem.OUTBOX, "produce", "outbox", ("service",)),
    Item(ChecklistItem.REPLICATION_FACTOR, "store", "any", ("topics",)),
    Item(ChecklistItem.MIN_ISR, "store", "any", ("topics", "writes")),
    Item(ChecklistItem.UNCLEAN_ELECTION, "store", "any", ("topics",)),
    Item(ChecklistItem.MANUAL_COMMIT, "consume", "consumer", ("consumer_config",)),
    Item(ChecklistItem.IDEMPOTENT_CONSUMER, "consume", "consumer", ("service",)),
)


def checklist_members(rules: Iterable[Rule]) -> dict[ChecklistItem, tuple[str, ...]]:
    """The ids of the rules that judge each item, as their YAML says."""
    members: dict[ChecklistItem, tuple[str, ...]] = {item.name: () for item in ITEMS}
    for rule in rules:
        if rule.checklist is not None:
            members[rule.checklist] += (rule.id,)
    return members


@dataclass(frozen=True)
class ChecklistEntry:
    item: str
    stage: str
    status: str
    rules: tuple[str, ...]  # the rules that failed or were unknown, when any


@dataclass(frozen=True)
class WriteSurvival:
    topic: str
    without_loss: int | None  # broker failures
    without_blocking: int | None
    racks_without_loss: int | None = None  # rack failures; None without racks
    racks_without_blocking: int | None = None


@dataclass(frozen=True)
class ServiceChecklist:
    service: str
    entries: tuple[ChecklistEntry, ...]
    writes: tuple[WriteSurvival, ...] = ()


@dataclass(frozen=True)
class Checklist:
    services: tuple[ServiceChecklist, ...]
    assumed_down: str | None = None  # --assume-down, as given: the what-if these verdicts are for


def build_checklist(
    members: Mapping[ChecklistItem, tuple[str, ...]],
    services: Sequence[Service],
    writes: Iterable[Subject],
    findings: Iterable[Finding],
    passes: Iterable[Pass],
    assumed_down: str | None = None,
) -> Checklist | None:
    if not services and assumed_down is None:
        return None  # a run with --assume-down always says so, with or without services
    found: dict[tuple[str, Resource], list[Finding]] = {}
    for finding in findings:
        found.setdefault((finding.rule_id, _local(finding.resource)), []).append(finding)
    passed = {(p.rule_id, _local(p.resource)) for p in passes}
    survival = _survival(writes)
    return Checklist(
        tuple(
            ServiceChecklist(
                s.name,
                tuple(_entry(item, members[item.name], _resources(s, item), found, passed) for item in ITEMS),
                survival.get(s.name, ()),
            )
            for s in services
        ),
        assumed_down,
    )


def _local(resource: Resource) -> Resource:
    """The resource as the services manifest names it: a fleet's cluster is the run's, not the service's."""
    return resource if resource.cluster is None else Resource(resource.kind, resource.name)


def _resources(service: Service, item: Item) -> list[Resource] | None:
    """The resources an item is judged on for a service; None when the service does not declare that part."""
    from auditor.facts.write import write_resource

    producer, consumer = service.producer, service.consumer
    declared = {
        "producer": producer is not None,
        "outbox": service.outbox is not None,
        "consumer": consumer is not None,
    }
    if not declared.get(item.needs, True):
        return None
    topics = (producer.topics if producer else ()) + (consumer.topics if consumer else ())
    groups = {
        "producer_config": [Resource(Kind.PRODUCER, producer.config.name or producer.config.path)]
        if producer and producer.config
        else [],
        "consumer_config": [Resource(Kind.CONSUMER, consumer.config.name or consumer.config.path)]
        if consumer and consumer.config
        else [],
        "writes": [write_resource(service.name, t) for t in producer.topics] if producer else [],
        "topics": [Resource(Kind.TOPIC, t) for t in dict.fromkeys(topics)],
        "service": [Resource(Kind.SERVICE, service.name)],
    }
    return [resource for group in item.judged_on for resource in groups[group]]


def _entry(
    item: Item,
    rules: tuple[str, ...],
    resources: list[Resource] | None,
    found: dict[tuple[str, Resource], list[Finding]],
    passed: set[tuple[str, Resource]],
) -> ChecklistEntry:
    if resources is None:
        return ChecklistEntry(item.name, item.stage, NOT_DECLARED, ())
    failing: dict[str, str] = {}
    judged = set()
    for resource in resources:
        for rule in rules:
            for finding in found.get((rule, resource), ()):
                judged.add(resource)
                status = UNKNOWN if finding.status is Status.UNKNOWN else FAIL
                if failing.get(rule) != FAIL:
                    failing[rule] = status
            if (rule, resource) in passed:
                judged.add(resource)
    if FAIL in failing.values():
        status = FAIL
    elif failing or not resources or judged != set(resources):
        status = UNKNOWN
    else:
        status = PASS
    return ChecklistEntry(item.name, item.stage, status, tuple(sorted(failing)))


SURVIVAL_FACTS = (
    "survives_without_loss",
    "survives_without_blocking",
    "rack_failures_without_loss",
    "rack_failures_without_blocking",
)


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _survival(writes: Iterable[Subject]) -> dict[str, tuple[WriteSurvival, ...]]:
    by_service: dict[str, list[WriteSurvival]] = {}
    for subject in writes:
        facts = subject.facts
        counts = [_count(facts[name].value) for name in SURVIVAL_FACTS]
        by_service.setdefault(str(facts["service"].value), []).append(WriteSurvival(str(facts["topic"].value), *counts))
    return {name: tuple(rows) for name, rows in by_service.items()}


def checklist_document(checklist: Checklist) -> dict[str, Any]:
    """The JSON report's `checklist` (auditor/schemas/report.schema.json)."""
    return {
        "assumed_down": checklist.assumed_down,
        "services": [
            {
                "service": s.service,
                "items": [
                    {"item": e.item, "stage": e.stage, "status": e.status, "rules": list(e.rules)} for e in s.entries
                ],
                "writes": [
                    {
                        "topic": w.topic,
                        "survives_without_loss": w.without_loss,
                        "survives_without_blocking": w.without_blocking,
                        "rack_failures_without_loss": w.racks_without_loss,
                        "rack_failures_without_blocking": w.racks_without_blocking,
                    }
                    for w in s.writes
                ],
            }
            for s in checklist.services
        ],
    }


def checklist_from_document(data: dict[str, Any]) -> Checklist:
    return Checklist(
        tuple(
            ServiceChecklist(
                s["service"],
                tuple(ChecklistEntry(e["item"], e["stage"], e["status"], tuple(e["rules"])) for e in s["items"]),
                tuple(WriteSurvival(w["topic"], *(w[name] for name in SURVIVAL_FACTS)) for w in s["writes"]),
            )
            for s in data["services"]
        ),
        data["assumed_down"],
    )
