"""What every code reader shares: a client found in code, its settings, and how it becomes a ClientConfig.

A reader walks one source file and returns `Site`s: one per producer or consumer the code
builds, named by the line that builds it, with each setting the code passes (the key as the
library spells it, the value as a .properties file would hold it, or unknown with the reason)
and the line that sets it. Keys are mapped to the Java client's names here, so facts and rules
see one vocabulary; what an omitted key means stays the facts' job (the library's defaults).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path, PurePath

from auditor.errors import InputError
from auditor.knowledge import defaults_for
from auditor.model import ClientConfig, ConfigSource, ConfigValue, CoverageGap, Role
from auditor.sources.buildfiles import KAFKA_CLIENTS, SPRING_BOOT, LibraryVersion, find_library
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


def to_config(site: Site, path: str, lines: list[str], version: LibraryVersion | None = None) -> ClientConfig:
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
        library_version=version.version if version else None,
        library_version_at=version.where if version else None,
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
    lines = text.splitlines()
    ordered = sorted(sites, key=lambda s: (s.line, s.role))
    clients = tuple(to_config(site, path, lines, library_version(path, site.library)) for site in ordered)
    return Found(clients=clients, gaps=tuple(gaps))


# The build-file names of the libraries whose defaults apply (auditor.sources.buildfiles), by the
# knowledge's client name and the source file's suffix where they differ per language.
BUILD_NAMES: dict[str, tuple[str, ...]] = {
    "java": (KAFKA_CLIENTS,),
    "spring": (SPRING_BOOT,),
    "kafka-python": ("kafka-python",),
    "aiokafka": ("aiokafka",),
    "sarama": ("github.com/IBM/sarama", "github.com/Shopify/sarama"),
    "franz-go": ("github.com/twmb/franz-go",),
    "kafka-go": ("github.com/segmentio/kafka-go",),
    "kafkajs": ("kafkajs",),
}
# confluent-kafka (Python, Go, .NET) releases track the librdkafka they bundle; node-rdkafka's do not.
LIBRDKAFKA_WRAPPERS = {
    ".py": "confluent-kafka",
    ".go": "github.com/confluentinc/confluent-kafka-go",
    ".cs": "Confluent.Kafka",
}


def library_version(path: str, library: str) -> LibraryVersion | None:
    """The version the project's build files pin, when the knowledge has defaults for it."""
    names = BUILD_NAMES.get(library, ())
    if library == "librdkafka":
        wrapper = LIBRDKAFKA_WRAPPERS.get(PurePath(path).suffix.lower())
        names = (wrapper,) if wrapper else ()
    for name in names:
        found = _pinned(str(PurePath(path).parent), name)
        if found is not None and found.version is not None:
            version = found.version.removeprefix("v")
            try:
                defaults_for(library, version)
            except InputError:
                return None  # a version the knowledge has no defaults for: the assumed ones, said so
            return replace(found, version=version, path=_shown(found.path))
    return None


def _shown(path: str) -> str:
    """A build file's path relative to the working folder when it lies inside it, as PATHs are shown."""
    try:
        return Path(path).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path


@cache
def _pinned(folder: str, name: str) -> LibraryVersion | None:
    return find_library(Path(folder), name)
