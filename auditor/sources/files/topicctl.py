"""topicctl topic files: meta.name, spec.replicationFactor, spec.partitions, spec.settings."""

from __future__ import annotations

from auditor.model import ConfigValue, DeclaredTopic
from auditor.sources.files.base import Found, ReadOptions, settings_of
from auditor.sources.files.values import Dialect, file_value
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


def read_topicctl(text: str, path: str, options: ReadOptions) -> Found:
    topics: list[DeclaredTopic] = []
    for document in load_documents(text):
        meta, spec = _meta_spec(document)
        if meta is not None and spec is not None:
            topics.append(_topic(meta, spec, path))
    return Found(topics=tuple(topics))


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
    return any(_meta_spec(d)[0] is not None for d in documents)
