"""Fleets: several clusters audited in one run, each its own target, one exit code.

Clusters come from `--cluster NAME=BOOTSTRAP[,...]` (repeatable) or an inventory, the
`clusters:` section of the policy file or a file of its own (`--clusters FILE`):

    clusters:
      - name: prod-eu
        bootstrap: kafka-eu-1:9093,kafka-eu-2:9093
        command-config: eu-client.properties   # relative to the inventory's folder
        services: services-eu.yaml              # that cluster's services manifest (optional)
      - name: prod-us
        bootstrap: kafka-us-1:9092

An entry with `files:` (globs relative to the policy's folder; `*` crosses folders) and no
`bootstrap` declares a cluster for configuration files instead of one to connect to: the brokers
and topics of the files it matches are that cluster (auditor.facts.clusters); with `bootstrap`
too it is both.

    clusters:
      - name: prod
        files: [deploy/prod/*]

Every finding and pass of a cluster names it (`resource.cluster`), so the same topic in two
clusters is two resources with two fingerprints. Clusters are collected at once, at most
MAX_CLUSTERS_AT_ONCE (each collection already keeps a broker's connection busy); a cluster that
cannot be reached is reported (a gap and exit 3) while the others are still audited.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from auditor.errors import ClusterUnreachable, InputError, InvalidSetting, Setting
from auditor.model import DeclaredGrouping, Service
from auditor.sources.connection import ConnectionSettings, load_command_config, parse_bootstrap

T = TypeVar("T")
MAX_CLUSTERS_AT_ONCE = 4
CLUSTER_KEYS = ("name", "bootstrap", "command-config", "services", "files")
# A cluster's name reaches every report and the terminal: letters, digits, '.', '_', '-' only.
CLUSTER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class FleetMember:
    """One cluster of a fleet: its name in reports, how to reach it, the services it runs."""

    name: str
    bootstrap: tuple[str, ...]
    client: Mapping[str, Any] = field(default_factory=dict)  # from its command-config
    services: tuple[Service, ...] = ()
    command_config: str | None = None  # the file `client` was read from

    def settings(self, timeout_s: float) -> ConnectionSettings:
        return ConnectionSettings(self.bootstrap, timeout_s, self.client, self.command_config)


def check_name(name: str, where: str) -> str:
    if not CLUSTER_NAME.match(name):
        raise InputError(f"{where}: {_bad_name(name)}")
    return name


def _bad_name(name: str) -> str:
    return f"cluster name {name!r} must be letters, digits, '.', '_' or '-' (at most 64)"


def parse_cluster_option(value: str, client: Mapping[str, Any], command_config: Path | None = None) -> FleetMember:
    """`NAME=HOST:PORT[,HOST:PORT...]`; the run's --command-config applies to every --cluster."""
    name, sep, bootstrap = value.partition("=")
    if not sep:
        raise InvalidSetting(Setting.FLEET_CLUSTER, "expected NAME=HOST:PORT[,HOST:PORT...]", value=value)
    if not CLUSTER_NAME.match(name.strip()):
        raise InvalidSetting(Setting.FLEET_CLUSTER, _bad_name(name.strip()))
    config = str(command_config) if command_config is not None else None
    return FleetMember(name.strip(), parse_bootstrap(bootstrap), client, command_config=config)


def unique(members: Sequence[FleetMember], where: str) -> tuple[FleetMember, ...]:
    names = [m.name for m in members]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate is not None:
        raise InputError(f"{where}: cluster {duplicate!r} is given twice")
    return tuple(members)


def pick(listed: Sequence[FleetMember], names: Sequence[str]) -> tuple[FleetMember, ...]:
    """The inventory's clusters named by `--cluster NAME`, in the order given."""
    by_name = {member.name: member for member in listed}
    for name in names:
        if not by_name:
            raise InvalidSetting(
                Setting.FLEET_CLUSTER,
                "expected NAME=HOST:PORT[,HOST:PORT...] or the name of a cluster in",
                value=name,
                see=Setting.INVENTORY,
            )
        if name not in by_name:
            known = ", ".join(by_name)
            raise InvalidSetting(Setting.FLEET_CLUSTER, f"not in the inventory (known: {known})", value=name)
    return tuple(by_name[name] for name in names)


