"""A kafka_topic's `config` written as an expression (`config = each.value.config`, a local, a
`merge(...)`): evaluated to the map it names, each key judged at the `config` line; one that is not
evaluated makes the topic's settings unknown, never the brokers' defaults and never a pass."""

from __future__ import annotations

from pathlib import Path

from auditor.audit import AuditOptions, FileSources, Sources, audit_sources
from auditor.model import ConfigSource
from auditor.sources.files import read_paths

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "files" / "terraform-config-map"
MAIN = f"{FIXTURE}/main.tf"


def test_config_from_the_for_each_map_and_a_local_is_read_at_the_config_line() -> None:
    topics = {t.name: t for t in read_paths([str(FIXTURE)]).topics}
    assert {name: {k: (v.value, v.line) for k, v in t.settings.items()} for name, t in topics.items()} == {
        'kafka_topic.topics["orders"]': {
            "min.insync.replicas": ("2", 37),
            "unclean.leader.election.enable": ("false", 37),
        },
        'kafka_topic.topics["clicks"]': {"min.insync.replicas": ("1", 37)},
        "kafka_topic.audit": {"min.insync.replicas": ("2", 44), "unclean.leader.election.enable": ("false", 44)},
        "kafka_topic.payments": {},
    }
    clicks = topics['kafka_topic.topics["clicks"]'].settings["min.insync.replicas"]
    assert clicks.detail == "from config = each.value.config; judged on the default of var.topics (for_each)"
    assert topics["kafka_topic.audit"].settings["min.insync.replicas"].detail == "from config = local.audit_config"


def test_a_config_expression_not_evaluated_is_unknown_at_its_line() -> None:
    payments = next(t for t in read_paths([str(FIXTURE)]).topics if t.name == "kafka_topic.payments")
    unknown = payments.settings_unknown
    assert unknown is not None
    assert (unknown.value, unknown.source, unknown.line) == (None, ConfigSource.UNKNOWN, 51)
    assert unknown.detail == 'config = merge(var.shared_config, {"retention.ms" = "604800000"}) not evaluated'


def test_findings_judge_the_read_config_and_leave_the_unread_one_unknown() -> None:
    result = audit_sources(Sources(files=FileSources((str(FIXTURE),))), AuditOptions())
    rows = {
        (f.rule_id, f.status.value, f.resource.name, f.location.line if f.location else None) for f in result.findings
    }
    assert rows == {
        ("STO002", "fail", 'kafka_topic.topics["clicks"]', 37),  # min.insync.replicas = "1" from the map
        ("STO021", "unknown", f"{FIXTURE}/", None),  # clicks' map leaves unclean election to the module's brokers
        ("STO002", "unknown", "kafka_topic.payments", 51),
        ("STO003", "unknown", "kafka_topic.payments", 51),
        ("STO004", "unknown", "kafka_topic.payments", 51),
    }
    # orders and audit set min ISR 2 and unclean election off in their maps: nothing to report
