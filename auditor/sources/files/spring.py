"""Spring Boot application*.yml|yaml|properties: spring.kafka.* with Spring's binding rules.

- Typed keys (spring.kafka.producer.acks, ...consumer.enable-auto-commit, listener.ack-mode)
  bind relaxedly: kebab-case, camelCase and underscores are the same name.
- Pass-through maps (spring.kafka.properties.*, spring.kafka.producer|consumer.properties.*)
  reach Kafka verbatim: a kebab-case key there is not a Kafka property and has no effect.
- Precedence per role: spring.kafka.properties < typed keys < role properties; within each,
  a later document wins.
- Documents activated by a profile (spring.config.activate.on-profile, legacy spring.profiles)
  are judged layered over the profile-less ones; spring.profiles.active in the file decides
  what the profile-less run includes.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from auditor.knowledge.spring import TYPED as SPRING_TYPED
from auditor.model import ClientConfig, Configs, Role, StreamsApp
from auditor.sources.files.base import Entry, FileText, Found, ReadOptions, read_text, settings_of
from auditor.sources.files.clientkeys import CONSUMER_KEYS, PRODUCER_KEYS
from auditor.sources.files.components import streams_app
from auditor.sources.files.keyvalue import entries_of
from auditor.sources.files.values import Dialect, ParseError
from auditor.sources.files.yamltree import Value, YList, YMap, load_documents

ACK_MODE_KEY = "spring.kafka.listener.ack-mode"
MAX_ENTRIES = 200_000

# Spring's typed names as relaxed binding compares them (without separators: enableautocommit).
TYPED: dict[Role, dict[str, str]] = {
    role: {name.replace("-", ""): key for name, key in names.items()} for role, names in SPRING_TYPED.items()
}
ROLE_KEYS = {Role.PRODUCER: PRODUCER_KEYS, Role.CONSUMER: CONSUMER_KEYS}
_BOOLEANS = {"true": "true", "on": "true", "yes": "true", "1": "true", "false": "false", "off": "false", "no": "false"}
_BOOLEAN_KEYS = {"enable.auto.commit"}
_ENUM_KEYS = {"isolation.level"}


@dataclass
class Document:
    """One document: its activation (None: always) and its Kafka entries by class."""

    activation: list[str] | None = None
    active_profiles: list[str] = field(default_factory=list)
    shared: list[Entry] = field(default_factory=list)
    typed: dict[Role, list[Entry]] = field(default_factory=lambda: {role: [] for role in Role})
    passthrough: dict[Role, list[Entry]] = field(default_factory=lambda: {role: [] for role in Role})
    template: bool = False  # spring.kafka.template.*: the app sends through a KafkaTemplate
    streams: list[Entry] = field(default_factory=list)  # spring.kafka.streams.*, as StreamsConfig keys


# --- reading documents


def read_spring(text: str, path: str, options: ReadOptions, file_name: str | None = None) -> Found:
    documents = spring_documents(text, path, file_name)
    library, version = options.library("spring")
    own = self_activated(documents)
    clients: list[ClientConfig] = []
    for role in Role:
        base: ClientConfig | None = None
        for profile, docs in runs(documents):
            config = role_config(docs, role, path, library, version)
            if profile is None:
                base = config
            elif config is None or (base is not None and config.settings == base.settings):
                continue  # this profile changes nothing for this role: the base findings cover it
            if config is not None:
                clients.append(replace(config, profile=profile or own))
    return Found(clients=tuple(clients), streams=_streams_runs(documents, path))


def _streams_runs(documents: list[Document], path: str) -> tuple[StreamsApp, ...]:
    apps: list[StreamsApp] = []
    base: StreamsApp | None = None
    for profile, docs in runs(documents):
        app = streams_config(docs, path, profile)
        if profile is None:
            base = app
        elif app is None or (base is not None and app.settings == base.settings):
            continue
        if app is not None:
            apps.append(app)
    return tuple(apps)


def self_activated(documents: list[Document]) -> str | None:
    """The profiles the file activates itself (spring.profiles.active in an always-on document):
    the label of its profile-less run, 'local' for a file that runs as local."""
    names: list[str] = []
    for doc in documents:
        if doc.activation is None:
            names += [p for p in doc.active_profiles if p not in names]
    return ",".join(names) or None


def spring_documents(text: str, path: str, file_name: str | None = None) -> list[Document]:
    """The documents of a Spring file at `path`; `file_name` (a ConfigMap key holding the file)
    decides whether it is .properties or YAML when the path is not the file's own."""
    try:
        if (file_name or path).endswith(".properties"):
            chunks = list(properties_documents(text))
        else:
            chunks = [yaml_entries(doc) for doc in load_documents(text) if doc is not None]
    except ParseError as exc:
        raise ParseError(exc.problem, exc.line, path) from exc
    return [document(replace(e, path=path) for e in chunk) for chunk in chunks]


