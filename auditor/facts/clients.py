"""Effective settings of a client configuration read from a file, after its library's defaults.

A file says only what it sets. What an omitted key means comes from the client library and
version (auditor.knowledge); some set keys change what others mean (Java's silent idempotence
fallback, librdkafka forcing acks=all once idempotent). Each fact keeps the ConfigValue it came
from: the file's key and line, or a synthesised "default of <client> <version>" without a line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from auditor.facts.base import Fact, FactValue, Scope, Subject, flag_invalid, parse_bool, parse_int
from auditor.facts.spelling import client_names, in_a_map
from auditor.findings import Location, Resource
from auditor.knowledge import ASSUMED, ClientDefaults, defaults_for
from auditor.model import ClientConfig, ConfigSource, ConfigValue, Kind, Role

ACKS = "acks"
RETRIES = "retries"
IDEMPOTENCE = "enable.idempotence"
IN_FLIGHT = "max.in.flight.requests.per.connection"
TRANSACTIONAL_ID = "transactional.id"
AUTO_COMMIT = "enable.auto.commit"
AUTO_OFFSET_STORE = "enable.auto.offset.store"
ACK_MODE = "spring.kafka.listener.ack-mode"


@dataclass(frozen=True)
class Effective:
    """One effective setting: parsed value (None when unknown) and where it came from."""

    value: FactValue
    origin: ConfigValue


def assumed_versions(clients: Iterable[ClientConfig]) -> tuple[str, ...]:
    """The client libraries whose defaults are assumed, with the version range assumed: those no
    build file (or --client) gave a version ('Java kafka-clients >=3.2,<4.0')."""
    labels = {
        defaults_for(c.library, None).label(None).removesuffix(ASSUMED) for c in clients if c.library_version is None
    }
    return tuple(sorted(labels))


class ClientView:
    """A ClientConfig seen through its library's defaults, for one role."""

    def __init__(self, config: ClientConfig, role: Role) -> None:
        self.config = config
        self.defaults: ClientDefaults = defaults_for(config.library, config.library_version)
        self.label = self.defaults.label(config.library_version, config.library_version_at)
        self._role_defaults = self.defaults.producer if role is Role.PRODUCER else self.defaults.consumer

    def raw(self, key: str, parse: Callable[[str | None], FactValue]) -> Effective | None:
        """The file's own value of key, parsed; None when the file does not set it."""
        origin = self.config.settings.get(key)
        if origin is None:
            return None
        value = parse(origin.value)
        return Effective(value, flag_invalid(origin, value, f"{self.label} refuses to start with it"))

    def get(self, key: str, parse: Callable[[str | None], FactValue]) -> Effective:
        """The file's value, else the library default (value None when neither is known)."""
        return self.raw(key, parse) or self.default(key, parse)

    def has(self, key: str) -> bool | None:
        """Whether the file sets key or the library has a default for it; for a setting whose default
        is no limit (franz-go's RecordDeliveryTimeout), unknown when code the reader cannot see may set it."""
        if key in self.config.settings or key in self._role_defaults:
            return True
        return None if key in self.defaults.unbounded and self.config.opaque else False

    def default(self, key: str, parse: Callable[[str | None], FactValue]) -> Effective:
        if self.config.opaque:  # the code may set it where the reader cannot see
            detail = f"not set where the reader can see, and {self.config.opaque}"
            return Effective(None, self.synthesised(key, None, detail))
        value = self._role_defaults.get(key)
        detail = f"default of {self.label}" if value is not None else f"{self.label} has no {key}"
        return Effective(parse(value), self.synthesised(key, value, detail))

    def synthesised(self, key: str, value: str | None, detail: str, cause: ConfigValue | None = None) -> ConfigValue:
        """A value the client derives: no line of its own unless a set key caused it."""
        return ConfigValue(
            key=key,
            value=value,
            source=ConfigSource.CLIENT_DEFAULT,
            path=cause.path if cause else None,
            line=cause.line if cause else None,
            detail=detail,
            snippet=cause.snippet if cause else None,
        )


ACKS_VALUES = {"all": "all", "-1": "all", "1": "1", "0": "0"}


def parse_acks(raw: str | None) -> FactValue:
    """'all' and '-1' are the same; values trimmed and case-insensitive; anything else is None
    (every client refuses to start with it)."""
    return None if raw is None else ACKS_VALUES.get(raw.strip().lower())


def parse_text(raw: str | None) -> FactValue:
    return raw.strip().lower() if raw is not None and raw.strip() else None


_OFFSET_RESET_ALIASES = {
    "smallest": "earliest",
    "beginning": "earliest",
    "earliest": "earliest",
    "largest": "latest",
    "end": "latest",
    "latest": "latest",
    "error": "none",
    "none": "none",
}


