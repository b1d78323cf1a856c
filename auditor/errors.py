"""Errors that end a run with a documented exit code (DESIGN.md: 2 input, 3 could not audit)."""


class AuditError(Exception):
    exit_code = 2


class InputError(AuditError):
    """Usage or input error: bad flag, unreadable or invalid file. Nothing audited. Exit 2."""

    exit_code = 2


class ClusterUnreachable(AuditError):
    """Could not audit: unreachable, authentication failed, timed out before anything. Exit 3."""

    exit_code = 3
