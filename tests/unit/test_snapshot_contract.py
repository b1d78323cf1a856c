"""The published snapshot JSON Schema stays the contract: the typed decoder accepts exactly what it accepts.

Hypothesis mutates a valid snapshot (replaces any value with any JSON value, drops a key, adds an
unknown one) and checks that jsonschema (the reference validator, with the published schema) and
the msgspec structures that read snapshots agree on every document. Known, documented divergence
that no writer produces: integral floats (`1.0`, an integer to JSON Schema) and integers beyond
64 bits; the generated values leave those out.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.errors import InputError
from auditor.sources import snapshot_document as doc
from auditor.sources.snapshot import decode, encode, parse
from tests.unit.test_snapshot import full_connect, full_snapshot

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
NOT_INTEGRAL = st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer())
SCALARS = st.one_of(st.none(), st.booleans(), INT64, NOT_INTEGRAL, st.text(max_size=8))
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6,
)
# Values that keep the shape plausible, so mutations reach the deeper constraints too.
NEAR_MISSES = st.sampled_from(
    [None, True, 0, -1, 2.5, "", "KAFKA_DEFAULT", "TOPIC_OVERRIDE", "bogus", [], [1, 2], [0.0, None],
     [80, 4], [80, 4, 5], {}, {"value": "1", "source": "KAFKA_DEFAULT"},
     {"value": "x", "source": "STATIC_BROKER", "sensitive": True}, {"value": None, "source": "FILE", "sensitive": True}]
)  # fmt: skip


@cache
def _schema_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(files("auditor").joinpath("schemas/snapshot.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def valid() -> Any:
    return msgspec.json.decode(msgspec.json.encode(encode(full_snapshot(), (full_connect(),))))


def _containers(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a dict or list in the document."""
    found = [path]
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        if isinstance(child, (dict, list)):
            found += _containers(child, (*path, key))
    return found


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        document = document[key]
    return document


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    document = valid()
    for _ in range(draw(st.integers(1, 2))):
        container = _at(document, draw(st.sampled_from(_containers(document))))
        keys = list(container) if isinstance(container, dict) else list(range(len(container)))
        action = draw(st.sampled_from(["replace", "replace", "drop", "add"]))
        if action == "add" and isinstance(container, dict):
            container[draw(st.text(max_size=6))] = draw(JSON_VALUES)
        elif action == "add":
            container.append(copy.deepcopy(draw(st.one_of(NEAR_MISSES, JSON_VALUES))))
        elif keys and action == "drop":
            del container[draw(st.sampled_from(keys))]
        elif keys:
            container[draw(st.sampled_from(keys))] = copy.deepcopy(draw(st.one_of(NEAR_MISSES, JSON_VALUES)))
    return document


def _typed_accepts(document: Any) -> bool:
    """As `audit --snapshot` reads: the outline, then each topic on its own, then its configs."""
    try:
        outline = doc.OUTLINE_DECODER.decode(msgspec.json.encode(document))
        for topic in outline.cluster.topics:
            doc.CONFIGS_DECODER.decode(doc.TOPIC_DECODER.decode(topic).configs)
    except msgspec.ValidationError:
        return False
    return True


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_typed_decoder_and_published_schema_agree(document: Any) -> None:
    assert _typed_accepts(document) == _schema_validator().is_valid(document)


BROKER_CONFIG = ("cluster", "brokers", 0, "configs", "min.insync.replicas")
OFFSET = ("cluster", "groups", 0, "offsets", 0)
PARTITION = ("cluster", "topics", 0, "partitions", 0)
SET, DROP = "set", "drop"


