"""Kafka client maps nested in an application's own config (YAML, JSON, TOML): recognised by their
keys, judged as the producer or consumer their key name (else their keys) says, named
`<file>#<path>` at the line of the key holding the map; ambiguous ones are gaps, generic words
are not Kafka, and the formats that already read such maps (Spring, compose, Strimzi, Kubernetes)
are untouched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.audit import AuditOptions, FileSources, Sources, audit_sources
from auditor.model import Role
from auditor.sources.files import read_paths
from auditor.sources.files.base import ReadOptions
from auditor.sources.files.nested import nested_maps, read_nested_clients
from auditor.sources.files.yamltree import YMap, load_documents

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "files"
Row = tuple[str, str, str, int | None]  # rule, status, resource, line


@pytest.fixture(autouse=True)
def _in_fixtures(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(FILES / "nested-clients")
    yield


def rows(path: str) -> set[Row]:
    result = audit_sources(Sources(files=FileSources((path,))), AuditOptions())
    return {
        (f.rule_id, f.status.value, f.resource.name, f.location.line if f.location else None) for f in result.findings
    }


def test_fastapi_settings_kafka_producer_and_consumer_maps_are_kafka_python_clients() -> None:
    f = "fastapi/settings.yaml"
    clients = read_paths([f]).clients
    assert [(c.name, c.roles, c.library, c.line) for c in clients] == [
        (f"{f}#kafka.producer", frozenset({Role.PRODUCER}), "kafka-python", 13),
        (f"{f}#kafka.consumer", frozenset({Role.CONSUMER}), "kafka-python", 17),
    ]  # `kafka` itself holds the shared connection settings of the two: not a client, not a gap
    assert rows(f) == {
        ("PRD001", "fail", f"{f}#kafka.producer", 14),  # acks: 1
        ("PRD003", "fail", f"{f}#kafka.producer", 15),  # enable_idempotence: false
        ("CON001", "fail", f"{f}#kafka.consumer", 19),  # enable_auto_commit: true
    }


def test_confluent_python_config_json_top_level_producer_and_consumer() -> None:
    """`Producer(**cfg["producer"])`: librdkafka keys; the producer is safe, the consumer auto-commits."""
    f = "confluent-python/config.json"
    clients = read_paths([f]).clients
    assert [(c.name, c.library, c.line) for c in clients] == [
        (f"{f}#producer", "librdkafka", 4),
        (f"{f}#consumer", "librdkafka", 10),
    ]
    assert rows(f) == {("CON001", "fail", f"{f}#consumer", 13)}


def test_go_service_config_toml_tables_with_the_version_from_go_mod() -> None:
    f = "go-service/config.toml"
    clients = read_paths(["go-service"]).clients
    assert [(c.name, c.library, c.library_version, c.line) for c in clients] == [
        (f"{f}#kafka.producer", "librdkafka", "2.3.0", 10),
        (f"{f}#kafka.consumer", "librdkafka", "2.3.0", 16),
    ]
    producer = clients[0].settings
    assert (producer["enable.idempotence"].value, producer["enable.idempotence"].line) == ("true", 13)
    assert producer["delivery.timeout.ms"].line == 14  # message.timeout.ms, librdkafka's alias
    assert rows("go-service") == {("CON001", "fail", f"{f}#kafka.consumer", 16)}  # librdkafka auto-commits


def test_ambiguous_maps_are_gaps_and_generic_words_are_not_kafka() -> None:
    f = "ambiguous/settings.yaml"
    found = read_paths([f])
    assert found.clients == ()
    assert [(g.resource, g.reason) for g in found.gaps] == [
        (
            f"{f}:12",
            "messaging.publisher: Kafka client settings not judged: its name says producer but its keys are a "
            "consumer's; never assumed fine",
        ),
        (
            f"{f}:16",
            "messaging.producer_consumer: Kafka client settings not judged: its name producer_consumer says both "
            "producer and consumer; never assumed fine",
        ),
        (
            f"{f}:20",
            "messaging.kafka: Kafka client settings not judged: connection settings with no producer or consumer "
            "key or name: which client uses them is unknown; never assumed fine",
        ),
    ]  # http (timeout, retries), cache (client_id, retries) and jobs (acks) are not Kafka clients
    assert rows(f) == set()


def test_settings_of_the_map_around_the_clients_are_not_silently_dropped() -> None:
    """kafka: holds connection and durability keys, producer: and consumer: below it. Whether the
    application merges kafka into each client map is not in the file: a key no rule judges, or a
    value the library uses anyway, reaches the client as written; acks: "1" (librdkafka's default is
    all) is unknown for the producer at its line, never the parent's value nor the default. kafka is
    the clients' shared settings, not a producer and a consumer of its own."""
    f = "shared-settings/settings.yaml"
    clients = {c.name: c for c in read_paths([f]).clients}
    assert list(clients) == [f"{f}#kafka.producer", f"{f}#kafka.consumer", f"{f}#kafka.audit_producer"]
    producer = clients[f"{f}#kafka.producer"].settings
    assert (producer["bootstrap.servers"].value, producer["bootstrap.servers"].line) == ("kafka-0:9092,kafka-1:9092", 8)
    assert (producer["acks"].value, producer["acks"].line) == (None, 11)
    assert producer["acks"].detail == (
        "kafka sets acks=1, which reaches kafka.producer only if the application merges kafka into it; "
        "without that, the client's default"
    )
    assert (producer["enable.idempotence"].value, producer["enable.idempotence"].line) == ("false", 12)
    assert producer["enable.auto.commit"].value == "true"  # no producer rule judges it: as written
    assert rows(f) == {
        ("PRD001", "unknown", f"{f}#kafka.producer", 11),  # acks: "1" above it: merged or not, unknown
        ("PRD003", "fail", f"{f}#kafka.producer", 12),  # false above it, and librdkafka's default: either way
        ("CON001", "fail", f"{f}#kafka.consumer", 13),  # true above it, and librdkafka's default
    }  # audit_producer sets acks and idempotence itself: what kafka says does not reach it


