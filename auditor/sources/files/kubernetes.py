"""Kubernetes manifests: Spring Boot clients configured by a workload's environment, and ConfigMaps.

Every manifest of the audit is read together, so a workload finds the ConfigMaps it names in any
of them (matched by name, and by namespace where both say one):
- Deployment, StatefulSet, DaemonSet, Job and CronJob containers: `env`, `envFrom` (ConfigMaps,
  with their `prefix`) and `valueFrom.configMapKeyRef` setting Spring Boot properties by relaxed
  binding: SPRING_KAFKA_PRODUCER_ACKS, SPRING_KAFKA_CONSUMER_ENABLE_AUTO_COMMIT (or
  ...ENABLEAUTOCOMMIT), SPRING_KAFKA_PRODUCER_PROPERTIES_ENABLE_IDEMPOTENCE (map keys: '_' is
  '.'), SPRING_KAFKA_LISTENER_ACK_MODE, SPRING_PROFILES_ACTIVE. Layered in Spring's order, the
  last wins: the repository's own application*.yml/properties (when they are in the audit: the
  Spring files of the Maven/Gradle project the manifest lies in), then the application files of
  the ConfigMaps the container mounts, then the environment (envFrom in order, then `env`).
  One client per container and role, named `<Kind>/<name>/<container>`; each setting keeps the
  file and line it came from.
- An envFrom source whose variables cannot be read (a ConfigMap not in the audit, or in several
  of its files; any Secret) may set any SPRING_KAFKA_* variable: what it could override (every
  setting not set by a later source) is unknown, naming it, and so is what nobody sets (the
  client is opaque), never a default. A `valueFrom` that does not resolve is unknown, and says so.
  Likewise a ConfigMap volume not readable in the audit, mounted where Spring Boot reads files
  (an application*.yml/properties by subPath or items, a `config/` folder, or a folder named by
  SPRING_CONFIG_LOCATION / _ADDITIONAL_LOCATION / _IMPORT): it may set any spring.kafka.*
  property, under the environment (every variable is set over it).
- ConfigMaps that no workload mounts, whose data holds an application*.yml|yaml|properties, a
  client .properties or a librdkafka JSON, are read as that file, at the manifest's lines,
  named `ConfigMap/<name>/<key>`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from auditor.model import ClientConfig, CoverageGap, Role
from auditor.sources.files.base import Entry, FileText, Found, ReadOptions
from auditor.sources.files.spring import (
    Document,
    document,
    file_profile,
    read_spring,
    role_config,
    runs,
    spring_documents,
)
from auditor.sources.files.values import ParseError
from auditor.sources.files.yamltree import Value, YList, YMap, load_documents

WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"})
SPRING_FILE = re.compile(r"^(?:application|bootstrap)(?:-[^.]+)?\.(?:ya?ml|properties)$")
# What marks the root of the JVM project a Spring application's files belong to.
PROJECT_FILES = ("pom.xml", "build.gradle", "build.gradle.kts")
# Environment variables that point Spring Boot at more configuration files
SPRING_CONFIG_VARIABLES = frozenset(
    {"SPRING_CONFIG_LOCATION", "SPRING_CONFIG_ADDITIONAL_LOCATION", "SPRING_CONFIG_IMPORT"}
)


def looks_kubernetes(documents: list[Value]) -> bool:
    return any(
        isinstance(d, YMap) and "apiVersion" in d and d.get("kind") in (*WORKLOADS, "ConfigMap") for d in documents
    )


@dataclass(frozen=True)
class Manifest:
    """One document of a manifest file, with the file it is in."""

    path: str
    document: YMap
    where: Path | None = None  # the file on disk, for finding the project it belongs to

    @property
    def kind(self) -> Value:
        return self.document.get("kind")

    @property
    def name(self) -> str:
        metadata = self.document.get("metadata")
        return str(metadata.get("name")) if isinstance(metadata, YMap) and metadata.get("name") else "?"

    @property
    def namespace(self) -> str | None:
        namespace = _path(self.document, "metadata", "namespace")
        return str(namespace) if namespace else None

    @property
    def qualified_name(self) -> str:
        """namespace/name as kubectl names an object (two Deployments `orders` in two namespaces are two
        resources); the name alone when the manifest says no namespace."""
        return f"{self.namespace}/{self.name}" if self.namespace else self.name


class ConfigMaps:
    """The ConfigMaps of every manifest of the audit, by name."""

    def __init__(self, manifests: list[Manifest]) -> None:
        self.by_name: dict[str, list[Manifest]] = {}
        for manifest in manifests:
            if manifest.kind == "ConfigMap":
                self.by_name.setdefault(manifest.name, []).append(manifest)

    def find(self, name: str, namespace: str | None) -> Manifest | str:
        """The ConfigMap a workload of `namespace` names, or why it cannot be told."""
        candidates = [
            c for c in self.by_name.get(name, []) if None in (namespace, c.namespace) or c.namespace == namespace
        ]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            return f"ConfigMap {name} is not in the audit"
        files = ", ".join(sorted({c.path for c in candidates}))
        return f"ConfigMap {name} is defined more than once in the audit ({files})"

    def all(self) -> list[Manifest]:
        return [m for found in self.by_name.values() for m in found]


def read_kubernetes(text: str, path: str, options: ReadOptions) -> Found:
    """One manifest file on its own."""
    return read_manifests([FileText(Path(path), path, text)], (), options)


def read_kubernetes_files(
    files: Sequence[FileText], context: Mapping[str, Sequence[FileText]], options: ReadOptions
) -> Found:
    """Every manifest of the audit together, over the audit's Spring files (`context['spring']`)."""
    return read_manifests(files, context.get("spring", ()), options)


