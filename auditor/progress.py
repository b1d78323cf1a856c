"""A progress line on stderr while a cluster is read: only when stderr is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def terminal_progress() -> Iterator[Callable[[str], None] | None]:
    """A callback that shows the current step (rich status spinner), or None when not a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console

    with Console(stderr=True).status("kafka-audit: starting", spinner="dots") as status:
        yield lambda step: status.update(f"kafka-audit: {step}")
