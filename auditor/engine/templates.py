"""Templates of a rule's texts: {name} placeholders filled from a subject's facts, context and
params, and the rule's params; nothing else in a template is interpreted."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from typing import Any


class ShellText(str):
    """A value that is already a shell fragment with its own values quoted (a fix command of
    rules/commands.yaml, rendered): remediations show it as is. Every other value a remediation
    interpolates is shell-quoted there."""


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def shell_quote(value: str) -> str:
    """One inert shell word: POSIX single quotes, or bash's $'...' when the value holds control
    characters (a newline or ESC inside single quotes would break the line it is printed on)."""
    if not _CONTROL.search(value):
        return shlex.quote(value)
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return "$'" + _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", escaped) + "'"


PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")


def render(template: str, values: Mapping[str, Any], shell: bool = False) -> str:
    """Substitute {name} placeholders; nothing else in the template is interpreted.

    shell: the template holds commands to paste into a shell (a remediation): every value is
    shell-quoted (a group named `ops$(touch x)` stays one inert word), except fragments built
    with their own quoting (ShellText)."""

    def value(match: re.Match[str]) -> str:
        found = values.get(match.group(1))
        if not shell or isinstance(found, ShellText):
            return format_value(found)
        return shell_quote(format_value(found))

    return PLACEHOLDER.sub(value, template).strip()


def format_value(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