def read_manifests(files: Sequence[FileText], spring_files: Sequence[FileText], options: ReadOptions) -> Found:
    manifests = [m for file in files for m in _manifests(file)]
    config_maps = ConfigMaps(manifests)
    applications = _Applications(spring_files)
    mounted: set[int] = set()
    found = Found()
    for manifest in manifests:
        if manifest.kind in WORKLOADS:
            for container, volumes in _containers(manifest.document):
                workload = _Workload(manifest, container, volumes, config_maps)
                found += workload.clients(applications, options)
                mounted |= workload.used
    for config_map in config_maps.all():
        if id(config_map.document) not in mounted:
            found += _config_map_files(config_map, options)
    return found


def _manifests(file: FileText) -> list[Manifest]:
    try:
        documents = load_documents(file.text)
    except ParseError as exc:
        raise ParseError(exc.problem, exc.line, file.display) from exc
    return [Manifest(file.display, d, file.path) for d in documents if isinstance(d, YMap)]


def _containers(manifest: YMap) -> list[tuple[YMap, YList]]:
    """(container, pod volumes) of a workload: spec.template.spec, or a CronJob's jobTemplate."""
    spec = _path(manifest, "spec")
    if manifest.get("kind") == "CronJob":
        spec = _path(spec, "jobTemplate", "spec")
    pod = _path(spec, "template", "spec")
    volumes = pod.get("volumes") if isinstance(pod, YMap) else None
    containers = pod.get("containers") if isinstance(pod, YMap) else None
    return [
        (c, volumes if isinstance(volumes, YList) else YList())
        for c in (containers if isinstance(containers, YList) else [])
        if isinstance(c, YMap)
    ]


def _path(value: Value, *keys: str) -> Value:
    for key in keys:
        value = value.get(key) if isinstance(value, YMap) else None
    return value


# --- the repository's own Spring application files


