"""The rule catalog described for people: `kafka-audit rules list|show` and docs/rules.md.

Everything here is derived from the loaded rules and the subject kinds, so the docs cannot
drift from the YAML (tests/unit/test_rules_doc.py regenerates docs/rules.md and compares).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from auditor.engine import Rule
from auditor.facts import KINDS
from auditor.findings import Stage

STAGE_ORDER = {stage.value: i for i, stage in enumerate(Stage)}


def ordered(rules: Iterable[Rule]) -> list[Rule]:
    """By stage (produce, store, consume, end-to-end), then id."""
    return sorted(rules, key=lambda r: (STAGE_ORDER[r.stage.value], r.id))


def severity_text(rule: Rule) -> str:
    """The default severity and its cases, e.g. "high; critical when replication_factor <= 1"."""
    cases = dict.fromkeys(
        f"{case.severity.value} when {case.when}" for check in rule.checks for case in check.severity_cases
    )
    return "; ".join([rule.severity.value, *cases])


def rule_summary(rule: Rule) -> dict[str, Any]:
    """What `rules list --format json` prints for a rule."""
    return {
        "id": rule.id,
        "name": rule.name,
        "title": rule.title,
        "stage": rule.stage.value,
        "severity": rule.severity.value,
        "resources": list(dict.fromkeys(rule.resources)),
        "params": dict(rule.params),
        "source": rule.source,
    }


def rule_detail(rule: Rule) -> dict[str, Any]:
    """`rules show --format json`: the summary, the checks, rationale and references."""
    return {
        **rule_summary(rule),
        "severity_cases": severity_text(rule),
        "checks": [
            {
                "resource": check.resource,
                "condition": str(check.condition),
                "config_key": check.config_key,
                "actual": check.actual,
                "expected": check.expected,
                "message": check.message,
                "remediation": check.remediation,
            }
            for check in rule.checks
        ],
        "rationale": rule.rationale,
        "references": list(rule.references),
    }


def rule_text(rule: Rule) -> str:
    """`rules show ID`: the whole rule in plain text."""
    lines = [
        f"{rule.id} {rule.name}: {rule.title}",
        f"stage: {rule.stage.value}",
        f"severity: {severity_text(rule)}",
    ]
    if rule.params:
        lines.append("params: " + ", ".join(f"{k}={json.dumps(v)}" for k, v in rule.params.items()))
    for check in rule.checks:
        lines += [
            "",
            f"on {check.resource}: {check.condition}",
            f"  actual: {check.actual}   expected: {check.expected}",
            f"  message: {' '.join(check.message.split())}",
            f"  fix: {' '.join(check.remediation.split())}",
        ]
    lines += ["", "why: " + " ".join(rule.rationale.split()), "", "references:"]
    lines += [f"  {ref}" for ref in rule.references]
    return "\n".join(lines) + "\n"


def list_text(rules: Iterable[Rule]) -> str:
    rows = [
        (r.id, r.name, r.stage.value, r.severity.value, ",".join(dict.fromkeys(r.resources)), r.title) for r in rules
    ]
    headers = ("ID", "NAME", "STAGE", "SEVERITY", "RESOURCE", "TITLE")
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(headers)]
    return (
        "\n".join(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in (headers, *rows)
        )
        + "\n"
    )


def rules_markdown(rules: Iterable[Rule]) -> str:
    """docs/rules.md: the catalog, every rule in full, and the facts each kind offers."""
    listed = ordered(rules)
    out = [
        "# Rule catalog",
        "",
        "Generated from `rules/` by `python -m auditor.catalog > docs/rules.md`; do not edit by hand",
        "(a test fails when this file and the YAML disagree). Ids are stable and never reused; a",
        "rule's name is accepted wherever its id is (policy files, waivers, `kafka-audit rules show`).",
        "",
        "| id | name | stage | resource | severity | title |",
        "|---|---|---|---|---|---|",
    ]
    for r in listed:
        kinds = ", ".join(dict.fromkeys(r.resources))
        out.append(
            f"| [{r.id}](#{r.id.lower()}) | {r.name} | {r.stage.value} | {kinds} | {r.severity.value} | {r.title} |"
        )
    for r in listed:
        out += [
            "",
            f"## {r.id}",
            "",
            f"**{r.title}** (`{r.name}`): {r.stage.value} stage, severity {severity_text(r)}.",
            "",
        ]
        if r.params:
            out += ["Params: " + ", ".join(f"`{k}` = `{json.dumps(v)}`" for k, v in r.params.items()) + ".", ""]
        out += [" ".join(r.rationale.split()), ""]
        for check in r.checks:
            out += [
                f"- On **{check.resource}**: `{check.condition}`",
                f"  - actual `{check.actual}`, expected `{check.expected}`",
                f"  - fix: {' '.join(check.remediation.split())}",
            ]
        out += ["", "References: " + ", ".join(f"<{ref}>" for ref in r.references)]
    out += _commands_markdown()
    out += ["", "# Facts", "", "What conditions and templates may use, per resource kind.", ""]
    for kind in KINDS.values():
        out += [f"## {kind.name}", "", "| fact | meaning |", "|---|---|"]
        out += [f"| `{name}` | {meaning} |" for name, meaning in kind.facts.items()]
        out += [
            "",
            "Template context: " + ", ".join(f"`{{{name}}}` ({meaning})" for name, meaning in kind.context.items()),
            "",
        ]
    return "\n".join(out).rstrip() + "\n"


def _commands_markdown() -> list[str]:
    from auditor.engine.rules import fix_commands

    out = [
        "",
        "# Fix commands",
        "",
        "Fixes name these commands as placeholders; their text is in `rules/commands.yaml`. The first",
        "variant whose placeholders all have a value for the subject (and, for a variant of one file",
        "format, whose resource is declared in such a file) is the one a finding shows.",
    ]
    for command in fix_commands().values():
        out += ["", f"## {{{command.name}}}", "", command.description, ""]
        out += [
            f"{i}. `{v.text}`" + (f" (a resource declared in a {v.format} file)" if v.format else "")
            for i, v in enumerate(command.variants, start=1)
        ]
    return out


if __name__ == "__main__":
    from auditor.engine import load_rules

    print(rules_markdown(load_rules()), end="")
