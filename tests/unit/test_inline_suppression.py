"""Inline suppression (`# kafka-audit: ignore[PRD002] reason`) in each format's own comment syntax,
on the finding's line or the line above; the finding stays in the report as waived with the
reason, counted; a comment without a reason or naming no rule waives nothing and is reported;
--no-waivers ignores them. And the snippet: each file finding carries the line it points at,
never a line that holds a secret.

The files are written in the shapes of real public ones: a Java client's producer.properties
(kafka-clients ProducerConfig keys), a Spring Boot application.yml (spring.kafka.producer.*), a
Terraform kafka_topic of Mongey/terraform-provider-kafka, a docker-compose env_file of the
apache/kafka image (KAFKA_* variables), a confluent-kafka-python Producer and a kafka-clients
Java producer built with ProducerConfig constants.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.audit import AuditOptions, FileSources, Sources, audit_sources
from auditor.engine import load_rules
from auditor.findings import Finding, Status
from auditor.reports import OutputFormat, RenderOptions, render
from auditor.result import AuditResult
from auditor.sources.source_lines import SourceLines


def audit(root: Path, inline: bool = True) -> AuditResult:
    options = AuditOptions(rules=tuple(load_rules()), inline_waivers=inline)
    return audit_sources(Sources(files=FileSources((str(root),))), options)


def finding(result: AuditResult, rule_id: str) -> Finding:
    (found,) = [f for f in result.findings if f.rule_id == rule_id]
    return found


PROPERTIES_ABOVE = """bootstrap.servers=broker1:9092
acks=all
# kafka-audit: ignore[PRD002] retries are done by the outbox relay, which re-sends until acked
retries=0
enable.idempotence=false
"""

PROPERTIES_BANG = """bootstrap.servers=broker1:9092
acks=all
! kafka-audit: ignore[producer-retries-zero, PRD003] the outbox relay retries; duplicates are deduplicated downstream
retries=0
"""

SPRING_YAML = """spring:
  kafka:
    bootstrap-servers: broker1:9092
    producer:
      acks: all
      retries: 0  # kafka-audit: ignore[PRD002] retried by the Spring Retry template around send()
"""

TERRAFORM = """resource "kafka_topic" "audit_log" {
  name               = "audit-log"
  // kafka-audit: ignore[STO001] a scratch topic, rebuilt from the warehouse every night
  replication_factor = 1
  partitions         = 3
  config = {
    "min.insync.replicas" = "1" # kafka-audit: ignore[STO002] single replica, see above
  }
}
"""

COMPOSE = """services:
  kafka:
    image: apache/kafka:3.9.0
    env_file:
      - kafka.env
"""
DOTENV = """KAFKA_NODE_ID=1
# kafka-audit: ignore[STO004] a throwaway local broker: availability over data
KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE=true
"""

PYTHON = """from confluent_kafka import Producer

producer = Producer({
    "bootstrap.servers": "broker1:9092",
    "acks": "all",
    # kafka-audit: ignore[PRD002] the caller retries on delivery failure
    "retries": 0,
})
"""

JAVA = """import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;

public class OrderProducer {
    public KafkaProducer<String, String> build() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker1:9092");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.RETRIES_CONFIG, 0); // kafka-audit: ignore[PRD002] retried by the outbox
        return new KafkaProducer<>(props);
    }
}
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("files", "rule_id", "reason", "comment_line"),
    [
        ({"producer.properties": PROPERTIES_ABOVE}, "PRD002", "retries are done by the outbox relay", 3),
        ({"producer.properties": PROPERTIES_BANG}, "PRD002", "the outbox relay retries", 3),
        ({"producer.properties": PROPERTIES_BANG}, "PRD003", "the outbox relay retries", 3),
        ({"application.yml": SPRING_YAML}, "PRD002", "retried by the Spring Retry template", 6),
        ({"main.tf": TERRAFORM}, "STO001", "a scratch topic", 3),
        ({"main.tf": TERRAFORM}, "STO002", "single replica, see above", 7),
        ({"docker-compose.yml": COMPOSE, "kafka.env": DOTENV}, "STO004", "a throwaway local broker", 2),
        ({"producer.py": PYTHON}, "PRD002", "the caller retries", 6),
        ({"OrderProducer.java": JAVA}, "PRD002", "retried by the outbox", 10),
    ],
    ids=["properties-#", "properties-!", "properties-two-rules", "yaml", "hcl-//", "hcl-#", "env", "python", "java"],
)
def test_a_comment_waives_the_finding_it_names(
    tmp_path: Path, files: dict[str, str], rule_id: str, reason: str, comment_line: int
) -> None:
    result = audit(write(tmp_path, files))
    waived = finding(result, rule_id)
    assert waived.status is Status.WAIVED
    assert waived.waiver_reason is not None and waived.waiver_reason.startswith(reason)
    assert waived.waiver_reason.endswith(f":{comment_line})")  # (inline, path:line) of the comment
    (use,) = [u for u in result.waivers if u.waiver.rule_id == rule_id]
    assert (use.status, use.matched, use.waiver.inline) == ("applied", 1, True)
    assert result.by_status().get("waived", 0) >= 1
    unwaived = finding(audit(tmp_path, inline=False), rule_id)
    assert unwaived.status is not Status.WAIVED  # the same files with --no-waivers: the unfiltered truth


