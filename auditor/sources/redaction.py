"""Which configuration values must never leave the process: passwords, secrets, key stores, JAAS."""

from __future__ import annotations

import re

from auditor.model import ConfigValue

# Any key naming a password, secret, token, key store, private key, credential or JAAS config.
_SENSITIVE_KEY = re.compile(
    r"password|secret|token|key\.?store|private\.?key|credential|jaas|\.key$",
    re.IGNORECASE,
)

REDACTED = "[redacted]"


def is_sensitive_key(key: str) -> bool:
    return bool(_SENSITIVE_KEY.search(key))


def redact(value: ConfigValue) -> ConfigValue:
    """The value with its secret removed (None), marked sensitive; unchanged when not sensitive."""
    if not (value.sensitive or is_sensitive_key(value.key)):
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
