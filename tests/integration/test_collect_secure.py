"""Authenticated collection on the real cluster: gaps for what a principal may not read, exit 3 for
a wrong password, and no secret in any output of any command or format."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kafka_cluster import USERS

from auditor.reports import OutputFormat
from tests.cluster_fixtures import scram_client_properties, scram_user_with_auditor_grants

pytestmark = pytest.mark.integration

LIMITED_USER = "limited-auditor"
LIMITED_PASSWORD = "Limited-Pa55word-7f3e"
HIDDEN_PREFIX = "hiddencfg-"


def kafka_audit(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture
def limited_user(admin: Any) -> Iterator[str]:
    """A SCRAM user with the auditor's grants, but DESCRIBE_CONFIGS denied on `hiddencfg-*` topics."""
    from kafka.admin import ACLOperation, ACLResourcePatternType, ResourcePattern, ResourceType

    hidden = ResourcePattern(ResourceType.TOPIC, HIDDEN_PREFIX, ACLResourcePatternType.PREFIXED)
    denied = [(ACLOperation.DESCRIBE_CONFIGS, hidden)]
    with scram_user_with_auditor_grants(admin, LIMITED_USER, LIMITED_PASSWORD, denied):
        yield LIMITED_USER


def test_topics_without_describe_configs_are_gaps(
    kafka_cluster: Any, limited_user: str, make_topic: Callable[..., str], tmp_path: Path
) -> None:
    hidden = make_topic(HIDDEN_PREFIX)
    visible = make_topic("visible")
    config = scram_client_properties(tmp_path, limited_user, LIMITED_PASSWORD)
    args = ["audit", "--bootstrap-server", kafka_cluster.sasl_bootstrap, "--command-config", str(config)]
    done = kafka_audit(*args, "--format", "json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    coverage = json.loads(done.stdout)["coverage"]
    assert coverage["complete"] is False
    gaps = {gap["resource"]: gap["reason"] for gap in coverage["gaps"]}
    assert "TopicAuthorizationFailed" in gaps[f"topic {hidden}"]
    assert f"topic {visible}" not in gaps
    assert kafka_audit(*args, "--fail-on", "never", "--fail-on-gaps").returncode == 4


GRANT = "; an administrator grants it read-only with: "


def audit_json(kafka_cluster: Any, config: Path) -> dict[str, Any]:
    args = ["audit", "--bootstrap-server", kafka_cluster.sasl_bootstrap, "--command-config", str(config)]
    done = kafka_audit(*args, "--format", "json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def judged(document: dict[str, Any], kind: str, name: str | None = None) -> tuple[set[str], set[str]]:
    """(rules that passed, rules reported unknown) on the resources of `kind` (named `name`)."""

    def mine(resource: dict[str, Any]) -> bool:
        return bool(resource["kind"] == kind and name in (None, resource["name"]))

    passed = {p["rule_id"] for p in document["passed"] if mine(p["resource"])}
    unknown = {f["rule_id"] for f in document["findings"] if f["status"] == "unknown" and mine(f["resource"])}
    return passed, unknown


def test_a_refused_broker_config_read_names_the_cluster_acl_and_is_not_passed(
    kafka_cluster: Any, admin: Any, tmp_path: Path
) -> None:
    """#12: the user has every grant of the auditor but DESCRIBE_CONFIGS on the cluster: each
    broker's gap names exactly that ACL and the kafka-acls command granting only it; no broker
    rule passes on configs that were not read."""
    from kafka.admin import ACLOperation, ResourcePattern, ResourceType

    user, password = "no-cluster-configs", "No-Cluster-Configs-5c1d"
    denied = [(ACLOperation.DESCRIBE_CONFIGS, ResourcePattern(ResourceType.CLUSTER, "kafka-cluster"))]
    with scram_user_with_auditor_grants(admin, user, password, denied):
        document = audit_json(kafka_cluster, scram_client_properties(tmp_path, user, password))
    gaps = {gap["resource"]: gap["reason"] for gap in document["coverage"]["gaps"]}
    brokers = [f"broker {node.node_id}" for node in kafka_cluster.nodes]
    assert set(gaps) == set(brokers), gaps  # nothing else was refused
    for broker in brokers:
        reason, command = gaps[broker].split(GRANT)
        assert reason.startswith("configs not read: ClusterAuthorizationFailedError"), reason
        assert reason.endswith(f": User:{user} needs DESCRIBE_CONFIGS on Cluster kafka-cluster"), reason
        assert shlex.split(command) == [
            "kafka-acls.sh", "--bootstrap-server", kafka_cluster.sasl_bootstrap,
            "--command-config", "ADMIN_CLIENT.properties", "--add", "--allow-principal", f"User:{user}",
            "--operation", "DescribeConfigs", "--cluster",
        ]  # fmt: skip
    passed, unknown = judged(document, "broker")
    assert passed == {"STO015"}, passed  # broker.rack comes with DescribeCluster, which needs no ACL
    assert {"STO005", "STO006", "STO007", "STO008", "STO009"} <= unknown, unknown


def test_a_refused_group_read_names_the_group_acl_and_its_offsets_stay_unknown(
    kafka_cluster: Any, admin: Any, make_topic: Callable[..., str], tmp_path: Path
) -> None:
    """#12: every grant but DESCRIBE on one group, which has committed offsets: its gaps name
    `DESCRIBE on Group '<id>'` and the grant; GRP001/GRP002 are unknown on it, never passed."""
    from kafka import KafkaConsumer, TopicPartition
    from kafka.admin import ACLOperation, ResourcePattern, ResourceType
    from kafka.structs import OffsetAndMetadata

    topic, group = make_topic("acl-grp"), f"payments-{uuid.uuid4().hex[:8]}"
    consumer = KafkaConsumer(bootstrap_servers=kafka_cluster.bootstrap, group_id=group, enable_auto_commit=False)
    consumer.commit({TopicPartition(topic, 0): OffsetAndMetadata(0, None, -1)})
    consumer.close()
    user, password = "no-group-describe", "No-Group-Describe-9a2b"
    denied = [(ACLOperation.DESCRIBE, ResourcePattern(ResourceType.GROUP, group))]
    with scram_user_with_auditor_grants(admin, user, password, denied):
        document = audit_json(kafka_cluster, scram_client_properties(tmp_path, user, password))
    gaps = [gap for gap in document["coverage"]["gaps"] if gap["resource"] == f"group {group}"]
    assert {gap["reason"].split(":")[0] for gap in gaps} == {"members not read", "committed offsets not read"}, gaps
    for gap in gaps:
        reason, command = gap["reason"].split(GRANT)
        assert reason.endswith(f"GroupAuthorizationFailedError: User:{user} needs DESCRIBE on Group '{group}'")
        assert shlex.split(command)[-6:] == ["--allow-principal", f"User:{user}", "--operation", "Describe",
                                             "--group", group]  # fmt: skip
    passed, unknown = judged(document, "group", group)
    assert not passed, passed
    assert {"GRP001", "GRP002"} <= unknown, unknown


def test_wrong_password_is_exit_3_in_one_line(kafka_cluster: Any, tmp_path: Path) -> None:
    config = scram_client_properties(tmp_path, "auditor", "not-the-password")
    started = time.monotonic()
    done = kafka_audit(
        "audit", "--bootstrap-server", kafka_cluster.sasl_bootstrap, "--command-config", str(config), "--timeout", "5"
    )
    assert time.monotonic() - started < 30
    assert done.returncode == 3
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kafka-audit: error: cannot connect"), done.stderr
    assert "authentication failed for user 'auditor'" in lines[0]
    assert "check the user name and password" in lines[0]
    assert "not-the-password" not in done.stderr + done.stdout


def test_no_secret_in_any_output(kafka_cluster: Any, make_topic: Callable[..., str], tmp_path: Path) -> None:
    """Every command and format, with the auditor's password and the brokers' JAAS password known."""
    make_topic("rf1", replication_factor=1)  # findings, so reports are not empty
    config = str(kafka_cluster.auditor_config_path)
    secrets = [USERS["auditor"], USERS["admin"]]  # the brokers' own JAAS config holds the admin password
    sasl = ["--bootstrap-server", kafka_cluster.sasl_bootstrap, "--command-config", config]
    snapshot = tmp_path / "cluster.json"
    runs = [kafka_audit("snapshot", *sasl, "--output", str(snapshot))]
    for fmt in OutputFormat:
        report = tmp_path / f"report.{fmt.value}"
        runs.append(kafka_audit("audit", *sasl, "--format", fmt.value, "--output", str(report)))
        runs.append(kafka_audit("audit", *sasl, "--format", fmt.value, "--debug"))
        runs.append(kafka_audit("audit", "--snapshot", str(snapshot), "--format", fmt.value))
    wrong = scram_client_properties(tmp_path, "auditor", secrets[0] + "-wrong")
    runs.append(kafka_audit("audit", "--bootstrap-server", kafka_cluster.sasl_bootstrap, "--command-config",
                            str(wrong), "--timeout", "3"))  # fmt: skip
    assert [r.returncode for r in runs[:2]] == [0, 1], runs[1].stderr
    written = [path.read_text() for path in tmp_path.iterdir() if path.suffix != ".properties"]
    outputs = [r.stdout + r.stderr for r in runs] + written
    assert len(written) == len(OutputFormat) + 1
    for secret in secrets:
        assert not [text for text in outputs if secret in text], f"{secret!r} leaked"


def test_a_printed_fix_command_reaches_the_sasl_listener(
    kafka_cluster: Any, make_topic: Callable[..., str], tmp_path: Path
) -> None:
    """#14: the fixes of an audit run with --command-config left it out, and pasted against the
    SASL listener they could not connect. The printed STO002 fix, with its --alter turned into
    the read-only --describe, is run with Kafka's own kafka-configs (the harness's jars) as the
    auditor user: it connects through the command config and reads the topic's setting."""
    name = make_topic("fixcmd", configs={"min.insync.replicas": "1"})
    config = str(kafka_cluster.auditor_config_path)
    sasl = ["--bootstrap-server", kafka_cluster.sasl_bootstrap, "--command-config", config]
    done = kafka_audit("audit", *sasl, "--format", "json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    (fix,) = [
        f["remediation"]
        for f in json.loads(done.stdout)["findings"]
        if f["rule_id"] == "STO002" and f["resource"]["name"] == name
    ]
    words = shlex.split(fix)
    assert words == [
        "kafka-configs.sh", *sasl, "--alter", "--entity-type", "topics", "--entity-name", name,
        "--add-config", "min.insync.replicas=2",
    ]  # fmt: skip
    describe = [*words[1 : words.index("--alter")], "--describe", "--entity-type", "topics", "--entity-name", name]
    tool = kafka_cluster._tool_command(kafka_cluster.tool_class("ConfigCommand"), *describe)
    ran = subprocess.run(tool, capture_output=True, text=True, timeout=120, check=False)
    assert ran.returncode == 0, ran.stderr
    assert "min.insync.replicas=1" in ran.stdout, ran.stdout