PROFILE_FILE = re.compile(r"^(?:application|bootstrap)-(.+)\.(?:ya?ml|properties)$", re.I)


def file_profile(path: str) -> str | None:
    """'config/application-prod.yml' -> 'prod'; None for a profile-less file."""
    match = PROFILE_FILE.match(path.replace("\\", "/").rsplit("/", 1)[-1])
    return match.group(1) if match else None


def read_spring_files(folder: Path, files: Sequence[FileText], options: ReadOptions) -> Found:
    """The chosen Spring files of one folder; a profile file also layers over an unchosen application.* beside it."""
    chosen_paths = {file.path.resolve() for file in files}
    bases: list[tuple[str, str]] = []
    if any(file_profile(file.display) for file in files):
        for path in sorted(folder.glob("application.*")):
            if path.suffix in (".yml", ".yaml", ".properties") and path.resolve() not in chosen_paths:
                bases.append((str(path), read_text(path, str(path)) or ""))
    return read_spring_folder([(file.display, file.text) for file in files], bases, options)


def read_spring_folder(
    chosen: list[tuple[str, str]], other_bases: list[tuple[str, str]], options: ReadOptions
) -> Found:
    """The Spring files of one folder: application-<profile>.* is judged layered over application.*.

    `chosen` are the files audited (path, text); `other_bases` the profile-less files of the same
    folder that were not chosen but still underlie a chosen profile file.
    """
    bases = sorted(
        [(p, t) for p, t in [*chosen, *other_bases] if file_profile(p) is None],
        key=lambda pt: pt[0].endswith(".properties"),  # .properties wins over .yml in one location
    )
    base_documents = [d for p, t in bases for d in spring_documents(t, p)]
    chosen_bases = {p for p, _ in chosen if file_profile(p) is None}
    found = Found()
    for path, text in chosen:
        profile = file_profile(path)
        if profile is None:
            found += read_spring(text, path, options)
            continue
        documents = [*base_documents, *(_activated(d, profile) for d in spring_documents(text, path))]
        found += _profile_file(documents, profile, path, options, base_chosen=bool(chosen_bases))
    return found


def _activated(document: Document, profile: str) -> Document:
    return document if document.activation is not None else replace(document, activation=[profile])


def _profile_file(documents: list[Document], profile: str, path: str, options: ReadOptions, base_chosen: bool) -> Found:
    library, version = options.library("spring")
    active = [d for d in documents if d.activation is None or _active(d.activation, {profile})]
    base = [d for d in documents if d.activation is None]
    clients: list[ClientConfig] = []
    for role in Role:
        config = role_config(active, role, path, library, version)
        unchanged = base_chosen and config is not None and config == role_config(base, role, path, library, version)
        if config is not None and not unchanged:  # unchanged: the base file's findings cover it
            clients.append(replace(config, profile=profile))
    app = streams_config(active, path, profile)
    base_app = streams_config(base, path, None)
    same = base_chosen and app is not None and base_app is not None and app.settings == base_app.settings
    return Found(clients=tuple(clients), streams=(app,) if app is not None and not same else ())


