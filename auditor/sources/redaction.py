"""Which configuration values must never leave the process: passwords, secrets, key stores, JAAS."""

from __future__ import annotations

import re

from auditor.model import ConfigValue

# Any key naming a password, secret, token, key store, private key, credential or JAAS config.
_SENSITIVE_KEY = re.compile(
    r"password|secret|token|key\.?store|private\.?key|credential|jaas|\.key$",
    re.IGNORECASE,
)

# A value that carries a credential whatever its key: user:password@ in a URL, password=... in a
# JDBC/ODBC query string or connection string.
_CREDENTIAL_VALUE = re.compile(r"://[^/\s:@]+:[^/\s@]+@|(?:password|passwd|pwd|secret|token)\s*=", re.IGNORECASE)

REDACTED = "[redacted]"


def is_sensitive_key(key: str) -> bool:
    return bool(_SENSITIVE_KEY.search(key))


def looks_like_credential(value: str | None) -> bool:
    return value is not None and bool(_CREDENTIAL_VALUE.search(value))


def redact(value: ConfigValue) -> ConfigValue:
    """The value with its secret removed (None), marked sensitive; unchanged when not sensitive."""
    if not (value.sensitive or is_sensitive_key(value.key) or looks_like_credential(value.value)):
        return value
    if value.value is None and value.sensitive and value.detail is None:
        return value
    return ConfigValue(
        key=value.key,
        value=None,
        source=value.source,
        path=value.path,
        line=value.line,
        detail=None,
        sensitive=True,
    )
