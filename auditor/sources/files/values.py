"""Configuration values as files write them: placeholders, provenance, the errors a parser raises.

A value may be a placeholder the file cannot resolve: `${VAR}`, a Kafka config provider
(`${env:...}`, `${file:...}`, `${directory:...}`), a `{{ template }}`. Such a value is unknown
(None) and says why, so a rule that needs it reports `unknown`, never a pass. Where the syntax
carries a default (Spring `${VAR:default}`, compose `${VAR:-default}`), the value is judged on
that default and the detail says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from auditor.model import ConfigSource, ConfigValue


class ParseError(ValueError):
    """A file that cannot be read as its format: names the line and the problem."""

    def __init__(self, problem: str, line: int | None = None, path: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line
        self.path = path  # set when a reader of several files knows which one failed

    def where(self, path: str) -> str:
        path = self.path or path
        at = f"{path}:{self.line}" if self.line else path
        return f"{at}: {self.problem}"


class Dialect(Enum):
    PLAIN = "plain"  # any ${...} is unresolved
    SPRING = "spring"  # ${NAME:default}
    COMPOSE = "compose"  # ${NAME:-default}, ${NAME-default}, $NAME, $$


NO_VALUE = "set without a value"
_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.S)
_PROVIDERS = ("env:", "file:", "directory:")
_COMPOSE_BARE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Resolved:
    value: str | None
    detail: str | None = None


def resolve(raw: str, dialect: Dialect, env: Mapping[str, str] | None = None) -> Resolved:
    """The value a placeholder-bearing string stands for, or None with the reason.

    `env` holds what compose itself would substitute (the .env file beside the compose file).
    """
    template = _TEMPLATE.search(raw)
    if template:
        return Resolved(None, f"unresolved template {template.group()}")
    out: list[str] = []
    defaults: list[str] = []
    substituted: list[str] = []
    index = 0
    while index < len(raw):
        char = raw[index]
        if char == "$" and dialect is Dialect.COMPOSE and raw.startswith("$$", index):
            out.append("$")
            index += 2
            continue
        if char == "$" and raw.startswith("${", index):
            end = _closing_brace(raw, index + 2)
            if end < 0:
                return Resolved(None, f"unterminated placeholder {raw[index:]}")
            placeholder = raw[index : end + 1]
            known = _from_env(raw[index + 2 : end], env) if dialect is Dialect.COMPOSE else None
            if known is not None:
                out.append(known)
                substituted.append(placeholder)
                index = end + 1
                continue
            default = _default(raw[index + 2 : end], dialect)
            if default is None:
                return Resolved(None, f"unresolved placeholder {placeholder}")
            nested = resolve(default, dialect)
            if nested.value is None:
                return nested
            out.append(nested.value)
            defaults.append(placeholder)
            index = end + 1
            continue
        if char == "$" and dialect is Dialect.COMPOSE:
            bare = _COMPOSE_BARE.match(raw, index)
            if bare and env is not None and bare.group(1) in env:
                out.append(env[bare.group(1)])
                substituted.append(bare.group())
                index = bare.end()
                continue
            if bare:
                return Resolved(None, f"unresolved variable {bare.group()}")
        out.append(char)
        index += 1
    details = [f"judged on the default of {', '.join(defaults)}"] if defaults else []
    details += [f"{', '.join(substituted)} substituted from .env"] if substituted else []
    return Resolved("".join(out), "; ".join(details) or None)


def _from_env(inner: str, env: Mapping[str, str] | None) -> str | None:
    """${NAME}, ${NAME:-x}, ${NAME-x}: the .env value of NAME (':-' treats an empty one as unset)."""
    match = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(:?)", inner)
    if env is None or match is None or match.group(1) not in env:
        return None
    value = env[match.group(1)]
    return None if value == "" and inner[match.end() :].startswith("-") and match.group(2) else value


def read_dotenv(text: str) -> dict[str, str]:
    """A compose .env file: KEY=VALUE lines, '#' comments, optional quotes around the value."""
    return {key: value for key, value, _ in dotenv_lines(text)}


def dotenv_lines(text: str) -> list[tuple[str, str, int]]:
    """(key, value, line) of a .env / env_file: '#' comments, 'export ', quotes around the value."""
    found: list[tuple[str, str, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        found.append((key.strip(), value, number))
    return found


def _closing_brace(text: str, start: int) -> int:
    depth = 1
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    return -1


def _default(inner: str, dialect: Dialect) -> str | None:
    """The default a placeholder's body carries in this dialect, or None."""
    if inner.startswith(_PROVIDERS) or dialect is Dialect.PLAIN:
        return None
    if dialect is Dialect.SPRING:
        name, sep, default = inner.partition(":")
        return default if sep and name else None
    match = re.match(r"[A-Za-z_][A-Za-z0-9_]*(:?-)(.*)", inner, re.S)
    return match.group(2) if match else None


def file_value(
    key: str, raw: str | None, path: str, line: int | None, dialect: Dialect, env: Mapping[str, str] | None = None
) -> ConfigValue:
    """A value set in a file at a line; None raw means the file names the key without a value."""
    if raw is None:
        return ConfigValue(key, None, ConfigSource.FILE, path, line, detail=NO_VALUE)
    resolved = resolve(raw, dialect, env)
    return ConfigValue(key, resolved.value, ConfigSource.FILE, path, line, detail=resolved.detail)
