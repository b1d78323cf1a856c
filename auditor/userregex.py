"""The one place regexes written by users are compiled: policy include/exclude, waiver resource
patterns, command-line scoping.

Python's `re` backtracks: `^([a-z]+-?)+$` on a 27-character topic name takes seconds and doubles
per character, outside any --timeout. User patterns are compiled with RE2 (google-re2, the
maintained bindings of Google's linear-time engine); what RE2 cannot take (backreferences,
lookaround, huge repetition counts) is an InputError naming where the pattern was written.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import re2

from auditor.errors import InputError

MAX_PATTERN_LENGTH = 1_000
_MAX_PROGRAM_BYTES = 8 << 20  # RE2's memory budget per pattern (its default); beyond it RE2 refuses


@dataclass(frozen=True, eq=False)
class UserRegex:
    """A compiled user pattern: searched in names, or matched against all of one."""

    pattern: str
    _compiled: Any

    def search(self, name: str) -> bool:
        return self._compiled.search(name) is not None

    def fullmatch(self, name: str) -> bool:
        return self._compiled.fullmatch(name) is not None


def compile_user_regex(pattern: str, where: str) -> UserRegex:
    """RE2-compile `pattern`; InputError '<where>: ...' when RE2 cannot take it."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise InputError(f"{where}: regex longer than {MAX_PATTERN_LENGTH} characters")
    options = re2.Options()
    options.log_errors = False  # RE2 would print the error itself; ours is the one line
    options.max_mem = _MAX_PROGRAM_BYTES
    try:
        return UserRegex(pattern, re2.compile(pattern, options))
    except re2.error as exc:
        raise InputError(f"{where}: invalid regex {_printable(pattern)}: {_reason(exc)} {_SYNTAX}") from exc


@functools.lru_cache(maxsize=4096)
def user_regex(pattern: str) -> UserRegex:
    """The compiled form of a pattern already checked where it was written (compile_user_regex)."""
    return compile_user_regex(pattern, "regex")


_SYNTAX = "(RE2 syntax: linear time, no backreferences or lookaround)"


def _reason(exc: Exception) -> str:
    reason = exc.args[0] if exc.args else exc
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)


def _printable(pattern: str) -> str:
    return repr(pattern) if len(pattern) <= 80 else repr(pattern[:77] + "...")
