"""Benchmark: audit a folder of 1,000 configuration files (every format), several runs, median.

    python bench/files_bench.py [--files 1000] [--runs 5]

Writes the files into a temporary folder (a mix of Java .properties, Spring Boot YAML with
profiles, librdkafka JSON, server.properties, docker-compose, Strimzi, Terraform and topicctl,
plus non-Kafka files the walk must skip), then runs `kafka-audit audit FOLDER --format json`
as a user would, end to end in a fresh process each time, and prints each wall time and the
median. Record the median in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROPERTIES = "bootstrap.servers=kafka-{i}:9092\nacks={acks}\nretries={retries}\ngroup.id=g{i}\n"
SPRING = """spring:
  kafka:
    producer:
      acks: ${{ACKS:{acks}}}
    consumer:
      group-id: app-{i}
      enable-auto-commit: {auto}
---
spring.config.activate.on-profile: prod
spring.kafka.producer.retries: 0
"""
LIBRDKAFKA = '{{"bootstrap.servers": "k:9092", "request.required.acks": {acks}, "enable.idempotence": true}}\n'
SERVER = "node.id={i}\nprocess.roles=broker\nmin.insync.replicas={acks}\ndefault.replication.factor=3\n"
COMPOSE = """services:
  kafka-{i}:
    image: confluentinc/cp-kafka:7.7.0
    environment:
      KAFKA_MIN_INSYNC_REPLICAS: "{acks}"
      KAFKA_DEFAULT_REPLICATION_FACTOR: ${{RF:-3}}
"""
STRIMZI = """apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaTopic
metadata:
  name: topic-{i}
  labels:
    strimzi.io/cluster: prod
spec:
  partitions: 6
  replicas: {rf}
"""
TERRAFORM = """variable "rf_{i}" {{
  default = {rf}
}}
resource "kafka_topic" "t{i}" {{
  name               = "t{i}"
  replication_factor = var.rf_{i}
  partitions         = 6
  config = {{
    "min.insync.replicas" = "2"
  }}
}}
"""
TOPICCTL = "meta:\n  name: topic-{i}\nspec:\n  partitions: 3\n  replicationFactor: {rf}\n"
TEMPLATES = [
    ("svc{i}/producer.properties", PROPERTIES),
    ("svc{i}/application.yml", SPRING),
    ("svc{i}/client.json", LIBRDKAFKA),
    ("brokers/b{i}/server.properties", SERVER),
    ("deploy/c{i}/docker-compose.yml", COMPOSE),
    ("k8s/topic-{i}.yaml", STRIMZI),
    ("tf/m{i}/main.tf", TERRAFORM),
    ("topics/topic-{i}.yaml", TOPICCTL),
    ("docs/notes-{i}.md", "not a config file\n"),
    ("svc{i}/logback.yaml", "logging:\n  level: INFO\n"),
]


def write_estate(root: Path, count: int) -> None:
    for i in range(count):
        relative, template = TEMPLATES[i % len(TEMPLATES)]
        path = root / relative.format(i=i)
        path.parent.mkdir(parents=True, exist_ok=True)
        values = {"i": i, "acks": i % 2, "retries": i % 3, "auto": "true" if i % 2 else "false", "rf": 1 + i % 3}
        path.write_text(template.format(**values), encoding="utf-8")
    (root / "node_modules" / "x").mkdir(parents=True)
    (root / "node_modules" / "x" / "producer.properties").write_text("acks=0\n")


def one_run(root: Path) -> tuple[float, int, int]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "audit", str(root), "--format", "json", "--exit-zero"],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"audit failed ({done.returncode}): {done.stderr.strip()}")
    report = json.loads(done.stdout)
    return elapsed, len(report["targets"]), len(report["findings"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kafka-audit-bench-") as folder:
        root = Path(folder)
        write_estate(root, args.files)
        times = []
        for run in range(1, args.runs + 1):
            elapsed, targets, findings = one_run(root)
            times.append(elapsed)
            print(f"run {run}: {elapsed:.2f} s ({targets} config files audited, {findings} findings)")
        print(f"median of {args.runs} runs over {args.files} files: {statistics.median(times):.2f} s")


if __name__ == "__main__":
    main()
