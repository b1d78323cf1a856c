"""Every file format, end to end: fixture files -> findings with rule, severity, status, line,
resource and profile (tests/fixtures/files, one folder per format)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.audit import AuditOptions, FileSources, Sources, audit_sources, read_files
from auditor.errors import InputError
from auditor.sources.file_formats import FORMATS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "files"
Row = tuple[str, str, str, int | None, str, str, str | None]  # rule severity status line kind name profile


@pytest.fixture(autouse=True)
def _in_fixtures(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(FIXTURES)  # paths as given on the command line: relative to here
    yield


def rows(*paths: str, rules: tuple[str, ...] = (), client: str | None = None, fmt: str | None = None) -> set[Row]:
    result = audit_sources(Sources(files=FileSources(paths, fmt, client)), AuditOptions())
    return {
        (
            f.rule_id,
            f.severity.value,
            f.status.value,
            f.location.line if f.location else None,
            f.resource.kind,
            f.resource.name,
            f.location.profile if f.location else None,
        )
        for f in result.findings
        if not rules or f.rule_id in rules
    }


def producer(path: str, rule: str, severity: str, status: str, line: int | None, profile: str | None = None) -> Row:
    return (rule, severity, status, line, "producer", path, profile)


def consumer(path: str, rule: str, severity: str, status: str, line: int | None, profile: str | None = None) -> Row:
    return (rule, severity, status, line, "consumer", path, profile)


P = "properties/"
R = "librdkafka/"
S = "spring/"

CLIENT_CASES: list[tuple[str, set[Row]]] = [
    (P + "clean-producer.properties", set()),
    (
        P + "acks-1-producer.properties",  # ':' and whitespace separators, '!' comment
        {
            producer(P + "acks-1-producer.properties", "PRD001", "high", "fail", 5),
            producer(P + "acks-1-producer.properties", "PRD003", "high", "fail", 5),  # silently disabled by acks=1
        },
    ),
    (  # last duplicate wins; a continued value (max in flight 7) silently drops idempotence
        P + "duplicates.properties",
        {producer(P + "duplicates.properties", "PRD003", "high", "fail", 7)},
    ),
    (  # a key continued over two lines, TRUE read case-insensitively, a \\u escape in a value
        P + "continuation-consumer.properties",
        {consumer(P + "continuation-consumer.properties", "CON001", "high", "fail", 2)},
    ),
    (  # ${env:...} config provider on acks: unknown at its line; placeholders in unread keys don't matter
        P + "placeholders.properties",
        {producer(P + "placeholders.properties", "PRD001", "high", "unknown", 3)},
    ),
    (  # nothing set: defaults of the assumed Java client, no line
        P + "consumer-defaults.properties",
        {
            consumer(P + "consumer-defaults.properties", "CON001", "high", "fail", None),
            consumer(P + "consumer-defaults.properties", "CON002", "medium", "fail", None),
        },
    ),
    (  # librdkafka aliases in JSON; idempotence off by librdkafka's default
        R + "producer.json",
        {
            producer(R + "producer.json", "PRD001", "high", "fail", 3),
            producer(R + "producer.json", "PRD002", "high", "fail", 4),
            producer(R + "producer.json", "PRD003", "high", "fail", None),
        },
    ),
    (R + "consumer-store-after-processing.yaml", set()),  # auto-commit of stored offsets + 'smallest'
    (
        R + "consumer.conf",  # key=value; 'largest' is latest
        {
            consumer(R + "consumer.conf", "CON001", "high", "fail", None),
            consumer(R + "consumer.conf", "CON002", "medium", "fail", 4),
        },
    ),
    (  # the alias written after the canonical key wins
        R + "alias-after-canonical.properties",
        # request.required.acks=1 with enable.idempotence=true: rd_kafka_new refuses it (will not start)
        {producer(R + "alias-after-canonical.properties", "PRD001", "medium", "fail", 4)},
    ),
    (  # top-level acks wins over default.topic.config; its message.timeout.ms is delivery.timeout.ms
        R + "default-topic-config.json",
        {producer(R + "default-topic-config.json", "PRD005", "medium", "fail", 4)},
    ),
    (  # an unquoted {{ template }} (YAML reads it as a flow mapping): unknown at its line
        R + "templated.yaml",
        {producer(R + "templated.yaml", "PRD001", "high", "unknown", 3)},
    ),
    (  # snake_case keys: kafka-python 3.x, which copies Java's silent idempotence fallback
        R + "kafka-python-producer.json",
        {
            producer(R + "kafka-python-producer.json", "PRD001", "high", "fail", 3),
            producer(R + "kafka-python-producer.json", "PRD003", "high", "fail", 3),
        },
    ),
    (  # anchors + merge, kebab-case pass-through key has no effect, ${VAR:default}, prod profile layered
        S + "application.yml",
        {
            consumer(S + "application.yml", "CON002", "medium", "fail", 16),
            # ack-mode manual_immediate: the listener code commits, and where is not in a config file
            consumer(S + "application.yml", "CON001", "high", "unknown", 17),
            consumer(S + "application.yml", "CON002", "medium", "fail", 16, "prod"),
            # acks 1 with transaction-id-prefix (transactional.id): kafka-clients drops the default
            # idempotence, then refuses the transactional producer; it will not start (medium)
            producer(S + "application.yml", "PRD001", "medium", "fail", 27, "prod"),
            consumer(S + "application.yml", "CON001", "high", "fail", 30, "prod"),  # [enable.auto.commit] wins
            consumer(S + "application.yml", "CON003", "medium", "fail", 30, "prod"),
        },
    ),
    (  # spring.kafka.properties < typed < producer.properties; #--- documents; ${VAR} without default
        S + "precedence/application.properties",
        {
            producer(S + "precedence/application.properties", "PRD003", "high", "fail", 4),
            consumer(S + "precedence/application.properties", "CON001", "high", "unknown", 7),
            # explicit idempotence with 10 in flight: the Java client refuses to start (medium)
            producer(S + "precedence/application.properties", "PRD004", "medium", "fail", 10, "staging"),
        },
    ),
    (  # legacy spring.profiles, honoured through spring.profiles.active in the file: labelled with it
        S + "legacy/application.yml",
        {
            consumer(S + "legacy/application.yml", "CON001", "high", "fail", 13, "cloud"),
            consumer(S + "legacy/application.yml", "CON003", "medium", "fail", 13, "cloud"),
        },
    ),
    (S + "nokafka/application.yml", set()),
]


@pytest.mark.parametrize(("path", "expected"), CLIENT_CASES, ids=[c[0] for c in CLIENT_CASES])
def test_client_files(path: str, expected: set[Row]) -> None:
    assert rows(path) == expected


STORE_RULES = ("STO001", "STO002", "STO003", "STO004", "STO005", "STO021")
C = "compose/docker-compose.yml"
T = "terraform/main.tf"


def broker(name: str, rule: str, severity: str, status: str, line: int | None) -> Row:
    return (rule, severity, status, line, "broker", name, None)


def topic(name: str, rule: str, severity: str, status: str, line: int | None) -> Row:
    return (rule, severity, status, line, "topic", name, None)


def inherited(brokers: str, key: str) -> Row:
    """STO021: topics leave `key` to brokers that are not in the audit (one row per brokers and key)."""
    return ("STO021", "medium", "unknown", None, "broker-default", brokers, None)


DECLARED_CASES: list[tuple[tuple[str, ...], set[Row]]] = [
    (
        ("server-properties/server.properties",),
        {
            broker("server-properties/server.properties", "STO002", "high", "fail", 7),
            broker("server-properties/server.properties", "STO004", "critical", "unknown", 8),  # ${UNCLEAN}
        },
    ),
    (("server-properties/zookeeper-server.properties",), set()),
    (
        (C,),
        {
            # confluent: merged anchor line 3, compose default ${RF:-1} judged, plain KAFKA_* mapped
            broker("confluent", "STO003", "critical", "fail", 3),
            broker("confluent", "STO004", "critical", "fail", 12),
            broker("confluent", "STO005", "high", "fail", 11),
            # apache: list form; a bare name comes from compose's environment: unknown
            broker("apache", "STO002", "high", "fail", 17),
            broker("apache", "STO005", "high", "unknown", 18),
            broker("apache", "STO003", "medium", "unknown", 17),
            # bitnami: only KAFKA_CFG_* counts (the plain KAFKA_MIN_INSYNC_REPLICAS=2 has no effect)
            broker("bitnami", "STO002", "high", "fail", 24),
            # wurstmeister KAFKA_CREATE_TOPICS: audit:1:1 inherits min ISR 2 from its service
            topic("audit", "STO001", "critical", "fail", 29),
            topic("audit", "STO003", "critical", "fail", None),
        },
    ),
    (
        ("strimzi/cluster.yaml", "strimzi/topics.yaml"),
        {
            broker("Kafka/prod", "STO002", "high", "fail", 10),
            topic("KafkaTopic/inherits", "STO002", "high", "fail", None),  # inherited: no line
            topic("KafkaTopic/payments", "STO001", "critical", "fail", 9),
            topic("KafkaTopic/payments", "STO002", "high", "fail", None),  # inherits across files
            topic("KafkaTopic/payments", "STO003", "medium", "fail", None),
            # its cluster is not in the audit: one finding per key for Kafka/elsewhere, not per topic
            inherited("Kafka/elsewhere", "min.insync.replicas"),
            inherited("Kafka/elsewhere", "unclean.leader.election.enable"),
        },
    ),
    (
        (T,),
        {
            topic("kafka_topic.orders", "STO004", "critical", "fail", 23),
            topic('kafka_topic.events["clicks"]', "STO001", "high", "fail", 30),  # for_each over a var default
            topic('kafka_topic.events["clicks"]', "STO002", "high", "unknown", 33),  # variable without default
            topic('kafka_topic.events["clicks"]', "STO003", "medium", "unknown", 33),
            topic('kafka_topic.events["views"]', "STO002", "high", "unknown", 33),
            topic('kafka_topic.events["views"]', "STO003", "medium", "unknown", 33),
            inherited("terraform/", "unclean.leader.election.enable"),  # no broker in the audit
        },
    ),
    (
        ("topicctl/orders.yaml",),
        {
            topic("orders", "STO001", "high", "fail", 8),
            topic("orders", "STO002", "high", "fail", 11),
            inherited("topicctl/", "unclean.leader.election.enable"),
        },
    ),
]


@pytest.mark.parametrize(("paths", "expected"), DECLARED_CASES, ids=[c[0][0] for c in DECLARED_CASES])
def test_broker_and_topic_files(paths: tuple[str, ...], expected: set[Row]) -> None:
    assert rows(*paths, rules=STORE_RULES) == expected


def test_folder_walk_finds_every_format_and_skips_vendored_and_vcs(tmp_path: Path) -> None:
    for folder in (".git", "node_modules", "build", "vendor"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "producer.properties").write_text("acks=0\n")
    app = tmp_path / "app"
    app.mkdir()
    (app / "producer.properties").write_text("acks=0\n")
    (app / "README.md").write_text("acks=0\n")
    (app / "log4j.properties").write_text("log4j.rootLogger=INFO\n")  # no Kafka key: skipped, not an error
    estate, targets = read_files(FileSources((str(tmp_path),)))
    assert [t.name for t in targets] == [f"{tmp_path}/app/producer.properties"]
    assert [c.path for c in estate.clients] == [f"{tmp_path}/app/producer.properties"]


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_registered_format_has_a_fixture_folder_detected_as_it(name: str) -> None:
    """A format added to the registry without fixtures, or that detection does not reach, fails here."""
    folder = {"code": "../code/python"}.get(name, name)  # the code readers' fixtures live in tests/fixtures/code
    _estate, targets = read_files(FileSources((folder,)))
    assert targets, f"tests/fixtures/files/{folder}/ holds no file detected as {name}"
    assert {t.format for t in targets} == {name}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("broken/bad-escape.properties", "broken/bad-escape.properties:2: malformed \\uxxxx encoding"),
        ("broken/broken.json", "broken/broken.json:3: invalid JSON"),
        ("broken/broken.tf", "broken/broken.tf:2: invalid HCL"),
        ("broken/application.yml", "broken/application.yml:5: invalid YAML"),
        ("broken/docker-compose.yml", "broken/docker-compose.yml:6: invalid YAML"),
        ("no/such/file.yml", "no/such/file.yml: no such file or folder"),
    ],
)
def test_unreadable_file_is_an_input_error_naming_file_and_line(path: str, message: str) -> None:
    with pytest.raises(InputError, match=None) as raised:
        rows("properties/acks-1-producer.properties", path)  # the good file is not half-reported
    assert message in str(raised.value)


def test_client_option_sets_library_and_version() -> None:
    java28 = rows(P + "clean-producer.properties", client="java@2.8")
    assert java28 == set()  # explicit acks=all and idempotence: the old defaults do not matter
    defaults = rows(P + "consumer-defaults.properties", client="librdkafka@2.6")
    assert consumer(P + "consumer-defaults.properties", "CON001", "high", "fail", None) in defaults
    with pytest.raises(InputError, match="client library 'rdkafka-ruby': no client defaults known for 'rdkafka-ruby'"):
        rows(P + "clean-producer.properties", client="rdkafka-ruby")


def test_default_finding_names_client_version_and_has_no_line() -> None:
    result = audit_sources(
        Sources(files=FileSources((P + "consumer-defaults.properties",), client="java@3.9.1")), AuditOptions()
    )
    reset = next(f for f in result.findings if f.rule_id == "CON002")
    assert "default of Java kafka-clients 3.9.1" in reset.message
    assert reset.location is not None and reset.location.line is None


def test_file_format_overrides_detection() -> None:
    # a librdkafka-looking key=value file read as a Java client: the alias is then not acks
    as_java = rows(R + "alias-after-canonical.properties", fmt="properties", client="java")
    assert as_java == set()


def test_placeholder_default_is_judged_and_says_so() -> None:
    result = audit_sources(Sources(files=FileSources((C,))), AuditOptions())
    rf = next(f for f in result.findings if f.rule_id == "STO005" and f.resource.name == "confluent")
    assert rf.actual == "1"
    assert "judged on the default of ${RF:-1}" in (rf.actual_source or "")


def test_encodings(tmp_path: Path) -> None:
    (tmp_path / "latin1.properties").write_bytes("acks=1\nclient.id=caf\xe9\n".encode("iso-8859-1"))
    (tmp_path / "blob.yaml").write_bytes(b"\xff\xfe kafka \x00")
    estate, targets = read_files(FileSources((str(tmp_path),)))
    assert [t.name for t in targets] == [f"{tmp_path}/latin1.properties"]  # read as java.util.Properties does
    assert estate.clients[0].settings["client.id"].value == "caf\xe9"
    assert [(g.resource, g.reason) for g in estate.gaps] == [(f"{tmp_path}/blob.yaml", "not UTF-8 text; skipped")]
    with pytest.raises(InputError, match=r"blob\.yaml: not UTF-8 text"):
        read_files(FileSources((str(tmp_path / "blob.yaml"),)))


SP = "spring-profiles/"


def test_spring_profile_files_layer_over_application_yml() -> None:
    assert rows("spring-profiles") == {
        producer(SP + "application-prod.yml", "PRD001", "high", "fail", 4, "prod"),
        producer(SP + "application-prod.yml", "PRD003", "high", "fail", 4, "prod"),
        consumer(SP + "application-dev.properties", "CON001", "high", "fail", 1, "dev"),
    }


def test_spring_profile_file_alone_still_layers_over_its_base() -> None:
    # application.yml beside it sets auto-offset-reset=earliest, so no CON002 for the prod consumer
    assert rows(SP + "application-prod.yml") == {
        producer(SP + "application-prod.yml", "PRD001", "high", "fail", 4, "prod"),
        producer(SP + "application-prod.yml", "PRD003", "high", "fail", 4, "prod"),
    }


def test_compose_substitutes_from_the_dotenv_beside_it() -> None:
    # .env sets RF=3 (no STO005), MIN_ISR=1 (bare $MIN_ISR), UNCLEAN= (empty: ${UNCLEAN:-false} takes the default)
    assert rows("compose-dotenv", rules=STORE_RULES) == {broker("kafka", "STO002", "high", "fail", 6)}
    result = audit_sources(Sources(files=FileSources(("compose-dotenv",))), AuditOptions())
    (min_isr,) = [f for f in result.findings if f.rule_id == "STO002"]
    assert "$MIN_ISR substituted from .env" in (min_isr.actual_source or "")


def test_files_and_a_snapshot_are_judged_together(tmp_path: Path) -> None:
    from auditor.sources.snapshot import write_snapshot
    from tests.builders import snapshot
    from tests.builders import topic as cluster_topic

    saved = tmp_path / "cluster.json"
    write_snapshot(snapshot(cluster_topic("live-rf1", rf=1, min_isr="1")), saved)
    result = audit_sources(
        Sources(snapshot=saved, files=FileSources((P + "acks-1-producer.properties",))), AuditOptions()
    )
    assert [(t.kind, t.name) for t in result.targets] == [
        ("snapshot", str(saved)),
        ("file", P + "acks-1-producer.properties"),
    ]
    found = {(f.rule_id, f.resource.kind, f.resource.name) for f in result.findings}
    assert ("STO001", "topic", "live-rf1") in found
    assert ("PRD001", "producer", P + "acks-1-producer.properties") in found


def test_compose_env_file_is_read_and_environment_overrides_it() -> None:
    # kafka.env sets min ISR 1 (overridden to 2 by `environment`) and unclean election true (line 3)
    assert rows("compose-envfile", rules=STORE_RULES) == {broker("kafka", "STO004", "critical", "fail", 3)}
    result = audit_sources(Sources(files=FileSources(("compose-envfile",))), AuditOptions())
    (unclean,) = [f for f in result.findings if f.rule_id == "STO004"]
    assert unclean.location is not None and unclean.location.path == "compose-envfile/kafka.env"


def test_missing_required_env_file_is_an_input_error_named_and_a_gap_walked(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  kafka:\n    image: apache/kafka\n    env_file: missing.env\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"docker-compose\.yml:4: env_file missing\.env not found"):
        read_files(FileSources((str(tmp_path / "docker-compose.yml"),)))
    estate, _ = read_files(FileSources((str(tmp_path),)))
    assert [g.reason for g in estate.gaps] == [
        f"cannot be read: {tmp_path}/docker-compose.yml:4: env_file missing.env not found"
    ]
