"""Kafka Connect, Kafka Streams and MirrorMaker 2, really started, audited live.

Against the 3-node test cluster: two distributed Connect workers from Maven Central jars
(scripts/connect_harness.py), one with safe internal topics and FileStream connectors configured
safely and unsafely, one whose internal topics have replication factor 1; MirrorMaker 2's
connectors replicating from a second, 1-node harness cluster at KAFKA_AUDIT_PORT_BASE+400; and
Kafka's WordCountDemo (kafka-streams-examples) run as three applications whose changelog and
repartition topics differ in replication factor and min.insync.replicas. One audit
(`--bootstrap-server --connect-url --connect-url`) must fire every live CNX/STR/MM2 rule on the
unsafe component and pass it on the safe one.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from connect_harness import WORDCOUNT_INPUT, WORDCOUNT_OUTPUT, ConnectWorker, StreamsApp, internal_topics
from kafka_cluster import Cluster, ClusterError

from tests.report_schema import assert_valid_report

pytestmark = pytest.mark.integration

MIRROR_SOURCE_OFFSET = 400
SECRET_TYPED_PASSWORD = "typed-PASSWORD-in-the-plugin-definition"
ERRORS = "org.apache.kafka.streams.errors"
STREAMS_APPS = {  # application.id -> overrides of WordCountDemo's config
    "wc-rf1": {
        "replication.factor": "1",
        "default.deserialization.exception.handler": f"{ERRORS}.LogAndContinueExceptionHandler",
        "processing.exception.handler": f"{ERRORS}.LogAndContinueProcessingExceptionHandler",
    },
    "wc-minisr1": {"replication.factor": "3", "topic.min.insync.replicas": "1"},
    "wc-safe": {
        "replication.factor": "3",
        "topic.min.insync.replicas": "2",
        "processing.guarantee": "exactly_once_v2",
        "production.exception.handler": f"{ERRORS}.DefaultProductionExceptionHandler",
    },
}
FRAGILE_WORKER = {  # every worker-level weakening, on a worker that runs no connector
    **{f"{role}.storage.replication.factor": "1" for role in ("config", "offset", "status")},
    "producer.acks": "1",
    "consumer.auto.offset.reset": "latest",
    "connector.client.config.override.policy": "None",
    "exactly.once.source.support": "enabled",
}
POLICY = """\
rules:
  STR005: {params: {exactly_once_applications: [wc-rf1, wc-safe]}}
"""


def _sink(topic: str, out: Path, **extra: str) -> dict[str, str]:
    return {"connector.class": "FileStreamSink", "tasks.max": "1", "topics": topic, "file": str(out), **extra}


def _source(topic: str, source: Path, **extra: str) -> dict[str, str]:
    return {"connector.class": "FileStreamSource", "tasks.max": "1", "topic": topic, "file": str(source), **extra}


def _mirror(kind: str, alias: str, source: Cluster, target: Cluster, **extra: str) -> dict[str, str]:
    return {
        "connector.class": f"org.apache.kafka.connect.mirror.{kind}",
        "tasks.max": "1",
        "source.cluster.alias": alias,
        "target.cluster.alias": "primary",
        "source.cluster.bootstrap.servers": source.bootstrap,
        "target.cluster.bootstrap.servers": target.bootstrap,
        "topics": "mm-orders",
        "groups": ".*",
        "refresh.topics.interval.seconds": "5",
        **extra,
    }


def _topics(cluster: Cluster) -> list[str]:
    admin = cluster.admin_client()
    try:
        return list(admin.list_topics())
    finally:
        admin.close()


def _groups(cluster: Cluster) -> set[str]:
    """Groups that exist: a stopped Streams application's group stays while it has committed offsets."""
    admin = cluster.admin_client()
    try:
        return {g["group_id"] for g in admin.list_groups()}
    finally:
        admin.close()


def _wait_topics(cluster: Cluster, wanted: set[str], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not wanted <= set(_topics(cluster)):
        assert time.monotonic() < deadline, f"topics never created: {sorted(wanted - set(_topics(cluster)))}"
        time.sleep(1)


def _create(cluster: Cluster, *names: str, rf: int = 3, configs: dict[str, str] | None = None) -> None:
    from kafka.admin import NewTopic

    admin = cluster.admin_client()
    try:
        existing = set(admin.list_topics())
        new = [NewTopic(n, 1, rf, topic_configs=configs or {}) for n in names if n not in existing]
        if new:
            admin.create_topics(new)
    finally:
        admin.close()


def _produce(cluster: Cluster, topic: str, lines: list[str]) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=cluster.bootstrap, acks="all")
    try:
        for line in lines:
            producer.send(topic, line.encode())
        producer.flush(30)
    finally:
        producer.close()


