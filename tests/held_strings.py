"""Every string a reader's result holds, wherever it is nested: the surrogate and fuzz tests check
that each one encodes, as a report must."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path


def held_strings(value: object) -> Iterator[str]:
    """Every string held anywhere in what a reader returned (paths as their text)."""
    if isinstance(value, (str, Path)):
        yield str(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from held_strings(getattr(value, field.name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from held_strings(key)
            yield from held_strings(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from held_strings(item)
