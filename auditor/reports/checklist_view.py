"""The checklist view every format renders: items as rows, declared services as columns.

Only a run with a services manifest has a checklist (AuditResult.checklist); without one the
formats render as before.
"""

from __future__ import annotations

from auditor.checklist import FAIL, UNKNOWN, Checklist, ChecklistEntry, ServiceChecklist, WriteSurvival

TITLE = "Checklist per declared service"


def status_text(entry: ChecklistEntry) -> str:
    """'pass', 'not declared', or 'fail (PRD001, E2E001)'."""
    if entry.status in (FAIL, UNKNOWN) and entry.rules:
        return f"{entry.status} ({', '.join(entry.rules)})"
    return entry.status


def header(checklist: Checklist) -> list[str]:
    return ["stage", "item", *(s.service for s in checklist.services)]


def rows(checklist: Checklist) -> list[list[str]]:
    """One row per checklist item: its stage, its name, then one status per service."""
    if not checklist.services:
        return []
    first = checklist.services[0].entries
    return [
        [entry.stage, entry.item, *(status_text(s.entries[i]) for s in checklist.services)]
        for i, entry in enumerate(first)
    ]


def _failures(count: int | None, what: str = "broker") -> str:
    if count is None:
        return "unknown"
    return f"{count} {what} failure{'' if count == 1 else 's'}"


def survival_text(service: ServiceChecklist, write: WriteSurvival) -> str:
    text = (
        f"{service.service} -> {write.topic}: survives {_failures(write.without_loss)} without loss, "
        f"{_failures(write.without_blocking)} without blocking"
    )
    if write.racks_without_loss is None and write.racks_without_blocking is None:
        return text
    return (
        f"{text}; {_failures(write.racks_without_loss, 'rack')} without loss, "
        f"{_failures(write.racks_without_blocking, 'rack')} without blocking"
    )


def survival_lines(checklist: Checklist) -> list[str]:
    return [survival_text(s, w) for s in checklist.services for w in s.writes]


def what_if_line(checklist: Checklist) -> str | None:
    if checklist.assumed_down is None:
        return None
    return f"What if: judged as if {checklist.assumed_down} were down (--assume-down)."


def summary_line(checklist: Checklist) -> str:
    """One line for formats without tables: 'orders: 6 pass, 1 fail, 1 not declared; billing: ...'."""
    parts = []
    for service in checklist.services:
        counts: dict[str, int] = {}
        for entry in service.entries:
            counts[entry.status] = counts.get(entry.status, 0) + 1
        failing = [e.item for e in service.entries if e.status in (FAIL, UNKNOWN)]
        text = ", ".join(f"{n} {status}" for status, n in counts.items())
        parts.append(f"{service.service}: {text}" + (f" [{'; '.join(failing)}]" if failing else ""))
    return "; ".join(parts)
