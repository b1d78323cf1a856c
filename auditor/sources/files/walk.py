"""Find configuration files under a folder: sorted, without vendored, build, VCS or tool folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from auditor.model import CoverageGap

SKIPPED_FOLDERS = frozenset(
    {
        "node_modules",
        "bower_components",
        "vendor",
        "third_party",
        "third-party",
        "build",
        "dist",
        "target",
        "out",
        "venv",
        "site-packages",
        "__pycache__",
    }
)


def skipped(folder: Path) -> bool:
    """Hidden folders (.git, .terraform, .venv, ...), vendored and build output, Helm templates."""
    name = folder.name
    if name.startswith(".") or name in SKIPPED_FOLDERS:
        return True
    return name == "templates" and (folder.parent / "Chart.yaml").is_file()


def candidate_files(
    root: Path, given: str, suffixes: frozenset[str], gaps: list[CoverageGap] | None = None
) -> Iterator[tuple[Path, str]]:
    """(file, path to show) for every file under root with one of the suffixes, in a stable order.

    Symbolic links to folders are followed (each real folder once, so a loop ends); a folder that
    cannot be listed is appended to `gaps`, never skipped silently.
    """
    seen: set[str] = set()

    def unreadable(error: OSError) -> None:
        if gaps is not None:
            shown = _display(given, Path(error.filename).relative_to(root)) if error.filename else given
            gaps.append(CoverageGap(shown, f"folder not read: {error.strerror}"))

    for folder, subfolders, files in os.walk(root, onerror=unreadable, followlinks=True):
        here = Path(folder)
        real = os.path.realpath(here)
        if real in seen:  # a link back to a folder already read
            subfolders[:] = []
            continue
        seen.add(real)
        subfolders[:] = sorted(d for d in subfolders if not skipped(here / d))
        for name in sorted(files):
            if name.lower().endswith(tuple(suffixes)):
                path = here / name
                yield path, _display(given, path.relative_to(root))


def _display(given: str, relative: Path) -> str:
    """The path as the user would write it: the folder as given, then the file inside it."""
    if given in (".", "./"):
        return relative.as_posix()
    return f"{given.rstrip('/')}/{relative.as_posix()}"
