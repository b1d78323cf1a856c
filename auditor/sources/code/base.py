"""What every code reader shares: a client found in code, its settings, and how it becomes a ClientConfig.

A reader walks one source file and returns `Site`s: one per producer or consumer the code
builds, named by the line that builds it, with each setting the code passes (the key as the
library spells it, the value as a .properties file would hold it, or unknown with the reason)
and the line that sets it. Keys are mapped to the Java client's names here, so facts and rules
see one vocabulary; what an omitted key means stays the facts' job (the library's defaults).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.model import ClientConfig, ConfigSource, ConfigValue, CoverageGap, Role
from auditor.sources.files.base import Found
from auditor.sources.files.clientkeys import java_name

SNIPPET_WIDTH = 160


@dataclass(frozen=True)
class Value:
    """A setting's value as code writes it: the text, or None with why it is not known."""

    text: str | None
    reason: str | None = None

    @staticmethod
    def unknown(reason: str) -> Value:
        return Value(None, reason)


@dataclass(frozen=True)
class Setting:
    key: str  # as the library spells it (Java names for libraries without their own)
    value: Value
    line: int
    detail: str | None = None  # how the reader read it (e.g. "sarama.WaitForLocal")


@dataclass
class Site:
    """One client the code builds."""

    role: Role
    library: str  # a client of auditor/knowledge/client_defaults.yaml
    line: int
    settings: list[Setting] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    opaque: str | None = None  # why keys the code leaves out may be set where the reader cannot see

    def set(self, key: str, value: Value, line: int, detail: str | None = None) -> None:
        self.settings.append(Setting(key, value, line, detail))

    def hide(self, reason: str) -> None:
        """Settings may also come from where the reader cannot see: keep the first reason."""
        self.opaque = self.opaque or reason


def snippet(lines: list[str], line: int) -> str:
    """The source line as reports show it: trimmed, control characters (ESC, ...) made visible."""
    raw = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    text = "".join(c if c.isprintable() else "\ufffd" for c in raw.replace("\t", " "))
    return text if len(text) <= SNIPPET_WIDTH else text[: SNIPPET_WIDTH - 1] + "…"


def to_config(site: Site, path: str, lines: list[str]) -> ClientConfig:
    """The ClientConfig the rules judge: settings keyed by Java names, the last setting of a key wins."""
    settings: dict[str, ConfigValue] = {}
    for setting in site.settings:
        key = java_name(setting.key, site.library)
        reason = setting.value.reason
        detail = reason if setting.value.text is None else setting.detail
        settings.pop(key, None)
        settings[key] = ConfigValue(
            key, setting.value.text, ConfigSource.FILE, path, setting.line, detail, snippet=snippet(lines, setting.line)
        )
    return ClientConfig(
        path=path,
        roles=frozenset({site.role}),
        library=site.library,
        settings=settings,
        name=f"{path}:{site.line}",
        line=site.line,
        snippet=snippet(lines, site.line),
        names=tuple(dict.fromkeys(n for n in site.names if n)),
        opaque=site.opaque,
    )


def not_understood(path: str, line: int, why: str) -> CoverageGap:
    """A client built in a way the reader does not follow: reported at its line, never skipped."""
    return CoverageGap(f"{path}:{line}", f"client construction not understood: {why}")


def found(sites: list[Site], gaps: list[CoverageGap], path: str, text: str) -> Found:
    """The file's clients, in line order; the library version is the file source's to find
    (auditor.sources.files, from the build files of the source's own language)."""
    lines = text.splitlines()
    ordered = sorted(sites, key=lambda s: (s.line, s.role))
    return Found(clients=tuple(to_config(site, path, lines) for site in ordered), gaps=tuple(gaps))
