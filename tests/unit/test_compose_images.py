"""Compose brokers judged the way their image really configures Kafka (auditor/knowledge/broker_images.yaml):
the image's base server.properties, its legacy variable aliases and what it ignores, services recognised
by a Kafka-shaped environment or a mounted server.properties, which is then read as the broker's file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.audit import AuditOptions, FileSources, Sources, audit_sources
from auditor.knowledge.images import broker_images, image_for
from auditor.model import ConfigSource
from auditor.result import AuditResult
from auditor.sources.files import read_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "files" / "compose-images"
Row = tuple[str, str, str, str, int | None]  # rule, status, broker, file (relative to the fixture), line


@pytest.fixture(autouse=True)
def _in_fixtures(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(FIXTURES)  # paths as given on the command line: relative to here
    yield


def audit(path: str) -> AuditResult:
    return audit_sources(Sources(files=FileSources((path,))), AuditOptions())


def rows(path: str) -> set[Row]:
    return {
        (
            f.rule_id,
            f.status.value,
            f.resource.name,
            f.location.path if f.location and f.location.path else "",
            f.location.line if f.location else None,
        )
        for f in audit(path).findings
    }


def test_bitnami_starts_from_kafkas_shipped_file_and_its_legacy_alias_wins() -> None:
    """bitnami/containers' compose shape: offsets and transaction min ISR come from Kafka's shipped
    server.properties (1), KAFKA_DEFAULT_REPLICATION_FACTOR=3 is aliased over KAFKA_CFG_..=1, and the
    plain KAFKA_MIN_INSYNC_REPLICAS is ignored by the image: min ISR stays Kafka's default 1."""
    f = "bitnami/docker-compose.yml"
    assert rows(f) == {
        ("STO002", "fail", "kafka", f, None),  # min.insync.replicas: Kafka's default, the variable is ignored
        ("STO006", "fail", "kafka", f, None),
        ("STO007", "fail", "kafka", f, 5),  # offsets.topic.replication.factor=1 of the image's base file
        ("STO009", "fail", "kafka", f, 5),  # transaction.state.log.min.isr=1 of the base file
    }
    gaps = [g for g in audit(f).gaps if g.resource == f"{f}:19"]
    assert len(gaps) == 1 and gaps[0].reason.startswith("KAFKA_MIN_INSYNC_REPLICAS has no effect on bitnami/kafka")
    assert "write KAFKA_CFG_MIN_INSYNC_REPLICAS" in gaps[0].reason


def test_the_base_value_says_where_it_comes_from() -> None:
    broker = read_paths(["bitnami/docker-compose.yml"]).brokers[0]
    offsets = broker.settings["offsets.topic.replication.factor"]
    assert (offsets.value, offsets.source, offsets.line) == ("1", ConfigSource.STATIC_BROKER, 5)
    assert offsets.detail == (
        "not set by the service; bitnami/kafka starts from Kafka's shipped config/server.properties, which sets it"
    )
    assert broker.settings["default.replication.factor"].line == 17  # the legacy name, set after KAFKA_CFG_*


def test_wurstmeister_internal_topics_have_one_replica_unless_set() -> None:
    f = "wurstmeister/docker-compose.yml"
    assert rows(f) == {
        ("STO006", "fail", "kafka", f, None),
        ("STO007", "fail", "kafka", f, 10),
        ("STO008", "fail", "kafka", f, 10),
        ("STO009", "fail", "kafka", f, 10),
    }


def test_apache_file_input_is_read_as_the_brokers_file_under_its_environment() -> None:
    """apache/kafka's file input: the folder mounted at /mnt/shared/config holds server.properties;
    KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE=false overrides its unclean.leader.election.enable=true."""
    f = "apache-file-input/docker-compose.yml"
    assert rows(f) == {
        ("STO006", "fail", "broker", f, None),
        ("STO007", "fail", "broker", "apache-file-input/file-input/server.properties", 9),
    }


def test_a_mounted_server_properties_in_the_audited_folder_is_read_once_as_the_services_file() -> None:
    """The folder holds both the compose file and the server.properties it mounts: the file is the
    service's configuration, not a second broker of its own (it was: STO002-STO009 on a broker named
    after the file, and a two-broker cluster). Named alone, it is still a broker."""
    compose = "apache-file-input/docker-compose.yml"
    mounted = "apache-file-input/file-input/server.properties"
    walked = read_paths(["apache-file-input"])
    assert [(b.name, b.format) for b in walked.brokers] == [("broker", "docker-compose")]
    assert {t.name for t in walked.targets} == {compose, mounted}
    assert rows("apache-file-input") == rows(compose)
    assert [b.name for b in read_paths([mounted]).brokers] == [mounted]


