"""Facts of a MirrorMaker 2 replication flow (mm2.properties, Strimzi KafkaMirrorMaker2, live
Mirror*Connector configs)."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts.base import Fact, Subject, parse_bool, parse_int
from auditor.facts.components import (
    ComponentView,
    broker_default_rf,
    component_kind,
    component_subject,
    replication_factor,
    weakest,
)
from auditor.model import Estate, Kind, MirrorFlow

INTERNAL = {
    "offset_syncs_rf": "offset-syncs.topic.replication.factor",
    "checkpoints_rf": "checkpoints.topic.replication.factor",
    "heartbeats_rf": "heartbeats.topic.replication.factor",
}


def mirror_facts(flow: MirrorFlow, estate: Estate) -> dict[str, Fact]:
    view = ComponentView("mirrormaker2", flow.settings)
    broker_rf = broker_default_rf(estate)
    internal = {name: replication_factor(view.get(parse_int, key), broker_rf) for name, key in INTERNAL.items()}
    return {
        "replication_factor": replication_factor(view.get(parse_int, "replication.factor"), broker_rf),
        **internal,
        "min_internal_rf": weakest(list(internal.values())),
        "sync_group_offsets": view.get(parse_bool, "sync.group.offsets.enabled"),
        "emit_checkpoints": view.get(parse_bool, "emit.checkpoints.enabled"),
    }


def mirror_subjects(estate: Estate) -> Iterator[Subject]:
    for flow in estate.mirror_flows:
        label = ComponentView("mirrormaker2", flow.settings).label
        context = {"source": flow.source, "target": flow.target}
        yield component_subject(Kind.MIRROR_FLOW, flow.name, flow.path, mirror_facts(flow, estate), context, label)


MIRROR_FACTS = {
    "replication_factor": "effective replication.factor of the remote topics MirrorMaker 2 creates (default 2)",
    "offset_syncs_rf": "effective offset-syncs.topic.replication.factor",
    "checkpoints_rf": "effective checkpoints.topic.replication.factor",
    "heartbeats_rf": "effective heartbeats.topic.replication.factor",
    "min_internal_rf": "the smallest of the three internal topic replication factors",
    "sync_group_offsets": "effective sync.group.offsets.enabled",
    "emit_checkpoints": "effective emit.checkpoints.enabled",
}
MIRRORMAKER2 = component_kind(
    Kind.MIRROR_FLOW,
    MIRROR_FACTS,
    mirror_subjects,
    read_from="the file, or the Connect REST URL",
    source="the source cluster alias",
    target="the target cluster alias",
)