def parse_inventory(items: Any, where: str, folder: Path) -> tuple[FleetMember, ...]:
    """The `clusters:` list of an inventory or policy file. InputError (exit 2) naming file and line.
    Entries that only declare files (no bootstrap) are not clusters to connect to."""
    if not isinstance(items, list) or not items:
        raise InputError(f"{where}: 'clusters' must be a non-empty list of {{name, bootstrap}}")
    parse_groupings(items, where, folder)  # every entry checked, whichever kind it is
    return unique([_member(item, where, folder) for item in items if not _files_only(item)], where)


def parse_groupings(items: Any, where: str, folder: Path) -> tuple[DeclaredGrouping, ...]:
    """The entries of `clusters:` with `files:`: the clusters the policy declares for files."""
    from auditor.yamlread import Located

    if not isinstance(items, list) or not items:
        raise InputError(f"{where}: 'clusters' must be a non-empty list of {{name, bootstrap}}")
    groupings = []
    for item in items:
        if not isinstance(item, Located) or "files" not in item:
            continue
        patterns = item["files"]
        if isinstance(patterns, str):
            patterns = [patterns]
        if (
            not isinstance(patterns, list)
            or not patterns
            or not all(isinstance(p, str) and p.strip() for p in patterns)
        ):
            raise InputError(f"{item.where('files')}: 'files' must be a glob or a list of globs (relative to {folder})")
        if not isinstance(item.get("name"), str) or not item["name"].strip():
            raise InputError(f"{item.where()}: cluster needs 'name' (a string)")
        name = check_name(item["name"].strip(), item.where())
        groupings.append(DeclaredGrouping(name, tuple(p.strip() for p in patterns), str(folder), item.where("files")))
    names = [g.name for g in groupings]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate is not None:
        raise InputError(f"{where}: cluster {duplicate!r} is given twice")
    return tuple(groupings)


def _files_only(item: Any) -> bool:
    return isinstance(item, Mapping) and "files" in item and "bootstrap" not in item


def load_inventory(path: Path) -> tuple[FleetMember, ...]:
    """`--clusters FILE`: a file whose `clusters:` section lists the fleet."""
    from auditor.yamlread import Located, load_located

    document = load_located(path)
    if not isinstance(document, Located) or "clusters" not in document:
        raise InputError(f"{path}: an inventory needs a 'clusters:' section")
    return parse_inventory(document["clusters"], document.where("clusters"), path.parent)


def _member(item: Any, where: str, folder: Path) -> FleetMember:
    from auditor.yamlread import Located

    if not isinstance(item, Located):
        raise InputError(f"{where}: each cluster must be a mapping with name and bootstrap")
    at = item.where()
    unknown = sorted(set(item) - set(CLUSTER_KEYS))
    if unknown:
        raise InputError(f"{at}: unknown cluster key {unknown[0]!r} (known: {', '.join(CLUSTER_KEYS)})")
    for key in ("name", "bootstrap"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise InputError(f"{at}: cluster needs '{key}' (a string)")
    config = _relative(item, "command-config", folder)
    client = load_command_config(config) if config is not None else {}
    services_file = _relative(item, "services", folder)
    services = _services(services_file) if services_file is not None else ()
    try:
        bootstrap = parse_bootstrap(item["bootstrap"])
    except InvalidSetting as exc:  # the bootstrap of a file's cluster, not the command line's
        raise InputError(exc.worded(f"{item.where('bootstrap')}: bootstrap", None)) from exc
    name = check_name(item["name"].strip(), at)
    return FleetMember(name, bootstrap, client, services, str(config) if config is not None else None)


def _relative(item: Any, key: str, folder: Path) -> Path | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{item.where(key)}: '{key}' must be a file path")
    return folder / value


def _services(path: Path) -> tuple[Service, ...]:
    from auditor.sources.services import load_services_file

    return load_services_file(path)


def audit_members(
    members: Sequence[FleetMember],
    audit_one: Callable[[FleetMember], T],
    on_unreachable: Callable[[FleetMember, ClusterUnreachable], T],
) -> list[T]:
    """`audit_one(member)` for every member, at most MAX_CLUSTERS_AT_ONCE at a time, in member order;
    a member whose cluster cannot be reached gives `on_unreachable(member, error)` instead."""

    def guarded(member: FleetMember) -> T:
        try:
            return audit_one(member)
        except ClusterUnreachable as exc:
            return on_unreachable(member, exc)

    with ThreadPoolExecutor(max_workers=min(MAX_CLUSTERS_AT_ONCE, len(members)) or 1) as pool:
        return list(pool.map(guarded, members))
