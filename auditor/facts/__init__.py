"""The registry of subject kinds: a plain dict, one module per kind."""

from __future__ import annotations

from auditor.facts.app_topics import CONNECT_TOPIC, MIRROR_TOPIC, STREAMS_TOPIC
from auditor.facts.base import Fact, FactValue, Scope, Subject, SubjectKind
from auditor.facts.broker import BROKER
from auditor.facts.cluster import CLUSTER
from auditor.facts.connect import CONNECT_WORKER, CONNECTOR
from auditor.facts.consumer import CONSUMER
from auditor.facts.group import GROUP
from auditor.facts.inherited import BROKER_DEFAULT
from auditor.facts.mirror import MIRRORMAKER2
from auditor.facts.partition import PARTITION
from auditor.facts.producer import PRODUCER
from auditor.facts.read import READ
from auditor.facts.service import SERVICE
from auditor.facts.streams import STREAMS
from auditor.facts.topic import TOPIC
from auditor.facts.write import WRITE
from auditor.model import Estate, Kind

KINDS: dict[Kind, SubjectKind] = {
    kind.name: kind
    for kind in (
        *(TOPIC, BROKER, PARTITION, CLUSTER, GROUP, PRODUCER, CONSUMER, WRITE, READ, SERVICE, BROKER_DEFAULT),
        *(CONNECT_WORKER, CONNECTOR, CONNECT_TOPIC, STREAMS, STREAMS_TOPIC, MIRRORMAKER2, MIRROR_TOPIC),
    )
}


def subjects(estate: Estate) -> dict[Kind, list[Subject]]:
    """Every subject of everything audited, by kind."""
    return {name: list(kind.build(estate)) for name, kind in KINDS.items()}


__all__ = ["KINDS", "Fact", "FactValue", "Scope", "Subject", "SubjectKind", "subjects"]