def test_apache_without_any_setting_runs_the_tarballs_server_properties() -> None:
    f = "apache-defaults/docker-compose.yml"
    assert rows(f) == {
        ("STO002", "fail", "broker", f, None),
        ("STO003", "fail", "broker", f, None),
        ("STO005", "fail", "broker", f, None),
        ("STO006", "fail", "broker", f, None),
        ("STO007", "fail", "broker", f, 5),
        ("STO008", "fail", "broker", f, 5),
        ("STO009", "fail", "broker", f, 5),
    }


def test_apache_with_settings_starts_from_kafkas_compiled_defaults() -> None:
    broker = read_paths(["apache-file-input/docker-compose.yml"]).brokers[0]
    assert broker.settings["transaction.state.log.replication.factor"].value == "3"  # from the mounted file
    compose = read_paths(["../compose/docker-compose.yml"]).brokers
    apache = next(b for b in compose if b.name == "apache")
    assert "offsets.topic.replication.factor" not in apache.settings  # Kafka's default 3 applies


@pytest.mark.parametrize(("folder", "line"), [("variable-image", 5), ("built-locally", 4)])
def test_an_unknown_image_with_a_kafka_shaped_environment_is_a_broker_whose_base_is_unknown(
    folder: str, line: int
) -> None:
    f = f"{folder}/docker-compose.yml"
    found = rows(f)
    assert {r for r in found if r[1] == "unknown"} == {
        ("STO007", "unknown", "kafka", f, line),
        ("STO008", "unknown", "kafka", f, line),
        ("STO009", "unknown", "kafka", f, line),
    }
    broker = read_paths([f]).brokers
    assert [b.name for b in broker] == ["kafka"]  # `app` (only KAFKA_BOOTSTRAP_SERVERS) is no broker
    detail = broker[0].settings["offsets.topic.replication.factor"].detail or ""
    assert "the service's image is not known" in detail


def test_built_locally_broker_is_judged_on_its_environment() -> None:
    f = "built-locally/docker-compose.yml"
    assert ("STO004", "fail", "kafka", f, 9) in rows(f)


def test_a_mounted_server_properties_that_is_missing_makes_the_judged_settings_unknown() -> None:
    f = "missing-mount/docker-compose.yml"
    found = rows(f)
    assert {r[0] for r in found} == {"STO002", "STO003", "STO004", "STO005", "STO006", "STO007", "STO008", "STO009"}
    assert all(r[1] == "unknown" and r[4] == 6 for r in found)
    value = read_paths([f]).brokers[0].settings["min.insync.replicas"]
    assert value.detail == (
        "the broker reads ./secrets/server.properties (mounted at /mnt/shared/config/server.properties), "
        "which is not found"
    )


@pytest.mark.parametrize(
    ("image", "family", "node_id_aliased"),
    [
        ("bitnami/kafka:2.8.1", "bitnami", False),
        ("docker.io/bitnami/kafka:3.7.0-debian-12-r0", "bitnami", True),
        ("bitnami/kafka:latest", "bitnami", True),
        ("bitnamilegacy/kafka@sha256:abc", "bitnami", True),
        ("apache/kafka-native:3.9.0", "apache", False),
        ("confluentinc/cp-server:7.7.0", "confluent", False),
        ("wurstmeister/kafka:2.13-2.8.1", "wurstmeister", False),
    ],
)
def test_the_image_entry_by_family_and_tag(image: str, family: str, node_id_aliased: bool) -> None:
    entry = image_for(image)
    assert entry is not None and entry.family == family
    assert (entry.property_name("KAFKA_NODE_ID") == "node.id") is (node_id_aliased or family != "bitnami")


def test_no_broker_image_for_other_images() -> None:
    assert image_for("provectuslabs/kafka-ui:latest") is None
    assert image_for("confluentinc/cp-kafka-connect:7.7.0") is None


def test_variable_names_map_per_image() -> None:
    bitnami = image_for("bitnami/kafka:3.7")
    confluent = image_for("confluentinc/cp-kafka:7.7.0")
    assert bitnami is not None and confluent is not None
    assert bitnami.property_name("KAFKA_CFG_LOG_RETENTION_MS") == "log.retention.ms"
    assert bitnami.property_name("KAFKA_MIN_INSYNC_REPLICAS") is None
    assert bitnami.ignored("KAFKA_MIN_INSYNC_REPLICAS") == "min.insync.replicas"
    assert bitnami.ignored("KAFKA_HEAP_OPTS") is None  # the image's own variable, no broker setting
    assert confluent.property_name("KAFKA_CONFLUENT_SUPPORT__METRICS___ENABLE") == "confluent.support_metrics-enable"
    assert confluent.property_name("KAFKA_HEAP_OPTS") is None
    assert confluent.ignored("KAFKA_MIN_INSYNC_REPLICAS") is None


def test_every_family_has_one_assumed_entry() -> None:
    families = {e.family for e in broker_images()}
    assert families == {"bitnami", "apache", "confluent", "wurstmeister"}
    for family in families:
        assert sum(e.assumed for e in broker_images() if e.family == family) == 1
