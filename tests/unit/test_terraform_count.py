"""Terraform `count` and conditional `for_each` decide whether a kafka_topic exists: a resource
counted to 0 by its variables' defaults declares no topic, and one whose count cannot be evaluated
is one coverage gap at its line, not an unknown per rule."""

from __future__ import annotations

from pathlib import Path

from auditor.audit import AuditOptions, FileSources, Sources, audit_sources
from auditor.sources.files import read_paths

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "files" / "terraform-count"


def test_count_and_conditional_for_each_decide_which_topics_exist() -> None:
    found = read_paths([str(FIXTURE)])
    assert [(t.name, t.topic_name) for t in found.topics] == [
        ("kafka_topic.orders[0]", "orders"),  # create_orders defaults to true
        ("kafka_topic.shards[0]", "shard-0"),  # count = 2, count.index in the name
        ("kafka_topic.shards[1]", "shard-1"),
    ]  # audit: enable_audit_topic defaults to false; prod_only: environment defaults to "dev"


def test_a_count_that_cannot_be_evaluated_is_one_gap_for_the_resource() -> None:
    main = f"{FIXTURE}/main.tf"
    assert [(g.resource, g.reason) for g in read_paths([str(FIXTURE)]).gaps] == [
        (
            f"{main}:60",
            "kafka_topic.dlq: count not evaluated (Terraform variable enable_dlq has no default): "
            "whether the topic exists is unknown; not judged",
        )
    ]
    result = audit_sources(Sources(files=FileSources((str(FIXTURE),))), AuditOptions())
    assert not [f for f in result.findings if "dlq" in f.resource.name or "audit" in f.resource.name]
    judged = {
        (f.rule_id, f.status.value, f.resource.name, f.location.line if f.location else None) for f in result.findings
    }
    assert {j for j in judged if j[1] == "fail"} == {
        ("STO001", "fail", "kafka_topic.orders[0]", 38),
        ("STO002", "fail", "kafka_topic.shards[0]", 48),
        ("STO002", "fail", "kafka_topic.shards[1]", 48),
    }