@pytest.fixture(scope="module")
def mirror_source(kafka_cluster: Cluster) -> Iterator[Cluster]:
    """The second harness cluster (1 node) MirrorMaker 2 replicates from, at PORT+400."""
    base = kafka_cluster.settings
    source = Cluster.load(
        replace(base, run_dir=base.run_dir / "mirror-source", port_base=base.port_base + MIRROR_SOURCE_OFFSET)
    )
    created = source.up(1) is not None
    try:
        yield source
    finally:
        if created:
            source.down()


@pytest.fixture(scope="module")
def workers(kafka_cluster: Cluster) -> Iterator[tuple[ConnectWorker, ConnectWorker]]:
    settings = kafka_cluster.settings
    safe = ConnectWorker(settings, "audit-connect", kafka_cluster.bootstrap, index=0)
    fragile = ConnectWorker(settings, "fragile-connect", kafka_cluster.bootstrap, index=1, overrides=FRAGILE_WORKER)
    # Its status topic made beforehand, compacted with 3 replicas but min.insync.replicas 1: Connect accepts it.
    _create(kafka_cluster, "fragile-connect-status", configs={"cleanup.policy": "compact", "min.insync.replicas": "1"})
    try:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda w: w.start(), (safe, fragile)))
        yield safe, fragile
    finally:
        safe.stop()
        fragile.stop()


@pytest.fixture(scope="module")
def refused_worker(kafka_cluster: Cluster) -> ConnectWorker:
    """A worker whose status topic exists with cleanup.policy=delete: Connect refuses to start (CNX021's pre-flight)."""
    _create(kafka_cluster, "broken-connect-status", configs={"cleanup.policy": "delete"})
    worker = ConnectWorker(kafka_cluster.settings, "broken-connect", kafka_cluster.bootstrap, index=2)
    try:
        worker.start()
    except ClusterError as error:
        assert "exited" in str(error)
    else:  # its REST server may answer for a moment before the herder thread reads the topic and exits
        deadline = time.monotonic() + 60
        while worker.running():
            assert time.monotonic() < deadline, "a worker whose status topic is not compacted kept running"
            time.sleep(0.5)
    assert "cleanup.policy" in worker.log_path.read_text()
    return worker


@pytest.fixture(scope="module")
def streams_apps(kafka_cluster: Cluster) -> dict[str, StreamsApp]:
    """Each WordCountDemo application run until it created its internal topics and committed, then stopped."""
    _create(kafka_cluster, WORDCOUNT_INPUT, WORDCOUNT_OUTPUT)
    _produce(kafka_cluster, WORDCOUNT_INPUT, ["all streams lead to kafka", "hello kafka streams"])
    apps: dict[str, StreamsApp] = {}
    for app_id, overrides in STREAMS_APPS.items():
        app = apps[app_id] = StreamsApp(kafka_cluster.settings, app_id, kafka_cluster.bootstrap, overrides)
        app.start()
        try:
            deadline = time.monotonic() + 180
            while len(_internal(kafka_cluster, app_id)) < 2 or app_id not in _groups(kafka_cluster):
                assert time.monotonic() < deadline, f"{app_id} created no internal topics or committed nothing"
                time.sleep(1)
        finally:
            app.stop()
    return apps


def _internal(cluster: Cluster, app_id: str) -> list[str]:
    return internal_topics(app_id, _topics(cluster))


@pytest.fixture(scope="module")
def streams_topics(kafka_cluster: Cluster, streams_apps: dict[str, StreamsApp]) -> dict[str, list[str]]:
    return {app_id: _internal(kafka_cluster, app_id) for app_id in streams_apps}


