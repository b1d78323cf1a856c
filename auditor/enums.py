"""enum.StrEnum on every Python the project supports (3.10 has none): the one base of every
closed vocabulary, so a member is its value in str(), f-strings and JSON."""

from __future__ import annotations

import sys
from enum import Enum

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # pragma: no cover - Python 3.10

    class StrEnum(str, Enum):
        """enum.StrEnum of 3.11: members are their value in str() and f-strings."""

        def __str__(self) -> str:
            return str(self.value)


__all__ = ["StrEnum"]
