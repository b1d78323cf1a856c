"""The client library's version from build files: each ecosystem, nearest file first, never guessed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.sources.buildfiles import KAFKA_CLIENTS, SPRING_BOOT, find_library, read_build_file

FIXTURES = Path(__file__).parent.parent / "fixtures" / "buildfiles"


@pytest.mark.parametrize(
    ("folder", "library", "constraint", "version", "file", "line"),
    [
        ("maven-boot22/src/main/resources", SPRING_BOOT, "2.2.13.RELEASE", "2.2.13.RELEASE", "maven-boot22/pom.xml", 9),
        ("maven-boot22", "org.springframework.kafka:spring-kafka", None, None, None, None),
        ("maven-parent/orders", KAFKA_CLIENTS, "3.7.1", "3.7.1", "maven-parent/orders/pom.xml", 14),
        ("gradle-kts", SPRING_BOOT, "3.3.4", "3.3.4", "gradle-kts/build.gradle.kts", 4),
        ("gradle-kts", KAFKA_CLIENTS, "3.8.0", "3.8.0", "gradle-kts/build.gradle.kts", 11),
        ("gradle-catalog", KAFKA_CLIENTS, "3.6.2", "3.6.2", "gradle-catalog/gradle/libs.versions.toml", 7),
        ("gradle-catalog", SPRING_BOOT, "3.2.5", "3.2.5", "gradle-catalog/gradle/libs.versions.toml", 11),
        ("gradle-catalog", "io.confluent:kafka-avro-serializer", "7.6.0", "7.6.0", "gradle-catalog/build.gradle", 9),
        ("python-req", "kafka-python", "2.0.2", "2.0.2", "python-req/requirements.txt", 3),
        ("python-req", "confluent_kafka", ">=2.3,<3", None, "python-req/requirements.txt", 5),
        ("python-poetry", "aiokafka", "0.10.0", "0.10.0", "python-poetry/poetry.lock", 4),
        ("python-uv", "confluent-kafka", "2.4.0", "2.4.0", "python-uv/uv.lock", 5),
        ("node", "kafkajs", "^2.2.4", None, "node/package.json", 8),
        ("go", "github.com/IBM/sarama", "1.43.2", "1.43.2", "go/go.mod", 7),
        ("go", "github.com/confluentinc/confluent-kafka-go", "2.4.0", "2.4.0", "go/go.mod", 8),
        ("go", "github.com/twmb/franz-go", "1.17.1", "1.17.1", "go/go.mod", 11),
        ("go", "github.com/segmentio/kafka-go", None, None, None, None),
        ("dotnet", "confluent.kafka", "2.4.0", "2.4.0", "dotnet/Orders.csproj", 8),
        ("dotnet", "Newtonsoft.Json", "13.0.3", "13.0.3", "dotnet/Orders.csproj", 10),
    ],
)
def test_version_and_where_per_ecosystem(
    folder: str, library: str, constraint: str | None, version: str | None, file: str | None, line: int | None
) -> None:
    found = find_library(FIXTURES / folder, library, boundary=FIXTURES)
    if constraint is None:
        assert found is None
        return
    assert found is not None
    assert (found.constraint, found.version, found.line) == (constraint, version, line)
    assert Path(found.path) == (FIXTURES / str(file)).resolve()
    assert found.where == f"{found.path}:{line}"


def test_the_nearest_build_file_wins_and_the_search_stops_at_the_boundary(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("kafka-python==2.0.2\n")
    service = tmp_path / "services" / "orders"
    service.mkdir(parents=True)
    (service / "requirements.txt").write_text("kafka-python==2.2.3\n")
    assert (found := find_library(service, "kafka-python", boundary=tmp_path)) is not None
    assert found.version == "2.2.3"
    (service / "requirements.txt").write_text("requests==2.31\n")
    assert (found := find_library(service, "kafka-python", boundary=tmp_path)) is not None
    assert found.version == "2.0.2"
    assert find_library(service, "kafka-python", boundary=service) is None


def test_the_repository_root_ends_the_search(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("kafka-python==2.0.2\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "app").mkdir()
    assert find_library(repo / "app", "kafka-python") is None


def test_unresolved_property_and_ranges_are_never_exact(tmp_path: Path) -> None:
    (tmp_path / "pom.xml").write_text(
        "<project><dependencies><dependency><groupId>org.apache.kafka</groupId>"
        "<artifactId>kafka-clients</artifactId><version>${kafka.version}</version></dependency>"
        "</dependencies></project>"
    )
    found = read_build_file(tmp_path / "pom.xml", KAFKA_CLIENTS)
    assert found is not None and found.version is None and found.constraint == "${kafka.version}"
    (tmp_path / "pom.xml").write_text(
        "<project><dependencies><dependency><groupId>org.apache.kafka</groupId>"
        "<artifactId>kafka-clients</artifactId><version>[3.0,4.0)</version></dependency>"
        "</dependencies></project>"
    )
    found = read_build_file(tmp_path / "pom.xml", KAFKA_CLIENTS)
    assert found is not None and found.version is None and found.constraint == "[3.0,4.0)"


def test_a_pom_with_a_dtd_is_not_expanded(tmp_path: Path) -> None:
    (tmp_path / "pom.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        "<project><dependencies><dependency><groupId>org.apache.kafka</groupId>"
        "<artifactId>kafka-clients</artifactId><version>&b;</version></dependency></dependencies></project>"
    )
    assert read_build_file(tmp_path / "pom.xml", KAFKA_CLIENTS) is None


BUILD_NAMES = ["pom.xml", "build.gradle", "build.gradle.kts", "libs.versions.toml", "requirements.txt",
               "poetry.lock", "uv.lock", "pyproject.toml", "package.json", "package-lock.json", "go.mod",
               "App.csproj", "Directory.Packages.props"]  # fmt: skip
FRAGMENTS = st.sampled_from(
    ["<project>", "</project>", "<dependency>", "<version>", "${kafka.version}", "kafka-clients", "[[package]]",
     'name = "kafka-python"', "version = ", "{", "}", '"kafkajs":', "require (", ")", "github.com/IBM/sarama v1.2.3",
     "<PackageReference Include=\"Confluent.Kafka\" Version=\"2.0\" />", "==", "\n", '"', "'", "$(", "`", "\x1b["]
)  # fmt: skip


@settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(BUILD_NAMES), text=st.lists(FRAGMENTS | st.text(max_size=20), max_size=30).map("".join))
def test_any_build_file_content_is_read_or_passed_over(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    for library in (KAFKA_CLIENTS, SPRING_BOOT, "kafka-python", "kafkajs", "github.com/IBM/sarama", "Confluent.Kafka"):
        found = read_build_file(path, library)
        assert found is None or (found.line >= 1 and found.path == str(path))


# --- the version applied to the client configurations beside the build files -----------------


def _findings(*paths: str, client: str | None = None) -> dict[str, str]:
    from auditor.audit import AuditOptions, FileSources, Sources, audit_sources

    result = audit_sources(Sources(files=FileSources(paths, None, client)), AuditOptions())
    return {f.rule_id: f"{f.status.value}: {f.actual} ({f.actual_source})" for f in result.findings}


def test_spring_boot_22_from_the_pom_is_judged_on_kafka_clients_23_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES)
    found = _findings("maven-boot22/src/main/resources/application.yml")
    told = "Spring Boot 2.2.13.RELEASE (kafka-clients 2.3.x, maven-boot22/pom.xml:9)"
    assert found == {
        "PRD001": f"fail: 1 (default of {told})",
        "PRD003": f"fail: false (default of {told})",
    }


def test_a_java_client_in_a_boot_project_gets_the_kafka_clients_boot_manages(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "build.gradle").write_text("plugins {\n  id 'org.springframework.boot' version '2.5.14'\n}\n")
    (tmp_path / "producer.properties").write_text("bootstrap.servers=kafka:9092\nvalue.serializer=x.StringSerializer\n")
    found = _findings(str(tmp_path / "producer.properties"))
    told = "Java kafka-clients 2.7.x (managed by Spring Boot 2.5.14, " + str(tmp_path / "build.gradle") + ":2)"
    assert found["PRD001"] == f"fail: 1 (default of {told})"


def test_kafka_python_pinned_in_requirements_and_the_client_option_wins(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text("kafka-python==2.0.2\n")
    (tmp_path / "producer.json").write_text('{"bootstrap_servers": "kafka:9092", "linger_ms": 5}\n')
    found = _findings(str(tmp_path / "producer.json"))
    told = f"kafka-python 2.0.2 ({tmp_path}/requirements.txt:1)"
    assert found["PRD001"] == f"fail: 1 (default of {told})"
    assert found["PRD002"] == f"fail: 0 (default of {told})"
    assert "PRD001" not in _findings(str(tmp_path / "producer.json"), client="kafka-python@3.0")


def test_a_range_or_a_version_without_known_defaults_keeps_the_assumed_version(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text("kafka-python>=2.0\nconfluent-kafka==0.9.1\n")
    (tmp_path / "producer.json").write_text('{"bootstrap_servers": "kafka:9092", "linger_ms": 5}\n')
    (tmp_path / "rdkafka.json").write_text('{"bootstrap.servers": "kafka:9092", "queue.buffering.max.ms": 5}\n')
    found = _findings(str(tmp_path / "producer.json"), str(tmp_path / "rdkafka.json"))
    defaults = [text for text in found.values() if "default of" in text]
    assert any("default of librdkafka >=1.5.2 (assumed)" in text for text in defaults), found
    assert all("(assumed)" in text for text in defaults), found


def test_a_client_in_code_takes_its_version_from_its_own_languages_build_files(tmp_path: Path) -> None:
    """confluent-kafka in requirements.txt pins the Python binding's librdkafka, not node-rdkafka's
    (whose versions do not track librdkafka) nor a Go service's beside it."""
    from auditor.sources.files import read_paths

    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text("confluent-kafka==2.4.0\n")
    (tmp_path / "go.mod").write_text("module example.com/orders\n\nrequire github.com/IBM/sarama v1.43.2\n")
    (tmp_path / "producer.py").write_text('from confluent_kafka import Producer\np = Producer({"acks": "1"})\n')
    (tmp_path / "producer.js").write_text("const Kafka = require('node-rdkafka')\nconst p = new Kafka.Producer({})\n")
    (tmp_path / "producer.go").write_text(
        'package main\n\nimport "github.com/IBM/sarama"\n\nfunc main() {\n'
        "\tconfig := sarama.NewConfig()\n\t_, _ = sarama.NewSyncProducer(nil, config)\n}\n"
    )
    found = {c.path.rsplit("/", 1)[1]: c for c in read_paths([str(tmp_path)]).clients}
    assert (found["producer.py"].library_version, found["producer.py"].library_version_at) == (
        "2.4.0",
        f"{tmp_path}/requirements.txt:1",
    )
    assert found["producer.js"].library == "librdkafka"
    assert found["producer.js"].library_version is None  # the assumed librdkafka, said so
    assert (found["producer.go"].library_version, found["producer.go"].library_version_at) == (
        "1.43.2",
        f"{tmp_path}/go.mod:3",
    )
