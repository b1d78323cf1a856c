"""Kafka Connect workers (distributed mode) and Kafka Streams applications from Maven Central jars,
started on 127.0.0.1 against the test cluster (scripts/kafka_cluster.py), for the integration
tests and the demo.

The jars (connect-runtime, connect-file, connect-mirror, kafka-streams-examples and their
dependencies) are fetched once per cache with scripts/kafka/connect-pom.xml, beside the broker's.
The harness's own Streams application (scripts/kafka/streams-app: PassThroughApp and the
SkipOnProductionError handler) is compiled with the JDK's javac against those jars, once per run dir.
Ports: Connect REST listeners at KAFKA_AUDIT_PORT_BASE + 800 + n (inside the base's 1,000 ports).
The harness writes to the cluster and to Connect (creating connectors); the auditor never does.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kafka_cluster import (
    _CHILDREN,
    HOST,
    SCRIPTS_DIR,
    TOOLS_LOG4J,
    ClusterError,
    Settings,
    _java,
    _pid_runs,
    _tail,
    _terminate,
    ensure_libs,
)

CONNECT_POM = SCRIPTS_DIR / "kafka" / "connect-pom.xml"
REST_PORT_OFFSET = 800
JVM = ("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true")
WORDCOUNT = "org.apache.kafka.streams.examples.wordcount.WordCountDemo"
HARNESS_APP_SOURCES = SCRIPTS_DIR / "kafka" / "streams-app"
PASS_THROUGH = "io.kafkaaudit.harness.PassThroughApp"
WORDCOUNT_INPUT = "streams-plaintext-input"
WORDCOUNT_OUTPUT = "streams-wordcount-output"
START_TIMEOUT_S = 120.0
WORKER_LOG4J = TOOLS_LOG4J.replace("rootLogger.level = WARN", "rootLogger.level = INFO")


def connect_home(settings: Settings) -> Path:
    return settings.cache_root / f"kafka-connect-{settings.version}"


def ensure_connect_jars(settings: Settings) -> Path:
    """The lib dir of Connect + Streams for the cluster's Kafka version, fetched once per cache."""
    version = settings.version
    return ensure_libs(connect_home(settings), CONNECT_POM, version, f"connect-runtime-{version}.jar", "Kafka Connect")


def ensure_harness_app(settings: Settings) -> Path:
    """The classes of scripts/kafka/streams-app, compiled with javac against the Kafka Streams jars
    of the cluster's version into the run dir (again when a source is newer than the build)."""
    lib = ensure_connect_jars(settings)
    classes = settings.run_dir / f"streams-app-{settings.version}"
    sources = sorted(HARNESS_APP_SOURCES.rglob("*.java"))
    built = classes / ".built"
    if built.exists() and all(s.stat().st_mtime <= built.stat().st_mtime for s in sources):
        return classes
    javac = Path(_java()).resolve().parent / "javac"
    if not javac.exists():
        raise ClusterError(f"javac not found beside {_java()} (the harness's Streams app needs a JDK)")
    classes.mkdir(parents=True, exist_ok=True)
    command = [str(javac), "-nowarn", "-d", str(classes), "-cp", str(lib / "*"), *map(str, sources)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise ClusterError(f"javac failed on {HARNESS_APP_SOURCES}:\n{_tail(done.stderr.splitlines())}")
    built.write_text("built\n")
    return classes


def _spawn(command: list[str], log: Path, cwd: Path) -> int:
    cwd.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True
        )
    _CHILDREN[proc.pid] = proc
    return proc.pid


def _properties(values: Mapping[str, str]) -> str:
    return "".join(f"{key}={value}\n" for key, value in values.items())


# --------------------------------------------------------------------------- Connect


