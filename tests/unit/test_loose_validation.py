"""Values of the wrong shape in the user's files are input errors at file:line, never accepted
silently (#11 point 16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.errors import InputError
from tests.policy_builders import policy


@pytest.mark.parametrize(
    ("waiver", "message"),
    [
        ("{rule: STO002, resource: orders, reason: {why: x}, owner: o, expires: 2999-01-01}", "reason must be text"),
        ("{rule: STO002, resource: orders, reason: r, owner: [a, b], expires: 2999-01-01}", "owner must be text"),
        ("{rule: STO002, resource: orders, reason: r, owner: o, expires: [2999-01-01]}", "expires must be text"),
    ],
)
def test_waiver_field_of_the_wrong_shape_is_exit_2(tmp_path: Path, waiver: str, message: str) -> None:
    with pytest.raises(InputError, match=rf"\.kafka-audit\.yaml:2: waiver {message}, not a (mapping|list)"):
        policy(tmp_path, f"waivers:\n  - {waiver}\n")