def properties_documents(text: str) -> Iterator[list[Entry]]:
    """Spring's multi-document .properties: '#---' or '!---' lines separate documents."""
    lines = text.splitlines()
    start = 0
    for index, line in enumerate([*lines, "#---"]):
        if line.strip() in ("#---", "!---"):
            chunk = "\n".join(lines[start:index])
            try:
                entries = entries_of(chunk)
            except ParseError as exc:
                raise ParseError(exc.problem, (exc.line or 0) + start) from exc
            yield [Entry(e.key, e.value, (e.line or 0) + start) for e in entries]
            start = index + 1


def yaml_entries(value: Value) -> list[Entry]:
    out: list[Entry] = []
    if isinstance(value, YMap):
        _flatten(value, "", None, out)
    return out


def _flatten(value: Value, prefix: str, line: int | None, out: list[Entry]) -> None:
    if len(out) > MAX_ENTRIES:
        raise ParseError(f"more than {MAX_ENTRIES} settings")
    if isinstance(value, YMap):
        for key, item in value.items():
            joined = f"{prefix}{key}" if key.startswith("[") or not prefix else f"{prefix}.{key}"
            _flatten(item, joined, value.line(key), out)
    elif isinstance(value, YList):
        for index, (item, item_line) in enumerate(zip(value, value.lines, strict=True)):
            _flatten(item, f"{prefix}[{index}]", item_line, out)
    elif prefix:
        out.append(Entry(prefix, value, line))


# --- Spring's names


def split_name(name: str) -> list[str]:
    """'spring.kafka.properties[a.b].c' -> ['spring', 'kafka', 'properties', '[a.b]', 'c']."""
    return [p for p in re.findall(r"\[[^\]]*\]|[^.\[]+", name) if p]


def canonical(part: str) -> str:
    return part if part.startswith("[") else part.lower().replace("-", "").replace("_", "")


def map_key(parts: list[str]) -> str:
    """A pass-through map key, verbatim: brackets removed, nothing else changed."""
    return ".".join(p[1:-1] if p.startswith("[") else p for p in parts)


def document(entries: Iterable[Entry]) -> Document:
    doc = Document()
    for entry in entries:
        parts = split_name(entry.key)
        names = [canonical(p) for p in parts]
        if names[:4] in (["spring", "config", "activate", "onprofile"],) or (
            names[:2] == ["spring", "profiles"] and (len(names) == 2 or names[2].startswith("["))
        ):
            doc.activation = (doc.activation or []) + _expressions(entry)
        elif names[:3] == ["spring", "profiles", "active"]:
            doc.active_profiles += _profile_list(entry.value)
        elif names[:2] == ["spring", "kafka"]:
            _classify(doc, entry, parts[2:], names[2:])
    return doc


def _expressions(entry: Entry) -> list[str]:
    """The profile expressions of an activation key, each checked as Spring parses it."""
    expressions = _profile_list(entry.value)
    for expression in expressions:
        try:
            profile_expression(expression)
        except ParseError as exc:
            raise ParseError(exc.problem, entry.line, entry.path) from exc
    return expressions


def _profile_list(raw: str | None) -> list[str]:
    return [p.strip() for p in (raw or "").split(",") if p.strip()]


def _role(section: str) -> Role | None:
    """spring.kafka.producer.* and spring.kafka.consumer.* configure one role each."""
    return Role(section) if section in TYPED else None