@dataclass
class ConnectWorker:
    """One distributed Connect worker; `name` is its group.id and the prefix of its internal topics."""

    settings: Settings
    name: str
    bootstrap: str
    index: int = 0
    overrides: dict[str, str] = field(default_factory=dict)
    pid: int | None = None

    @property
    def port(self) -> int:
        return self.settings.port_base + REST_PORT_OFFSET + self.index

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def directory(self) -> Path:
        return self.settings.run_dir / f"connect-{self.name}"

    @property
    def properties_path(self) -> Path:
        return self.directory / "worker.properties"

    @property
    def log_path(self) -> Path:
        return self.directory / "worker.log"

    def worker_properties(self) -> dict[str, str]:
        return {
            "bootstrap.servers": self.bootstrap,
            "group.id": self.name,
            "config.storage.topic": f"{self.name}-configs",
            "offset.storage.topic": f"{self.name}-offsets",
            "status.storage.topic": f"{self.name}-status",
            "config.storage.replication.factor": "3",
            "offset.storage.replication.factor": "3",
            "status.storage.replication.factor": "3",
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.storage.StringConverter",
            "listeners": f"http://{HOST}:{self.port}",
            "rest.advertised.host.name": HOST,
            "offset.flush.interval.ms": "1000",
            "plugin.discovery": "service_load",  # Kafka's own plugins ship ServiceLoader manifests: no classpath scan
            **self.overrides,
        }

    def start(self, timeout: float = START_TIMEOUT_S) -> None:
        lib = ensure_connect_jars(self.settings)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.properties_path.write_text(_properties(self.worker_properties()))
        log4j = self.directory / "log4j2.properties"
        log4j.write_text(WORKER_LOG4J)
        command = [
            _java(), *JVM, f"-Dlog4j2.configurationFile={log4j}", "-cp", str(lib / "*"),
            "org.apache.kafka.connect.cli.ConnectDistributed", str(self.properties_path),
        ]  # fmt: skip
        self.pid = _spawn(command, self.log_path, self.directory)
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _pid_runs(self.pid, str(self.properties_path)):
                raise ClusterError(f"Connect worker {self.name} exited:\n{self.log_tail()}")
            try:
                if isinstance(self.get("/connectors"), list):
                    return
            except (OSError, ValueError):
                pass
            time.sleep(0.5)
        raise ClusterError(f"Connect worker {self.name} not ready after {timeout:.0f}s:\n{self.log_tail()}")

    def running(self) -> bool:
        return _pid_runs(self.pid, str(self.properties_path))

    def log_tail(self) -> str:
        return _tail(self.log_path.read_text(errors="replace").splitlines()) if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.pid is not None:
            _terminate({self.pid: str(self.properties_path)}, kill=False, timeout=30.0)
            self.pid = None

    # ---- REST (the harness's own client: it creates connectors; the auditor only reads)

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=10) as answer:
            return json.loads(answer.read().decode())

    def put_connector(self, name: str, config: Mapping[str, str]) -> None:
        body = json.dumps(dict(config)).encode()
        request = urllib.request.Request(
            f"{self.url}/connectors/{urllib.parse.quote(name, safe='')}/config",
            data=body,
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()

    def wait_tasks(self, name: str, states: set[str], timeout: float = 60.0, tasks_needed: bool = True) -> None:
        """Wait until the connector runs and has tasks (unless not `tasks_needed`: a MirrorCheckpointConnector
        has none until the source has groups), every one in one of `states`."""
        deadline = time.monotonic() + timeout
        status: dict[str, Any] = {}
        while time.monotonic() < deadline:
            try:
                status = self.get(f"/connectors/{urllib.parse.quote(name, safe='')}/status")
            except (OSError, ValueError):
                status = {}
            tasks = status.get("tasks") or []
            running = (status.get("connector") or {}).get("state") == "RUNNING"
            if running and (tasks or not tasks_needed) and all(t.get("state") in states for t in tasks):
                return
            time.sleep(0.5)
        raise ClusterError(f"connector {name} tasks not in {sorted(states)} after {timeout:.0f}s: {status}")


# --------------------------------------------------------------------------- Streams


@dataclass
class StreamsApp:
    """A Kafka Streams application run with our properties: Kafka's WordCountDemo
    (kafka-streams-examples; it reads streams-plaintext-input and creates its changelog and
    repartition topics), or with `main=PASS_THROUGH` the harness's own app (ensure_harness_app)."""

    settings: Settings
    application_id: str
    bootstrap: str
    overrides: dict[str, str] = field(default_factory=dict)
    pid: int | None = None
    main: str = WORDCOUNT
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False, compare=False)

    @property
    def directory(self) -> Path:
        return self.settings.run_dir / f"streams-{self.application_id}"

    @property
    def properties_path(self) -> Path:
        return self.directory / "streams.properties"

    def start(self) -> None:
        lib = ensure_connect_jars(self.settings)
        self.directory.mkdir(parents=True, exist_ok=True)
        props = {
            "application.id": self.application_id,
            "bootstrap.servers": self.bootstrap,
            "state.dir": str(self.directory / "state"),
            "commit.interval.ms": "500",
            **self.overrides,
        }
        self.properties_path.write_text(_properties(props))
        log4j = self.directory / "log4j2.properties"
        log4j.write_text(TOOLS_LOG4J)
        classpath = str(lib / "*")
        if self.main != WORDCOUNT:
            classpath = f"{ensure_harness_app(self.settings)}{os.pathsep}{classpath}"
        command = [_java(), *JVM, f"-Dlog4j2.configurationFile={log4j}", "-cp", classpath, self.main]
        self.pid = _spawn([*command, str(self.properties_path)], self.log_path, self.directory)
        self.process = _CHILDREN[self.pid]

    @property
    def log_path(self) -> Path:
        return self.directory / "streams.log"

    def log_tail(self) -> str:
        return _tail(self.log_path.read_text(errors="replace").splitlines()) if self.log_path.exists() else ""

    def exit_code(self) -> int | None:
        """The process's exit code once it ended by itself or was stopped; None while it runs."""
        return self.process.poll() if self.process is not None else None

    def stop(self) -> None:
        if self.pid is not None and self.exit_code() is None:
            _terminate({self.pid: str(self.properties_path)}, kill=False, timeout=30.0)
        self.pid = None


def internal_topics(application_id: str, topics: list[str]) -> list[str]:
    suffixes = ("-changelog", "-repartition")
    return sorted(t for t in topics if t.startswith(f"{application_id}-") and t.endswith(suffixes))


def env_port_base() -> int:
    return int(os.environ.get("KAFKA_AUDIT_PORT_BASE") or 19090)
