"""Read a saved JSON report back into an AuditResult, so it can be re-rendered without auditing again.

The document is validated against the schema that ships with the package first: a file that
is not a kafka-audit report is an input error (exit 2), never a half-read result.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from auditor.checklist import checklist_from_document
from auditor.errors import InputError
from auditor.findings import (
    Finding,
    Location,
    NotRun,
    Pass,
    Resource,
    RuleInfo,
    Severity,
    Stage,
    Status,
    Waiver,
    WaiverUse,
)
from auditor.jsonfile import read_json, schema_error
from auditor.model import ClusterGroup, ClusterMember, CoverageGap, Target, TargetKind
from auditor.policy import parse_fail_on
from auditor.result import AuditResult

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "report.schema.json"


@cache
def report_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def load_report(path: Path) -> AuditResult:
    document = read_json(path, "report")
    validate_report(document, str(path))
    return result_from_document(document)


def validate_report(document: Any, name: str) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(report_schema(), format_checker=jsonschema.FormatChecker())
    error = schema_error(validator, document)
    if error is not None:
        raise InputError(f"{name} is not a kafka-audit JSON report (schema_version 1): {error}")


def result_from_document(document: dict[str, Any]) -> AuditResult:
    run = document["run"]
    return AuditResult(
        tool_version=document["tool"]["version"],
        started_at=run["started_at"],
        duration_ms=run["duration_ms"],
        fail_on=parse_fail_on(run["fail_on"]),
        exit_code=run["exit_code"],
        targets=tuple(_target(t) for t in document["targets"]),
        findings=tuple(_finding(f) for f in document["findings"]),
        gaps=tuple(CoverageGap(**g) for g in document["coverage"]["gaps"]),
        passes=tuple(_pass(p) for p in document.get("passed", ())),
        not_run=tuple(_not_run(n) for n in document["coverage"].get("not_applicable", ())),
        rules=tuple(_rule(r) for r in document.get("rules", ())),
        min_severity=run.get("min_severity"),
        waivers=tuple(_waiver_use(w) for w in document.get("waivers", ())),
        policy=run.get("policy"),
        samples=run.get("samples", 1),
        checklist=checklist_from_document(document["checklist"]) if "checklist" in document else None,
        assumed_clients=tuple(document["summary"].get("assumed_client_versions", ())),
        clusters=tuple(_cluster(c) for c in document.get("clusters", ())),
    )


def _cluster(data: dict[str, Any]) -> ClusterGroup:
    return ClusterGroup(data["name"], data["evidence"], tuple(ClusterMember(**m) for m in data["members"]))


def _target(data: dict[str, Any]) -> Target:
    return Target(TargetKind(data["kind"]), data["name"], data["format"], data.get("bootstrap_from"))


def _location(data: dict[str, Any] | None) -> Location | None:
    return None if data is None else Location(**data)


def _finding(data: dict[str, Any]) -> Finding:
    return Finding(
        rule_id=data["rule_id"],
        rule_name=data["rule_name"],
        title=data["title"],
        stage=Stage(data["stage"]),
        severity=Severity(data["severity"]),
        status=Status(data["status"]),
        resource=Resource(**data["resource"]),
        config_key=data["config_key"],
        actual=data["actual"],
        actual_source=data["actual_source"],
        expected=data["expected"],
        message=data["message"],
        remediation=data["remediation"],
        location=_location(data["location"]),
        waiver_reason=data["waiver_reason"],
        baselined=data.get("baselined", False),
    )


def _pass(data: dict[str, Any]) -> Pass:
    return Pass(data["rule_id"], Resource(**data["resource"]), _location(data["location"]))


def _not_run(data: dict[str, Any]) -> NotRun:
    return NotRun(data["rule_id"], Resource(**data["resource"]), data["reason"], data.get("by_policy", False))


def _rule(data: dict[str, Any]) -> RuleInfo:
    return RuleInfo(
        id=data["id"],
        name=data["name"],
        title=data["title"],
        stage=Stage(data["stage"]),
        severity=Severity(data["severity"]),
        rationale=data["rationale"],
        remediation=data["remediation"],
        references=tuple(data["references"]),
    )


def _waiver_use(data: dict[str, Any]) -> WaiverUse:
    """A waiver as the report recorded it: its resource is kept as the text it was shown as."""
    waiver = Waiver(
        rule_id=data["rule_id"],
        reason=data["reason"],
        owner=data["owner"],
        expires=data["expires"],
        source=data["source"],
        resource=data["resource"],
    )
    return WaiverUse(waiver, data["status"], data["matched"])
