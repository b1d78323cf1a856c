"""Benchmark: the JSON libraries kafka-audit could read snapshots and write reports with.

    python bench/json_libs.py [--partitions 6000] [--runs 5]

The decision record behind auditor/jsonfile.py. Reading: a generated snapshot
(bench/snapshot_gen.py) decoded and validated against auditor/schemas/snapshot.schema.json by
(a) json + jsonschema (what kafka-audit did), (b) orjson + fastjsonschema (the schema compiled
to Python), (c) json + fastjsonschema, (d) msgspec decoding into the typed structures of
auditor/sources/snapshot_document.py (validation while decoding). Writing: the JSON report of
that snapshot's audit (every pass listed) by json (indent 2), orjson, msgspec, and msgspec
indented. orjson and fastjsonschema are not kafka-audit dependencies: install them to compare
(`pip install orjson fastjsonschema`); a missing one is reported as skipped.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import snapshot_gen  # noqa: E402

from auditor.jsonfile import dump_json  # noqa: E402
from auditor.sources import snapshot_document  # noqa: E402


def median_seconds(work: Callable[[], object], runs: int) -> float:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def typed(data: bytes) -> object:
    """Every part `audit --snapshot` decodes: the outline, each topic, each topic's configs (the
    audit decodes a configs text once when topics repeat it; this decodes every one)."""
    outline = snapshot_document.OUTLINE_DECODER.decode(data)
    topics = [snapshot_document.TOPIC_DECODER.decode(topic) for topic in outline.cluster.topics]
    return [snapshot_document.CONFIGS_DECODER.decode(topic.configs) for topic in topics]


def readers(schema: dict[str, Any]) -> dict[str, Callable[[bytes], object]]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    found: dict[str, Callable[[bytes], object]] = {
        "json + jsonschema": lambda data: validator.validate(json.loads(data)),
        "msgspec (typed structures)": typed,
    }
    if importlib.util.find_spec("fastjsonschema"):
        import fastjsonschema

        compiled = fastjsonschema.compile(schema)
        found["json + fastjsonschema"] = lambda data: compiled(json.loads(data))
        if importlib.util.find_spec("orjson"):
            import orjson

            found["orjson + fastjsonschema"] = lambda data: compiled(orjson.loads(data))
    return found


def writers() -> dict[str, Callable[[Any], object]]:
    import msgspec

    found: dict[str, Callable[[Any], object]] = {
        "json (indent 2)": lambda doc: json.dumps(doc, indent=2),
        "msgspec": msgspec.json.encode,
        "msgspec, indented": lambda doc: dump_json(doc, pretty=True),
    }
    if importlib.util.find_spec("orjson"):
        import orjson

        found["orjson"] = orjson.dumps
        found["orjson, indented"] = lambda doc: orjson.dumps(doc, option=orjson.OPT_INDENT_2)
    return found


def report_document(snapshot_path: Path) -> dict[str, Any]:
    from auditor.audit import AuditOptions, Sources, audit_sources
    from auditor.reports.json_report import report_document

    document = report_document(audit_sources(Sources(snapshot=snapshot_path), AuditOptions(fail_on=None)))
    plain: dict[str, Any] = json.loads(dump_json(document))  # plain lists and dicts, as every library takes
    return plain


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partitions", type=int, default=6000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    schema = json.loads((ROOT / "auditor/schemas/snapshot.schema.json").read_text())
    with tempfile.TemporaryDirectory() as folder:
        path = snapshot_gen.write(args.partitions, Path(folder) / "snapshot.json")
        data = path.read_bytes()
        print(f"read + validate a {len(data) / 1e6:.1f} MB snapshot ({args.partitions} partitions):")
        for name, read in readers(schema).items():
            print(f"  {name:28} median {median_seconds(lambda r=read: r(data), args.runs):7.3f} s")  # type: ignore[misc]
        document = report_document(path)
    print(f"write the JSON report ({len(document['passed'])} passes, {len(document['findings'])} findings):")
    for name, write in writers().items():
        print(f"  {name:28} median {median_seconds(lambda w=write: w(document), args.runs):7.3f} s")  # type: ignore[misc]
    for missing in ("orjson", "fastjsonschema"):
        if not importlib.util.find_spec(missing):
            print(f"  ({missing} not installed: its rows skipped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