def test_a_comment_waives_only_the_rules_it_names(tmp_path: Path) -> None:
    result = audit(write(tmp_path, {"producer.properties": PROPERTIES_ABOVE}))
    assert finding(result, "PRD002").status is Status.WAIVED
    assert finding(result, "PRD003").status is Status.FAIL  # enable.idempotence=false, line 5: not named


def test_a_trailing_hash_in_a_properties_value_is_no_comment(tmp_path: Path) -> None:
    """In .properties `retries=0 # ...` is the value `0 # ...`: never read as a suppression."""
    text = "bootstrap.servers=b:9092\nacks=1 # kafka-audit: ignore[PRD001] why\n"
    lines = SourceLines()
    (tmp_path / "p.properties").write_text(text, encoding="utf-8")
    assert lines.suppressions(str(tmp_path / "p.properties"), 2) == []


def test_a_comment_two_lines_above_is_not_read(tmp_path: Path) -> None:
    text = "# kafka-audit: ignore[PRD002] too far away\nacks=all\nretries=0\n"
    result = audit(write(tmp_path, {"producer.properties": text}))
    assert finding(result, "PRD002").status is Status.FAIL


@pytest.mark.parametrize(
    ("comment", "problem"),
    [
        ("# kafka-audit: ignore[PRD002]", "inline suppression without a reason"),
        ("# kafka-audit: ignore[PRD999] a typo", "inline suppression names 'PRD999', not a rule id or name"),
        ("# kafka-audit: ignore[] nothing named", "inline suppression names nothing"),
    ],
)
def test_a_comment_without_reason_or_rule_waives_nothing_and_is_reported(
    tmp_path: Path, comment: str, problem: str
) -> None:
    result = audit(write(tmp_path, {"producer.properties": f"acks=all\n{comment}\nretries=0\n"}))
    assert finding(result, "PRD002").status is Status.FAIL
    (gap,) = [g for g in result.gaps if g.resource.endswith("producer.properties:2")]
    assert problem in gap.reason


def test_every_file_finding_carries_its_source_line(tmp_path: Path) -> None:
    result = audit(write(tmp_path, {"producer.properties": "acks=1\nretries=0\n"}))
    assert finding(result, "PRD001").location.snippet == "acks=1"  # type: ignore[union-attr]
    assert finding(result, "PRD002").location.snippet == "retries=0"  # type: ignore[union-attr]
    text = render(result, OutputFormat.TABLE, RenderOptions(width=100))
    assert "  2 | retries=0" in text.splitlines()
    document = json.loads(render(result, OutputFormat.JSON, RenderOptions()))
    assert {f["location"].get("snippet") for f in document["findings"]} >= {"acks=1", "retries=0"}


def test_a_line_that_may_hold_a_secret_is_never_a_snippet(tmp_path: Path) -> None:
    lines = SourceLines()
    path = tmp_path / "client.properties"
    path.write_text(
        'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required password="s3cr3t";\n'
        "ssl.truststore.password=changeit\nacks=1\n",
        encoding="utf-8",
    )
    assert lines.snippet(str(path), 1) is None and lines.snippet(str(path), 2) is None
    assert lines.snippet(str(path), 3) == "acks=1"
    assert lines.snippet(str(path), 4) is None and lines.snippet(str(tmp_path / "gone.properties"), 1) is None


def test_the_cli_shows_the_waiver_reason_and_no_waivers_ignores_it(tmp_path: Path) -> None:
    write(tmp_path, {"producer.properties": PROPERTIES_ABOVE})
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAFKA_AUDIT_")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "auditor", "audit", "producer.properties", *args]
        return subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=env, check=False, timeout=120)

    shown = run("--fail-on", "critical")
    flat = " ".join(shown.stdout.split())
    assert "PRD002 high waived" in flat
    reason = "retries are done by the outbox relay, which re-sends until acked"
    assert f"waived: {reason} (inline, producer.properties:3)" in flat
    assert "1 waived" in flat
    truth = run("--no-waivers", "--fail-on", "critical")
    assert "waived" not in truth.stdout


def test_a_comment_that_waives_nothing_is_reported_unused(tmp_path: Path) -> None:
    """As ruff reports an unused `noqa`: the comment stays visible until someone removes it."""
    text = "# kafka-audit: ignore[PRD001] acks are fine here\nacks=all\nretries=0\n"
    result = audit(write(tmp_path, {"producer.properties": text}))
    assert finding(result, "PRD002").status is Status.FAIL
    (use,) = [u for u in result.waivers if u.waiver.inline]
    assert (use.status, use.matched, use.waiver.rule_id, use.waiver.source) == (
        "unused",
        0,
        "PRD001",
        f"{tmp_path / 'producer.properties'}:1",
    )
    text = render(result, OutputFormat.TABLE, RenderOptions(width=200))
    assert f"waiver unused: PRD001 line {tmp_path / 'producer.properties'}:1 (owner inline comment" in text
