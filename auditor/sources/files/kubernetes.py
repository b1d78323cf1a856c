"""Kubernetes manifests: Spring Boot clients configured by a workload's environment, and ConfigMaps.

- Deployment, StatefulSet, DaemonSet, Job and CronJob containers: `env` (and `envFrom` a
  ConfigMap of the same file) setting Spring Boot properties by relaxed binding:
  SPRING_KAFKA_PRODUCER_ACKS, SPRING_KAFKA_CONSUMER_ENABLE_AUTO_COMMIT (or ...ENABLEAUTOCOMMIT),
  SPRING_KAFKA_PRODUCER_PROPERTIES_ENABLE_IDEMPOTENCE (map keys: '_' is '.'), SPRING_KAFKA_LISTENER_ACK_MODE,
  SPRING_PROFILES_ACTIVE. A ConfigMap of the same file that the container mounts and that holds
  an application.yml/properties is read under it: Spring's precedence, the environment wins.
  One client per container and role, named `<Kind>/<name>/<container>`.
- ConfigMaps whose data holds an application*.yml|yaml|properties, a client .properties or a
  librdkafka JSON are read as that file, at the manifest's lines, named `ConfigMap/<name>/<key>`.
A value from a Secret or a ConfigMap not in the file (`valueFrom`) is unknown, and says so.
"""

from __future__ import annotations

import re
from dataclasses import replace

from auditor.model import ClientConfig, Role
from auditor.sources.files.base import Entry, Found, ReadOptions
from auditor.sources.files.spring import Document, document, read_spring, role_config, runs, spring_documents
from auditor.sources.files.yamltree import Value, YList, YMap, load_documents

WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"})
SPRING_FILE = re.compile(r"^(?:application|bootstrap)(?:-[^.]+)?\.(?:ya?ml|properties)$")


def looks_kubernetes(documents: list[Value]) -> bool:
    return any(
        isinstance(d, YMap) and "apiVersion" in d and d.get("kind") in (*WORKLOADS, "ConfigMap") for d in documents
    )


def read_kubernetes(text: str, path: str, options: ReadOptions) -> Found:
    manifests = [d for d in load_documents(text) if isinstance(d, YMap)]
    config_maps = {_name(d): d for d in manifests if d.get("kind") == "ConfigMap"}
    mounted: set[str] = set()
    found = Found()
    for manifest in manifests:
        if manifest.get("kind") in WORKLOADS:
            for container, volumes in _containers(manifest):
                clients, used = _container_clients(manifest, container, volumes, config_maps, path, options)
                found += Found(clients=tuple(clients))
                mounted |= used
    for name, config_map in config_maps.items():
        if name not in mounted:
            found += _config_map_files(config_map, path, options)
    return found


def _name(manifest: YMap) -> str:
    metadata = manifest.get("metadata")
    return str(metadata.get("name")) if isinstance(metadata, YMap) and metadata.get("name") else "?"


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


def _container_clients(
    manifest: YMap, container: YMap, volumes: YList, config_maps: dict[str, YMap], path: str, options: ReadOptions
) -> tuple[list[ClientConfig], set[str]]:
    """The Spring clients one container runs: mounted application files, then its environment."""
    used = _mounted(container, volumes, config_maps)
    documents: list[Document] = []
    for name in used:
        documents += [d for key, text in _spring_files(config_maps[name]) for d in spring_documents(text, path)]
    environment = _environment(container, config_maps)
    used |= {name for name in _env_from(container) if name in config_maps}
    documents.append(document(environment))
    library, version = options.library("spring")
    resource = f"{manifest.get('kind')}/{_name(manifest)}/{container.get('name') or '?'}"
    clients: list[ClientConfig] = []
    for role in Role:
        for profile, docs in runs(documents):
            config = role_config(docs, role, path, library, version)
            if config is not None and (profile is None or config not in clients):
                clients.append(replace(config, name=resource, profile=profile))
    return clients, used


def _mounted(container: YMap, volumes: YList, config_maps: dict[str, YMap]) -> set[str]:
    """ConfigMaps of this file mounted into the container that hold a Spring application file."""
    mounts = container.get("volumeMounts")
    mounted = {str(m.get("name")) for m in mounts if isinstance(m, YMap)} if isinstance(mounts, YList) else set()
    names = set()
    for volume in volumes:
        source = str(_path(volume, "configMap", "name"))
        if isinstance(volume, YMap) and str(volume.get("name")) in mounted and source in config_maps:
            names |= {source} if _spring_files(config_maps[source]) else set()
    return names


def _env_from(container: YMap) -> list[str]:
    sources = container.get("envFrom")
    names = [_path(s, "configMapRef", "name") for s in sources] if isinstance(sources, YList) else []
    return [str(n) for n in names if n]


def _environment(container: YMap, config_maps: dict[str, YMap]) -> list[Entry]:
    """Spring entries of the container's environment: envFrom ConfigMaps first, `env` wins."""
    entries: list[Entry] = []
    for name in _env_from(container):
        data = config_maps[name].get("data") if name in config_maps else None
        if isinstance(data, YMap):
            entries += [_spring_entry(k, v, data.line(k)) for k, v in data.items() if isinstance(v, str)]
    variables = container.get("env")
    for variable in variables if isinstance(variables, YList) else []:
        if not isinstance(variable, YMap) or not isinstance(variable.get("name"), str):
            continue
        name = str(variable.get("name"))
        line = variable.line("name")
        value = variable.get("value")
        if "valueFrom" in variable:
            value = _value_from(variable.get("valueFrom"), config_maps)
        entries.append(_spring_entry(name, value if isinstance(value, str) else None, line))
    return [e for e in entries if e.key]


def _value_from(source: Value, config_maps: dict[str, YMap]) -> str:
    """A configMapKeyRef of this file resolves; anything else is an unresolved placeholder."""
    reference = _path(source, "configMapKeyRef")
    if isinstance(reference, YMap):
        data = _path(config_maps.get(str(reference.get("name")), YMap()), "data")
        value = data.get(str(reference.get("key"))) if isinstance(data, YMap) else None
        if isinstance(value, str):
            return value
    kind = next((k for k in source if k.endswith("Ref")), "valueFrom") if isinstance(source, YMap) else "valueFrom"
    target = _path(source, kind)
    named = f"{target.get('name')}/{target.get('key')}" if isinstance(target, YMap) else "?"
    return "${" + f"{kind} {named}" + "}"  # no ':' in it: Spring would read what follows as a default


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


def _config_map_files(config_map: YMap, path: str, options: ReadOptions) -> Found:
    """A ConfigMap not mounted by a workload of the file: each data key holding a client file, read as that file."""
    from auditor.sources.file_formats import detect

    data = config_map.get("data")
    found = Found()
    if not isinstance(data, YMap):
        return found
    for key, value in data.items():
        if not isinstance(value, str) or "." not in key:
            continue
        shifted = _at_lines(value, data.line(key))
        if SPRING_FILE.match(key):
            read = read_spring(shifted, path, options)
        else:
            fmt = detect(key, shifted)
            if fmt is None or fmt.name not in ("properties", "librdkafka") or fmt.reader is None:
                continue
            read = fmt.reader(shifted, path, options)
        name = f"ConfigMap/{_name(config_map)}/{key}"
        found += Found(clients=tuple(replace(c, name=name) for c in read.clients))
    return found
