"""`kafka-audit rules list|show`: the catalog as the engine loads it; names are accepted as ids."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from auditor.enums import StrEnum
from auditor.errors import InputError

rules_app = typer.Typer(help="The rule catalog: list the rules, show one.", no_args_is_help=True, rich_markup_mode=None)


class ListFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


StageOption = Annotated[str | None, typer.Option("--stage", help="Only this stage: produce|store|consume|end-to-end.")]
ListFormatOption = Annotated[ListFormat, typer.Option("--format", help="table or json.")]


@rules_app.command("list")
def list_rules(stage: StageOption = None, output_format: ListFormatOption = ListFormat.TABLE) -> None:
    """List the rules (id, name, stage, default severity, resource, title)."""
    from auditor.catalog import list_text, ordered, rule_summary
    from auditor.engine import load_rules
    from auditor.findings import Stage

    stages = [s.value for s in Stage]
    if stage is not None and stage not in stages:
        raise InputError(f"--stage must be one of {', '.join(stages)}, not {stage!r}")
    rules = [r for r in ordered(load_rules()) if stage is None or r.stage.value == stage]
    if output_format is ListFormat.JSON:
        typer.echo(json.dumps([rule_summary(r) for r in rules], indent=2))
    else:
        typer.echo(list_text(rules), nl=False)


@rules_app.command("show")
def show_rule(
    rule: Annotated[str, typer.Argument(help="Rule id or name, e.g. STO002 or min-insync-replicas.")],
    output_format: ListFormatOption = ListFormat.TABLE,
) -> None:
    """Show one rule: conditions per resource, message, fix, rationale and references."""
    from auditor.catalog import rule_detail, rule_text
    from auditor.engine import load_rules
    from auditor.policyfile import rule_index

    index = rule_index(load_rules())
    found = index.get(rule) or index.get(rule.upper())
    if found is None:
        raise InputError(f"unknown rule {rule!r}; `kafka-audit rules list` shows them")
    if output_format is ListFormat.JSON:
        typer.echo(json.dumps(rule_detail(found), indent=2))
    else:
        typer.echo(rule_text(found), nl=False)
