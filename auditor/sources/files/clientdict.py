"""Client configurations as JSON or YAML mappings: librdkafka / confluent-kafka, kafka-python.

The format says librdkafka (confluent-kafka's config dicts) unless the keys are kafka-python's
snake_case keyword names. librdkafka's `default.topic.config` holds topic-level properties; keys
written at the top level win over it.
"""

from __future__ import annotations

import json

from auditor.sources.files.base import Found, ReadOptions, client_config
from auditor.sources.files.clientkeys import KNOWN_CLIENT_KEYS, java_name, looks_python
from auditor.sources.files.nested import client_entries, has_nested_client, read_nested_clients
from auditor.sources.files.values import ParseError
from auditor.sources.files.yamltree import LoneSurrogate, Value, YList, YMap, load_documents, text_of


def load_mapping(text: str, path: str) -> list[Value]:
    """A .json file must be JSON (YAML accepts what no JSON client would): it is checked as JSON,
    then read as YAML to keep lines; JSON that YAML rejects is read without lines. TOML is TOML."""
    if path.lower().endswith(".toml"):
        from auditor.sources.files.tomltree import load_toml

        return [load_toml(text)]
    data = _json(text) if path.endswith(".json") else None
    try:
        return load_documents(text)
    except LoneSurrogate:
        raise  # not text in JSON either (json.loads keeps it): said at its line
    except ParseError:
        if data is None:
            raise
    if not isinstance(data, dict):
        raise ParseError("a client configuration must be a JSON object")
    return [_ymap(data)]


def _json(text: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        raise ParseError(f"invalid JSON: {getattr(exc, 'msg', None) or 'nested too deeply'}", line) from exc


def _ymap(data: dict[str, object]) -> YMap:
    result = YMap()
    for key, value in data.items():
        name = text_of(str(key))
        if isinstance(value, dict):
            result.put(name, _ymap(value), 0)
        elif isinstance(value, list):
            result.put(name, YList(), 0)  # a list where one value belongs: kept, to be reported
        elif value is None or isinstance(value, (str, int, float, bool)):
            text = None if value is None else (str(value).lower() if isinstance(value, bool) else text_of(str(value)))
            result.put(name, text, 0)  # line 0: not known (YMap.line gives None)
    return result


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
        found += read_nested_clients(document, path, options)
    return found


def looks_client_dict(documents: list[Value]) -> bool:
    for document in documents:
        if not isinstance(document, YMap):
            continue
        keys = [e.key for e in client_entries(document)]
        if looks_python(keys) or any(java_name(k, "librdkafka") in KNOWN_CLIENT_KEYS for k in keys):
            return True
        if has_nested_client(document):
            return True
    return False
