"""Facts of a consumer configuration read from a file, after client defaults."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts.base import FactSpec, FactTable, Subject, SubjectKind
from auditor.facts.clients import (
    ACK_MODE,
    ClientView,
    Effective,
    client_context,
    client_subject,
    commit_after_processing,
    effective_auto_commit,
    listener_commit,
    parse_ack_mode,
    parse_offset_reset,
    parse_text,
)
from auditor.model import Estate, Kind, Role


def _ack_mode(view: ClientView) -> Effective:
    return view.raw(ACK_MODE, parse_ack_mode) or _default_ack_mode(view)


def _commit_after_processing(view: ClientView) -> Effective:
    auto_commit = effective_auto_commit(view)
    committed = listener_commit(view, auto_commit, _ack_mode(view)) or commit_after_processing(view)
    return committed or Effective(False, auto_commit.origin)


def _ack_mode_set(view: ClientView) -> Effective:
    ack_mode = view.raw(ACK_MODE, parse_ack_mode)
    return Effective(ack_mode is not None, ack_mode.origin if ack_mode else effective_auto_commit(view).origin)


def _default_ack_mode(view: ClientView) -> Effective:
    mode = view.defaults.ack_mode
    detail = f"default of {view.label}" if mode else f"{view.label} has no listener ack-mode"
    return Effective(mode, view.synthesised(ACK_MODE, mode, detail))


def consumer_subjects(estate: Estate) -> Iterator[Subject]:
    for config in estate.clients:
        if Role.CONSUMER in config.roles:
            view = ClientView(config, Role.CONSUMER)
            yield client_subject(config, Kind.CONSUMER, CONSUMER_FACTS.derive(view), view)


Spec = FactSpec[ClientView, Effective]
CONSUMER_FACTS = FactTable(
    Spec("auto_commit", "effective enable.auto.commit (Spring Kafka forces false unless set)", effective_auto_commit),
    Spec(
        "commit_after_processing",
        "true when only offsets of processed messages are committed: librdkafka enable.auto.offset.store=false, "
        "or a Spring listener in a MANUAL ack mode that acknowledges last",
        _commit_after_processing,
    ),
    Spec(
        "auto_offset_reset",
        "effective auto.offset.reset: earliest, latest, none or by_duration (aliases folded)",
        lambda v: v.get("auto.offset.reset", parse_offset_reset),
    ),
    Spec("isolation_level", "effective isolation.level", lambda v: v.get("isolation.level", parse_text)),
    Spec("ack_mode", "Spring listener ack-mode (upper case, '_' separated); unknown for other clients", _ack_mode),
    Spec("ack_mode_set", "true when the file sets spring.kafka.listener.ack-mode", _ack_mode_set),
)

CONSUMER = SubjectKind(
    name=Kind.CONSUMER, facts=CONSUMER_FACTS, context=client_context(CONSUMER_FACTS), build=consumer_subjects
)
