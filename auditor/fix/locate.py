"""Which audited file a finding's path names, however the path is written: absolute, relative to
the working folder, to the repository root (as reports write it) or to a PATH the audit was given.

Only a file inside the audit's own PATHs is ever named (never a file elsewhere that happens to
have the same relative path), and, for `--diff`, it is named by its scratch copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def repository_root(start: Path) -> Path | None:
    """The nearest folder from `start` up that holds .git, or None."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


class AuditedFiles:
    """The files under the audit's PATHs (`roots`), each also named by its copy under `copies`
    (the same PATHs copied elsewhere, in the same order) when the fix works on copies."""

    def __init__(self, roots: Sequence[str], copies: Sequence[str] | None = None, cwd: Path | None = None) -> None:
        self._cwd = (cwd or Path.cwd()).resolve()
        self._roots = [self._absolute(root) for root in roots]
        self._copies = [self._absolute(copy) for copy in (copies if copies is not None else roots)]
        bases = [self._cwd, *(root if root.is_dir() else root.parent for root in self._roots)]
        repositories = [repository_root(base) for base in bases]
        self._bases = list(dict.fromkeys([*bases, *(r for r in repositories if r is not None)]))

    def _absolute(self, path: str) -> Path:
        return (self._cwd / path).resolve()

    def locate(self, path: str) -> str | None:
        """The file (its copy, when there are copies) that `path` names, or None."""
        written = Path(path)
        candidates = [written] if written.is_absolute() else [base / written for base in self._bases]
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved.is_file():
                found = self._inside(resolved)
                if found is not None:
                    return found
        return None

    def _inside(self, path: Path) -> str | None:
        for copy in self._copies:
            if path == copy or copy in path.parents:
                return str(path)
        for root, copy in zip(self._roots, self._copies, strict=True):
            if path == root:
                return str(copy)
            if root in path.parents:
                return str(copy / path.relative_to(root))
        return None
