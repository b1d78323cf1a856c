"""Client configurations as JSON or YAML mappings: librdkafka / confluent-kafka, kafka-python.

The format says librdkafka (confluent-kafka's config dicts) unless the keys are kafka-python's
snake_case keyword names. librdkafka's `default.topic.config` holds topic-level properties; keys
written at the top level win over it.
"""

from __future__ import annotations

import json

from auditor.sources.files.base import Entry, Found, ReadOptions, client_config
from auditor.sources.files.clientkeys import KNOWN_CLIENT_KEYS, java_name, looks_python
from auditor.sources.files.values import ParseError
from auditor.sources.files.yamltree import Value, YList, YMap, load_documents

TOPIC_CONFIG_KEYS = ("default.topic.config", "topic.config")


def load_mapping(text: str, path: str) -> list[Value]:
    """JSON is read as YAML (to keep lines); JSON that YAML rejects is read without lines."""
    try:
        return load_documents(text)
    except ParseError as yaml_error:
        if not path.endswith(".json"):
            raise
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            line = getattr(exc, "lineno", None)
            raise ParseError(f"invalid JSON: {getattr(exc, 'msg', exc)}", line) from exc
        if not isinstance(data, dict):
            raise ParseError("a client configuration must be a JSON object") from yaml_error
        return [_ymap(data)]


def _ymap(data: dict[str, object]) -> YMap:
    result = YMap()
    for key, value in data.items():
        if isinstance(value, dict):
            result.put(str(key), _ymap(value), 0)
        elif value is None or isinstance(value, (str, int, float, bool)):
            text = None if value is None else (str(value).lower() if isinstance(value, bool) else str(value))
            result.put(str(key), text, 0)  # line 0: not known (YMap.line gives None)
    return result


def client_entries(mapping: YMap) -> list[Entry]:
    """Top-level scalar keys, after the nested topic-level configuration they override."""
    entries: list[Entry] = []
    for nested_key in TOPIC_CONFIG_KEYS:
        nested = mapping.get(nested_key)
        if isinstance(nested, YMap):
            entries += [
                Entry(k, v, nested.line(k) or None) for k, v in nested.items() if not isinstance(v, (YMap, YList))
            ]
    entries += [Entry(k, v, mapping.line(k) or None) for k, v in mapping.items() if not isinstance(v, (YMap, YList))]
    return entries


def read_client_dict(text: str, path: str, options: ReadOptions) -> Found:
    documents = load_mapping(text, path)
    found = Found()
    for document in documents:
        if not isinstance(document, YMap):
            continue
        entries = client_entries(document)
        detected = "kafka-python" if looks_python(e.key for e in entries) else "librdkafka"
        library, version = options.library(detected)
        config = client_config(entries, path, library, version)
        if config is not None:
            found += Found(clients=(config,))
    return found


def looks_client_dict(documents: list[Value]) -> bool:
    for document in documents:
        if not isinstance(document, YMap):
            continue
        keys = [e.key for e in client_entries(document)]
        if looks_python(keys) or any(java_name(k, "librdkafka") in KNOWN_CLIENT_KEYS for k in keys):
            return True
    return False