def parse_offset_reset(raw: str | None) -> FactValue:
    """librdkafka's aliases folded into Java's names; 'by_duration:...' kept as 'by_duration'."""
    value = parse_text(raw)
    if not isinstance(value, str):
        return None
    if value.startswith("by_duration"):
        return "by_duration"
    return _OFFSET_RESET_ALIASES.get(value, value)


def parse_ack_mode(raw: str | None) -> FactValue:
    """Spring binds enum values relaxedly: manual-immediate, manual_immediate, MANUAL_IMMEDIATE."""
    if raw is None or not raw.strip():
        return None
    return raw.strip().upper().replace("-", "_")


def effective_idempotence(view: ClientView) -> Effective:
    explicit = view.raw(IDEMPOTENCE, parse_bool)
    transactional = view.config.settings.get(TRANSACTIONAL_ID)
    enables = transactional is not None and view.defaults.transactional_id_enables_idempotence
    # aiokafka turns a transactional producer idempotent over enable_idempotence=False; the clients
    # that refuse that instead (transactional_requires_idempotence) keep it, and PRD003 says so
    overridden = explicit is not None and explicit.value is False and enables
    if explicit is not None and not (overridden and not view.defaults.transactional_requires_idempotence):
        return explicit
    if enables and transactional is not None:
        detail = f"{view.label} makes a transactional producer idempotent (transactions require it)"
        return Effective(True, view.synthesised(IDEMPOTENCE, "true", detail, transactional))
    default = view.default(IDEMPOTENCE, parse_bool)
    if default.value is not True:
        return default
    for key in sorted(view.defaults.idempotence_disabled_by):
        conflict = _conflict(view, key)
        if conflict is None:
            continue
        if conflict.value is None:  # an unresolved placeholder may or may not disable it
            detail = f"default of {view.label} (true) unless {key} disables it, and {key} is unknown"
            return Effective(None, view.synthesised(IDEMPOTENCE, None, detail, conflict.origin))
        detail = f"default of {view.label} (true) silently disabled by {key}={(conflict.origin.value or '').strip()}"
        return Effective(False, view.synthesised(IDEMPOTENCE, "false", detail, conflict.origin))
    return default


def in_flight_refused(view: ClientView) -> Effective:
    """Whether the client refuses to start this idempotent producer for its in-flight limit: Java
    kafka-clients and librdkafka above 5, sarama's Net.MaxOpenRequests and franz-go's
    MaxProduceRequestsInflightPerBroker above 1 (knowledge: idempotent_max_in_flight). A limit the
    client sets itself for an idempotent producer (when_idempotent) is one it accepts."""
    limit = view.defaults.idempotent_max_in_flight
    idempotence = effective_idempotence(view)
    if limit is None or idempotence.value is False:
        detail = f"{view.label} does not refuse an in-flight limit" if limit is None else "not idempotent"
        return Effective(False, view.synthesised(IN_FLIGHT, None, detail, idempotence.origin))
    in_flight = view.raw(IN_FLIGHT, parse_int)
    if in_flight is None and IN_FLIGHT in view.defaults.when_idempotent:
        detail = f"{view.label} sets {IN_FLIGHT} itself for an idempotent producer"
        return Effective(False, view.synthesised(IN_FLIGHT, None, detail))
    in_flight = in_flight or view.default(IN_FLIGHT, parse_int)
    refused = None if not isinstance(in_flight.value, int) else in_flight.value > limit
    if refused is not True:
        return Effective(refused, in_flight.origin)
    if idempotence.value is None:  # above the limit: refused only if idempotent, and that is unknown
        return Effective(None, idempotence.origin)
    detail = f"more than {limit} in flight is refused while idempotent"
    origin = in_flight.origin
    return Effective(refused, replace(origin, detail=f"{origin.detail}; {detail}" if origin.detail else detail))


def acks_refused(view: ClientView) -> Effective:
    """Whether the client refuses to start this idempotent producer for its acks (knowledge:
    idempotent_requires_acks_all): Java kafka-clients and librdkafka on explicit idempotence (a
    default idempotence they drop instead, idempotence_disabled_by), aiokafka, sarama's
    Producer.Idempotent without WaitForAll, franz-go's default idempotence with RequiredAcks not
    AllISRAcks. Unknown only when acks is known not all and idempotence is unknown; false when acks
    itself is unknown (what is unknown then is acks, and PRD001 says so)."""
    idempotence = effective_idempotence(view)
    if not view.defaults.idempotent_requires_acks_all or idempotence.value is False:
        detail = "not idempotent" if view.defaults.idempotent_requires_acks_all else f"{view.label} takes any acks"
        return Effective(False, view.synthesised(ACKS, None, detail, idempotence.origin))
    acks = when_idempotent(view, ACKS, parse_acks, idempotence.value)
    if acks.value is None or acks.value == "all":  # acks unknown: PRD001 is unknown through acks itself
        return Effective(False, acks.origin)
    if idempotence.value is None:  # acks not all: refused only if idempotent, and that is unknown
        return Effective(None, idempotence.origin)
    detail = "acks other than all is refused while idempotent"
    origin = acks.origin
    return Effective(True, replace(origin, detail=f"{origin.detail}; {detail}" if origin.detail else detail))


