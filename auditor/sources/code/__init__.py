"""Client settings written in application code: one reader per language (auditor.sources.code.languages).

This package's top level imports nothing, so the file source can name the suffixes it reads
without loading a parser; the readers load when a source file is read.
"""

from __future__ import annotations

# suffix -> language (auditor.sources.code.languages holds each language's pre-filter and reader)
SUFFIXES: dict[str, str] = {
    ".py": "python",
    ".java": "java",
    ".kt": "kotlin",
    ".kts": "kotlin",
    ".go": "go",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".cs": "csharp",
}
# language -> the ecosystem of the build files that pin its client libraries (auditor.sources.buildfiles):
# a client built in Go takes its library's version from go.mod, never from a requirements.txt above it.
ECOSYSTEMS: dict[str, str] = {
    "python": "python",
    "java": "jvm",
    "kotlin": "jvm",
    "go": "go",
    "javascript": "npm",
    "typescript": "npm",
    "tsx": "npm",
    "csharp": "dotnet",
}


def build_ecosystem(path: str) -> str | None:
    """The build ecosystem of a source file's language; None for a file that is not source code."""
    dot = path.rfind(".")
    language = SUFFIXES.get(path[dot:].lower()) if dot >= 0 else None
    return ECOSYSTEMS.get(language) if language else None
