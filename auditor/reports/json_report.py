"""The JSON report, schema_version 1 (docs/architecture.md); auditor/schemas/report.schema.json defines it."""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from typing import Any

import msgspec

from auditor import jsonfile
from auditor.checklist import checklist_document
from auditor.findings import Finding, Location, NotRun, Pass, Resource, RuleInfo, WaiverUse
from auditor.model import ClusterGroup, Target
from auditor.reports import RenderOptions
from auditor.result import AuditResult

SCHEMA_VERSION = 1


def report_document(
    result: AuditResult, findings_mark: str | None = None, passes_mark: str | None = None
) -> dict[str, Any]:
    """The whole report as one document; with marks, those strings stand where the findings and
    the passes go (write_json streams them into their places)."""
    document = _core_document(result, findings_mark)
    if result.min_severity is not None:
        document["run"]["min_severity"] = result.min_severity
    if result.policy is not None:
        document["run"]["policy"] = result.policy
    if result.samples > 1:
        document["run"]["samples"] = result.samples
    if result.checklist is not None:
        document["checklist"] = checklist_document(result.checklist)
    document["passed"] = passes_mark if passes_mark is not None else passes_document(result.passes)
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


def _core_document(result: AuditResult, findings_mark: str | None) -> dict[str, Any]:
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
        "findings": findings_mark if findings_mark is not None else [finding_document(f) for f in result.findings],
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
    document: dict[str, Any] = {
        "rule_id": not_run.rule_id,
        "resource": resource_document(not_run.resource),
        "reason": not_run.reason,
    }
    if not_run.by_policy:
        document["by_policy"] = True
    return document


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
    out = io.BytesIO()
    write_json(result, options, out.write)
    return out.getvalue().decode()


# Passes and findings are encoded this many at a time: a chunk of 10,000 passes is about 1 MB.
CHUNK = 10_000

Write = Callable[[bytes | memoryview], object]


def write_json(result: AuditResult, options: RenderOptions, write: Write) -> None:
    """The report's bytes, the same as `dump_json(report_document(result), options.pretty)`, handed
    to `write` piece by piece: the findings and passes (millions at 300,000 partitions) are encoded
    CHUNK at a time, so the whole document is never held, neither as objects nor as bytes."""
    if options.pretty:
        for piece in _pieces(result, indented=True):
            write(piece)
        write(b"\n")
        return
    sink = _IndentedWhenSmall(write) if options.pretty is None else None
    for piece in _pieces(result, indented=False):
        sink.add(piece) if sink is not None else write(piece)
    sink.close() if sink is not None else write(b"\n")


class _IndentedWhenSmall:
    """Holds the compact pieces while the document is small (jsonfile.PRETTY_UP_TO_BYTES): then
    it is indented whole, as dump_json does; past that size the pieces go out compact as they come."""

    def __init__(self, write: Write) -> None:
        self.write = write
        self.held: list[bytes | memoryview] = []
        self.size = 0
        self.streaming = False

    def add(self, piece: bytes | memoryview) -> None:
        if self.streaming:
            self.write(piece)
            return
        self.held.append(piece)
        self.size += len(piece)
        if self.size > jsonfile.PRETTY_UP_TO_BYTES:
            self.streaming = True
            for held in self.held:
                self.write(held)
            self.held = []

    def close(self) -> None:
        if not self.streaming:
            self.write(msgspec.json.format(b"".join(self.held), indent=2))
        self.write(b"\n")


def _pieces(result: AuditResult, indented: bool) -> Iterator[bytes | memoryview]:
    """The document's fixed parts, encoded whole around two placeholders, then the findings and
    passes arrays in their places, chunk by chunk."""
    findings_mark, passes_mark = (f"kafka-audit:{secrets.token_hex(16)}" for _ in range(2))
    skeleton = report_document(result, findings_mark, passes_mark)
    encoded = jsonfile.encode_json(skeleton)
    if indented:
        encoded = msgspec.json.format(encoded, indent=2)
    head, rest = _split(encoded, findings_mark)
    middle, tail = _split(rest, passes_mark)
    yield head
    yield from _array(_finding_chunks(result.findings), indented)
    yield middle
    yield from _array(_pass_chunks(result.passes), indented)
    yield tail


def _split(encoded: bytes, mark: str) -> tuple[bytes, bytes]:
    before, found, after = encoded.partition(b'"' + mark.encode() + b'"')
    if not found:
        raise AssertionError(f"placeholder {mark} missing from the report skeleton")
    return before, after


def _array(chunks: Iterator[bytes], indented: bool) -> Iterator[bytes | memoryview]:
    """A JSON array of the items of compact-encoded list `chunks`, as a value of the top-level
    object: compact, or indented as msgspec.json.format(indent=2) indents it there."""
    first = True
    for chunk in chunks:
        yield (b"[" if not indented else b"[\n") if first else (b"," if not indented else b",\n")
        first = False
        if indented:
            body = msgspec.json.format(chunk, indent=2)[2:-2]
            yield b"  " + body.replace(b"\n", b"\n  ")
        else:
            yield memoryview(chunk)[1:-1]
    if first:
        yield b"[]"
    else:
        yield b"\n  ]" if indented else b"]"


def _finding_chunks(findings: Iterable[Finding]) -> Iterator[bytes]:
    batch: list[dict[str, Any]] = []
    for finding in findings:
        batch.append(finding_document(finding))
        if len(batch) == CHUNK:
            yield jsonfile.encode_json(batch)
            batch = []
    if batch:
        yield jsonfile.encode_json(batch)


class _PassDocument(msgspec.Struct, gc=False):
    """One element of `passed`: the resource's and location's JSON encoded once and shared."""

    rule_id: str
    resource: msgspec.Raw
    location: msgspec.Raw


_NULL = msgspec.Raw(b"null")


def _pass_chunks(passes: Iterable[Pass]) -> Iterator[bytes]:
    """The passes as compact JSON lists of CHUNK each, in the order judged."""
    resources: dict[Resource, msgspec.Raw] = {}
    locations: dict[Location | None, msgspec.Raw] = {None: _NULL}
    batch: list[_PassDocument] = []
    for passed in passes:
        resource = resources.get(passed.resource)
        if resource is None:
            resource = resources[passed.resource] = msgspec.Raw(
                jsonfile.encode_json(resource_document(passed.resource))
            )
        location = locations.get(passed.location)
        if location is None:
            location = locations[passed.location] = msgspec.Raw(
                jsonfile.encode_json(location_document(passed.location))
            )
        batch.append(_PassDocument(passed.rule_id, resource, location))
        if len(batch) == CHUNK:
            yield jsonfile.encode_json(batch)
            batch = []
    if batch:
        yield jsonfile.encode_json(batch)