@pytest.mark.parametrize(
    ("text", "clients"),
    [
        # the map's consumer keys with only a producer below: it is the consumer itself
        (
            "kafka:\n  group.id: g\n  enable.auto.commit: false\n  producer:\n    acks: all\n",
            ["kafka", "kafka.producer"],
        ),
        # its producer key with a producer below: shared settings
        ("kafka:\n  bootstrap.servers: k:9092\n  acks: all\n  producer:\n    linger.ms: 5\n", ["kafka.producer"]),
    ],
)
def test_a_map_is_a_client_for_the_roles_no_client_below_covers(text: str, clients: list[str]) -> None:
    (document,) = load_documents(text)
    assert isinstance(document, YMap)
    found = read_nested_clients(document, "app.yaml", ReadOptions())
    assert [c.name for c in found.clients] == [f"app.yaml#{c}" for c in clients]


def test_a_value_above_that_the_library_uses_anyway_is_known() -> None:
    (document,) = load_documents("kafka:\n  acks: -1\n  enable.idempotence: true\n  producer:\n    linger.ms: 5\n")
    assert isinstance(document, YMap)
    [producer] = read_nested_clients(document, "app.yaml", ReadOptions()).clients
    assert (producer.settings["acks"].value, producer.settings["acks"].line) == ("-1", 2)  # librdkafka: all
    assert producer.settings["enable.idempotence"].value is None  # librdkafka's default is false


@pytest.mark.parametrize(
    ("text", "clients"),
    [
        ("kafka:\n  producer:\n    acks: all\n", ["kafka.producer"]),  # kafka.producer: one client key is enough
        ("kafka:\n  settings:\n    acks: all\n", []),  # below kafka, but not named as a client
        ("kafka:\n  topics:\n    orders_writer:\n      compression_type: gzip\n", []),  # a topic's key too
        ("kafka:\n  bootstrap_servers: k:9092\n", []),  # the top level is the librdkafka format's
        ("queue:\n  producer:\n    acks: all\n    retries: 3\n", []),  # generic words only
        ("queue:\n  producer:\n    enable.idempotence: true\n", ["queue.producer"]),  # a Kafka-only key, named
        ("queue:\n  events:\n    enable.idempotence: true\n", []),  # one key, no name: not enough
        ("queue:\n  events:\n    group.id: g\n    enable.auto.commit: false\n", ["queue.events"]),
        ("workers:\n  - group_id: g\n    enable_auto_commit: true\n", ["workers[0]"]),
    ],
)
def test_what_makes_a_map_a_client(text: str, clients: list[str]) -> None:
    (document,) = load_documents(text)
    assert isinstance(document, YMap)
    found = read_nested_clients(document, "app.yaml", ReadOptions())
    assert [c.name for c in found.clients] == [f"app.yaml#{c}" for c in clients]
    assert found.gaps == ()


