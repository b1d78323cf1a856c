"""Settings that declared topics leave to brokers not in the audit (issue #13, inherited values):
one finding per (brokers, key) with the count and a few examples, not one per topic; the policy's
broker_defaults declares them (topics are then judged against the value, with the policy line),
and a broker of the audit that contradicts a declared default is its own finding (STO022)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit import AuditOptions, FileSources, audit_estate, read_files
from auditor.engine.rules import load_rules
from auditor.errors import InputError
from auditor.findings import Finding, Status
from auditor.policy import EXIT_FINDINGS, EXIT_OK
from auditor.policyfile import load_policy

RULES = load_rules()

# A Terraform estate in the shape of a Mongey/kafka provider module (kafka_topic with for_each over
# a map variable, as production estates write it): most topics set only partitions and replication
# factor and leave unclean election and min ISR to the brokers; one topic of its own sets min ISR 1.
TOPICS = 265


def terraform_estate(folder: Path) -> Path:
    folder.mkdir()
    entries = "\n".join(
        f'    "svc{i:03d}.events" = {{ partitions = 6, replication_factor = 3 }}' for i in range(TOPICS - 1)
    )
    (folder / "topics.tf").write_text(
        f"""variable "topics" {{
  type = map(object({{ partitions = number, replication_factor = number }}))
  default = {{
{entries}
  }}
}}

resource "kafka_topic" "this" {{
  for_each           = var.topics
  name               = each.key
  partitions         = each.value.partitions
  replication_factor = each.value.replication_factor
}}

resource "kafka_topic" "ledger" {{
  name               = "billing.ledger"
  partitions         = 12
  replication_factor = 3
  config = {{
    "min.insync.replicas" = "1"
  }}
}}
""",
        encoding="utf-8",
    )
    return folder


def audit(path: Path, policy: Path | None = None) -> tuple[list[Finding], int]:
    estate, targets = read_files(FileSources((str(path),)))
    options = AuditOptions(policy=load_policy(policy, RULES))
    result = audit_estate(estate, targets, RULES, options)
    return list(result.findings), result.exit_code


def brief(findings: list[Finding]) -> set[tuple[str, str, str, str | None]]:
    return {(f.rule_id, f.status.value, f.resource.name, f.config_key) for f in findings}


def policy_file(folder: Path, text: str) -> Path:
    path = folder / ".kafka-audit.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_265_topics_give_one_finding_per_inherited_key(tmp_path: Path) -> None:
    module = terraform_estate(tmp_path / "kafka")
    findings, code = audit(module)
    scope = f"{module}/"
    inherited = [f for f in findings if f.rule_id == "STO021"]
    assert brief(inherited) == {
        ("STO021", "unknown", scope, "min.insync.replicas"),
        ("STO021", "unknown", scope, "unclean.leader.election.enable"),
    }
    unclean = next(f for f in inherited if f.config_key == "unclean.leader.election.enable")
    assert unclean.message.startswith(f'{TOPICS} topic(s) (kafka_topic.this["svc000.events"], ')
    assert "and 262 more" in unclean.message and "policy does not declare (broker_defaults)" in unclean.message
    assert "broker_defaults (unclean.leader.election.enable: VALUE)" in unclean.remediation
    # the one real problem stays a finding of its topic, with its line
    assert brief([f for f in findings if f.rule_id != "STO021"]) == {
        ("STO002", "fail", "kafka_topic.ledger", "min.insync.replicas"),
    }
    assert code == EXIT_FINDINGS  # the real min ISR 1, not the unknowns


def test_265_topics_with_broker_defaults_declared_give_no_inherited_finding(tmp_path: Path) -> None:
    module = terraform_estate(tmp_path / "kafka")
    policy = policy_file(
        tmp_path, "broker_defaults:\n  min.insync.replicas: 2\n  unclean.leader.election.enable: false\n"
    )
    findings, _ = audit(module, policy)
    assert brief(findings) == {("STO002", "fail", "kafka_topic.ledger", "min.insync.replicas")}


def test_topics_are_judged_against_the_declared_value_with_its_policy_line(tmp_path: Path) -> None:
    module = terraform_estate(tmp_path / "kafka")
    policy = policy_file(tmp_path, "fail_on: high\nbroker_defaults:\n  unclean.leader.election.enable: true\n")
    findings, _ = audit(module, policy)
    unclean = [f for f in findings if f.config_key == "unclean.leader.election.enable"]
    per_topic = [f for f in unclean if f.rule_id == "STO004"]
    assert len(per_topic) == TOPICS and {f.status for f in per_topic} == {Status.FAIL}
    assert per_topic[0].actual_source == f"declared in the policy at line 3 of {policy}"
    (scope,) = [f for f in unclean if f.rule_id == "STO021"]
    assert (scope.status, scope.severity.value) == (Status.FAIL, "critical")
    assert "which the policy declares as true" in scope.message


# A Strimzi KafkaTopic as Strimzi's examples/topic/kafka-topic.yaml writes one; its Kafka resource
# (strimzi.io/cluster: my-cluster) lives in another repository.
STRIMZI_TOPIC = """apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaTopic
metadata:
  name: orders
  labels:
    strimzi.io/cluster: my-cluster