def retries_refused(view: ClientView) -> Effective:
    """Whether the client refuses to start this idempotent producer (explicit, or transactional) for
    its retries=0 (knowledge: idempotent_requires_retries): Java kafka-clients, librdkafka,
    kafka-python 2.2+, sarama's Producer.Retry.Max, kafkajs's retry.retries; a default idempotence
    is dropped instead (idempotence_disabled_by). Only a retries the configuration sets can be 0
    here; unknown when it is 0 and idempotence is unknown."""
    idempotence = effective_idempotence(view)
    if not view.defaults.idempotent_requires_retries or idempotence.value is False:
        detail = "not idempotent" if view.defaults.idempotent_requires_retries else f"{view.label} takes retries=0"
        return Effective(False, view.synthesised(RETRIES, None, detail, idempotence.origin))
    retries = view.raw(RETRIES, parse_int)
    if retries is None or retries.value != 0:  # unset, unknown or above 0: PRD002 judges retries itself
        return Effective(False, (retries or view.default(RETRIES, parse_int)).origin)
    if idempotence.value is None:  # retries=0: refused only if idempotent, and that is unknown
        return Effective(None, idempotence.origin)
    detail = "retries=0 is refused while idempotent"
    origin = retries.origin
    return Effective(True, replace(origin, detail=f"{origin.detail}; {detail}" if origin.detail else detail))


def transactional_refused(view: ClientView) -> Effective:
    """Whether the client refuses to start this transactional producer because its idempotence is off
    (knowledge: transactional_requires_idempotence): set off, with Java kafka-clients ("Cannot set a
    transactional.id without also enabling idempotence"), librdkafka and kafka-python 2.2+, which
    otherwise turn it on; set off or left at its default with sarama (Config.Validate: "Transactional
    producer requires Idempotent to be true"); unknown when the idempotence cannot be read."""
    transactional = view.config.settings.get(TRANSACTIONAL_ID)
    if transactional is None or not view.defaults.transactional_requires_idempotence:
        detail = "not transactional" if transactional is None else f"{view.label} makes it idempotent itself"
        return Effective(False, view.synthesised(TRANSACTIONAL_ID, None, detail))
    explicit = view.raw(IDEMPOTENCE, parse_bool)
    if explicit is None and view.defaults.transactional_id_enables_idempotence:
        return Effective(False, view.synthesised(TRANSACTIONAL_ID, None, "idempotence not set off"))
    explicit = explicit or view.default(IDEMPOTENCE, parse_bool)  # sarama: Producer.Idempotent is off by default
    if explicit.value is not False:
        return Effective(None if explicit.value is None else False, explicit.origin)
    detail = "a transactional.id with idempotence off is refused"
    origin = explicit.origin
    return Effective(True, replace(origin, detail=f"{origin.detail}; {detail}" if origin.detail else detail))


def _conflict(view: ClientView, key: str) -> Effective | None:
    """The set value of key when it conflicts with idempotence (value None: unknown)."""
    if key == ACKS:
        found = view.raw(ACKS, parse_acks)
        return found if found is not None and found.value != "all" else None
    found = view.raw(key, parse_int)
    if found is None:
        return None
    if found.value is None:
        return found
    conflicting = found.value == 0 if key == RETRIES else isinstance(found.value, int) and found.value > 5
    return found if conflicting else None


def when_idempotent(
    view: ClientView, key: str, parse: Callable[[str | None], FactValue], idempotent: FactValue
) -> Effective:
    """A key's effective value once idempotence is on: some libraries force omitted keys."""
    found = view.raw(key, parse)
    if found is not None:
        return found
    forced = view.defaults.when_idempotent.get(key)
    if idempotent is True and forced is not None:
        detail = f"{view.label} sets {key}={forced} for an idempotent producer"
        return Effective(parse(forced), view.synthesised(key, forced, detail))
    return view.default(key, parse)


def effective_auto_commit(view: ClientView) -> Effective:
    explicit = view.raw(AUTO_COMMIT, parse_bool)
    if explicit is not None:
        return explicit
    if view.defaults.auto_commit_forced_false and not view.config.opaque:  # opaque: it may be set unseen
        detail = f"{view.label}: the Spring Kafka listener container sets enable.auto.commit=false unless it is set"
        return Effective(False, view.synthesised(AUTO_COMMIT, "false", detail))
    return view.default(AUTO_COMMIT, parse_bool)