class _Applications:
    """The audit's Spring application files, by the folder that holds them and the project it is in."""

    def __init__(self, files: Sequence[FileText]) -> None:
        self.folders: dict[Path, list[FileText]] = {}
        for file in files:
            if "test" not in file.path.parts:  # src/test/resources configures the tests, not the deployment
                self.folders.setdefault(file.path.resolve().parent, []).append(file)

    def of(self, manifest: Manifest) -> tuple[list[Document], str | None]:
        """The documents of the one Spring application of the project the manifest lies in (base
        files, then profile files); or why none is layered (several could be it)."""
        if manifest.where is None:
            return [], None
        place = manifest.where.resolve()
        candidates = [folder for folder in self.folders if _project_contains(folder, place)]
        if len(candidates) > 1:
            shown = ", ".join(sorted(self.folders[f][0].display.rsplit("/", 1)[0] for f in candidates))
            return [], f"several Spring applications of the audit could be this container's ({shown})"
        return (self._documents(self.folders[candidates[0]]), None) if candidates else ([], None)

    @staticmethod
    def _documents(files: list[FileText]) -> list[Document]:
        ordered = sorted(files, key=lambda f: (file_profile(f.display) is not None, f.display.endswith(".properties")))
        documents: list[Document] = []
        for file in ordered:
            try:
                read = spring_documents(file.text, file.display)
            except ParseError:
                continue  # the Spring reader reports the file as a gap
            profile = file_profile(file.display)
            documents += [d if profile is None or d.activation else replace(d, activation=[profile]) for d in read]
        return documents


def _project_contains(folder: Path, place: Path) -> bool:
    """Whether `place` lies in the Maven/Gradle project whose files `folder` holds."""
    for root in (folder, *folder.parents):
        if any((root / name).is_file() for name in PROJECT_FILES):
            return place.is_relative_to(root)
    return False


# --- one container


@dataclass
class _Environment:
    entries: list[Entry] = field(default_factory=list)  # in Spring's order: the last of a key wins
    hidden: str | None = None  # the envFrom sources whose variables cannot be read
    unread_files: str | None = None  # mounted ConfigMaps Spring reads files from, not in the audit
    hidden_at: int | None = None
    readable_from: int = 0  # entries from here on are set after (over) the hidden source


