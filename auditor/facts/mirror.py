"""Facts of a MirrorMaker 2 replication flow (mm2.properties, Strimzi KafkaMirrorMaker2, live
Mirror*Connector configs)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from auditor.facts.base import Fact, FactSpec, FactTable, Subject, parse_bool, parse_int
from auditor.facts.components import (
    ComponentView,
    broker_default_rf,
    component_kind,
    component_subject,
    replication_factor,
    weakest,
)
from auditor.model import Estate, Kind, MirrorFlow

OFFSET_SYNCS_RF = "offset-syncs.topic.replication.factor"
CHECKPOINTS_RF = "checkpoints.topic.replication.factor"
HEARTBEATS_RF = "heartbeats.topic.replication.factor"


@dataclass(frozen=True)
class MirrorSeen:
    """What a MirrorMaker 2 flow's facts are derived from; its settings and the brokers' default
    replication factor are read once."""

    flow: MirrorFlow
    estate: Estate

    @cached_property
    def view(self) -> ComponentView:
        return ComponentView("mirrormaker2", self.flow.settings)

    @cached_property
    def broker_rf(self) -> Fact:
        target = self.flow.settings.get(f"{self.flow.target}.bootstrap.servers")  # the internal topics' cluster
        return broker_default_rf(self.estate, target, self.flow.path)

    def rf(self, key: str) -> Fact:
        return replication_factor(self.view.get(parse_int, key), self.broker_rf)


def mirror_subjects(estate: Estate) -> Iterator[Subject]:
    for flow in estate.mirror_flows:
        label = ComponentView("mirrormaker2", flow.settings).label
        context = {"source": flow.source, "target": flow.target}
        yield component_subject(
            Kind.MIRROR_FLOW, flow.name, flow.path, MIRROR_FACTS.derive(MirrorSeen(flow, estate)), context, label
        )


Spec = FactSpec[MirrorSeen, Fact]
MIRROR_FACTS = FactTable(
    Spec(
        "replication_factor",
        "effective replication.factor of the remote topics MirrorMaker 2 creates (default 2)",
        lambda m: m.rf("replication.factor"),
    ),
    Spec("offset_syncs_rf", "effective offset-syncs.topic.replication.factor", lambda m: m.rf(OFFSET_SYNCS_RF)),
    Spec("checkpoints_rf", "effective checkpoints.topic.replication.factor", lambda m: m.rf(CHECKPOINTS_RF)),
    Spec("heartbeats_rf", "effective heartbeats.topic.replication.factor", lambda m: m.rf(HEARTBEATS_RF)),
    Spec(
        "min_internal_rf",
        "the smallest of the three internal topic replication factors",
        lambda m: weakest([m.rf(key) for key in (OFFSET_SYNCS_RF, CHECKPOINTS_RF, HEARTBEATS_RF)]),
    ),
    Spec(
        "sync_group_offsets",
        "effective sync.group.offsets.enabled",
        lambda m: m.view.get(parse_bool, "sync.group.offsets.enabled"),
    ),
    Spec(
        "emit_checkpoints",
        "effective emit.checkpoints.enabled",
        lambda m: m.view.get(parse_bool, "emit.checkpoints.enabled"),
    ),
)
MIRRORMAKER2 = component_kind(
    Kind.MIRROR_FLOW,
    MIRROR_FACTS,
    mirror_subjects,
    read_from="the file, or the Connect REST URL",
    source="the source cluster alias",
    target="the target cluster alias",
)
