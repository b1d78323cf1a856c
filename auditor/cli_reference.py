"""docs/cli.md, generated from the command line itself: every command, argument and option with its
value, default, environment variables and help, as `--help` knows them.

    python -m auditor.cli_reference > docs/cli.md     # or: make docs

tests/unit/test_cli_reference.py fails when docs/cli.md no longer matches the code.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

HEADER = """# kafka-audit command-line reference

Generated from the code by `python -m auditor.cli_reference > docs/cli.md` (`make docs`); a test
fails when it is stale. Every option also reads the environment variable shown (the command line
wins); list options take several values separated by spaces, paths by `:`. Exit codes: 0 pass,
1 findings fail the gate, 2 input error, 3 cluster unreachable, 4 coverage gaps with
`--fail-on-gaps`, 70 internal error. The README explains each option in context.
"""


def commands(command: Any, path: tuple[str, ...] = ("kafka-audit",)) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command under `command`, depth first, in the order `--help` lists them (groups too)."""
    yield path, command
    subcommands = getattr(command, "commands", {})
    for name in sorted(subcommands):
        if not getattr(subcommands[name], "hidden", False):
            yield from commands(subcommands[name], (*path, name))


def reference(root: Any) -> str:
    sections = [HEADER]
    for path, command in commands(root):
        sections.append(_section(path, command))
    return "\n".join(sections)


def _section(path: tuple[str, ...], command: Any) -> str:
    name = " ".join(path)
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    usage = " ".join([name, "[OPTIONS]", *(_argument_usage(p) for p in arguments)])
    if getattr(command, "commands", None):
        usage = f"{name} [OPTIONS] COMMAND [ARGS]..."
    lines = [f"## {name}", "", f"`{usage}`", ""]
    help_text = " ".join((command.help or "").split())
    if help_text:
        lines += [_cell_text(help_text), ""]
    rows = [_row(p) for p in command.params if not getattr(p, "hidden", False)]
    if rows:
        lines += ["| argument or option | environment variable | default | meaning |", "|---|---|---|---|", *rows, ""]
    return "\n".join(lines)


def _argument_usage(param: Any) -> str:
    text = f"[{param.metavar}]" if not param.required else str(param.metavar)
    return text + ("..." if param.nargs == -1 or param.multiple else "")


def _row(param: Any) -> str:
    if param.param_type_name == "argument":
        names = f"`{param.metavar}`" + (" (repeatable)" if param.nargs == -1 else "")
    else:
        flags = ", ".join(f"`{opt}`" for opt in sorted(param.opts, key=len) + list(param.secondary_opts))
        value = "" if param.is_flag or param.metavar is None else f" `{param.metavar}`"
        names = flags + value + (" (repeatable)" if param.multiple else "")
    envvars = ", ".join(f"`{v}`" for v in _envvars(param))
    cells = [names, envvars, _default(param), " ".join((param.help or "").split())]
    return "| " + " | ".join(_cell_text(cell) for cell in cells) + " |"


def _envvars(param: Any) -> list[str]:
    envvar = getattr(param, "envvar", None)
    if envvar is None:
        return []
    return [envvar] if isinstance(envvar, str) else list(envvar)


def _default(param: Any) -> str:
    default = getattr(param, "default", None)
    if default is None or default is False or (param.param_type_name == "argument" and not default):
        return ""
    if isinstance(default, (list, tuple)):
        return ", ".join(f"`{v}`" for v in default) if default else ""
    if callable(default):
        return ""
    return f"`{'true' if default is True else default}`"


def _cell_text(text: str) -> str:
    return text.replace("|", "\\|")


def main() -> None:
    from auditor.cli import cli

    sys.stdout.write(reference(cli()))


if __name__ == "__main__":
    main()
