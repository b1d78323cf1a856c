"""topicctl topic files: meta.name, spec.replicationFactor, spec.partitions, spec.settings.

A topic is linked to its cluster through topicctl's cluster file: the `cluster.yaml` of the topic's
folder or the one above it (topicctl's layout: `<cluster>/cluster.yaml`, `<cluster>/topics/*.yaml`)
whose meta.name (and environment, region when both set them) is the topic's meta.cluster; its
spec.bootstrapAddrs are where the topic lives. A cluster file is recognised as topicctl's and
declares nothing of its own.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from auditor.model import ConfigValue, DeclaredTopic
from auditor.sources.files.base import Found, ReadOptions, settings_of
from auditor.sources.files.values import Dialect, ParseError, file_value
from auditor.sources.files.yamltree import Value, YList, YMap, load_documents, scalar_entries

FORMAT = "topicctl"


def _meta_spec(document: Value) -> tuple[YMap | None, YMap | None]:
    """A topic file's meta and spec (both None when the document is not a topicctl topic)."""
    if not isinstance(document, YMap):
        return None, None
    meta, spec = document.get("meta"), document.get("spec")
    if not isinstance(meta, YMap) or not isinstance(spec, YMap):
        return None, None
    if not any(k in spec for k in ("replicationFactor", "partitions", "settings", "placement")):
        return None, None
    return meta, spec


CLUSTER_FILES = ("cluster.yaml", "cluster.yml")
_MATCHED = ("environment", "region")


def read_topicctl(text: str, path: str, options: ReadOptions) -> Found:
    topics: list[DeclaredTopic] = []
    for document in load_documents(text):
        meta, spec = _meta_spec(document)
        if meta is not None and spec is not None:
            topics.append(_linked(_topic(meta, spec, path), meta, path))
    return Found(topics=tuple(topics))


def _linked(topic: DeclaredTopic, meta: YMap, path: str) -> DeclaredTopic:
    """The topic with the bootstrapAddrs of the cluster file its meta.cluster names, if one is found."""
    for cluster_path in _cluster_files(Path(path).parent):
        try:
            documents = load_documents(cluster_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ParseError):
            continue  # read on its own (when in the audit), it is reported there
        for document in documents:
            linked = _bootstrap_of(document, meta)
            if linked is not None:
                addresses, line = linked
                where = _shown(cluster_path, path) + (f":{line}" if line else "")
                return replace(topic, bootstrap=addresses, bootstrap_from=f"topicctl cluster file {where}")
    return topic


def _cluster_files(folder: Path) -> list[Path]:
    return [f for d in (folder, folder.parent) for name in CLUSTER_FILES if (f := d / name).is_file()]


def _shown(cluster_path: Path, topic_path: str) -> str:
    """The cluster file as the topic's path is written (relative when the topic's is)."""
    try:
        return os.path.relpath(cluster_path) if not Path(topic_path).is_absolute() else str(cluster_path)
    except ValueError:
        return str(cluster_path)


def _bootstrap_of(document: Value, topic_meta: YMap) -> tuple[tuple[str, ...], int | None] | None:
    """The cluster file's bootstrapAddrs and their line, when it is the cluster the topic's meta names."""
    meta, spec = _cluster_meta_spec(document)
    if meta is None or spec is None or meta.get("name") != topic_meta.get("cluster"):
        return None
    for key in _MATCHED:
        if key in meta and key in topic_meta and meta.get(key) != topic_meta.get(key):
            return None
    addresses = spec.get("bootstrapAddrs")
    if not isinstance(addresses, YList):
        return None
    return tuple(a for a in addresses if isinstance(a, str)), spec.line("bootstrapAddrs")


def _cluster_meta_spec(document: Value) -> tuple[YMap | None, YMap | None]:
    if not isinstance(document, YMap):
        return None, None
    meta, spec = document.get("meta"), document.get("spec")
    if isinstance(meta, YMap) and isinstance(spec, YMap) and "bootstrapAddrs" in spec:
        return meta, spec
    return None, None


def _topic(meta: YMap, spec: YMap, path: str) -> DeclaredTopic:
    name = meta.get("name")
    settings = spec.get("settings")
    entries = scalar_entries(settings) if isinstance(settings, YMap) else []
    return DeclaredTopic(
        name=str(name) if isinstance(name, str) else "?",
        topic_name=str(name) if isinstance(name, str) else None,
        path=path,
        format=FORMAT,
        replication_factor=_field(spec, "replicationFactor", "replication.factor", path),
        partitions=_field(spec, "partitions", "partitions", path),
        settings=settings_of(entries, path, Dialect.PLAIN),
    )


def _field(spec: YMap, key: str, name: str, path: str) -> ConfigValue | None:
    value = spec.get(key)
    if key not in spec or isinstance(value, (YMap, YList)):
        return None
    return file_value(name, value, path, spec.line(key), Dialect.PLAIN)


def looks_topicctl(documents: list[Value]) -> bool:
    """A topic file, or a cluster file (meta, spec.bootstrapAddrs)."""
    return any(_meta_spec(d)[0] is not None or _cluster_meta_spec(d)[0] is not None for d in documents)
