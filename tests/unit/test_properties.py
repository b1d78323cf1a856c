from __future__ import annotations

import pytest

from auditor.sources.properties import parse_properties


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a=b", [("a", "b", 1)]),
        ("a = b", [("a", "b", 1)]),
        ("a:b", [("a", "b", 1)]),
        ("a b c", [("a", "b c", 1)]),
        ("  a\t=\tb", [("a", "b", 1)]),
        ("# comment\n! bang\n\na=1", [("a", "1", 4)]),
        ("a==b", [("a", "=b", 1)]),
        ("a = =b", [("a", "=b", 1)]),
        ("a=x\\\n    y\\\n z", [("a", "xyz", 1)]),
        ("a=x\\\\", [("a", "x\\", 1)]),
        ("k\\=ey=v", [("k=ey", "v", 1)]),
        ("k\\ ey v", [("k ey", "v", 1)]),
        ("a=\\u0041\\t\\q", [("a", "A\tq", 1)]),
        ("empty", [("empty", "", 1)]),
        ("a=1\na=2", [("a", "1", 1), ("a", "2", 2)]),
        ("trailing=v  ", [("trailing", "v  ", 1)]),
    ],
)
def test_java_properties_syntax(text: str, expected: list[tuple[str, str, int]]) -> None:
    assert [(p.key, p.value, p.line) for p in parse_properties(text)] == expected


def test_malformed_unicode_escape_names_the_line() -> None:
    with pytest.raises(ValueError, match="line 2: malformed"):
        parse_properties("a=1\nb=\\u12")
