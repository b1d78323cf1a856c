"""SARIF 2.1.0 for code scanning: one rule entry per rule, one result per finding, on the exact line.

File findings carry a physical location relative to the repository root. Cluster findings
carry a logical location (the topic, broker, group) and, because GitHub code scanning rejects
a result without an artifact, a physical location on a virtual path `kafka-cluster/KIND/NAME`.
Ordering is deterministic and fingerprints are the findings' own, stable across runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from auditor.checklist import checklist_document
from auditor.findings import Finding, RuleInfo, Severity, Status
from auditor.jsonfile import dump_json
from auditor.reports import RenderOptions
from auditor.reports.common import (
    CLUSTER_PREFIX,
    LEVEL,
    finding_text,
    outside_repository,
    pass_counts,
    passes_aggregated,
    passes_notice,
    report_order,
    repository_path,
    rule_infos,
    unapplied_waivers,
    waiver_line,
)
from auditor.result import AuditResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "kafkaAuditFingerprint/v1"
SOURCE_ROOT = "%SRCROOT%"

# GitHub reads a rule's `security-severity` (0.1-3.9 low, 4-6.9 medium, 7-8.9 high, 9+ critical).
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.5",
}


def render_sarif(result: AuditResult, options: RenderOptions) -> str:
    return dump_json(sarif_document(result, options), options.pretty).decode()


def sarif_document(result: AuditResult, options: RenderOptions) -> dict[str, Any]:
    rules = rule_infos(result)
    index = {rule.id: i for i, rule in enumerate(rules)}
    findings = sorted(
        result.findings, key=lambda f: (*report_order(f.rule_id, f.resource, f.location), f.config_key or "")
    )
    run: dict[str, Any] = {
        "tool": {"driver": _driver(result, rules)},
        "invocations": [_invocation(result)],
        "originalUriBaseIds": {SOURCE_ROOT: {"description": {"text": "The repository root."}}},
        "results": [_result(f, index[f.rule_id], options) for f in findings],
        "columnKind": "unicodeCodePoints",
        "properties": _run_properties(result),
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _driver(result: AuditResult, rules: list[RuleInfo]) -> dict[str, Any]:
    return {
        "name": "kafka-audit",
        "version": result.tool_version,
        "semanticVersion": result.tool_version,
        # no informationUri: the project has no published home yet, and SARIF makes it optional
        "rules": [_rule(rule) for rule in rules],
    }


def _rule(rule: RuleInfo) -> dict[str, Any]:
    help_text = f"{rule.rationale}\n\nFix: {rule.remediation}"
    help_markdown = f"{rule.rationale}\n\n**Fix:** {rule.remediation}"
    if rule.references:
        help_text += "\n\nReferences:\n" + "\n".join(rule.references)
        help_markdown += "\n\n**References:**\n\n" + "\n".join(f"- <{ref}>" for ref in rule.references)
    entry: dict[str, Any] = {
        "id": rule.id,
        "name": _pascal(rule.name),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "tags": ["kafka", "message-loss", rule.stage.value],
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "precision": "very-high",
            "severity": rule.severity.value,
            "stage": rule.stage.value,
        },
    }
    if rule.references:
        entry["helpUri"] = rule.references[0]
    return entry


def _pascal(name: str) -> str:
    """topic-min-insync-replicas -> TopicMinInsyncReplicas (SARIF's convention for rule names)."""
    return "".join(part[:1].upper() + part[1:] for part in name.replace("_", "-").split("-"))


def _invocation(result: AuditResult) -> dict[str, Any]:
    start = _utc(result.started_at)
    end = start + timedelta(milliseconds=result.duration_ms)
    invocation: dict[str, Any] = {
        "executionSuccessful": True,
        "exitCode": result.exit_code,
        "startTimeUtc": _sarif_time(start),
        "endTimeUtc": _sarif_time(end),
    }
    notifications = [
        _notification("coverage-gap", "warning", f"Not audited: {g.resource}: {g.reason}") for g in result.gaps
    ]
    notifications += [
        _notification(f"waiver-{use.status}", "warning" if use.status == "expired" else "note", waiver_line(use))
        for use in unapplied_waivers(result)
    ]
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _notification(descriptor: str, level: str, text: str) -> dict[str, Any]:
    return {"level": level, "descriptor": {"id": descriptor}, "message": {"text": text}}


def _utc(timestamp: str) -> datetime:
    moment = datetime.fromisoformat(timestamp)
    offset = moment.utcoffset()
    return moment.replace(tzinfo=None) - (offset or timedelta(0))


def _sarif_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _run_properties(result: AuditResult) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "failOn": result.fail_on_label,
        "targets": [f"{t.kind} {t.name}" for t in result.targets],
        "coverageComplete": result.complete,
    }
    if result.min_severity is not None:
        properties["minSeverity"] = result.min_severity
    if result.policy is not None:
        properties["policy"] = result.policy
    if result.samples > 1:
        properties["samples"] = result.samples
    if result.assumed_clients:
        properties["assumedClientVersions"] = list(result.assumed_clients)
    if result.checklist is not None:
        properties["checklist"] = checklist_document(result.checklist)
    if passes_aggregated(result):
        properties["passes"] = _passes(result)
    return properties


def _passes(result: AuditResult) -> dict[str, Any]:
    """Beyond PASSES_LISTED passes, what passed per target and rule (SARIF lists findings only)."""
    counts = [
        {"target": f"{row.target.kind} {row.target.name}", "ruleId": row.rule_id, "kinds": list(row.kinds)}
        | {"count": row.count}
        for row in pass_counts(result)
    ]
    return {"notice": passes_notice(result), "perRule": counts}


def _result(finding: Finding, rule_index: int, options: RenderOptions) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": LEVEL[finding.severity],
        "message": {"text": finding_text(finding)},
        "locations": [_location(finding, options)],
        "fingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": _result_properties(finding),
    }
    if finding.baselined:
        entry["baselineState"] = "unchanged"
    if finding.status is Status.WAIVED:
        entry["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": finding.waiver_reason or "waived"}
        ]
    return entry


def _location(finding: Finding, options: RenderOptions) -> dict[str, Any]:
    resource = finding.resource
    logical = {"name": resource.name, "fullyQualifiedName": f"{resource.kind}/{resource.name}", "kind": "resource"}
    if finding.location is None:
        uri = f"{CLUSTER_PREFIX}/{quote(resource.kind, safe='')}/{quote(resource.name, safe='')}"
        return {"physicalLocation": {"artifactLocation": {"uri": uri}}, "logicalLocations": [logical]}
    path = repository_path(finding.location.path, options.source_root, options.working_dir)
    artifact = (
        {"uri": "file://" + quote(path), "properties": {"outsideRepository": True}}
        if outside_repository(path)
        else {"uri": quote(path), "uriBaseId": SOURCE_ROOT}
    )
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if finding.location.line is not None:
        physical["region"] = {"startLine": finding.location.line}
        if finding.location.snippet:
            physical["region"]["snippet"] = {"text": finding.location.snippet}
    return {"physicalLocation": physical, "logicalLocations": [logical]}


def _result_properties(finding: Finding) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "severity": finding.severity.value,
        "status": finding.status.value,
        "stage": finding.stage.value,
        "resource": str(finding.resource),
        "actual": finding.actual,
        "expected": finding.expected,
    }
    if finding.config_key:
        properties["configKey"] = finding.config_key
    if finding.actual_source:
        properties["actualSource"] = finding.actual_source
    if finding.location and finding.location.profile:
        properties["profile"] = finding.location.profile
    return properties