def _classify(doc: Document, entry: Entry, parts: list[str], names: list[str]) -> None:
    if not names:
        return
    if names[0] == "properties" and len(parts) > 1:
        doc.shared.append(replace(entry, key=map_key(parts[1:])))
    elif (role := _role(names[0])) and len(names) > 2 and names[1] == "properties":
        doc.passthrough[role].append(replace(entry, key=map_key(parts[2:])))
    elif role and len(names) == 2 and names[1] in TYPED[role]:
        doc.typed[role].append(replace(entry, key=TYPED[role][names[1]]))
    elif names[0] == "template":
        doc.template = True
        if names[1:] == ["transactionidprefix"]:  # overrides spring.kafka.producer.transaction-id-prefix
            doc.typed[Role.PRODUCER].append(replace(entry, key="transactional.id"))
    elif names[:2] == ["listener", "ackmode"] and len(names) == 2:
        doc.typed[Role.CONSUMER].append(replace(entry, key=ACK_MODE_KEY))
    elif names == ["bootstrapservers"]:
        doc.shared.append(replace(entry, key="bootstrap.servers"))
    elif names[0] == "streams" and (key := _streams_key(parts[1:], names[1:])):
        doc.streams.append(replace(entry, key=key))


FORMAT = "spring"
STREAMS_TYPED = {"applicationid": "application.id", "replicationfactor": "replication.factor"}


def _streams_key(parts: list[str], names: list[str]) -> str | None:
    """spring.kafka.streams.application-id / replication-factor / properties.<StreamsConfig key>."""
    if len(names) == 1:
        return STREAMS_TYPED.get(names[0])
    return map_key(parts[1:]) if names[0] == "properties" else None


def streams_config(docs: list[Document], path: str, profile: str | None) -> StreamsApp | None:
    """The Kafka Streams application the documents configure (spring.kafka.properties.* apply too)."""
    entries = [e for d in docs for e in d.streams]
    if not entries:
        return None
    shared = [e for d in docs for e in d.shared]
    app = streams_app(path, FORMAT, settings_of([*shared, *entries], path, Dialect.SPRING))
    return replace(app, name=f"{app.name} (profile {profile})") if profile else app


# --- profiles and layering


def runs(documents: list[Document]) -> Iterator[tuple[str | None, list[Document]]]:
    """(profile, active documents): the profile-less run, then each set of profiles that activates
    a document ('prod & eu' is judged with prod and eu active, named 'prod,eu')."""
    active = {p for d in documents if d.activation is None for p in d.active_profiles}
    base = [d for d in documents if d.activation is None or _active(d.activation, active)]
    yield None, base
    for profiles in _profile_sets(documents):
        chosen = set(profiles)
        if chosen <= active:
            continue  # the profile-less run already has them active
        yield ",".join(profiles), [d for d in documents if d.activation is None or _active(d.activation, chosen)]


def _profile_sets(documents: list[Document]) -> list[tuple[str, ...]]:
    """The smallest sets of profiles that activate each document, in order of appearance."""
    found: list[tuple[str, ...]] = []
    for doc in documents:
        for expression in doc.activation or []:
            for profiles in profile_expression(expression).minimal_sets():
                if profiles and profiles not in found:
                    found.append(profiles)
    return found


def _active(activation: list[str], profiles: set[str]) -> bool:
    """A list of profile expressions matches when any of them does."""
    return any(profile_expression(expression).matches(profiles) for expression in activation)


MAX_EXPRESSION_PROFILES = 12
_PROFILE_TOKEN = re.compile(r"\s*([()&|!]|[^\s()&|!]+)")


Match = Callable[[set[str]], bool]


@dataclass(frozen=True)
class ProfileExpression:
    """A parsed Spring profile expression (org.springframework.core.env.Profiles.of)."""

    text: str
    names: tuple[str, ...]  # the profiles it names, in order of appearance
    matches: Match

    def minimal_sets(self) -> list[tuple[str, ...]]:
        """Every smallest set of its profiles that makes it true ('!prod' gives the empty set)."""
        satisfying: list[frozenset[str]] = []
        for size in range(len(self.names) + 1):
            for combination in itertools.combinations(self.names, size):
                chosen = frozenset(combination)
                if not any(s <= chosen for s in satisfying) and self.matches(set(chosen)):
                    satisfying.append(chosen)
        return [tuple(n for n in self.names if n in s) for s in satisfying]