@pytest.mark.parametrize(
    ("action", "where", "value"),
    [
        (SET, (*BROKER_CONFIG, "sensitive"), True),  # a secret left in: value must be null
        (SET, (*BROKER_CONFIG, "sensitive"), False),
        (SET, (*BROKER_CONFIG, "value"), None),
        (SET, (*BROKER_CONFIG, "path"), None),
        (SET, (*BROKER_CONFIG, "line"), "3"),
        (SET, (*BROKER_CONFIG, "source"), "DEFAULT_CONFIG"),
        (DROP, (*BROKER_CONFIG, "source"), None),
        (SET, (*OFFSET, "lag_probes", 0), [0, 1]),
        (SET, (*OFFSET, "lag_probes", 0), [0.5, None]),
        (SET, (*OFFSET, "lag_probes", 0), [80, 1, 2]),
        (SET, (*OFFSET, "lag_probes", 0), [80]),
        (SET, (*OFFSET, "lag_probes", 0), [True, 1]),
        (DROP, (*OFFSET, "lag_probes"), None),
        (DROP, (*OFFSET, "committed"), None),
        (SET, (*PARTITION, "eligible_leader_replicas"), None),
        (SET, (*PARTITION, "replicas"), [1, "2"]),
        (SET, (*PARTITION, "leader"), True),
        (SET, (*PARTITION, "removing_replicas"), [3]),
        (SET, (*PARTITION, "adding_replicas"), None),
        (SET, ("cluster", "features", "metadata.version"), "30"),
        (SET, ("cluster", "quorum"), None),
        (SET, ("cluster", "cluster_id"), None),
        (SET, ("cluster", "bootstrap"), None),
        (SET, ("tool", "name"), "other-tool"),
        (SET, ("schema_version",), 2),
        (SET, ("kind",), "kafka-audit/report"),
        (SET, ("cluster", "extra"), 1),
        (SET, ("connect", 0, "connectors", 0, "config", "errors.tolerance", "sensitive"), True),  # secret left in
        (SET, ("connect", 0, "plugins", 0, "class"), None),
        (DROP, ("connect", 0, "plugins", 0, "version"), None),
        (SET, ("connect", 0, "connectors", 0, "tasks", 0, "id"), "0"),
        (SET, ("connect", 0, "url"), None),
        (SET, ("cluster", "transactions", 0, "hanging"), "no"),
        (SET, ("cluster", "gaps", 0), {"resource": "x"}),
    ],
)
def test_each_constraint_of_the_schema_is_kept(action: str, where: tuple[Any, ...], value: Any) -> None:
    document = valid()
    parent = _at(document, where[:-1])
    if action == DROP:
        del parent[where[-1]]
    else:
        parent[where[-1]] = value
    assert _typed_accepts(document) == _schema_validator().is_valid(document)


def test_a_valid_snapshot_passes_both() -> None:
    document = valid()
    assert _schema_validator().is_valid(document) and _typed_accepts(document)


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        (("cluster", "topics", 0, "partitions", 1, "leader"), "one", r"cluster/topics/0/partitions/1/leader: Expected"),
        (
            ("cluster", "brokers", 0, "configs", "min.insync.replicas", "source"),
            "BOGUS",
            r"configs/\*/source: Invalid enum value '\(not shown\)'",  # a value may be a secret (#11)
        ),
        (("cluster", "groups", 0, "offsets", 0, "lag_probes", 0), [0, 4], r"lag_probes/0/0: Expected `float` >"),
        (("cluster", "quorum", "voters"), None, r"cluster/quorum/voters: Expected `array`, got `null`"),
    ],
)
def test_an_invalid_snapshot_names_the_place(where: tuple[Any, ...], value: Any, message: str) -> None:
    document = copy.deepcopy(valid())
    _at(document, where[:-1])[where[-1]] = value
    assert not _schema_validator().is_valid(document)
    with pytest.raises(InputError, match=message):
        read(document)


def test_an_unknown_field_is_named(tmp_path: Path) -> None:
    document = valid()
    document["cluster"]["topics"][0]["partitions"][0]["leaders"] = 1
    with pytest.raises(InputError, match=r"cluster/topics/0/partitions/0: Object contains unknown field `leaders`"):
        read(document)


def read(document: Any) -> None:
    decode(parse(msgspec.json.encode(document), "snap.json"), "snap.json")
