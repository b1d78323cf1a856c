"""Every closed vocabulary of the package is an auditor.enums.StrEnum: a member is its value in
str(), f-strings and reports. A `(str, Enum)` prints as `Detail.QUIET` in an f-string on Python
3.11+, which is how a wording slips into a report unnoticed."""

from __future__ import annotations

import ast
from pathlib import Path

import auditor
from auditor.cli_rules import ListFormat
from auditor.errors import Setting
from auditor.reports import Detail

PACKAGE = Path(auditor.__file__).parent


def _base_names(node: ast.ClassDef) -> set[str]:
    return {ast.unparse(base) for base in node.bases}


def _str_enums() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        classes = [n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.ClassDef)]
        for node in classes:
            bases = _base_names(node)
            if "str" in bases and bases & {"Enum", "enum.Enum"} and path.name != "enums.py":
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def test_no_class_mixes_str_and_enum_outside_the_compat_module() -> None:
    assert _str_enums() == []


def test_the_former_str_enums_print_their_value() -> None:
    assert [f"{Detail.QUIET}", f"{ListFormat.JSON}", f"{Setting.BOOTSTRAP}"] == ["quiet", "json", "bootstrap servers"]
