"""Reading and writing the JSON files kafka-audit writes (reports, snapshots, baselines).

msgspec does both in C: decoding a 90 MB snapshot or encoding a report with every pass takes
tens of milliseconds where the standard library took seconds (docs/benchmarks.md). Output is
compact unless asked for (`--pretty`) or small enough to read, where it is indented.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from auditor.errors import InputError

# Below this size a document is indented for people (diffs, review); above it, compact.
PRETTY_UP_TO_BYTES = 1_000_000

_ENCODER = msgspec.json.Encoder()


def read_bytes(path: Path, what: str) -> bytes:
    """The bytes of `path`; InputError (exit 2) naming `what` when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror}") from exc


def read_json(path: Path, what: str) -> Any:
    """The JSON document in `path`; InputError (exit 2) naming `what` when unreadable or not JSON."""
    try:
        return msgspec.json.decode(read_bytes(path, what))
    except msgspec.DecodeError as exc:
        raise InputError(f"{what} {path} is not JSON: {exc}") from exc
    except RecursionError as exc:
        raise InputError(f"{what} {path}: JSON nested too deeply to read") from exc


def encode_json(document: Any) -> bytes:
    """`document` as compact JSON bytes (msgspec's shared encoder: dicts, lists, Structs, Raw)."""
    return _ENCODER.encode(document)


def dump_json(document: Any, pretty: bool | None = None) -> bytes:
    """`document` as JSON bytes with a final newline: indented when `pretty`, or (None) when small."""
    encoded = _ENCODER.encode(document)
    if pretty or (pretty is None and len(encoded) <= PRETTY_UP_TO_BYTES):
        encoded = msgspec.json.format(encoded, indent=2)
    return encoded + b"\n"


def schema_error(validator: Any, document: Any) -> str | None:
    """The most relevant violation of a jsonschema validator, as `where: what`, or None."""
    import jsonschema

    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
    return f"{where}: {_without_value(error)}"


def _without_value(error: Any) -> str:
    """jsonschema's message with the offending value left out (`'x' is not one of [...]` becomes
    `the value is not one of [...]`): a document's values may be secrets."""
    shown, message = repr(error.instance), str(error.message)
    if message.startswith(shown):
        return "the value" + message[len(shown) :]
    return f"the value does not satisfy '{error.validator}'" if shown in message else message