MANUAL_ACK_MODES = frozenset({"MANUAL", "MANUAL_IMMEDIATE"})
LISTENER_ACK = "spring.kafka.listener.acknowledge"  # where a @KafkaListener acknowledges (sources.code)
_ACKNOWLEDGED = {"after-processing": True, "before-processing": False}


def listener_commit(view: ClientView, auto_commit: Effective, ack_mode: Effective) -> Effective | None:
    """A Spring listener container in a MANUAL ack mode commits what the listener acknowledges:
    after processing when it acknowledges last, not when it acknowledges first or on failure;
    unknown when the code that acknowledges is not seen. Auto-commit on commits on poll regardless."""
    if ack_mode.value not in MANUAL_ACK_MODES:
        return None
    if auto_commit.value is True:
        return Effective(False, auto_commit.origin)
    listener = view.config.settings.get(LISTENER_ACK)
    if listener is None:
        detail = f"ack-mode {ack_mode.value}: the listener code commits, and where it acknowledges is not read"
        return Effective(None, view.synthesised(LISTENER_ACK, None, detail, ack_mode.origin))
    acknowledged = _ACKNOWLEDGED.get(listener.value or "")
    if acknowledged is True and auto_commit.value is None:
        return Effective(None, auto_commit.origin)  # acknowledged last, but auto-commit may be on
    return Effective(acknowledged, listener)


def commit_after_processing(view: ClientView) -> Effective | None:
    """librdkafka with enable.auto.offset.store=false: auto-commit commits only what the app stored."""
    if AUTO_OFFSET_STORE not in view.defaults.consumer:
        return None
    store = view.get(AUTO_OFFSET_STORE, parse_bool)
    value = None if store.value is None else store.value is False
    return Effective(value, store.origin)


def client_subject(config: ClientConfig, kind: Kind, effective: Mapping[str, Effective], view: ClientView) -> Subject:
    """A producer or consumer subject: resource named after the file (or compose/CR name)."""
    facts = {name: Fact(e.value, e.origin) for name, e in effective.items()}
    context = {
        "path": config.path,
        "profile": config.profile or "",
        "client": view.label,
        "declared_format": client_format(config),
        "setting_names": client_names(config, Role(kind.value)),
        "within": config.within or "",
        **{f"{name}_source": e.origin.describe_source() for name, e in effective.items()},
    }
    return Subject(
        resource=Resource(kind, config.name or config.path),
        scope=Scope(),  # a client configuration names no topic or group the policy could scope
        facts=facts,
        location=Location(path=config.path, line=config.line, profile=config.profile, snippet=config.snippet),
        context=context,
    )


# Libraries whose code sets a client by its Kafka key (props.put("acks", ...), librdkafka's config
# dict) or by the key as a keyword argument (kafka-python, aiokafka); the others have options of
# their own (sarama's config.Producer.RequiredAcks, franz-go's kgo.RequiredAcks, kafkajs's acks).
KEYED_LIBRARIES = frozenset({"java", "librdkafka", "kafka-python", "aiokafka"})


def client_format(config: ClientConfig) -> str:
    """What a client is written in, for the fixes: code, kubernetes, spring, nested or file."""
    if config.within is not None:  # a map in an application's config, or a .env's variables
        return "nested" if in_a_map(config) else "file"
    if config.from_environment:
        return "kubernetes"
    if config.line is not None and config.library == "spring":
        return "spring-code"
    if config.line is not None:
        return "code" if config.library in KEYED_LIBRARIES else "code-options"
    return "spring" if config.library == "spring" else "file"


def client_context(facts: Mapping[str, str]) -> dict[str, str]:
    """The context names a client rule may use in its templates."""
    return {
        "path": "the configuration file, as given",
        "profile": "the Spring profile ('' for the profile-less configuration)",
        "client": "the client library and version whose defaults apply",
        "declared_format": "what the client is written in: code (a construction in application code), "
        "spring-code (a Spring listener in code, configured by Spring Boot's properties or its container "
        "factory), code-options (a library with options of its own: sarama, franz-go, kafka-go, kafkajs), "
        "kubernetes (Spring properties a container's environment sets), spring (a Spring Boot file), nested "
        "(a map in an application's own YAML/JSON/TOML config), file",
        "within": "where in the file the client's settings are: a nested map's key path (kafka.producer) or a "
        ".env's variable prefix; '' otherwise",
        "setting_names": "how it writes a setting a fix names: a Spring property (typed or pass-through) or its "
        "environment variable, a kafka-python keyword argument, a librdkafka JSON key, else key=value",
        **{f"{name}_source": f"where {name} came from (file and line, or the client default)" for name in facts},
    }