@pytest.mark.parametrize(
    "folder",
    ["spring", "spring-profiles", "compose", "compose-images", "strimzi", "kubernetes", "spring-on-kubernetes"],
)
def test_formats_that_read_nested_maps_themselves_are_not_read_again(folder: str) -> None:
    """Spring's spring.kafka.producer, a compose service's environment, a Strimzi or Kubernetes
    resource hold maps that look like clients; their own format claims the file first, so no
    `#path` client is added beside what that format reads."""
    found = read_paths([str(FILES / folder)])
    assert {t.format for t in found.targets} & {"librdkafka"} == set()
    assert not [c.name for c in found.clients if "#" in (c.name or "") and c.library in ("librdkafka", "kafka-python")]


def test_helm_values_of_a_kafka_chart_hold_no_client() -> None:
    """bitnami/kafka's values: listeners, broker text and provisioned topics' config maps
    (compression.type is a producer key too) are not a client, so no finding and no gap come of it."""
    found = read_paths(["helm-values/values.yaml"])
    assert found.clients == ()
    assert [g.reason.split(" (")[0] for g in found.gaps] == [
        "not recognised as Kafka configuration kafka-audit reads; skipped"
    ]  # as before: a named file that is not Kafka configuration kafka-audit reads


def test_a_spring_file_would_look_nested_to_the_reader_alone() -> None:
    """The guard above can fail: spring.kafka.producer is a map the nested reader would take."""
    text = (FILES / "spring" / "application.yml").read_text()
    documents = [d for d in load_documents(text) if isinstance(d, YMap)]
    assert any(read_nested_clients(d, "x.yml", ReadOptions()).clients for d in documents)
    assert any(m.path[-1] == "producer" for d in documents for m in nested_maps(d))


def test_a_walked_toml_without_clients_is_no_gap_but_named_it_is(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["kafka-python>=2.0"]\n')
    assert read_paths([str(tmp_path)]).gaps[0].reason.startswith("no Kafka configuration found")
    named = read_paths([str(tmp_path / "pyproject.toml")])
    assert [g.reason.split(" (")[0] for g in named.gaps] == [
        "not recognised as Kafka configuration kafka-audit reads; skipped"
    ]


def test_dotenv_kafka_producer_and_consumer_variables_with_the_library_of_the_nearest_build_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(FILES)
    f = "dotenv/.env"
    clients = read_paths(["dotenv"]).clients
    assert [(c.name, c.roles, c.library, c.library_version, c.line) for c in clients] == [
        (f"{f}#ORDERS_KAFKA_PRODUCER_*", frozenset({Role.PRODUCER}), "librdkafka", "2.3.0", 4),
        (f"{f}#ORDERS_KAFKA_CONSUMER_*", frozenset({Role.CONSUMER}), "librdkafka", "2.3.0", 7),
    ]  # confluent-kafka==2.3.0 in requirements.txt beside it, not the kafka-python of a folder above
    assert sorted(clients[0].settings) == ["acks", "bootstrap.servers", "enable.idempotence"]
    assert rows("dotenv") == {
        ("PRD001", "fail", f"{f}#ORDERS_KAFKA_PRODUCER_*", 5),
        ("PRD003", "fail", f"{f}#ORDERS_KAFKA_PRODUCER_*", 6),
        ("CON002", "fail", f"{f}#ORDERS_KAFKA_CONSUMER_*", 7),  # librdkafka's auto.offset.reset=latest
    }


def test_dotenv_without_a_build_file_naming_the_library_is_a_gap(tmp_path: Path) -> None:
    env = tmp_path / "worker.env"
    env.write_text("KAFKA_CONSUMER_GROUP_ID=g\nKAFKA_CONSUMER_ENABLE_AUTO_COMMIT=true\n")
    found = read_paths([str(env)])
    assert found.clients == ()
    assert [g.reason for g in found.gaps] == [
        "KAFKA_CONSUMER_*: Kafka client settings not judged: no build file beside or above the .env names one "
        "client library (their defaults decide what is left out; --client NAME says which)"
    ]
    named = read_paths([str(env)], options=ReadOptions(client="kafka-python"))
    assert [(c.library, sorted(c.settings)) for c in named.clients] == [
        ("kafka-python", ["enable.auto.commit", "group.id"])
    ]


def test_broker_and_compose_variables_in_a_dotenv_are_not_clients() -> None:
    """compose's .env (substitution) and env_file (a broker's KAFKA_*): walked, neither is read nor a gap."""
    for folder in ("compose-dotenv", "compose-envfile"):
        found = read_paths([str(FILES / folder)])
        assert not [t for t in found.targets if t.format == "dotenv"]
        assert not [g for g in found.gaps if g.resource.endswith(".env")]