class _Workload:
    def __init__(self, manifest: Manifest, container: YMap, volumes: YList, config_maps: ConfigMaps) -> None:
        self.manifest = manifest
        self.container = container
        self.volumes = volumes
        self.config_maps = config_maps
        self.used: set[int] = set()  # the ConfigMaps it mounts or takes its environment from
        self.resource = f"{manifest.kind}/{manifest.qualified_name}/{container.get('name') or '?'}"

    def clients(self, applications: _Applications, options: ReadOptions) -> Found:
        """The Spring clients the container runs: the application's files, mounted ones, then its environment."""
        mounted, unread = self._mounted()
        environment = self._environment()
        if unread:  # read before the environment: every variable of it is set over them
            environment.unread_files = "; ".join(why for why, _ in unread)
            environment.hidden_at = environment.hidden_at or unread[-1][1]
        if not ([e for e in environment.entries if e.key] or mounted or environment.hidden or unread):
            return Found()  # nothing of Spring's in its environment: the application's files speak for it
        application, ambiguous = applications.of(self.manifest)
        gaps = (
            (CoverageGap(self.resource, f"{ambiguous}: its environment is judged without them"),) if ambiguous else ()
        )
        documents = [*application, *mounted, document(environment.entries)]
        library, version = options.library("spring")
        clients: list[ClientConfig] = []
        for role in Role:
            for profile, docs in runs(documents):
                config = role_config(docs, role, self.manifest.path, library, version)
                if config is None:
                    continue
                named = replace(config, name=self.resource, profile=profile, from_environment=True)
                config = _hidden(named, environment, self.manifest.path)
                if profile is None or config not in clients:
                    clients.append(config)
        return Found(clients=tuple(clients), gaps=gaps)

    def _mounted(self) -> tuple[list[Document], list[tuple[str, int | None]]]:
        """Spring application files of the ConfigMaps mounted into the container; and, for each
        mounted where Spring reads but not readable in the audit, why (with the mount's line)."""
        mounts = self.container.get("volumeMounts")
        by_name = (
            {str(m.get("name")): (m, line) for m, line in zip(mounts, mounts.lines, strict=True) if isinstance(m, YMap)}
            if isinstance(mounts, YList)
            else {}
        )
        documents: list[Document] = []
        hidden: list[tuple[str, int | None]] = []
        for volume in self.volumes:
            source = _path(volume, "configMap", "name")
            if not isinstance(volume, YMap) or str(volume.get("name")) not in by_name or not source:
                continue
            found = self.config_maps.find(str(source), self.manifest.namespace)
            mount, line = by_name[str(volume.get("name"))]
            if isinstance(found, Manifest) and (files := _spring_files(found.document)):
                self.used.add(id(found.document))
                documents += [d for key, text in files for d in spring_documents(text, found.path, key)]
            elif isinstance(found, str) and self._read_by_spring(mount, volume):
                where = f"mounted at {_path(mount, 'mountPath') or '?'}"
                hidden.append((f"{found.replace(' is ', f' {where} is ', 1)} ({self.manifest.path}:{line})", line))
        return documents, hidden

    def _read_by_spring(self, mount: YMap, volume: YMap) -> bool:
        """Whether Spring Boot reads what the mount holds: an application*.yml/properties by name
        (subPath, items), a config/ folder (Spring's default file:./config/ and ./config/*/), or a
        folder SPRING_CONFIG_LOCATION / _ADDITIONAL_LOCATION / _IMPORT names."""
        mount_path = str(_path(mount, "mountPath") or "").rstrip("/")
        items = _path(volume, "configMap", "items")
        named = [str(_path(i, "path") or "") for i in items] if isinstance(items, YList) else []
        named.append(str(_path(mount, "subPath") or ""))
        if any(SPRING_FILE.match(n.rsplit("/", 1)[-1]) for n in named):
            return True
        if "config" in mount_path.split("/")[-2:]:
            return True
        variables = self.container.get("env")
        locations = [
            str(v.get("value"))
            for v in (variables if isinstance(variables, YList) else [])
            if isinstance(v, YMap) and str(v.get("name")) in SPRING_CONFIG_VARIABLES and v.get("value")
        ]
        return bool(mount_path) and any(mount_path in location for location in locations)

    def _environment(self) -> _Environment:
        """Spring entries of the container's environment: envFrom sources in order, then `env`."""
        environment = _Environment()
        sources = self.container.get("envFrom")
        for source, line in zip(sources, sources.lines, strict=True) if isinstance(sources, YList) else ():
            self._env_from(source, line, environment)
        variables = self.container.get("env")
        for variable in variables if isinstance(variables, YList) else []:
            if not isinstance(variable, YMap) or not isinstance(variable.get("name"), str):
                continue
            value = variable.get("value")
            if "valueFrom" in variable:
                value = self._value_from(variable.get("valueFrom"))
            entry = _spring_entry(
                str(variable.get("name")), value if isinstance(value, str) else None, variable.line("name")
            )
            environment.entries.append(replace(entry, path=self.manifest.path))
        return environment

    def _env_from(self, source: Value, line: int, environment: _Environment) -> None:
        prefix = str(_path(source, "prefix") or "")
        reference = _path(source, "configMapRef", "name")
        if reference:
            found = self.config_maps.find(str(reference), self.manifest.namespace)
            if isinstance(found, Manifest):
                self.used.add(id(found.document))
                data = found.document.get("data")
                if isinstance(data, YMap):
                    environment.entries += [
                        replace(_spring_entry(prefix + k, v, data.line(k)), path=found.path)
                        for k, v in data.items()
                        if isinstance(v, str)
                    ]
                return
            why = f"envFrom {found}"
        else:
            secret = _path(source, "secretRef", "name")
            why = f"envFrom Secret {secret or '?'} (Secrets are not read)"
        why += f" ({self.manifest.path}:{line})"
        environment.hidden = f"{environment.hidden}; {why}" if environment.hidden else why
        environment.hidden_at = line
        environment.readable_from = len(environment.entries)

    def _value_from(self, source: Value) -> str:
        """A configMapKeyRef of the audit resolves; anything else is an unresolved placeholder."""
        reference = _path(source, "configMapKeyRef")
        if isinstance(reference, YMap):
            found = self.config_maps.find(str(reference.get("name")), self.manifest.namespace)
            data = _path(found.document, "data") if isinstance(found, Manifest) else None
            value = data.get(str(reference.get("key"))) if isinstance(data, YMap) else None
            if isinstance(value, str):
                return value
        kind = next((k for k in source if k.endswith("Ref")), "valueFrom") if isinstance(source, YMap) else "valueFrom"
        target = _path(source, kind)
        named = f"{target.get('name')}/{target.get('key')}" if isinstance(target, YMap) else "?"
        missing = " not in the audit" if kind == "configMapKeyRef" else ""
        return "${" + f"{kind} {named}{missing}" + "}"  # no ':' in it: Spring would read what follows as a default


