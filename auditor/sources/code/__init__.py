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
