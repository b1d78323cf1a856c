"""Waivers: a team's signed, dated decision that a finding is accepted for now.

A waived finding stays in every report with status `waived` and the waiver's reason, and does
not count for the gate. A waiver past its date (or with a date that cannot be read) stops
applying and is reported as expired; one that matches nothing is reported as unused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.findings import Finding, Status, Waiver, WaiverUse
from auditor.model import CoverageGap
from auditor.sources.source_lines import SourceLines, Suppression
from auditor.userregex import compile_user_regex
from auditor.yamlread import Located, load_located

WAIVER_KEYS = {"rule", "resource", "resource_regex", "kind", "reason", "owner", "expires"}
REQUIRED_KEYS = ("rule", "reason", "owner", "expires")


def apply_waivers(
    findings: Iterable[Finding], waivers: Sequence[Waiver], today: date
) -> tuple[list[Finding], list[WaiverUse]]:
    """Mark findings matched by a live waiver as waived; report every waiver's fate."""
    matched = [0] * len(waivers)
    result: list[Finding] = []
    for finding in findings:
        waived = None
        for i, waiver in enumerate(waivers):
            if waiver.matches(finding):
                matched[i] += 1
                if waived is None and not waiver.expired(today):
                    waived = waiver
        result.append(
            finding if waived is None else replace(finding, status=Status.WAIVED, waiver_reason=_reason(waived))
        )
    uses = [WaiverUse(w, _status(w, matched[i], today), matched[i]) for i, w in enumerate(waivers)]
    return result, uses


def _reason(waiver: Waiver) -> str:
    """The reason a waived finding shows; an inline one says where its comment is."""
    return f"{waiver.reason} (inline, {waiver.source})" if waiver.inline else waiver.reason


def _status(waiver: Waiver, matched: int, today: date) -> str:
    if waiver.expired(today):
        return "expired"
    return "applied" if matched else "unused"


def parse_waivers(items: Any, where: str, rule_ids: Mapping[str, str]) -> tuple[Waiver, ...]:
    """Waivers from a YAML list; `rule_ids` maps every rule id and name to the id."""
    if not isinstance(items, list):
        raise InputError(f"{where}: 'waivers' must be a list")
    return tuple(_parse_waiver(item, where, rule_ids) for item in items)


def _parse_waiver(item: Any, where: str, rule_ids: Mapping[str, str]) -> Waiver:
    if not isinstance(item, Located):
        raise InputError(f"{where}: each waiver must be a mapping with {', '.join(REQUIRED_KEYS)}")
    for key in item:
        if key not in WAIVER_KEYS:
            raise InputError(f"{item.where(key)}: unknown waiver key {key!r}; known: {', '.join(sorted(WAIVER_KEYS))}")
    for key in REQUIRED_KEYS:
        if not str(item.get(key) or "").strip():
            raise InputError(f"{item.where()}: waiver needs {key!r}")
    for key in sorted(WAIVER_KEYS & item.keys()):
        if not isinstance(item[key], (str, int)) or isinstance(item[key], bool):
            raise InputError(f"{item.where(key)}: waiver {key} must be text, not {_shape(item[key])}")
    if (item.get("resource") is None) == (item.get("resource_regex") is None):
        raise InputError(f"{item.where()}: waiver needs exactly one of 'resource' and 'resource_regex'")
    rule = str(item["rule"])
    if rule not in rule_ids:
        raise InputError(f"{item.where('rule')}: unknown rule {rule!r}")
    regex = item.get("resource_regex")
    if regex is not None:
        compile_user_regex(str(regex), f"{item.where('resource_regex')}: resource_regex")
    return Waiver(
        rule_id=rule_ids[rule],
        reason=str(item["reason"]).strip(),
        owner=str(item["owner"]).strip(),
        expires=str(item["expires"]),
        source=item.where(),
        resource=_opt(item.get("resource")),
        resource_regex=_opt(regex),
        kind=_opt(item.get("kind")),
    )