def _hidden(config: ClientConfig, environment: _Environment, path: str) -> ClientConfig:
    """Behind an envFrom source that cannot be read: what it could override is unknown, naming it."""
    if environment.hidden is None and environment.unread_files is None:
        return config
    files = f"{environment.unread_files} may set any spring.kafka.* property" if environment.unread_files else None
    variables = f"{environment.hidden} may set any SPRING_KAFKA_* variable" if environment.hidden else None
    hidden = "; ".join(part for part in (files, variables) if part)
    readable = {(e.path, e.line) for e in environment.entries[environment.readable_from :]}
    settings = dict(config.settings)
    for key, value in config.settings.items():
        if (value.path, value.line) not in readable:
            below = f", over {value.path}:{value.line} ({value.value})" if value.value is not None else ""
            settings[key] = replace(value, value=None, path=path, line=environment.hidden_at, detail=hidden + below)
    return replace(config, settings=settings, opaque=hidden)


def spring_name(variable: str) -> str | None:
    """An environment variable's Spring property, by relaxed binding; None when it sets none we read.

    SPRING_KAFKA_CONSUMER_ENABLE_AUTO_COMMIT -> spring.kafka.consumer.enableautocommit (typed keys
    compare without separators); map keys (...PROPERTIES_ENABLE_IDEMPOTENCE) keep '.' for '_'.
    """
    parts = [p for p in variable.lower().split("_") if p]
    if parts[:3] == ["spring", "profiles", "active"] and len(parts) == 3:
        return "spring.profiles.active"
    if parts[:2] != ["spring", "kafka"] or len(parts) < 3:
        return None
    section, rest = parts[2], parts[3:]
    if section in ("producer", "consumer") and rest[:1] == ["properties"] and len(rest) > 1:
        return f"spring.kafka.{section}.properties.{'.'.join(rest[1:])}"
    if section == "properties" and rest:
        return f"spring.kafka.properties.{'.'.join(rest)}"
    if section in ("producer", "consumer", "listener") and rest:
        return f"spring.kafka.{section}.{''.join(rest)}"
    return f"spring.kafka.{''.join(parts[2:])}"


def _spring_entry(variable: str, value: str | None, line: int | None) -> Entry:
    return Entry(spring_name(variable) or "", value, line)


def _spring_files(config_map: YMap) -> list[tuple[str, str]]:
    """(key, text at the manifest's lines) of the Spring application files a ConfigMap holds."""
    data = config_map.get("data")
    if not isinstance(data, YMap):
        return []
    return [(k, _at_lines(v, data.line(k))) for k, v in data.items() if SPRING_FILE.match(k) and isinstance(v, str)]


def _at_lines(text: str, key_line: int | None) -> str:
    """A block scalar's text, shifted so that its lines are the manifest's (it starts under its key)."""
    return "\n" * (key_line or 0) + text


def _config_map_files(config_map: Manifest, options: ReadOptions) -> Found:
    """A ConfigMap no workload mounts: each data key holding a client file, read as that file."""
    from auditor.sources.file_formats import detect

    data = config_map.document.get("data")
    found = Found()
    if not isinstance(data, YMap):
        return found
    for key, value in data.items():
        if not isinstance(value, str) or "." not in key:
            continue
        shifted = _at_lines(value, data.line(key))
        if SPRING_FILE.match(key):
            read = read_spring(shifted, config_map.path, options, key)
        else:
            fmt = detect(key, shifted)
            if fmt is None or fmt.name not in ("properties", "librdkafka") or fmt.reader is None:
                continue
            read = fmt.reader(shifted, config_map.path, options)
        name = f"ConfigMap/{config_map.qualified_name}/{key}"
        found += Found(clients=tuple(replace(c, name=name) for c in read.clients))
    return found
