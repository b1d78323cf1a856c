"""The JSON report, schema_version 1 (docs/architecture.md); auditor/schemas/report.schema.json defines it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from auditor.checklist import checklist_document
from auditor.findings import Finding, Location, NotRun, Pass, Resource, RuleInfo, WaiverUse
from auditor.jsonfile import dump_json
from auditor.model import ClusterGroup, Target
from auditor.reports import RenderOptions
from auditor.result import AuditResult

SCHEMA_VERSION = 1


def report_document(result: AuditResult) -> dict[str, Any]:
    document = _core_document(result)
    if result.min_severity is not None:
        document["run"]["min_severity"] = result.min_severity
    if result.policy is not None:
        document["run"]["policy"] = result.policy
    if result.samples > 1:
        document["run"]["samples"] = result.samples
    if result.checklist is not None:
        document["checklist"] = checklist_document(result.checklist)
    document["passed"] = passes_document(result.passes)
    document["rules"] = [rule_document(r) for r in result.rules]
    if result.waivers:
        document["waivers"] = [waiver_document(w) for w in result.waivers]
    if result.clusters:
        document["clusters"] = [cluster_document(c) for c in result.clusters]
    return document


def cluster_document(group: ClusterGroup) -> dict[str, Any]:
    """name, evidence and members; a topic member says what links it (`link`)."""
    members = [{k: v for k, v in asdict(m).items() if v is not None} for m in group.members]
    return {"name": group.name, "evidence": group.evidence, "members": members}


def waiver_document(use: WaiverUse) -> dict[str, Any]:
    waiver = use.waiver
    return {
        "rule_id": waiver.rule_id,
        "resource": waiver.resource_text,
        "reason": waiver.reason,
        "owner": waiver.owner,
        "expires": waiver.expires,
        "status": use.status,
        "matched": use.matched,
        "source": waiver.source,
    }


def _core_document(result: AuditResult) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "kafka-audit", "version": result.tool_version},
        "run": {
            "started_at": result.started_at,
            "duration_ms": result.duration_ms,
            "fail_on": result.fail_on_label,
            "exit_code": result.exit_code,
        },
        "targets": [target_document(t) for t in result.targets],
        "summary": {
            "findings": len(result.findings),
            "by_severity": result.by_severity(),
            "by_stage": result.by_stage(),
            "by_status": result.by_status(),
            "assumed_client_versions": list(result.assumed_clients),
        },
        "coverage": _coverage_document(result),
        "findings": [finding_document(f) for f in result.findings],
    }


def target_document(target: Target) -> dict[str, Any]:
    """kind, name, format; `bootstrap_from` for a live cluster whose address source is known."""
    document: dict[str, Any] = {"kind": target.kind.value, "name": target.name, "format": target.format}
    if target.via is not None:
        document["bootstrap_from"] = target.via
    return document


def _coverage_document(result: AuditResult) -> dict[str, Any]:
    document: dict[str, Any] = {"complete": result.complete, "gaps": [asdict(g) for g in result.gaps]}
    if result.not_run:
        document["not_applicable"] = [not_run_document(n) for n in result.not_run]
    return document


def not_run_document(not_run: NotRun) -> dict[str, Any]:
    return {"rule_id": not_run.rule_id, "resource": resource_document(not_run.resource), "reason": not_run.reason}


def finding_document(finding: Finding) -> dict[str, Any]:
    document: dict[str, Any] = {
        "rule_id": finding.rule_id,
        "rule_name": finding.rule_name,
        "title": finding.title,
        "stage": finding.stage.value,
        "severity": finding.severity.value,
        "status": finding.status.value,
        "resource": resource_document(finding.resource),
        "location": location_document(finding.location),
        "config_key": finding.config_key,
        "actual": finding.actual,
        "actual_source": finding.actual_source,
        "expected": finding.expected,
        "message": finding.message,
        "remediation": finding.remediation,
        "waiver_reason": finding.waiver_reason,
        "fingerprint": finding.fingerprint,
    }
    if finding.baselined:
        document["baselined"] = True
    return document


def resource_document(resource: Resource) -> dict[str, str]:
    """kind and name; the cluster only in a fleet."""
    if resource.cluster is None:
        return {"kind": resource.kind, "name": resource.name}
    return {"kind": resource.kind, "name": resource.name, "cluster": resource.cluster}


def passes_document(passes: Iterable[Pass]) -> list[dict[str, Any]]:
    """Every pass; a resource's document is made once and shared by the rules that passed on it."""
    resources: dict[Resource, dict[str, str]] = {}
    locations: dict[Location, dict[str, Any] | None] = {}
    out = []
    for passed in passes:
        resource = resources.get(passed.resource)
        if resource is None:
            resource = resources[passed.resource] = resource_document(passed.resource)
        where = passed.location
        location = None
        if where is not None:
            location = locations.get(where) or locations.setdefault(where, location_document(where))
        out.append({"rule_id": passed.rule_id, "resource": resource, "location": location})
    return out


def location_document(location: Location | None) -> dict[str, Any] | None:
    """path, line, profile; the source line as `snippet` when the finding points at a line."""
    if location is None:
        return None
    document = asdict(location)
    if location.snippet is None:
        del document["snippet"]
    return document


def rule_document(rule: RuleInfo) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "title": rule.title,
        "stage": rule.stage.value,
        "severity": rule.severity.value,
        "rationale": rule.rationale,
        "remediation": rule.remediation,
        "references": list(rule.references),
    }


def render_json(result: AuditResult, options: RenderOptions) -> str:
    return dump_json(report_document(result), options.pretty).decode()
