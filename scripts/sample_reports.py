#!/usr/bin/env python3
"""Regenerate sample-reports/: one report of each format, real output of an audit of the demo cluster.

    make sample-reports                      # starts the demo cluster if needed, seeds it, audits it
    scripts/sample_reports.py --rerender     # no cluster: re-render every format from audit.json

The audit is the demo's (scripts/demo.py): SASL as the least-privilege `auditor` user and the
services manifest demo/services.yaml with its client config files and outbox database, the demo's
Kafka Connect worker and connectors (--connect-url), every
format written in one run. `--rerender` is for formatter changes: it keeps the audited facts and re-renders them
through `kafka-audit report convert`. tests/unit/test_sample_reports.py fails when the samples
no longer match the schema or the formatters.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from auditor.reports import OutputFormat

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample-reports"
EXTENSIONS = {fmt.value: fmt.extension for fmt in OutputFormat}


def report_arguments(formats: dict[str, str]) -> list[str]:
    arguments: list[str] = []
    for fmt, extension in formats.items():
        arguments += ["--format", fmt, "--output", str((SAMPLES / f"audit.{extension}").relative_to(ROOT))]
    return arguments


def kafka_audit(*arguments: str, env: dict[str, str] | None = None) -> int:
    command = [str(Path(sys.executable).with_name("kafka-audit")), *arguments]
    print("$ kafka-audit " + " ".join(arguments), flush=True)
    return subprocess.run(command, cwd=ROOT, check=False, env={**os.environ, **(env or {})}).returncode


def audit_demo() -> int:
    sys.path.insert(0, str(ROOT / "scripts"))
    from kafka_cluster import Cluster

    from demo import SERVICES, demo_connect, seed, seed_services

    cluster = Cluster.load()
    with cluster.admin_client() as admin:
        seed(admin)
    env = seed_services(cluster)
    # The client file relative to the repository, so the published fixes read the same on any machine
    # (.kafka-run/... with the default run folder) instead of naming the machine's own folders.
    command_config = os.path.relpath(cluster.auditor_config_path, ROOT)
    source = ["--bootstrap-server", cluster.sasl_bootstrap, "--command-config", command_config]
    services = ["--services", str(SERVICES.relative_to(ROOT))]
    with demo_connect(cluster) as connect_url:
        connect = ["--connect-url", connect_url]
        return kafka_audit("audit", *source, *services, *connect, *report_arguments(EXTENSIONS), env=env)


def rerender() -> int:
    others = {fmt: ext for fmt, ext in EXTENSIONS.items() if fmt != "json"}
    return kafka_audit("report", "convert", str((SAMPLES / "audit.json").relative_to(ROOT)), *report_arguments(others))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rerender", action="store_true", help="re-render from sample-reports/audit.json")
    SAMPLES.mkdir(exist_ok=True)
    again = parser.parse_args().rerender
    code = rerender() if again else audit_demo()
    if code not in (0, 1):  # 1: the demo's findings fail the gate, as intended
        print(f"sample-reports: kafka-audit exited with {code}", file=sys.stderr)
        return code
    written = ", ".join(f"audit.{ext}" for fmt, ext in EXTENSIONS.items() if not (again and fmt == "json"))
    print(f"sample-reports: wrote {written} in {SAMPLES.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
