"""Errors that end a run with a documented exit code (README "Exit codes": 2 input, 3 could not audit).

The library speaks of what it was asked for (a bootstrap list, a broker assumed down), never of
the flag that asked: `InvalidSetting` carries which setting was wrong and why, and the command
line (auditor/cli.py) names the flag that sets it."""

from __future__ import annotations

from auditor.enums import StrEnum

EXIT_USAGE = 2  # usage or input error: nothing audited
EXIT_UNREACHABLE = 3  # could not audit: the cluster (or Connect) could not be read at all


class AuditError(Exception):
    exit_code = EXIT_USAGE


class InputError(AuditError):
    """Usage or input error: bad flag, unreadable or invalid file. Nothing audited. Exit 2."""

    exit_code = EXIT_USAGE


class ClusterUnreachable(AuditError):
    """Could not audit: unreachable, authentication failed, timed out before anything. Exit 3."""

    exit_code = EXIT_UNREACHABLE


class Setting(StrEnum):
    """A setting of a run, in the library's terms; the CLI knows the flag for each."""

    BOOTSTRAP = "bootstrap servers"
    CLIENT = "client library"
    CONNECT_URL = "Connect REST URL"
    CONNECT_CONFIG = "Connect client settings"
    FLEET_CLUSTER = "fleet cluster"
    INVENTORY = "cluster inventory"
    ASSUMED_DOWN = "brokers or racks assumed down"
    FILE_FORMAT = "file format"


class InvalidSetting(InputError):
    """A setting's value is unusable: `problem` says why, without naming any flag. Exit 2.

    `value` is the part of the setting at fault, when there is one; `see` is another setting the
    fix lies in (credentials belong in the Connect client settings)."""

    def __init__(self, setting: Setting, problem: str, value: str | None = None, see: Setting | None = None) -> None:
        self.setting = setting
        self.problem = problem
        self.value = value
        self.see = see
        super().__init__(self.worded(setting.value, see.value if see is not None else None))

    def worded(self, setting: str, see: str | None) -> str:
        """The message with the setting (and `see`) named as the caller names them: a flag, a key."""
        value = f" {self.value!r}" if self.value is not None else ""
        hint = f" {see}" if see is not None else ""
        return f"{setting}{value}: {self.problem}{hint}"


class CollectionFailed(AuditError):
    """Reading the cluster failed in a way the collector did not foresee (a bug, or an answer no
    rule of it expects): nothing is judged on half a collection. Exit 3, one line."""

    exit_code = 3
