"""Reading the JSON files kafka-audit writes (reports, snapshots, baselines) and checking their schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from auditor.errors import InputError


def read_json(path: Path, what: str) -> Any:
    """The JSON document in `path`; InputError (exit 2) naming `what` when unreadable or not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{what} {path} is not JSON: {exc}") from exc


def schema_error(validator: Any, document: Any) -> str | None:
    """The most relevant violation of a jsonschema validator, as `where: what`, or None."""
    import jsonschema

    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
    return f"{where}: {error.message}"
