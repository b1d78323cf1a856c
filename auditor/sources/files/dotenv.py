"""Kafka client settings in a .env file, when their names say which client they configure.

Only an unambiguous naming is read: `KAFKA_PRODUCER_<KEY>` and `KAFKA_CONSUMER_<KEY>` (any prefix
before KAFKA, single or double underscores: `ORDERS_KAFKA_PRODUCER_ACKS`,
`APP__KAFKA__CONSUMER__GROUP_ID`), where KEY spelled with dots is a key of that client
(`ENABLE_IDEMPOTENCE` -> enable.idempotence). A broker image's variables (`KAFKA_MIN_INSYNC_REPLICAS`,
`KAFKA_CFG_*`), compose substitution variables and anything else are not client settings.

The variables do not say which client library reads them, and its defaults decide every key they
leave out: the library is the one the nearest build file beside or above the .env names (requirements.txt,
package.json, go.mod, pom.xml, ... through auditor.sources.buildfiles), or `--client`. When no
build file names exactly one, the settings are a coverage gap saying so, never judged on a
guessed library's defaults.
"""

from __future__ import annotations

import re
from pathlib import Path

from auditor.knowledge import build_names, known_clients
from auditor.model import ClientConfig, CoverageGap, Role
from auditor.sources.buildfiles import find_library, project_boundary
from auditor.sources.files.base import Entry, Found, ReadOptions, settings_of
from auditor.sources.files.clientkeys import CONSUMER_KEYS, PRODUCER_KEYS
from auditor.sources.files.values import Dialect, dotenv_lines

_NAME = re.compile(r"^(?:[A-Z0-9]+_+)*?KAFKA_+(?P<role>PRODUCER|CONSUMER)_+(?P<key>[A-Z0-9][A-Z0-9_]*)$")
_COMMON = frozenset({"bootstrap.servers", "client.id", "security.protocol"})
_ROLE_KEYS = {Role.PRODUCER: PRODUCER_KEYS | _COMMON, Role.CONSUMER: CONSUMER_KEYS | _COMMON}


def client_variables(text: str) -> dict[Role, tuple[str, list[Entry]]]:
    """The .env's client settings by role: the variables' prefix (`ORDERS_KAFKA_PRODUCER_`) and
    the settings keyed by the Java client's names, each at its line."""
    found: dict[Role, tuple[str, list[Entry]]] = {}
    for variable, value, line in dotenv_lines(text):
        match = _NAME.match(variable)
        if match is None:
            continue
        role = Role.PRODUCER if match.group("role") == "PRODUCER" else Role.CONSUMER
        key = re.sub(r"_+", ".", match.group("key")).lower()
        if key in _ROLE_KEYS[role]:
            found.setdefault(role, (variable[: match.start("key")], []))[1].append(Entry(key, value, line))
    return found


def looks_dotenv_clients(text: str) -> bool:
    return bool(client_variables(text))


def read_dotenv_clients(text: str, path: str, options: ReadOptions) -> Found:
    by_role = client_variables(text)
    if not by_role:
        return Found()
    library = options.client or _library_beside(path)
    if library is None:
        names = ", ".join(f"{prefix}*" for prefix, _ in by_role.values())
        reason = (
            f"{names}: Kafka client settings not judged: no build file beside or above the .env names one "
            "client library (their defaults decide what is left out; --client NAME says which)"
        )
        return Found(gaps=(CoverageGap(path, reason),))
    version = options.client_version if options.client else None
    clients = tuple(
        ClientConfig(
            path=path,
            roles=frozenset({role}),
            library=library,
            library_version=version,
            settings=settings_of(entries, path, Dialect.PLAIN),
            name=f"{path}#{prefix}*",
            line=entries[0].line,
            within=prefix,
        )
        for role, (prefix, entries) in by_role.items()
    )
    return Found(clients=clients)


def _library_beside(path: str) -> str | None:
    """The one client library the nearest build file beside or above the file names, else None."""
    folder = Path(path).parent
    if not folder.is_dir():
        return None
    boundary = project_boundary(folder)
    where: dict[str, Path] = {}
    for library in known_clients():
        for name in build_names(library):
            found = find_library(folder, name, boundary) if library != "spring" else None
            if found is not None:
                where[library] = Path(found.path).parent
    if not where:
        return None
    nearest = max(len(p.parts) for p in where.values())
    libraries = [library for library, p in where.items() if len(p.parts) == nearest]
    return libraries[0] if len(libraries) == 1 else None
