"""Secrets never reach stderr or stdout, on any error path (#11 point 8).

Each case is a broken file of a format kafka-audit reads, with a secret where its author would
put one (a Terraform provider's `sasl_password` heredoc as the Mongey/kafka provider's docs
write it, a JAAS line of a Java client's properties, a snapshot's redacted config entry, a saved
report): the run is exit 2 with one line naming the file, and the secret is nowhere in the output.
Parse and schema errors name the place and the kind of problem, never the offending text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.test_hostile_inputs import one_line_error, run

SECRET = "Zq9SecretTok3n"

TERRAFORM_PROVIDER = 'provider "kafka" {\n  bootstrap_servers = ["kafka:9092"]\n  sasl_username = "audit"\n'
FILES = {
    # an unterminated heredoc: lark's error token is the whole heredoc
    "heredoc.tf": TERRAFORM_PROVIDER + f"  sasl_password = <<EOT\n{SECRET}\n",
    "quoted.tf": TERRAFORM_PROVIDER + f'  sasl_password = "{SECRET}" "{SECRET}"\n}}\n',
    "interpolation.tf": TERRAFORM_PROVIDER + f'  sasl_password = "${{{SECRET}"\n}}\n',
    "bare.tf": TERRAFORM_PROVIDER + f"  sasl_password = {SECRET}!!\n}}\n",
    "after.tf": TERRAFORM_PROVIDER + f"  sasl_password = <<EOT\n  {SECRET}\n  EOT\n  tls = = 1\n}}\n",
    "producer.properties": (
        "bootstrap.servers=kafka:9092\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule"
        f' required username="audit" password="{SECRET}\\u12";\n'
    ),
    "application.yml": f'spring:\n  kafka:\n    properties:\n      sasl.jaas.config: "password={SECRET}\n  x: [\n',
    "client.json": f'{{"bootstrap.servers": "kafka:9092", "sasl.password": "{SECRET}", }}',
    "docker-compose.yml": (
        f"services:\n  kafka:\n    image: apache/kafka:3.9.0\n    environment:\n      PASSWORD: {SECRET}: [\n"
    ),
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_parse_error_never_quotes_the_secret(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(FILES[name])
    done = run(tmp_path, "audit", name)
    error = one_line_error(done, 2, name)
    assert SECRET not in error + done.stdout


def snapshot_with(entry: dict[str, object]) -> dict[str, object]:
    """A kafka-audit snapshot (auditor/schemas/snapshot.schema.json) of one broker with `entry`."""
    configs = {"listener.name.sasl_ssl.plain.sasl.jaas.config": entry}
    broker = {"id": 1, "host": "kafka-1", "port": 9092, "rack": None, "fenced": False, "configs": configs}
    cluster = {"bootstrap": "kafka-1:9092", "cluster_id": "c1", "brokers": [broker], "topics": [], "groups": []}
    return {
        "kind": "kafka-audit/cluster-snapshot",
        "schema_version": 1,
        "collected_at": "2026-01-01T00:00:00Z",
        "cluster": cluster,
    }


@pytest.mark.parametrize(
    "entry",
    [
        {"value": None, "source": SECRET, "sensitive": True},
        {"value": SECRET, "source": "DYNAMIC_BROKER", "sensitive": True},
        {"value": None, "source": "DYNAMIC_BROKER", "sensitive": SECRET},
        {"value": [SECRET], "source": "DYNAMIC_BROKER", "sensitive": True},
    ],
)
def test_a_snapshot_schema_error_never_quotes_the_secret(tmp_path: Path, entry: dict[str, object]) -> None:
    (tmp_path / "snap.json").write_text(json.dumps(snapshot_with(entry)))
    done = run(tmp_path, "audit", "--snapshot", "snap.json")
    assert SECRET not in one_line_error(done, 2) + done.stdout


def test_a_snapshot_that_is_not_json_never_quotes_the_secret(tmp_path: Path) -> None:
    text = json.dumps(snapshot_with({"value": None, "source": "DYNAMIC_BROKER", "sensitive": True}))
    (tmp_path / "snap.json").write_text(text.replace('"c1"', f'"c1" {SECRET}'))
    done = run(tmp_path, "audit", "--snapshot", "snap.json")
    assert SECRET not in one_line_error(done, 2) + done.stdout


@pytest.mark.parametrize("field", ["fail_on", "duration_ms", "exit_code"])
def test_a_report_schema_error_never_quotes_the_value(tmp_path: Path, field: str) -> None:
    (tmp_path / "producer.properties").write_text("bootstrap.servers=kafka:9092\nacks=all\n")
    assert run(tmp_path, "audit", "producer.properties", "-f", "json", "-o", "a.json").returncode == 0
    report = json.loads((tmp_path / "a.json").read_text())
    report["run"][field] = SECRET
    (tmp_path / "a.json").write_text(json.dumps(report))
    done = run(tmp_path, "report", "convert", "a.json", "-f", "table")
    error = one_line_error(done, 2)
    assert f"run/{field}" in error
    assert SECRET not in error + done.stdout


def test_a_baseline_that_is_not_json_never_quotes_its_text(tmp_path: Path) -> None:
    (tmp_path / "producer.properties").write_text("bootstrap.servers=kafka:9092\nacks=all\n")
    (tmp_path / "b.json").write_text(f'{{"format": "kafka-audit-baseline", {SECRET}}}')
    done = run(tmp_path, "audit", "producer.properties", "--baseline", "b.json")
    assert SECRET not in one_line_error(done, 2) + done.stdout