@functools.lru_cache(maxsize=1024)
def profile_expression(text: str) -> ProfileExpression:
    """Spring's grammar: names, '!', '&', '|' and parentheses; '&' and '|' mixed at one level
    without parentheses is malformed (Spring refuses to start). ParseError when malformed."""
    tokens = [m.group(1) for m in _PROFILE_TOKEN.finditer(text)]
    if not tokens:
        raise ParseError(f"empty profile expression {text!r}")
    match, end = _profiles_of(tokens, 0, text)
    if end != len(tokens):
        raise ParseError(f"malformed profile expression {text!r}: unexpected {tokens[end]!r}")
    names = tuple(dict.fromkeys(t for t in tokens if t not in _OPERATORS))
    if len(names) > MAX_EXPRESSION_PROFILES:
        raise ParseError(f"profile expression {text!r} names more than {MAX_EXPRESSION_PROFILES} profiles")
    return ProfileExpression(text, names, match)


_OPERATORS = ("(", ")", "&", "|", "!")


def _profiles_of(tokens: list[str], index: int, text: str) -> tuple[Match, int]:
    """operand (('&' operand)* | ('|' operand)*): one operator kind per level."""
    operand, index = _profile_operand(tokens, index, text)
    operands = [operand]
    operator: str | None = None
    while index < len(tokens) and tokens[index] in ("&", "|"):
        if operator not in (None, tokens[index]):
            raise ParseError(f"malformed profile expression {text!r}: mix '&' and '|' only inside parentheses")
        operator = tokens[index]
        operand, index = _profile_operand(tokens, index + 1, text)
        operands.append(operand)
    combine = all if operator == "&" else any
    return (lambda profiles: combine(m(profiles) for m in operands)), index


def _profile_operand(tokens: list[str], index: int, text: str) -> tuple[Match, int]:
    """A name, '!' operand, or '(' expression ')'."""
    token = tokens[index] if index < len(tokens) else None
    if token == "!":
        negated, index = _profile_operand(tokens, index + 1, text)
        return (lambda profiles: not negated(profiles)), index
    if token == "(":
        inner, index = _profiles_of(tokens, index + 1, text)
        if index >= len(tokens) or tokens[index] != ")":
            raise ParseError(f"malformed profile expression {text!r}: '(' without ')'")
        return inner, index + 1
    if token is None or token in _OPERATORS:
        raise ParseError(f"malformed profile expression {text!r}: a profile name expected")
    return (lambda profiles: token in profiles), index + 1


def role_config(docs: list[Document], role: Role, path: str, library: str, version: str | None) -> ClientConfig | None:
    shared = [e for d in docs for e in d.shared]
    typed = [e for d in docs for e in d.typed[role]]
    passthrough = [e for d in docs for e in d.passthrough[role]]
    sends = role is Role.PRODUCER and any(d.template for d in docs)
    if not (typed or passthrough or sends or any(e.key in ROLE_KEYS[role] for e in shared)):
        return None
    settings = _converted(settings_of([*shared, *typed, *passthrough], path, Dialect.SPRING), typed)
    return ClientConfig(
        path=path, roles=frozenset({role}), library=library, library_version=version, settings=settings, name=path
    )


def _converted(settings: Configs, typed: list[Entry]) -> Configs:
    """Typed booleans and enums as Spring converts them, when the typed key is the effective one."""
    out = dict(settings)
    for key, value in settings.items():
        if value.value is None or not any(e.key == key and e.line == value.line for e in typed):
            continue
        if key in _BOOLEAN_KEYS:
            out[key] = replace(value, value=_BOOLEANS.get(value.value.strip().lower(), value.value))
        elif key in _ENUM_KEYS:
            out[key] = replace(value, value=value.value.strip().lower().replace("-", "_"))
    return out


def looks_spring(documents: list[Value]) -> bool:
    return any(
        split_name(e.key)[:2] and [canonical(p) for p in split_name(e.key)[:2]] == ["spring", "kafka"]
        for doc in documents
        for e in yaml_entries(doc)
    )
