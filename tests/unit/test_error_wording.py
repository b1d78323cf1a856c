"""The library raises errors in its own terms; only the command line names flags.

A library error about a setting carries the setting, the value at fault and the problem
(errors.InvalidSetting); auditor/cli.py words it with the flag. A flag written into a library
`raise` would be wrong for every caller that is not the command line (an inventory file's
bootstrap, a test, another program)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.cli import flag_for
from auditor.errors import InputError, InvalidSetting, Setting
from auditor.fleet import parse_inventory
from auditor.sources.connection import parse_bootstrap
from auditor.yamlread import load_located

PACKAGE = Path(__file__).resolve().parents[2] / "auditor"
CLI_MODULES = {"cli.py", "cli_options.py", "cli_plan.py", "cli_policy.py", "cli_rules.py", "report_cli.py"}
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def _raised_text(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string literal written inside a `raise` statement (f-string parts included)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            for part in ast.walk(node.exc):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    found.append((node.lineno, part.value))
    return found


def test_no_library_raise_names_a_flag() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}:{line}: {text!r}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name not in CLI_MODULES or path.parent != PACKAGE
        for line, text in _raised_text(ast.parse(path.read_text(encoding="utf-8")))
        if FLAG.search(text)
    ]
    assert offenders == []


def test_the_scan_sees_a_flag_in_a_raise() -> None:
    """The scan above can fail: a flag in an f-string part of a raise is found."""
    tree = ast.parse('def f(v):\n    raise ValueError(f"invalid --bootstrap-server entry {v!r}")\n')
    assert [text for _, text in _raised_text(tree) if FLAG.search(text)] == ["invalid --bootstrap-server entry "]


@pytest.mark.parametrize("setting", list(Setting))
def test_every_setting_has_its_flag(setting: Setting) -> None:
    assert FLAG.fullmatch(flag_for(setting))


def test_the_library_words_a_setting_without_a_flag() -> None:
    with pytest.raises(InvalidSetting) as raised:
        parse_bootstrap("localhost:0")
    error = raised.value
    assert (error.setting, error.value) == (Setting.BOOTSTRAP, "localhost:0")
    assert str(error) == "bootstrap servers 'localhost:0': invalid entry: expected HOST:PORT, PORT 1-65535"
    assert error.worded("--bootstrap-server", None).startswith("--bootstrap-server 'localhost:0': invalid entry")


def test_an_inventory_bootstrap_is_named_by_its_file_line(tmp_path: Path) -> None:
    """The same parser behind an inventory file: the error points at the file, not at a flag."""
    inventory = tmp_path / "clusters.yaml"
    inventory.write_text("clusters:\n  - name: prod\n    bootstrap: 'kafka:99999'\n", encoding="utf-8")
    document = load_located(inventory)
    with pytest.raises(InputError) as raised:
        parse_inventory(document["clusters"], "clusters", tmp_path)
    assert (
        str(raised.value) == f"{inventory}:3: bootstrap 'kafka:99999': invalid entry: expected HOST:PORT, PORT 1-65535"
    )


def _cli_error(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "auditor", *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    return done.stderr.strip()


def test_the_cli_names_the_flag_and_the_hint_flag(tmp_path: Path) -> None:
    error = _cli_error("audit", "--connect-url", "http://u:p@connect:8083", str(tmp_path))
    assert error == (
        "kafka-audit: error: --connect-url: must not carry credentials: put basic.auth.user.info in --connect-config"
    )