@pytest.fixture(scope="module")
def report(
    kafka_cluster: Cluster,
    mirror_source: Cluster,
    workers: tuple[ConnectWorker, ConnectWorker],
    refused_worker: ConnectWorker,
    streams_apps: dict[str, StreamsApp],
    streams_topics: dict[str, list[str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    safe, fragile = workers
    work = tmp_path_factory.mktemp("connect")
    (work / "in.txt").write_text("one\ntwo\n")
    _create(kafka_cluster, "cx-orders")
    _create(mirror_source, "mm-orders", rf=1)
    _produce(mirror_source, "mm-orders", ["replicate me"])
    connectors = {
        "source-safe": _source("cx-orders", work / "in.txt"),
        "source-acks1": _source("cx-orders", work / "in.txt", **{"producer.override.acks": "1"}),
        "sink-tolerant-no-dlq": _sink("cx-orders", work / "a.txt", **{"errors.tolerance": "all"}),
        "sink-tolerant-dlq": _sink(
            "cx-orders", work / "b.txt", **{"errors.tolerance": "all", "errors.deadletterqueue.topic.name": "cx-dlq"}
        ),
        "sink-dlq-rf1": _sink(
            "cx-orders",
            work / "c.txt",
            **{
                "errors.deadletterqueue.topic.name": "cx-dlq-rf1",
                "errors.deadletterqueue.topic.replication.factor": "1",
            },
        ),
        "sink-latest": _sink("cx-orders", work / "d.txt", **{"consumer.override.auto.offset.reset": "latest"}),
        "sink-broken": _sink("cx-orders", work / "no-such-dir" / "out.txt"),
        "mm2-source": _mirror(
            "MirrorSourceConnector",
            "src",
            mirror_source,
            kafka_cluster,
            **{
                "offset-syncs.topic.location": "target",  # on the audited cluster (the default is the source)
                "offset-syncs.topic.replication.factor": "1",
                "ssl.truststore.certificates": SECRET_TYPED_PASSWORD,
            },
        ),
        "mm2-checkpoint": _mirror("MirrorCheckpointConnector", "src", mirror_source, kafka_cluster),
        "mm2-safe-source": _mirror(
            "MirrorSourceConnector", "safesrc", mirror_source, kafka_cluster, **{"replication.factor": "3"}
        ),
        "mm2-safe-checkpoint": _mirror(
            "MirrorCheckpointConnector",
            "safesrc",
            mirror_source,
            kafka_cluster,
            **{"sync.group.offsets.enabled": "true"},
        ),
    }
    for name, config in connectors.items():
        safe.put_connector(name, config)
    safe.wait_tasks("sink-broken", {"FAILED"})
    for name in connectors:
        if name != "sink-broken":
            safe.wait_tasks(name, {"RUNNING"}, tasks_needed="checkpoint" not in name)
    _wait_topics(kafka_cluster, {"src.mm-orders", "safesrc.mm-orders", "cx-dlq", "cx-dlq-rf1"})
    assert SECRET_TYPED_PASSWORD in json.dumps(safe.get("/connectors/mm2-source/config"))  # Connect shows it
    return _audit(
        work / "report.json",
        ["--bootstrap-server", kafka_cluster.bootstrap, "--connect-url", safe.url, "--connect-url", fragile.url],
        workers,
        streams_apps,
    )


def _audit(
    output: Path, source: list[str], workers: tuple[ConnectWorker, ConnectWorker], apps: dict[str, StreamsApp]
) -> dict[str, Any]:
    """`audit` of `source` (a live cluster and Connect, or a snapshot) with the workers' and Streams apps' files."""
    policy = output.with_suffix(".policy.yaml")
    policy.write_text(POLICY)
    files = [str(w.properties_path) for w in workers] + [str(a.properties_path) for a in apps.values()]
    done = subprocess.run(
        [
            sys.executable, "-m", "auditor", "audit", *files, *source, "--policy", str(policy),
            "--format", "json", "--output", str(output),
        ],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    text = output.read_text()
    assert SECRET_TYPED_PASSWORD not in text + done.stdout + done.stderr
    document: dict[str, Any] = json.loads(text)
    assert_valid_report(document)
    return document


def _found(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(f["rule_id"], f["resource"]["kind"], f["resource"]["name"]) for f in report["findings"]}


def _passed(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(p["rule_id"], p["resource"]["kind"], p["resource"]["name"]) for p in report["passed"]}


def test_connectors_judged_live(report: dict[str, Any]) -> None:
    found, passed = _found(report), _passed(report)
    assert ("CNX010", "connector", "sink-tolerant-no-dlq") in found
    assert ("CNX010", "connector", "sink-tolerant-dlq") in passed
    assert ("CNX011", "connector", "sink-dlq-rf1") in found
    assert ("CNX011", "connector", "sink-tolerant-dlq") in passed
    assert ("CNX012", "connector", "source-acks1") in found
    assert ("CNX012", "connector", "source-safe") in passed
    assert ("CNX013", "connector", "sink-latest") in found
    assert ("CNX013", "connector", "sink-tolerant-dlq") in passed
    assert ("CNX014", "connector", "sink-broken") in found
    assert ("CNX014", "connector", "source-safe") in passed
    broken = next(f for f in report["findings"] if f["rule_id"] == "CNX014")
    assert "failed tasks: task 0 on" in broken["actual"] and broken["severity"] == "high"
    assert "plugin org.apache.kafka.connect.file.FileStreamSinkConnector" in broken["message"]


def test_plugins_read_live(kafka_cluster: Cluster, workers: tuple[ConnectWorker, ConnectWorker]) -> None:
    """GET /connector-plugins of a real worker: connectors with their version, converters and transforms too."""
    from auditor.model import connector_plugin
    from auditor.sources.connect_rest import ConnectSettings, read_connect

    read = read_connect(ConnectSettings(workers[0].url))
    (worker,) = read.workers
    version = kafka_cluster.settings.version
    sink = connector_plugin(worker.plugins, "FileStreamSink")
    mirror = connector_plugin(worker.plugins, "org.apache.kafka.connect.mirror.MirrorSourceConnector")
    assert sink is not None and (sink.type, sink.version) == ("sink", version)
    assert mirror is not None and mirror.type == "source"
    assert {"converter", "transformation"} <= {p.type for p in worker.plugins}
    assert worker.version == version and not [g for g in read.gaps if "plugins" in g.reason]


def test_internal_topics_judged_on_the_cluster(report: dict[str, Any]) -> None:
    found, passed = _found(report), _passed(report)
    for role in ("configs", "offsets", "status"):
        assert ("CNX020", "connect-topic", f"audit-connect-{role}") in passed
        assert ("CNX021", "connect-topic", f"audit-connect-{role}") in passed  # Connect made them compacted
        assert ("CNX022", "connect-topic", f"audit-connect-{role}") in passed
    for role in ("configs", "offsets"):
        assert ("CNX020", "connect-topic", f"fragile-connect-{role}") in found
    assert ("CNX022", "connect-topic", "fragile-connect-status") in found
    assert ("CNX021", "connect-topic", "broken-connect-status") in found  # the worker that refused to start
    message = next(f["message"] for f in report["findings"] if f["resource"]["name"] == "fragile-connect-offsets")
    assert "fragile-connect" in message


def test_worker_files_judged(report: dict[str, Any], workers: tuple[ConnectWorker, ConnectWorker]) -> None:
    """The properties the real workers run with, read as connect-worker files in the same audit."""
    found, passed = _found(report), _passed(report)
    safe, fragile = (str(w.properties_path) for w in workers)
    for rule in ("CNX001", "CNX004", "CNX005"):
        assert (rule, "connect-worker", fragile) in found
        assert (rule, "connect-worker", safe) in passed
    for rule in ("CNX002", "CNX003"):  # the safe worker keeps Connect's defaults: override policy All, no EOS
        assert (rule, "connect-worker", safe) in found
        assert (rule, "connect-worker", fragile) in passed
    severities = {f["rule_id"]: f["severity"] for f in report["findings"] if f["resource"]["name"] == fragile}
    assert severities["CNX001"] == "high"


def test_streams_files_judged(report: dict[str, Any]) -> None:
    """The properties the real WordCountDemo applications ran with, read as streams files."""
    found, passed = _found(report), _passed(report)
    for rule in ("STR001", "STR003", "STR004", "STR005"):
        assert (rule, "streams", "wc-rf1") in found
        assert (rule, "streams", "wc-safe") in passed
    assert ("STR002", "streams", "wc-safe") in passed


def test_streams_applications_found_by_group_and_topics(
    report: dict[str, Any], streams_topics: dict[str, list[str]]
) -> None:
    found, passed = _found(report), _passed(report)
    for topic in streams_topics["wc-rf1"]:
        assert ("STR010", "streams-topic", topic) in found
    for topic in streams_topics["wc-minisr1"]:
        assert ("STR011", "streams-topic", topic) in found
        assert ("STR010", "streams-topic", topic) in passed
    for topic in streams_topics["wc-safe"]:
        assert ("STR010", "streams-topic", topic) in passed
        assert ("STR011", "streams-topic", topic) in passed
    named = [f["message"] for f in report["findings"] if f["resource"]["name"] in streams_topics["wc-rf1"]]
    assert named and all("wc-rf1" in m for m in named)


def test_mirror_maker_flows_and_topics(report: dict[str, Any]) -> None:
    found, passed = _found(report), _passed(report)
    flows = {name for rule, kind, name in found | passed if kind == "mirror-flow"}
    unsafe = next(n for n in flows if n.endswith(" src->primary"))
    safe = next(n for n in flows if n.endswith(" safesrc->primary"))
    assert {(rule, "mirror-flow", unsafe) for rule in ("MM2001", "MM2002", "MM2003")} <= found
    assert {(rule, "mirror-flow", safe) for rule in ("MM2001", "MM2002", "MM2003")} <= passed
    assert ("MM2010", "mirror-topic", "src.mm-orders") in found  # created with MM2's default replication factor 2
    assert ("MM2010", "mirror-topic", "safesrc.mm-orders") in passed
    assert ("MM2010", "mirror-topic", "mm2-offset-syncs.src.internal") in found


CONNECT_KINDS = ("connector", "connect-topic", "mirror-flow", "mirror-topic")


def _connect_verdicts(report: dict[str, Any]) -> set[tuple[str, ...]]:
    findings = {
        ("fail", f["rule_id"], f["resource"]["name"], f["severity"], f["message"])
        for f in report["findings"]
        if f["resource"]["kind"] in CONNECT_KINDS
    }
    passes = {
        ("pass", p["rule_id"], p["resource"]["name"])
        for p in report["passed"]
        if p["resource"]["kind"] in CONNECT_KINDS
    }
    return findings | passes


def test_snapshot_keeps_connect_and_judges_it_as_live(
    report: dict[str, Any],
    kafka_cluster: Cluster,
    workers: tuple[ConnectWorker, ConnectWorker],
    streams_apps: dict[str, StreamsApp],
    tmp_path: Path,
) -> None:
    """`snapshot --connect-url` saves workers, plugins, connectors (configs redacted) and status;
    `audit --snapshot` of it gives the live audit's Connect and MirrorMaker 2 verdicts, word for word."""
    saved = tmp_path / "snapshot.json"
    urls = ["--connect-url", workers[0].url, "--connect-url", workers[1].url]
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "snapshot", "--bootstrap-server", kafka_cluster.bootstrap, *urls,
         "--output", str(saved)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = saved.read_text()
    assert SECRET_TYPED_PASSWORD not in text + done.stderr
    document = json.loads(text)
    assert [c["url"] for c in document["connect"]] == [workers[0].url, workers[1].url]
    connectors = {c["name"]: c for c in document["connect"][0]["connectors"]}
    assert connectors["mm2-source"]["config"]["ssl.truststore.certificates"]["sensitive"] is True
    assert connectors["sink-broken"]["tasks"][0]["state"] == "FAILED"
    assert any(p["class"].endswith("FileStreamSinkConnector") for p in document["connect"][0]["plugins"])
    offline = _audit(tmp_path / "offline.json", ["--snapshot", str(saved)], workers, streams_apps)
    live = _connect_verdicts(report)
    assert {v[1] for v in live} >= {"CNX010", "CNX011", "CNX012", "CNX013", "CNX014", "CNX020", "MM2001", "MM2010"}
    assert _connect_verdicts(offline) == live


def test_connect_cli_errors(kafka_cluster: Cluster, tmp_path: Path) -> None:
    """Unreachable Connect is exit 3, a bad URL exit 2: one line each, no traceback."""
    port = kafka_cluster.settings.port_base + 899
    down = subprocess.run(
        [sys.executable, "-m", "auditor", "audit", "--connect-url", f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert down.returncode == 3 and down.stderr.count("\n") == 1 and "Traceback" not in down.stderr