def _shape(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a boolean" if isinstance(value, bool) else type(value).__name__


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def load_waivers_file(path: Path, rule_ids: Mapping[str, str]) -> tuple[Waiver, ...]:
    """A --waivers file: a list of waivers, or a mapping with only `waivers:`."""
    document = load_located(path)
    if isinstance(document, Located):
        for key in document:
            if key != "waivers":
                raise InputError(f"{document.where(key)}: unknown key {key!r} in a waivers file; known: waivers")
        return parse_waivers(document.get("waivers", []), document.where("waivers"), rule_ids)
    return parse_waivers(document if document is not None else [], f"{path}:1", rule_ids)


INLINE_OWNER = "inline comment"


def inline_waivers(
    findings: Iterable[Finding], rule_ids: Mapping[str, str], lines: SourceLines, files: Iterable[str] = ()
) -> tuple[tuple[Waiver, ...], tuple[CoverageGap, ...]]:
    """Waivers from `kafka-audit: ignore[RULES] reason` comments on a finding's line or the line
    above; a comment without a reason, or naming no rule, is a gap and waives nothing. A valid
    comment in `files` (or a finding's file) that waives nothing is returned as a waiver that
    matches nothing, so it is reported as unused."""
    waivers: dict[tuple[str, str, str, str], Waiver] = {}
    gaps: dict[str, CoverageGap] = {}
    used: set[tuple[str, str]] = set()
    paths = dict.fromkeys(files)
    for finding in findings:
        location = finding.location
        if location is None or location.line is None:
            continue
        paths[location.path] = None
        for suppression in lines.suppressions(location.path, location.line):
            problem = _suppression_problem(suppression, rule_ids)
            if problem is not None:
                gaps[suppression.where] = CoverageGap(suppression.where, problem)
            elif finding.rule_id in {rule_ids[r] for r in suppression.rules}:
                used.add((suppression.where, finding.rule_id))
                key = (finding.rule_id, finding.resource.kind, finding.resource.name, suppression.where)
                waivers[key] = _inline(suppression, finding.rule_id, finding.resource.kind, finding.resource.name)
    unused = _unused_suppressions(paths, rule_ids, lines, used, gaps)
    return (*waivers.values(), *unused), tuple(gaps.values())


def _unused_suppressions(
    paths: Iterable[str],
    rule_ids: Mapping[str, str],
    lines: SourceLines,
    used: set[tuple[str, str]],
    gaps: dict[str, CoverageGap],
) -> list[Waiver]:
    """The comments of the audited files that waived nothing: each rule they name, unused."""
    unused = []
    for path in paths:
        for suppression in lines.all_suppressions(path):
            problem = _suppression_problem(suppression, rule_ids)
            if problem is not None:
                gaps.setdefault(suppression.where, CoverageGap(suppression.where, problem))
                continue
            for rule_id in dict.fromkeys(rule_ids[r] for r in suppression.rules):
                if (suppression.where, rule_id) not in used:
                    unused.append(_inline(suppression, rule_id, INLINE_KIND, suppression.where))
    return unused


INLINE_KIND = "line"  # an unused inline waiver's kind: no finding has it, so it matches none


def _inline(suppression: Suppression, rule_id: str, kind: str, resource: str) -> Waiver:
    return Waiver(
        rule_id=rule_id,
        reason=suppression.reason,
        owner=INLINE_OWNER,
        expires="never",
        source=suppression.where,
        resource=resource,
        kind=kind,
        inline=True,
    )


def _suppression_problem(suppression: Suppression, rule_ids: Mapping[str, str]) -> str | None:
    unknown = [r for r in suppression.rules if r not in rule_ids]
    if not suppression.rules or unknown:
        named = ", ".join(repr(r) for r in unknown) or "nothing"
        return f"inline suppression names {named}, not a rule id or name (kafka-audit rules list); not applied"
    if not suppression.reason:
        return "inline suppression without a reason (kafka-audit: ignore[RULE] reason); not applied"
    return None
