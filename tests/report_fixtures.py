"""Fixed AuditResults for formatter tests: every shape a report must render, nothing from the clock."""

from __future__ import annotations

from auditor.findings import Finding, Location, Pass, Resource, RuleInfo, Severity, Stage, Status, Waiver, WaiverUse
from auditor.model import CoverageGap, Target, TargetKind
from auditor.result import AuditResult

CLUSTER = Target(TargetKind.CLUSTER, "127.0.0.1:9092", "kafka")
APP_FILE = "config/app.yml"
PRODUCER_FILE = "clients/producer.properties"

RULES = (
    RuleInfo(
        "PRO001",
        "producer-acks",
        "Producer does not wait for all in-sync replicas",
        Stage.PRODUCE,
        Severity.HIGH,
        "With acks=0 or 1 the leader acknowledges before followers have the message.",
        "Set acks=all in <client>.",
        ("https://kafka.apache.org/documentation/#producerconfigs_acks",),
    ),
    RuleInfo(
        "PRO002",
        "producer-idempotence",
        "Producer idempotence disabled",
        Stage.PRODUCE,
        Severity.MEDIUM,
        "Retries without idempotence can duplicate or reorder messages.",
        "Set enable.idempotence=true.",
        (),
    ),
    RuleInfo(
        "STO001",
        "topic-replication-factor",
        "Topic replication factor below 3",
        Stage.STORE,
        Severity.HIGH,
        "One disk failure loses acknowledged data.",
        "Reassign <topic> to 3 replicas.",
        ("https://kafka.apache.org/documentation/#replication",),
    ),
    RuleInfo(
        "STO002",
        "topic-min-insync-replicas",
        "Effective min.insync.replicas below 2",
        Stage.STORE,
        Severity.HIGH,
        "acks=all with min ISR 1 is acks=1.",
        "Set min.insync.replicas=2 on <topic>.",
        (),
    ),
    RuleInfo(
        "CON001",
        "consumer-auto-commit",
        "Consumer auto-commits offsets",
        Stage.CONSUME,
        Severity.LOW,
        "Auto-commit can mark a message done before it is processed.",
        "Set enable.auto.commit=false and commit after processing.",
        (),
    ),
)


def _finding(rule: RuleInfo, resource: Resource, **overrides: object) -> Finding:
    fields: dict[str, object] = {
        "rule_id": rule.id,
        "rule_name": rule.name,
        "title": rule.title,
        "stage": rule.stage,
        "severity": rule.severity,
        "status": Status.FAIL,
        "resource": resource,
        "config_key": None,
        "actual": "1",
        "actual_source": None,
        "expected": ">= 2",
        "message": f"{resource} fails {rule.id}.",
        "remediation": rule.remediation,
    }
    fields.update(overrides)
    return Finding(**fields)  # type: ignore[arg-type]


ASSUMED_JAVA = "Java kafka-clients >=3.2,<4.0"  # a client no build file told the version of


def full_result() -> AuditResult:
    """A cluster and two files; fail, unknown, waived and baselined findings; passes; a gap; waiver fates."""
    pro, idem, rf, minisr, auto = RULES
    app = Location(APP_FILE, 12, "prod")
    findings = (
        _finding(
            rf,
            Resource("topic", "audit-log"),
            severity=Severity.CRITICAL,
            config_key="replication.factor",
            actual="1",
            expected=">= 3",
            message="Topic audit-log keeps 1 copy of each message.",
        ),
        _finding(
            minisr,
            Resource("topic", "payments"),
            config_key="min.insync.replicas",
            actual="1",
            actual_source="topic override",
            message="Topic payments: acks=all means acks=1, 100% sure.",
        ),
        _finding(
            pro,
            Resource("client", "orders-producer"),
            config_key="acks",
            actual="1",
            actual_source="set in config/app.yml:12",
            expected="all",
            location=app,
            message="Producer orders-producer: acks=1, so a leader crash loses acknowledged writes.",
        ),
        _finding(
            idem,
            Resource("client", "billing-producer"),
            status=Status.UNKNOWN,
            config_key="enable.idempotence",
            actual="unknown",
            actual_source="set in clients/producer.properties:7",
            expected="true",
            location=Location(PRODUCER_FILE, 7),
            message="enable.idempotence is ${IDEMPOTENCE}: unresolved.",
        ),
        _finding(
            auto,
            Resource("client", "orders-consumer"),
            status=Status.WAIVED,
            config_key="enable.auto.commit",
            actual="true",
            expected="false",
            location=Location(APP_FILE, 30, "prod"),
            waiver_reason="At-most-once is accepted for metrics: ticket OPS-12, owner data-team",
            message="Consumer orders-consumer auto-commits offsets.",
        ),
        _finding(
            minisr,
            Resource("topic", "legacy-events"),
            config_key="min.insync.replicas",
            actual="1",
            actual_source="topic override",
            baselined=True,
            message="Topic legacy-events: acks=all means acks=1.",
        ),
    )
    waivers = (
        WaiverUse(
            Waiver("CON001", "At-most-once is accepted for metrics: ticket OPS-12, owner data-team", "data-team",
                   "2027-01-31", "waivers.yml:2", resource="orders-consumer", kind="client"),
            "applied", 1,
        ),
        WaiverUse(
            Waiver("STO001", "Migration to RF 3 planned", "platform", "2025-12-31", "waivers.yml:9",
                   resource_regex="audit-.*"),
            "expired", 1,
        ),
        WaiverUse(
            Waiver("PRO001", "Old client", "payments", "2027-06-30", "waivers.yml:15", resource="gone"), "unused", 0
        ),
    )  # fmt: skip
    passes = (
        Pass("STO001", Resource("topic", "orders")),
        Pass("STO001", Resource("topic", "payments")),
        Pass("STO002", Resource("topic", "audit-log")),
        Pass("STO002", Resource("topic", "orders")),
        Pass("PRO002", Resource("client", "orders-producer"), app),
        Pass("PRO001", Resource("client", "billing-producer"), Location(PRODUCER_FILE)),
    )
    return AuditResult(
        tool_version="0.1.0",
        started_at="2026-01-01T12:00:00+00:00",
        duration_ms=1234,
        fail_on=Severity.HIGH,
        exit_code=1,
        targets=(
            CLUSTER,
            Target(TargetKind.FILE, APP_FILE, "spring"),
            Target(TargetKind.FILE, PRODUCER_FILE, "properties"),
        ),
        findings=findings,
        gaps=(CoverageGap("topic secret-ledger", "TopicAuthorizationFailedError: not authorised to describe"),),
        passes=passes,
        rules=RULES,
        waivers=waivers,
        policy="strict",
        assumed_clients=(ASSUMED_JAVA,),
    )


def clean_result() -> AuditResult:
    """A cluster with nothing to report."""
    return AuditResult(
        tool_version="0.1.0",
        started_at="2026-01-01T12:00:00+00:00",
        duration_ms=5,
        fail_on=Severity.HIGH,
        exit_code=0,
        targets=(CLUSTER,),
        findings=(),
        gaps=(),
        passes=(Pass("STO001", Resource("topic", "orders")), Pass("STO002", Resource("topic", "orders"))),
        rules=RULES[2:4],
    )
