"""The lines of the local files findings point at: the snippet a report shows, and the inline
suppressions written next to a setting.

An inline suppression is a comment in the file's own comment syntax, on the finding's line or on
the line above it:

    # kafka-audit: ignore[PRD002] retries are handled by the outbox relay
    retries=0

Rule ids or names, comma-separated, in the brackets; the reason after them is required (a
suppression without one is reported, and does not apply). Where a format has no comments (JSON)
or a value cannot carry one (a .properties value runs to the end of its line), only the comment
forms the format really has are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePath

from auditor.sources.redaction import is_sensitive_key, looks_like_credential

MAX_SNIPPET = 200  # characters of a source line a report shows
_MAX_FILE_BYTES = 16 << 20  # a file larger than this was not read as configuration either


@dataclass(frozen=True)
class CommentSyntax:
    """How a format writes comments: whole-line leaders, and whether a comment may end a line."""

    leaders: tuple[str, ...]
    trailing: bool  # `acks: all  # why` is a comment in YAML, part of the value in .properties


PROPERTIES = CommentSyntax(("#", "!"), trailing=False)
HASH = CommentSyntax(("#",), trailing=True)
DOTENV = CommentSyntax(("#",), trailing=False)
SLASHES = CommentSyntax(("//", "/*"), trailing=True)
HCL = CommentSyntax(("#", "//", "/*"), trailing=True)

SYNTAX_BY_SUFFIX: dict[str, CommentSyntax] = {
    **dict.fromkeys((".properties", ".conf", ".config", ".cfg"), PROPERTIES),
    **dict.fromkeys((".yml", ".yaml", ".py", ".toml"), HASH),
    ".env": DOTENV,
    **dict.fromkeys((".tf", ".hcl"), HCL),
    **dict.fromkeys(
        (".java", ".kt", ".kts", ".go", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".cs"),
        SLASHES,
    ),
}

_MARKER = re.compile(r"kafka-audit:\s*ignore\[(?P<rules>[^\]]*)\](?P<reason>.*)$")


@dataclass(frozen=True)
class Suppression:
    """`kafka-audit: ignore[RULES] reason` read at `path:line`."""

    rules: tuple[str, ...]
    reason: str
    path: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def comment_syntax(path: str) -> CommentSyntax | None:
    """The comment syntax of a file by its name (`.env`, `app.env` and `.env.prod` are .env files)."""
    name = PurePath(path).name.lower()
    if name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        return DOTENV
    return SYNTAX_BY_SUFFIX.get(PurePath(name).suffix)


class SourceLines:
    """Reads each file once, on first use; a file that cannot be read has no lines."""

    def __init__(self) -> None:
        self._files: dict[str, list[str]] = {}

    def lines(self, path: str) -> list[str]:
        if path not in self._files:
            self._files[path] = _read_lines(path)
        return self._files[path]

    def line(self, path: str, number: int) -> str | None:
        lines = self.lines(path)
        return lines[number - 1] if 1 <= number <= len(lines) else None

    def snippet(self, path: str, number: int) -> str | None:
        """The line, stripped and shortened; None when it may hold a secret (a password, a JAAS config)."""
        text = self.line(path, number)
        if text is None or not text.strip():
            return None
        shown = text.strip()
        if is_sensitive_key(shown) or looks_like_credential(shown):
            return None
        return shown if len(shown) <= MAX_SNIPPET else shown[: MAX_SNIPPET - 3] + "..."

    def all_suppressions(self, path: str) -> list[Suppression]:
        """Every suppression comment of the file, wherever it is."""
        syntax = comment_syntax(path)
        if syntax is None:
            return []
        found = []
        for number, text in enumerate(self.lines(path), start=1):
            suppression = _suppression(text, syntax, path, number, whole_line_only=False)
            if suppression is not None:
                found.append(suppression)
        return found

    def suppressions(self, path: str, number: int) -> list[Suppression]:
        """The suppressions on line `number` (a trailing comment) and on the line above (a comment line)."""
        syntax = comment_syntax(path)
        if syntax is None:
            return []
        found = []
        for at in (number, number - 1):
            text = self.line(path, at)
            suppression = _suppression(text, syntax, path, at, at != number) if text is not None else None
            if suppression is not None:
                found.append(suppression)
        return found


def _suppression(text: str, syntax: CommentSyntax, path: str, number: int, whole_line_only: bool) -> Suppression | None:
    comment = _comment(text, syntax, whole_line_only)
    match = _MARKER.search(comment) if comment is not None else None
    if match is None:
        return None
    rules = tuple(r.strip() for r in match["rules"].split(",") if r.strip())
    reason = match["reason"].strip().removesuffix("*/").strip()
    return Suppression(rules, reason, path, number)


def _comment(text: str, syntax: CommentSyntax, whole_line_only: bool) -> str | None:
    """The comment a line holds in this syntax, without its leader; None when it holds none."""
    stripped = text.strip()
    for leader in syntax.leaders:
        if stripped.startswith(leader):
            return stripped[len(leader) :]
    if whole_line_only or not syntax.trailing:
        return None
    for leader in syntax.leaders:
        at = text.find(f" {leader}")
        if at >= 0 and "kafka-audit:" in text[at:]:
            return text[at + 1 + len(leader) :]
    return None


def _read_lines(path: str) -> list[str]:
    file = Path(path)
    try:
        if not file.is_file() or file.stat().st_size > _MAX_FILE_BYTES:
            return []
        return file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