spec:
  partitions: 12
  replicas: 3
  config:
    min.insync.replicas: 2
"""


def test_strimzi_topic_whose_kafka_is_elsewhere_does_not_fail_ci_on_unknowns(tmp_path: Path) -> None:
    (tmp_path / "kafka-topic.yaml").write_text(STRIMZI_TOPIC, encoding="utf-8")
    findings, code = audit(tmp_path)
    assert brief(findings) == {("STO021", "unknown", "Kafka/my-cluster", "unclean.leader.election.enable")}
    assert findings[0].severity.value == "medium"
    assert code == EXIT_OK  # fail_on high: an unknown gates like a failure of its severity, medium


def test_a_placeholder_stays_unknown_per_topic(tmp_path: Path) -> None:
    text = STRIMZI_TOPIC.replace("min.insync.replicas: 2", "min.insync.replicas: ${MIN_ISR}")
    (tmp_path / "kafka-topic.yaml").write_text(text, encoding="utf-8")
    policy = policy_file(
        tmp_path, "broker_defaults:\n  min.insync.replicas: 2\n  unclean.leader.election.enable: false\n"
    )
    findings, _ = audit(tmp_path / "kafka-topic.yaml", policy)
    assert ("STO002", "unknown", "KafkaTopic/orders", "min.insync.replicas") in brief(findings)
    assert not [f for f in findings if f.rule_id == "STO021"]


SERVER_PROPERTIES = "broker.id=1\nmin.insync.replicas=1\nunclean.leader.election.enable=false\n"


def test_a_broker_file_that_contradicts_a_declared_default_is_its_own_finding(tmp_path: Path) -> None:
    (tmp_path / "server.properties").write_text(SERVER_PROPERTIES, encoding="utf-8")
    policy = policy_file(tmp_path, "broker_defaults:\n  min.insync.replicas: 2\n")
    findings, _ = audit(tmp_path / "server.properties", policy)
    (contradiction,) = [f for f in findings if f.rule_id == "STO022"]
    assert contradiction.actual == f"min.insync.replicas=1, the policy declares 2 at {policy}:2"


@pytest.mark.parametrize(
    ("section", "error"),
    [
        ("broker_defaults: 2", "broker_defaults must map broker settings to values"),
        ("broker_defaults:\n  log.retention.ms: 1", "unknown broker_defaults key 'log.retention.ms'"),
        ("broker_defaults:\n  min.insync.replicas: two", "broker_defaults.min.insync.replicas must be a whole number"),
        ("broker_defaults:\n  min.insync.replicas: 0", "must be a whole number of at least 1"),
        ("broker_defaults:\n  unclean.leader.election.enable: 'no'", "must be true or false"),
    ],
)
def test_broker_defaults_are_validated_with_their_line(tmp_path: Path, section: str, error: str) -> None:
    policy = policy_file(tmp_path, f"fail_on: high\n{section}\n")
    with pytest.raises(InputError, match=rf"^{policy}:\d: .*{error}"):
        load_policy(policy, RULES)


def test_the_starter_policy_shows_broker_defaults_and_its_example_loads(tmp_path: Path) -> None:
    """`kafka-audit init` writes auditor/templates/kafka-audit.yaml: its broker_defaults example,
    uncommented, is a valid policy that declares both values with their lines."""
    template = Path(__file__).resolve().parents[2] / "auditor" / "templates" / "kafka-audit.yaml"
    lines = template.read_text(encoding="utf-8").splitlines()
    start = lines.index("# broker_defaults:")
    example = [line.removeprefix("# ") for line in lines[start : start + 3]]
    policy = load_policy(policy_file(tmp_path, "\n".join(example) + "\n"), RULES)
    declared = {key: (value.value, value.line) for key, value in policy.broker_defaults.items()}
    assert declared == {"min.insync.replicas": ("2", 2), "unclean.leader.election.enable": ("false", 3)}
