"""A local Apache Kafka test cluster built from Maven Central jars: KRaft or ZooKeeper mode.

One to nine brokers (three by default) on 127.0.0.1 with PLAINTEXT (an unauthenticated super-user path for test
setup), SASL_PLAINTEXT with SCRAM-SHA-512 (``admin`` = super user, ``auditor`` = least
privilege) and SSL. KRaft (3.3+): combined ``broker,controller`` JVMs and the
StandardAuthorizer. ZooKeeper (2.x, 3.x): one ZooKeeper server (the ``org.apache.zookeeper``
jar Kafka depends on, from Maven Central too) started and stopped with the brokers, and the
AclAuthorizer; SCRAM users are stored in ZooKeeper through the brokers (AlterUserScramCredentials).

Used by ``scripts/kafka-cluster`` (the CLI, see ``main``) and by the integration-test
fixtures (``tests/cluster_fixtures.py``, through ``Cluster``).

Environment:
    KAFKA_VERSION          Kafka release to run (default 4.3.1; 2.8.x to 4.x)
    KAFKA_AUDIT_CACHE      jar cache root (default ~/.cache/kafka-audit)
    KAFKA_AUDIT_RUN_DIR    state, configs, data and logs (default <repo>/.kafka-run)
    KAFKA_AUDIT_PORT_BASE  PLAINTEXT base+N, SASL base+100+N, CONTROLLER base+200+N,
                           SSL base+300+N, ZooKeeper base+5 (default 19090)
    KAFKA_AUDIT_BROKER_HEAP  -Xmx of each broker JVM (default 512m; the 2,000-topic benchmark
                           needs 1g, the 20,000-topic one on 5 nodes 1g)

More than three nodes (``up --nodes 5``): every node is still a combined broker,controller (a
quorum of 5 voters), and the internal topics' and the default replication factor stay 3 (min ISR
2), so only the topics a test or bench creates land on the extra brokers. The bench cluster of
20,000 topics needs them: one broker keeps one open file per partition replica's log segment and
this machine's per-process limit is 20,000 descriptors (see bench/seed.py).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import importlib
import importlib.util
import json
import logging
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

DEFAULT_KAFKA_VERSION = "4.3.1"
DEFAULT_PORT_BASE = 19090
MAX_NODES = 9  # ports base+1..base+9 per listener, inside the base+0..base+999 each engineer owns
MAX_REPLICATION = 3  # default and internal topics' replication factor on clusters of more nodes
SCRIPTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = SCRIPTS_DIR.parent
POM = SCRIPTS_DIR / "kafka" / "pom.xml"
COPY_DEPENDENCIES = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies"

HOST = "127.0.0.1"
USERS = {"admin": "admin-secret", "auditor": "auditor-secret"}
STORE_PASSWORDS = {"server": "server-store-secret", "truststore": "truststore-secret", "client": "client-store-secret"}
SCRAM_MECHANISM = "SCRAM-SHA-512"
KRAFT, ZOOKEEPER = "kraft", "zookeeper"
MODES = (KRAFT, ZOOKEEPER)
STARTED_LINES = (
    "Kafka Server started",  # KRaft (KafkaRaftServer)
    "started (kafka.server.KafkaServer)",  # ZooKeeper mode: "[KafkaServer id=N] started"
)
ZOOKEEPER_PORT_OFFSET = 5
BROKER_JVM = (
    "-Xms64m",
    "-XX:+UseSerialGC",
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:TieredStopAtLevel=1",
    "-Djava.awt.headless=true",
)
TOOL_JVM = ("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true")
READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 30.0
TAIL_LINES = 40

BROKER_LOG4J = """\
status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.req.name = kafka.request.logger
logger.req.level = WARN
logger.reqchan.name = kafka.network.RequestChannel$
logger.reqchan.level = WARN
logger.authz.name = kafka.authorizer.logger
logger.authz.level = INFO
"""
TOOLS_LOG4J = """\
status = warn
appender.err.type = Console
appender.err.name = STDERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = STDERR
"""
# Kafka 2.x and 3.x log through reload4j (log4j 1.x syntax, -Dlog4j.configuration); 4.x through
# log4j2. Both files are passed to every JVM: each generation reads only its own.
BROKER_LOG4J1 = """\
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.network.RequestChannel$=WARN
log4j.logger.kafka.authorizer.logger=INFO
log4j.logger.org.apache.zookeeper=WARN
"""
TOOLS_LOG4J1 = """\
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
"""
LOG_CONFIGS = {  # file in the run dir -> content
    "log4j2-broker.properties": BROKER_LOG4J,
    "log4j2-tools.properties": TOOLS_LOG4J,
    "log4j-broker.properties": BROKER_LOG4J1,
    "log4j-tools.properties": TOOLS_LOG4J1,
}


def jaas_config(user: str) -> str:
    return (
        f'org.apache.kafka.common.security.scram.ScramLoginModule required username="{user}" password="{USERS[user]}";'
    )


# Same on every node of a mode; node identity, listeners and replication factors are added per node.
KRAFT_CONFIG = {
    "process.roles": "broker,controller",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT",
    "controller.listener.names": "CONTROLLER",
    "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
    "broker.heartbeat.interval.ms": "500",
    "broker.session.timeout.ms": "4000",
}
ZOOKEEPER_CONFIG = {
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL",
    "authorizer.class.name": "kafka.security.authorizer.AclAuthorizer",
    "zookeeper.session.timeout.ms": "6000",
    "zookeeper.connection.timeout.ms": "30000",
}
COMMON_BROKER_CONFIG = {
    "inter.broker.listener.name": "PLAINTEXT",
    "sasl.enabled.mechanisms": f"{SCRAM_MECHANISM},PLAIN,OAUTHBEARER",
    # the broker's own SCRAM identity on that listener (used only if it were the inter-broker one)
    "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config": jaas_config("admin"),
    # SASL/PLAIN with the same users and passwords, to prove the auditor's PLAIN support
    "listener.name.sasl_plaintext.plain.sasl.jaas.config": (
        'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" '
        + " ".join(f'user_{user}="{password}"' for user, password in USERS.items())
        + ";"
    ),
    # OAUTHBEARER with Kafka's unsecured token validator (no identity provider): the token's `sub` is the user
    "listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config": (
        "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "
        'unsecuredLoginStringClaim_sub="admin";'
    ),
    "super.users": "User:admin;User:ANONYMOUS",
    "allow.everyone.if.no.acl.found": "false",
    "num.partitions": "1",
    "auto.create.topics.enable": "false",
    "offsets.topic.num.partitions": "3",
    "transaction.state.log.num.partitions": "3",
    "share.coordinator.state.topic.num.partitions": "3",
    "replica.lag.time.max.ms": "3000",
    "replica.socket.timeout.ms": "3000",
    "leader.imbalance.check.interval.seconds": "10",
    "group.initial.rebalance.delay.ms": "0",
    "num.network.threads": "2",
    "num.io.threads": "2",
    "background.threads": "2",
    "num.recovery.threads.per.data.dir": "1",
    "log.cleaner.threads": "1",
    "log.cleaner.dedupe.buffer.size": "8388608",
}
REPLICATION_KEYS = (
    "default.replication.factor",
    "offsets.topic.replication.factor",
    "transaction.state.log.replication.factor",
    "share.coordinator.state.topic.replication.factor",
)
MIN_ISR_KEYS = (
    "min.insync.replicas",
    "transaction.state.log.min.isr",
    "share.coordinator.state.topic.min.isr",
)

RUN_FILES = (  # what _write_configs/_save put in the run dir besides node<N>/ (removed by down)
    "state.json",
    "state.json.tmp",
    "client.properties",
    "admin.properties",
    *LOG_CONFIGS,
    "ssl-client.properties",
)

TOOL_CLASSES = {  # newest first
    "TopicCommand": ("org.apache.kafka.tools.TopicCommand", "kafka.admin.TopicCommand"),
    "ConsumerGroupCommand": (
        "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
        "kafka.admin.ConsumerGroupCommand",
    ),
    "ConfigCommand": ("org.apache.kafka.tools.ConfigCommand", "kafka.admin.ConfigCommand"),
}

T = TypeVar("T")
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}  # JVMs started by this process (poll() reaps them)


class ClusterError(Exception):
    """The cluster could not be brought to (or kept in) the requested state."""


def _say(message: str) -> None:
    print(f"kafka-cluster: {message}", file=sys.stderr, flush=True)


def _kafka(module: str) -> Any:
    """Import a kafka-python module lazily (it ships no type information)."""
    return importlib.import_module(module)


def kafka_python_available() -> bool:
    # find_spec on a submodule: scripts/kafka/ (the pom folder) is a namespace package.
    try:
        return importlib.util.find_spec("kafka.admin") is not None
    except ImportError:
        return False


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Settings:
    version: str
    cache_root: Path
    run_dir: Path
    port_base: int

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        cache = env.get("KAFKA_AUDIT_CACHE") or str(Path.home() / ".cache" / "kafka-audit")
        run_dir = env.get("KAFKA_AUDIT_RUN_DIR") or str(REPO_ROOT / ".kafka-run")
        base = env.get("KAFKA_AUDIT_PORT_BASE") or str(DEFAULT_PORT_BASE)
        if not base.isdigit() or not 1024 <= int(base) <= 65000:
            raise ValueError(f"KAFKA_AUDIT_PORT_BASE must be an integer in 1024..65000, got {base!r}")
        version = env.get("KAFKA_VERSION") or DEFAULT_KAFKA_VERSION
        return cls(version, Path(cache).expanduser().resolve(), Path(run_dir).resolve(), int(base))

    def kafka_home(self, version: str) -> Path:
        return self.cache_root / f"kafka-{version}"


@dataclass
class Node:
    node_id: int
    plaintext: int
    sasl: int
    controller: int
    pid: int | None = None
    ssl: int | None = None  # None in clusters recorded before the SSL listener existed

    @classmethod
    def planned(cls, node_id: int, port_base: int) -> Node:
        b = port_base
        return cls(node_id, b + node_id, b + 100 + node_id, b + 200 + node_id, ssl=b + 300 + node_id)

    @property
    def ports(self) -> tuple[int, ...]:
        return (self.plaintext, self.sasl, self.controller) + ((self.ssl,) if self.ssl else ())


@dataclass
class State:
    version: str
    cluster_id: str
    port_base: int
    nodes: list[Node]
    ready: bool = False
    mode: str = KRAFT
    zookeeper_pid: int | None = None

    @property
    def zookeeper_port(self) -> int | None:
        return self.port_base + ZOOKEEPER_PORT_OFFSET if self.mode == ZOOKEEPER else None

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> State:
        data = json.loads(text)
        data["nodes"] = [Node(**node) for node in data["nodes"]]
        return cls(**data)


# --------------------------------------------------------------------------- jars


def ensure_jars(settings: Settings, version: str | None = None) -> Path:
    """Return the lib dir of ``version``, fetching it from Maven Central once per cache."""
    version = version or settings.version
    return ensure_libs(settings.kafka_home(version), POM, version, f"kafka_2.13-{version}.jar", "Kafka")


def ensure_libs(home: Path, pom: Path, version: str, expected_jar: str, what: str) -> Path:
    """``home``/lib: the runtime dependencies of ``pom`` at Kafka ``version``, fetched once (locked,
    atomic: a fetch interrupted half-way leaves no lib dir behind)."""
    lib, marker = home / "lib", home / "fetch-complete"
    if marker.is_file() and lib.is_dir():
        return lib
    home.mkdir(parents=True, exist_ok=True)
    with _file_lock(home / ".fetch.lock"):
        if not (marker.is_file() and lib.is_dir()):
            marker.unlink(missing_ok=True)
            _fetch_jars(pom, version, home, expected_jar, what)
            marker.write_text(f"{what} {version} jars fetched {time.strftime('%Y-%m-%dT%H:%M:%S')}\n")
    return lib


def _fetch_jars(pom: Path, version: str, home: Path, expected_jar: str, what: str) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ClusterError(f"mvn not found on PATH (needed once to fetch the {what} jars)")
    _say(f"fetching {what} {version} jars from Maven Central into {home / 'lib'} ...")
    started = time.monotonic()
    for leftover in home.glob("lib.partial-*"):  # from an interrupted fetch
        shutil.rmtree(leftover, ignore_errors=True)
    partial = Path(tempfile.mkdtemp(prefix="lib.partial-", dir=home))
    command = [
        mvn,
        "-B",
        "-q",
        "-f",
        str(pom),
        f"-Dkafka.version={version}",
        COPY_DEPENDENCIES,
        "-DincludeScope=runtime",
        f"-DoutputDirectory={partial}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not (partial / expected_jar).is_file():
        shutil.rmtree(partial, ignore_errors=True)
        output = _tail((result.stdout + result.stderr).splitlines())
        raise ClusterError(f"mvn could not fetch {what} {version} (exit {result.returncode}):\n{output}")
    shutil.rmtree(home / "lib", ignore_errors=True)
    partial.rename(home / "lib")
    _say(f"fetched {len(list((home / 'lib').glob('*.jar')))} jars in {time.monotonic() - started:.1f}s")


# --------------------------------------------------------------------------- processes


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _command_line(pid: int) -> str:
    """The command line of ``pid`` ('' if gone or a zombie)."""
    if Path("/proc/self/cmdline").exists():
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return ""
    result = subprocess.run(["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True, check=False)
    return result.stdout


def _pid_runs(pid: int | None, marker: str) -> bool:
    """True if ``pid`` is a live process of ours: a running child, or a command line containing ``marker``."""
    if pid is None:
        return False
    child = _CHILDREN.get(pid)
    if child is not None:  # started here: /proc/<pid>/cmdline can still be empty right after spawn
        if child.poll() is None:
            return True
        del _CHILDREN[pid]
        return False
    with contextlib.suppress(ChildProcessError):  # reap it if it is an exited child after all
        os.waitpid(pid, os.WNOHANG)
    return marker in _command_line(pid)  # '' for a zombie or a gone pid; guards against pid reuse


def _wait_gone(pids: dict[int, str], timeout: float) -> list[int]:
    """Wait until no pid runs its marker; return the ones still running."""
    deadline = time.monotonic() + timeout
    alive = [pid for pid, marker in pids.items() if _pid_runs(pid, marker)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [pid for pid in alive if _pid_runs(pid, pids[pid])]
    return alive


def _terminate(pids: dict[int, str], kill: bool, timeout: float) -> None:
    """Signal every pid (checked against its marker first), escalate to SIGKILL after timeout."""
    pids = {pid: marker for pid, marker in pids.items() if _pid_runs(pid, marker)}
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL if kill else signal.SIGTERM)
    leftovers = _wait_gone(pids, timeout)
    for pid in leftovers:
        _say(f"pid {pid} still running after {timeout:.0f}s, sending SIGKILL")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    if _wait_gone({pid: pids[pid] for pid in leftovers}, 10.0):
        raise ClusterError(f"could not stop pids {leftovers}")


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return True
    return False


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        raise ClusterError("java not found (install Java 17+ or set JAVA_HOME)")
    return java


def _poll(what: str, check: Callable[[], T | None], timeout: float, interval: float = 0.25) -> T:
    """Call ``check`` until it returns something other than None/False, or time out."""
    deadline = time.monotonic() + timeout
    retriable = (OSError, _kafka("kafka.errors").KafkaError)
    last = ""
    while True:
        try:
            result = check()
            if result is not None and result is not False:
                return result
        except retriable as exc:
            last = f" (last error: {type(exc).__name__}: {exc})"
        if time.monotonic() >= deadline:
            raise ClusterError(f"timed out after {timeout:.0f}s waiting for {what}{last}")
        time.sleep(interval)


def _tail(lines: list[str], count: int = TAIL_LINES) -> str:
    return "\n".join(lines[-count:])


def new_cluster_id() -> str:
    """A random cluster id that does not start with '-' (as Kafka's Uuid.randomUuid ensures): one
    that does is read as an option by `kafka-storage format --cluster-id`."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def version_tuple(version: str) -> tuple[int, int]:
    """(major, minor) of a Kafka release such as 3.9.1; ValueError when it is not one."""
    parts = version.split(".")
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
        raise ValueError(f"KAFKA_VERSION must look like 3.9.1, got {version!r}")
    return int(parts[0]), int(parts[1])


def check_mode(version: str, mode: str) -> None:
    """KRaft needs 3.3+ (production-ready since); ZooKeeper mode was removed in 4.0."""
    release = version_tuple(version)
    if mode == KRAFT and release < (3, 3):
        raise ValueError(f"Kafka {version} has no production KRaft mode: use --mode zookeeper")
    if mode == ZOOKEEPER and release >= (4, 0):
        raise ValueError(f"Kafka {version} has no ZooKeeper mode (removed in 4.0): use --mode kraft")


def check_node_count(nodes: int) -> None:
    if not 1 <= nodes <= MAX_NODES:
        raise ValueError(f"a cluster has 1 to {MAX_NODES} nodes, got {nodes}")


def node_count(text: str) -> int:
    """argparse type of ``up --nodes``: an integer in 1..MAX_NODES."""
    try:
        nodes = int(text)
        check_node_count(nodes)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"must be an integer from 1 to {MAX_NODES}, got {text!r}") from exc
    return nodes


def default_mode(version: str) -> str:
    return KRAFT if version_tuple(version) >= (3, 3) else ZOOKEEPER


# --------------------------------------------------------------------------- config files


def server_properties(
    node: Node,
    nodes: list[Node],
    data_dir: Path,
    tls_dir: Path | None = None,
    version: str = DEFAULT_KAFKA_VERSION,
    zookeeper: int | None = None,
) -> str:
    """The server.properties of one node: a combined broker,controller (KRaft), or a broker of the
    ZooKeeper at port ``zookeeper``; with an SSL listener if tls_dir."""
    broker_listeners = f"PLAINTEXT://{HOST}:{node.plaintext},SASL_PLAINTEXT://{HOST}:{node.sasl}"
    tls: dict[str, str] = {}
    if tls_dir is not None and node.ssl:
        broker_listeners += f",SSL://{HOST}:{node.ssl}"
        tls = {  # PKCS12 stores: every version reads them (2.8 rejects an unencrypted PEM key)
            "listener.name.ssl.ssl.keystore.type": "PKCS12",
            "listener.name.ssl.ssl.keystore.location": str(tls_dir / "server.p12"),
            "listener.name.ssl.ssl.keystore.password": STORE_PASSWORDS["server"],
            "listener.name.ssl.ssl.truststore.type": "PKCS12",
            "listener.name.ssl.ssl.truststore.location": str(tls_dir / "truststore.p12"),
            "listener.name.ssl.ssl.truststore.password": STORE_PASSWORDS["truststore"],
            # mutual TLS when the client has a certificate: CN=auditor is User:auditor
            "listener.name.ssl.ssl.client.auth": "requested",
            "ssl.principal.mapping.rules": "RULE:^CN=([^,]*)$/$1/,DEFAULT",
        }
    replication = min(len(nodes), MAX_REPLICATION)
    config = {
        "broker.rack": f"rack-{node.node_id}",
        "log.dirs": str(data_dir),
        **(
            _zookeeper_node(node, zookeeper, broker_listeners)
            if zookeeper
            else _kraft_node(node, nodes, broker_listeners, version)
        ),
        **COMMON_BROKER_CONFIG,
        **dict.fromkeys(REPLICATION_KEYS, str(replication)),
        **dict.fromkeys(MIN_ISR_KEYS, str(min(2, replication))),
        **tls,
    }
    return "".join(f"{key}={value}\n" for key, value in config.items())


def _kraft_node(node: Node, nodes: list[Node], broker_listeners: str, version: str) -> dict[str, str]:
    # A controller listener may be advertised from 3.9 (KIP-853); 3.7 and older reject it.
    controller = f"CONTROLLER://{HOST}:{node.controller}"
    advertised = f"{broker_listeners},{controller}" if version_tuple(version) >= (3, 9) else broker_listeners
    return {
        "node.id": str(node.node_id),
        "controller.quorum.voters": ",".join(f"{n.node_id}@{HOST}:{n.controller}" for n in nodes),
        "listeners": f"{broker_listeners},{controller}",
        "advertised.listeners": advertised,
        **KRAFT_CONFIG,
    }


def _zookeeper_node(node: Node, zookeeper: int, broker_listeners: str) -> dict[str, str]:
    return {
        "broker.id": str(node.node_id),
        "zookeeper.connect": f"{HOST}:{zookeeper}",
        "listeners": broker_listeners,
        "advertised.listeners": broker_listeners,
        **ZOOKEEPER_CONFIG,
    }


def zookeeper_properties(data_dir: Path, port: int) -> str:
    """zoo.cfg of a standalone ZooKeeper on 127.0.0.1 (admin server and four-letter words off)."""
    config = {
        "dataDir": str(data_dir),
        "clientPort": str(port),
        "clientPortAddress": HOST,
        "maxClientCnxns": "0",
        "admin.enableServer": "false",
        "4lw.commands.whitelist": "",
        "tickTime": "2000",
    }
    return "".join(f"{key}={value}\n" for key, value in config.items())


def make_tls_files(tls_dir: Path) -> None:
    """A CA; a server key+certificate for 127.0.0.1 (IP SAN) in a PKCS12 keystore; the CA in a PEM
    file, a JKS and a PKCS12 truststore; a client key+certificate (CN=auditor) for mutual TLS as
    PEM, PKCS12 and JKS. Made with openssl and the JDK's keytool."""
    openssl, keytool = shutil.which("openssl"), _keytool()
    if openssl is None:
        raise ClusterError("openssl not found on PATH (needed for the SSL listener's certificate)")
    shutil.rmtree(tls_dir, ignore_errors=True)  # keytool will not overwrite an entry
    tls_dir.mkdir(parents=True)
    (tls_dir / "san.cnf").write_text(f"subjectAltName=IP:{HOST}\n")
    p12, trust, client = STORE_PASSWORDS["server"], STORE_PASSWORDS["truststore"], STORE_PASSWORDS["client"]
    steps = [
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=kafka-audit test CA",
         "-keyout", "ca.key", "-out", "ca.pem"],
        [openssl, "req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={HOST}", "-keyout", "server.key",
         "-out", "server.csr"],
        [openssl, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
         "-days", "30", "-extfile", "san.cnf", "-out", "server.crt"],
        [openssl, "pkcs12", "-export", "-in", "server.crt", "-inkey", "server.key", "-name", "server",
         "-out", "server.p12", "-passout", f"pass:{p12}"],
        [openssl, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=auditor", "-keyout", "client.key",
         "-out", "client.csr"],
        [openssl, "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
         "-days", "30", "-out", "client.crt"],
        [openssl, "pkcs12", "-export", "-in", "client.crt", "-inkey", "client.key", "-name", "auditor",
         "-out", "client.p12", "-passout", f"pass:{client}"],
        [keytool, "-importkeystore", "-noprompt", "-srckeystore", "client.p12", "-srcstoretype", "PKCS12",
         "-srcstorepass", client, "-destkeystore", "client.jks", "-deststoretype", "JKS", "-deststorepass", client],
        *([keytool, "-importcert", "-noprompt", "-alias", "kafka-audit-test-ca", "-file", "ca.pem",
           "-keystore", f"truststore.{suffix}", "-storetype", kind, "-storepass", trust]
          for kind, suffix in (("JKS", "jks"), ("PKCS12", "p12"))),
    ]  # fmt: skip
    for step in steps:
        done = subprocess.run(step, cwd=tls_dir, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ClusterError(f"{Path(step[0]).name} {step[1]} failed: {(done.stderr or done.stdout).strip()}")
    key, cert = (tls_dir / "client.key").read_text(), (tls_dir / "client.crt").read_text()
    (tls_dir / "client.pem").write_text(key + cert)


def _keytool() -> str:
    java_home = os.environ.get("JAVA_HOME")
    keytool = str(Path(java_home) / "bin" / "keytool") if java_home else shutil.which("keytool")
    if not keytool or not Path(keytool).exists():
        raise ClusterError("keytool not found (it comes with the JDK; set JAVA_HOME)")
    return keytool


def ssl_client_properties(ca: Path, bootstrap: str) -> str:
    """Kafka CLI / Java client config for the SSL listener (server verified with the test CA)."""
    return (
        f"bootstrap.servers={bootstrap}\nsecurity.protocol=SSL\n"
        f"ssl.truststore.type=PEM\nssl.truststore.location={ca}\n"
    )


def client_properties(user: str, bootstrap: str) -> str:
    """Kafka CLI / Java client config for a SCRAM user on the SASL_PLAINTEXT listener."""
    return (
        f"bootstrap.servers={bootstrap}\n"
        "security.protocol=SASL_PLAINTEXT\n"
        f"sasl.mechanism={SCRAM_MECHANISM}\n"
        f"sasl.jaas.config={jaas_config(user)}\n"
    )


# --------------------------------------------------------------------------- cluster


class Cluster:
    """The cluster recorded in (or about to be created in) one run dir."""

    def __init__(self, settings: Settings, state: State | None = None) -> None:
        self.settings = settings
        self.state = state

    @classmethod
    def load(cls, settings: Settings | None = None) -> Cluster:
        settings = settings or Settings.from_env()
        cluster = cls(settings)
        if cluster.state_path.is_file():
            cluster.state = State.from_json(cluster.state_path.read_text())
        return cluster

    # ---- paths and addresses

    @property
    def run_dir(self) -> Path:
        return self.settings.run_dir

    @property
    def version(self) -> str:
        return self.state.version if self.state else self.settings.version

    @property
    def lib_dir(self) -> Path:
        return self.settings.kafka_home(self.version) / "lib"

    @property
    def classpath(self) -> str:
        return str(self.lib_dir / "*")

    @property
    def state_path(self) -> Path:
        return self.run_dir / "state.json"

    @property
    def auditor_config_path(self) -> Path:
        return self.run_dir / "client.properties"

    @property
    def admin_config_path(self) -> Path:
        return self.run_dir / "admin.properties"

    @property
    def nodes(self) -> list[Node]:
        if self.state is None:
            raise ClusterError(f"no cluster recorded in {self.run_dir} (run: scripts/kafka-cluster up)")
        return self.state.nodes

    @property
    def bootstrap(self) -> str:
        return ",".join(f"{HOST}:{node.plaintext}" for node in self.nodes)

    @property
    def tls_dir(self) -> Path:
        return self.run_dir / "tls"

    @property
    def ssl_config_path(self) -> Path:
        return self.run_dir / "ssl-client.properties"

    @property
    def ssl_bootstrap(self) -> str:
        return ",".join(f"{HOST}:{node.ssl}" for node in self.nodes if node.ssl)

    @property
    def sasl_bootstrap(self) -> str:
        return ",".join(f"{HOST}:{node.sasl}" for node in self.nodes)

    def node(self, node_id: int) -> Node:
        for node in self.nodes:
            if node.node_id == node_id:
                return node
        raise ClusterError(f"no node {node_id} (cluster has nodes 1..{len(self.nodes)})")

    def node_dir(self, node_id: int) -> Path:
        return self.run_dir / f"node{node_id}"

    def log_path(self, node_id: int) -> Path:
        return self.node_dir(node_id) / "server.log"

    def _props_path(self, node_id: int) -> Path:
        return self.node_dir(node_id) / "server.properties"

    def log_tail(self, node_id: int, lines: int = TAIL_LINES) -> str:
        path = self.log_path(node_id)
        text = path.read_text(errors="replace") if path.is_file() else ""
        return _tail(text.splitlines(), lines)

    def _failure(self, message: str, node_id: int) -> ClusterError:
        tail = self.log_tail(node_id)
        return ClusterError(f"{message}\n--- last {TAIL_LINES} lines of {self.log_path(node_id)} ---\n{tail}")

    # ---- clients and tools

    def admin_client(self, user: str | None = None, **config: Any) -> Any:
        """A kafka-python KafkaAdminClient: PLAINTEXT (super user) or SASL as ``user``."""
        if user is not None:
            config = {
                "bootstrap_servers": self.sasl_bootstrap,
                "security_protocol": "SASL_PLAINTEXT",
                "sasl_mechanism": SCRAM_MECHANISM,
                "sasl_plain_username": user,
                "sasl_plain_password": USERS[user],
                **config,
            }
        config = {
            "bootstrap_servers": self.bootstrap,
            "client_id": "kafka-cluster-harness",
            "request_timeout_ms": 15000,
            "bootstrap_timeout_ms": 10000,
            **config,
        }
        return _kafka("kafka").KafkaAdminClient(**config)

    def _log_flags(self, role: str) -> list[str]:
        """Both log4j generations' system properties for `role` (broker or tools), files written if missing."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        for name, text in LOG_CONFIGS.items():
            path = self.run_dir / name
            if not path.is_file():
                path.write_text(text)
        return [
            f"-Dlog4j2.configurationFile={self.run_dir / f'log4j2-{role}.properties'}",
            f"-Dlog4j.configuration=file:{self.run_dir / f'log4j-{role}.properties'}",
        ]

    def _tool_command(self, main_class: str, *args: str) -> list[str]:
        return [_java(), *TOOL_JVM, *self._log_flags("tools"), "-cp", self.classpath, main_class, *args]

    def tool_class(self, name: str) -> str:
        """The main class of one of Kafka's tools in this version (they moved from kafka.admin to
        org.apache.kafka.tools between 3.5 and 3.7), e.g. tool_class("TopicCommand")."""
        candidates = TOOL_CLASSES[name]
        ensure_jars(self.settings, self.version)
        present: set[str] = set()
        for jar in self.lib_dir.glob("kafka*.jar"):
            with zipfile.ZipFile(jar) as archive:
                present.update(n for n in archive.namelist() if n.endswith(".class"))
        for candidate in candidates:
            if candidate.replace(".", "/") + ".class" in present:
                return candidate
        raise ClusterError(f"none of {', '.join(candidates)} is in Kafka {self.version}'s jars")

    def run_kafka_tool(self, main_class: str, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        """Run a Kafka CLI class (e.g. org.apache.kafka.tools.TopicCommand); never raises on exit code."""
        ensure_jars(self.settings, self.version)
        command = self._tool_command(main_class, *args)
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)

    # ---- state

    def _save(self) -> None:
        assert self.state is not None
        self.run_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_suffix(".json.tmp")
        tmp.write_text(self.state.to_json())
        tmp.replace(self.state_path)

    def _lock(self) -> contextlib.AbstractContextManager[None]:
        return _file_lock(self.run_dir / ".lock")

    def node_alive(self, node: Node) -> bool:
        return _pid_runs(node.pid, str(self._props_path(node.node_id)))

    def is_running(self) -> bool:
        return self.state is not None and all(self.node_alive(node) for node in self.nodes)

    def is_ready(self) -> bool:
        """All recorded JVMs alive, setup finished, and every broker registered and unfenced."""
        if self.state is None or not self.state.ready or not self.is_running():
            return False
        try:
            with self.admin_client(bootstrap_timeout_ms=5000) as admin:
                return self.unfenced_brokers(admin) == {node.node_id for node in self.nodes}
        except (OSError, _kafka("kafka.errors").KafkaError):
            return False

    @staticmethod
    def unfenced_brokers(admin: Any) -> set[int]:
        """Brokers in Metadata (KRaft leaves fenced ones out; ZooKeeper lists the registered ones).
        Metadata, not DescribeCluster: every version answers it the same way."""
        metadata = admin._manager.run(admin._get_cluster_metadata, [])
        return {broker["node_id"] for broker in metadata["brokers"]}

    # ---- up

    def up(self, nodes: int = 3, mode: str | None = None) -> float | None:
        """Start a fresh cluster and return the seconds until it was ready.

        Returns None when the recorded cluster was reused: already ready, or made ready again by
        restarting its stopped nodes. A stale or half-set-up cluster is stopped and replaced.
        """
        check_node_count(nodes)
        mode = mode or default_mode(self.settings.version)
        check_mode(self.settings.version, mode)
        if mode == ZOOKEEPER and nodes >= ZOOKEEPER_PORT_OFFSET:
            most = ZOOKEEPER_PORT_OFFSET - 1
            raise ValueError(f"ZooKeeper mode runs at most {most} brokers (ZooKeeper listens on base+5)")
        with self._lock():
            if self._reuse(nodes, mode):
                return None
            started = time.monotonic()
            ensure_jars(self.settings)
            try:
                self._create(nodes, mode)
            except BaseException:
                self._stop_all(kill=True)
                raise
            return time.monotonic() - started

    def _reuse(self, nodes: int, mode: str) -> bool:
        state = self.state
        if state is not None and state.ready and any(self.node_alive(node) for node in state.nodes):
            if (len(state.nodes), state.mode, state.version) != (nodes, mode, self.settings.version):
                raise ClusterError(
                    f"a {len(state.nodes)}-node Kafka {state.version} {state.mode} cluster is recorded in "
                    f"{self.run_dir}; run 'down' first"
                )
            self._start_zookeeper()
            for node in state.nodes:
                if self.start_node(node.node_id):
                    _say(f"restarted stopped node {node.node_id}")
            if self.is_ready():
                return True
        if state is not None:
            _say("found a stale or half-set-up cluster; stopping it and starting fresh")
            self._stop_all(kill=True)
        self._wipe()
        return False

    def _create(self, nodes: int, mode: str) -> None:
        plan = [Node.planned(n, self.settings.port_base) for n in range(1, nodes + 1)]
        self.state = State(self.settings.version, new_cluster_id(), self.settings.port_base, plan, mode=mode)
        self._check_ports(plan)
        self._write_configs()
        if mode == KRAFT:
            self._timed("formatted storage", self._format_storage)
        else:
            self._timed("ZooKeeper started", self._start_zookeeper)
        self._timed("all nodes logged that the server started", self._start_all)
        self._timed("brokers registered, probe topic created and deleted", self._wait_ready)
        if mode == ZOOKEEPER:
            self._timed("SCRAM users stored in ZooKeeper", self._create_scram_users)
        self._timed("auditor ACLs visible", self._setup_acls)
        self.state.ready = True
        self._save()

    @staticmethod
    def _timed(what: str, step: Callable[[], None]) -> None:
        started = time.monotonic()
        step()
        _say(f"{what} ({time.monotonic() - started:.1f}s)")

    def _check_ports(self, plan: list[Node]) -> None:
        zookeeper = self.state.zookeeper_port if self.state else None
        ports = [port for node in plan for port in node.ports] + ([zookeeper] if zookeeper else [])
        busy = [port for port in ports if _port_in_use(port)]
        if busy:
            raise ClusterError(
                f"ports in use on {HOST}: {busy} (another cluster? run 'down' there or set KAFKA_AUDIT_PORT_BASE)"
            )

    def _write_configs(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        make_tls_files(self.tls_dir)
        for name, text in LOG_CONFIGS.items():
            (self.run_dir / name).write_text(text)
        assert self.state is not None
        zookeeper = self.state.zookeeper_port
        if zookeeper:
            self.zookeeper_dir.mkdir(parents=True, exist_ok=True)
            self.zookeeper_config.write_text(zookeeper_properties(self.zookeeper_dir / "data", zookeeper))
        for node in self.nodes:
            self.node_dir(node.node_id).mkdir(parents=True, exist_ok=True)
            data_dir = self.node_dir(node.node_id) / "data"
            props = server_properties(node, self.nodes, data_dir, self.tls_dir, self.version, zookeeper)
            self._props_path(node.node_id).write_text(props)
        self.auditor_config_path.write_text(client_properties("auditor", self.sasl_bootstrap))
        self.ssl_config_path.write_text(ssl_client_properties(self.tls_dir / "ca.pem", self.ssl_bootstrap))
        self.admin_config_path.write_text(client_properties("admin", self.sasl_bootstrap))

    def _format_command(self, node: Node) -> list[str]:
        assert self.state is not None
        props = str(self._props_path(node.node_id))
        scram = [f"--add-scram={SCRAM_MECHANISM}=[name={user},password={pw}]" for user, pw in USERS.items()]
        return self._tool_command("kafka.tools.StorageTool", "format", "-t", self.state.cluster_id, "-c", props, *scram)

    def _format_storage(self) -> None:
        """StorageTool format on every node at once (static voters, so no --standalone)."""
        procs = {
            node.node_id: subprocess.Popen(
                self._format_command(node), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            for node in self.nodes
        }
        for node_id, proc in procs.items():
            output, _ = proc.communicate(timeout=READY_TIMEOUT_S)
            if proc.returncode != 0:
                raise ClusterError(f"formatting node {node_id} failed (exit {proc.returncode}):\n{output}")

    def _spawn(self, node: Node) -> None:
        command = [
            _java(),
            *BROKER_JVM,
            f"-Xmx{os.environ.get('KAFKA_AUDIT_BROKER_HEAP', '512m')}",
            *self._log_flags("broker"),
            "-cp",
            self.classpath,
            "kafka.Kafka",
            str(self._props_path(node.node_id)),
        ]
        with self.log_path(node.node_id).open("ab") as log:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.node_dir(node.node_id),
                start_new_session=True,
            )
        _CHILDREN[proc.pid] = proc
        node.pid = proc.pid
        self._save()

    def _start_all(self) -> None:
        self._start_zookeeper()
        for node in self.nodes:
            self._spawn(node)
        self._wait_started({node.node_id: 0 for node in self.nodes}, READY_TIMEOUT_S)

    def _log_offset(self, node_id: int) -> int:
        path = self.log_path(node_id)
        return path.stat().st_size if path.is_file() else 0

    def _logged_since(self, node_id: int, offset: int, line: str) -> bool:
        with self.log_path(node_id).open("rb") as log:
            log.seek(offset)
            return line.encode() in log.read()

    def _wait_started(self, offsets: dict[int, int], timeout: float) -> None:
        """Wait for one of STARTED_LINES after ``offsets[node_id]`` in each node's log."""
        deadline = time.monotonic() + timeout
        pending = dict(offsets)
        while pending:
            for node_id, offset in list(pending.items()):
                if any(self._logged_since(node_id, offset, line) for line in STARTED_LINES):
                    del pending[node_id]
                elif not self.node_alive(self.node(node_id)):
                    raise self._failure(f"node {node_id} exited during startup", node_id)
            if pending and time.monotonic() >= deadline:
                node_id = min(pending)
                raise self._failure(f"node {node_id} did not start within {timeout:.0f}s", node_id)
            time.sleep(0.2)

    def _wait_ready(self) -> None:
        expected = {node.node_id for node in self.nodes}
        with self.admin_client() as admin:
            try:
                _poll(
                    f"{len(expected)} unfenced brokers",
                    lambda: self.unfenced_brokers(admin) == expected,
                    READY_TIMEOUT_S,
                )
                _poll("a probe topic to be created and deleted", self._probe_topic, READY_TIMEOUT_S)
            except ClusterError as exc:
                raise self._failure(str(exc), self._first_unhealthy(admin, expected)) from exc

    def _first_unhealthy(self, admin: Any, expected: set[int]) -> int:
        with contextlib.suppress(OSError, _kafka("kafka.errors").KafkaError):
            missing = expected - self.unfenced_brokers(admin)
            return min(missing) if missing else 1
        return 1

    def _probe_topic(self) -> bool:
        """Create and delete a topic with RF = cluster size up to 3 (proves replication and the quorum).

        Each attempt has its own admin client: kafka-python 3.0.x caches the controller id from
        a metadata answer that can name a broker its own broker list does not hold yet, and then
        fails every later request with UnknownBrokerIdError instead of refreshing.
        """
        name = f"_harness-probe-{uuid.uuid4().hex[:12]}"
        spec = {"num_partitions": 1, "replication_factor": min(len(self.nodes), MAX_REPLICATION)}
        with self.admin_client() as admin:
            try:
                admin.create_topics({name: spec}, timeout_ms=10000, wait_for_metadata=True)
            finally:
                admin.delete_topics([name], timeout_ms=10000, raise_errors=False)
        return True

    def _setup_acls(self) -> None:
        admin_mod = _kafka("kafka.admin")
        acls = auditor_acls()
        with self.admin_client("admin") as admin:
            result = admin.create_acls(acls)
            if result["failed"]:
                raise ClusterError(f"creating the auditor ACLs failed: {result['failed']}")
            acl_filter = admin_mod.ACLFilter(
                "User:auditor",
                None,
                admin_mod.ACLOperation.ANY,
                admin_mod.ACLPermissionType.ANY,
                admin_mod.ResourcePatternFilter(admin_mod.ResourceType.ANY, None, admin_mod.ACLResourcePatternType.ANY),
            )
            _poll(
                "the auditor ACLs to be visible",
                lambda: set(admin.describe_acls(acl_filter)[0]) >= set(acls),
                READY_TIMEOUT_S,
            )
        with self.admin_client("auditor") as auditor:  # proves the SCRAM login works
            self.unfenced_brokers(auditor)

    # ---- ZooKeeper mode

    @property
    def zookeeper_dir(self) -> Path:
        return self.run_dir / "zookeeper"

    @property
    def zookeeper_config(self) -> Path:
        return self.zookeeper_dir / "zoo.cfg"

    def zookeeper_alive(self) -> bool:
        pid = self.state.zookeeper_pid if self.state else None
        return _pid_runs(pid, str(self.zookeeper_config))

    def _start_zookeeper(self) -> None:
        """Start the ZooKeeper of a ZooKeeper-mode cluster (if not running) and wait for its port."""
        state = self.state
        if state is None or state.zookeeper_port is None or self.zookeeper_alive():
            return
        port = state.zookeeper_port
        command = [_java(), "-Xmx128m", *TOOL_JVM[1:], *self._log_flags("broker"), "-cp", self.classpath,
                   "org.apache.zookeeper.server.ZooKeeperServerMain", str(self.zookeeper_config)]  # fmt: skip
        with (self.zookeeper_dir / "zookeeper.log").open("ab") as log:
            proc = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=self.zookeeper_dir, start_new_session=True,
            )  # fmt: skip
        _CHILDREN[proc.pid] = proc
        state.zookeeper_pid = proc.pid
        self._save()
        _poll(f"ZooKeeper to listen on {HOST}:{port}", lambda: _port_in_use(port) and self.zookeeper_alive(), 60.0)

    def _create_scram_users(self) -> None:
        """ZooKeeper mode: the SCRAM users are stored in ZooKeeper, set through the controller
        (AlterUserScramCredentials, Kafka 2.7+) as `kafka-configs --alter --entity-type users` does.

        In ZooKeeper mode only the controller applies AlterUserScramCredentials; another broker
        answers NOT_CONTROLLER without a message, which kafka-python's alter_user_scram_credentials
        reports as success (None). So the request goes to the controller, and the step is done
        when a SCRAM login works on every broker (the cause of the "SCRAM login timed out, inside
        pytest only" of 3-node ZooKeeper clusters: a 1 in 3 chance of reaching the controller)."""
        admin_mod = _kafka("kafka.admin")
        upserts = [admin_mod.UserScramCredentialUpsertion(user, SCRAM_MECHANISM, pw) for user, pw in USERS.items()]
        request = _kafka("kafka.protocol.admin").AlterUserScramCredentialsRequest(
            deletions=[],
            upsertions=[(u.user, int(u.mechanism), u.iterations, u.salt, u.salted_password) for u in upserts],
        )
        with self.admin_client() as admin:

            def logins_work() -> bool:
                # Metadata, not describe_cluster(): kafka-python's reads DescribeCluster v0 (2.8-3.x) wrong
                metadata = _kafka("kafka.protocol.metadata").MetadataRequest(topics=[], allow_auto_topic_creation=False)

                async def controller_id() -> Any:
                    return (await admin._manager.send(metadata)).controller_id

                controller = admin._manager.run(controller_id)

                async def alter() -> Any:
                    return await admin._manager.send(request, node_id=controller)

                errors = {r.user: r.error_code for r in admin._manager.run(alter).results if r.error_code}
                return not errors and all(self._scram_login_works(node) for node in self.nodes)

            _poll("a SCRAM login to work on every broker", logins_work, READY_TIMEOUT_S, interval=1.0)

    def _scram_login_works(self, node: Node) -> bool:
        try:
            client = self.admin_client(
                "admin", bootstrap_servers=f"{HOST}:{node.sasl}", bootstrap_timeout_ms=3000, request_timeout_ms=3000
            )
        except Exception:  # kafka-python's bootstrap error: the login did not work (yet)
            return False
        client.close()
        return True

    # ---- nodes

    def stop_node(self, node_id: int, kill: bool = False, timeout: float = STOP_TIMEOUT_S) -> bool:
        """SIGTERM (or SIGKILL with ``kill``) one node and wait for its exit; False if it was not running."""
        node = self.node(node_id)
        pid, running = node.pid, self.node_alive(node)
        if pid is not None and running:
            _terminate({pid: str(self._props_path(node_id))}, kill, timeout)
        node.pid = None
        self._save()
        return running

    def start_node(self, node_id: int, timeout: float = READY_TIMEOUT_S) -> bool:
        """Restart one node with its config and data, wait until unfenced; False if it was running."""
        node = self.node(node_id)
        if self.node_alive(node):
            return False
        offset = self._log_offset(node_id)
        self._spawn(node)
        self._wait_started({node_id: offset}, timeout)
        with self.admin_client() as admin:
            _poll(f"broker {node_id} to be unfenced", lambda: node_id in self.unfenced_brokers(admin), timeout)
        return True

    @contextlib.contextmanager
    def stopped(self, node_id: int, kill: bool = False, timeout: float = READY_TIMEOUT_S) -> Iterator[Node]:
        """Stop a node for the body of the ``with``, then restart it and wait until healthy."""
        self.stop_node(node_id, kill=kill)
        try:
            yield self.node(node_id)
        finally:
            self.start_node(node_id, timeout)
            self.wait_healthy(timeout)

    @contextlib.contextmanager
    def frozen(self, *node_ids: int, timeout: float = READY_TIMEOUT_S) -> Iterator[list[Node]]:
        """SIGSTOP the nodes' JVMs for the body of the ``with`` (a frozen broker: its port still
        accepts connections, nothing answers), then SIGCONT them and wait until settled."""
        nodes = [self.node(node_id) for node_id in node_ids]
        stopped = []
        try:
            for node in nodes:
                if node.pid is None or not self.node_alive(node):
                    raise ClusterError(f"node {node.node_id} is not running: nothing to freeze")
                os.kill(node.pid, signal.SIGSTOP)
                stopped.append(node.pid)
            yield nodes
        finally:
            for pid in stopped:
                os.kill(pid, signal.SIGCONT)
            if stopped:
                self.wait_settled(timeout)

    def wait_healthy(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Wait until every broker is unfenced and every partition's ISR equals its replicas."""
        expected = {node.node_id for node in self.nodes}
        with self.admin_client() as admin:
            _poll("all brokers unfenced", lambda: self.unfenced_brokers(admin) == expected, timeout)
            _poll("every partition's ISR to be full", lambda: not under_replicated(admin), timeout)

    def wait_settled(self, timeout: float = READY_TIMEOUT_S) -> None:
        """wait_healthy, then every partition led by its preferred replica again, as every broker's
        own metadata says, and every broker listed by every broker. A thawed or restarted broker
        leaves leadership moving (the controller moves it back every
        leader.imbalance.check.interval.seconds) and metadata catching up for a while; a later test
        must not inherit that. A preferred-leader election (set-up, never the auditor) is asked
        for until it is so."""
        self.wait_healthy(timeout)
        expected = {node.node_id for node in self.nodes}
        with self.admin_client() as admin:

            def settled() -> bool:
                # kafka-python keeps the metadata it bootstrapped with (metadata_max_age_ms): one that
                # lacked the thawed broker would make every ask of it UnknownBrokerIdError
                admin._manager.run(admin._manager.cluster.refresh_metadata)
                if all(_settled_view(admin, node_id, expected) for node_id in sorted(expected)):
                    return True
                admin.elect_leaders(0, None, raise_errors=False)  # 0: preferred
                return False

            _poll("every partition led by its preferred replica on every broker", settled, timeout, interval=0.5)

    # ---- down

    def _stop_all(self, kill: bool = False) -> None:
        if self.state is None:
            return
        pids = {node.pid: str(self._props_path(node.node_id)) for node in self.nodes if node.pid}
        _terminate(pids, kill, timeout=15.0)
        for node in self.nodes:
            node.pid = None
        if self.state.zookeeper_pid:  # after the brokers, so they shut down cleanly
            _terminate({self.state.zookeeper_pid: str(self.zookeeper_config)}, kill, timeout=15.0)
            self.state.zookeeper_pid = None
        if self.state_path.is_file():
            self._save()

    def down(self) -> None:
        """Stop the recorded JVMs and delete configs, data and logs (the jar cache stays)."""
        with self._lock():
            self._stop_all()
            self._wipe()
            self.state = None

    def _wipe(self) -> None:
        if not self.run_dir.is_dir():
            return
        for path in [*self.run_dir.glob("node[0-9]*"), self.zookeeper_dir]:
            shutil.rmtree(path, ignore_errors=True)
        for name in RUN_FILES:
            (self.run_dir / name).unlink(missing_ok=True)


def auditor_acls() -> list[Any]:
    """The least-privilege ACLs of ``User:auditor``: describe-only, nothing else."""
    admin = _kafka("kafka.admin")
    op, allow = admin.ACLOperation, admin.ACLPermissionType.ALLOW
    cluster = admin.ResourcePattern(admin.ResourceType.CLUSTER, "kafka-cluster")
    topics = admin.ResourcePattern(admin.ResourceType.TOPIC, "*", admin.ACLResourcePatternType.LITERAL)
    groups = admin.ResourcePattern(admin.ResourceType.GROUP, "*", admin.ACLResourcePatternType.LITERAL)
    grants = [
        (cluster, op.DESCRIBE),
        (cluster, op.DESCRIBE_CONFIGS),
        (topics, op.DESCRIBE),
        (topics, op.DESCRIBE_CONFIGS),
        (groups, op.DESCRIBE),
    ]
    return [admin.ACL("User:auditor", "*", operation, allow, pattern) for pattern, operation in grants]


def _settled_view(admin: Any, node_id: int, brokers: set[int]) -> bool:
    """Broker `node_id`'s own Metadata lists exactly `brokers` and every partition led by its
    preferred (first) replica."""
    request = _kafka("kafka.protocol.metadata").MetadataRequest(topics=None, allow_auto_topic_creation=False)

    async def ask() -> Any:
        return await admin._manager.send(request, node_id=node_id)

    metadata = admin._manager.run(ask).to_dict()
    if {broker["node_id"] for broker in metadata["brokers"]} != brokers:
        return False
    return all(
        part["replica_nodes"] and part["leader_id"] == part["replica_nodes"][0]
        for topic in metadata["topics"]
        for part in topic["partitions"]
    )


def under_replicated(admin: Any, topics: list[str] | None = None) -> list[tuple[str, int]]:
    """(topic, partition) pairs whose ISR is smaller than their replica set."""
    return [
        (topic["name"], partition["partition_index"])
        for topic in admin.describe_topics(topics)
        for partition in topic["partitions"]
        if set(partition["isr_nodes"]) != set(partition["replica_nodes"])
    ]


# --------------------------------------------------------------------------- CLI


def _cmd_up(cluster: Cluster, args: argparse.Namespace) -> int:
    elapsed = cluster.up(args.nodes, args.mode)
    if elapsed is None:
        _say(f"cluster already running and ready in {cluster.run_dir} ({cluster.bootstrap})")
    else:
        _say(
            f"{args.nodes}-node Kafka {cluster.version} {cluster.state.mode if cluster.state else ''} "
            f"cluster ready in {elapsed:.1f}s "
            f"(PLAINTEXT {cluster.bootstrap}, SASL {cluster.sasl_bootstrap})"
        )
    return 0


def _cmd_down(cluster: Cluster, args: argparse.Namespace) -> int:
    had_state = cluster.state is not None
    cluster.down()
    _say(f"cluster stopped and data deleted in {cluster.run_dir}" if had_state else "no cluster recorded")
    return 0


def _cmd_env(cluster: Cluster, args: argparse.Namespace) -> int:
    values = {
        "KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrap,
        "KAFKA_SASL_BOOTSTRAP_SERVERS": cluster.sasl_bootstrap,
        "KAFKA_AUDITOR_CONFIG": str(cluster.auditor_config_path),
        "KAFKA_ADMIN_CONFIG": str(cluster.admin_config_path),
        "KAFKA_SSL_BOOTSTRAP_SERVERS": cluster.ssl_bootstrap,
        "KAFKA_SSL_CONFIG": str(cluster.ssl_config_path),
        "KAFKA_VERSION": cluster.version,
        "KAFKA_MODE": cluster.state.mode if cluster.state else "",
    }
    for key, value in values.items():
        print(f"export {key}={shlex.quote(value)}")
    return 0


def _cmd_status(cluster: Cluster, args: argparse.Namespace) -> int:
    if cluster.state is None:
        print(f"no cluster recorded in {cluster.run_dir}")
        return 1
    state = cluster.state
    print(
        f"cluster {state.cluster_id}  kafka {state.version} ({state.mode})  {len(state.nodes)} node(s)  "
        f"setup {'complete' if state.ready else 'INCOMPLETE'}  run dir {cluster.run_dir}"
    )
    for node in state.nodes:
        alive = cluster.node_alive(node)
        print(
            f"node {node.node_id}  pid {node.pid or '-':>7}  {'alive' if alive else 'DOWN '}  "
            f"PLAINTEXT {HOST}:{node.plaintext}  SASL {HOST}:{node.sasl}  "
            f"CONTROLLER {HOST}:{node.controller}"
        )
    return 0 if cluster.is_running() else 1


def _cmd_stop_node(cluster: Cluster, args: argparse.Namespace) -> int:
    stopped = cluster.stop_node(args.node, kill=args.kill)
    _say(f"node {args.node} {'stopped' if stopped else 'was not running'}")
    return 0


def _cmd_start_node(cluster: Cluster, args: argparse.Namespace) -> int:
    started = time.monotonic()
    if cluster.start_node(args.node):
        _say(f"node {args.node} started, broker unfenced ({time.monotonic() - started:.1f}s)")
    else:
        _say(f"node {args.node} is already running (pid {cluster.node(args.node).pid})")
    return 0


def _cmd_classpath(cluster: Cluster, args: argparse.Namespace) -> int:
    ensure_jars(cluster.settings, cluster.version)
    print(cluster.classpath)
    return 0


COMMANDS: dict[str, Callable[[Cluster, argparse.Namespace], int]] = {
    "up": _cmd_up,
    "down": _cmd_down,
    "env": _cmd_env,
    "status": _cmd_status,
    "stop-node": _cmd_stop_node,
    "start-node": _cmd_start_node,
    "classpath": _cmd_classpath,
}


NEEDS_KAFKA_PYTHON = {"up", "start-node"}  # the others work with any Python 3.10+


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kafka-cluster", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start a fresh cluster (or confirm the running one is ready)")
    up.add_argument("--nodes", type=node_count, default=3, help=f"1..{MAX_NODES} brokers (default 3)")
    up.add_argument(
        "--mode", choices=MODES, default=None, help="kraft (3.3+) or zookeeper (before 4.0); default: kraft from 3.3"
    )
    sub.add_parser("down", help="stop the recorded JVMs and delete data (keeps the jar cache)")
    sub.add_parser("env", help="print shell export lines for the running cluster")
    sub.add_parser("status", help="per node: pid, alive, ports (exit 1 if any node is down)")
    stop = sub.add_parser("stop-node", help="stop one node (SIGTERM, SIGKILL after a timeout)")
    stop.add_argument("node", type=int)
    stop.add_argument("--kill", action="store_true", help="SIGKILL right away (a crash)")
    start = sub.add_parser("start-node", help="restart a stopped node and wait until it is unfenced")
    start.add_argument("node", type=int)
    sub.add_parser("classpath", help="print the Kafka classpath for java -cp")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in NEEDS_KAFKA_PYTHON and not kafka_python_available():
        print(
            f"kafka-cluster: kafka-python is not installed for {sys.executable}; "
            "run it with the project's .venv/bin/python",
            file=sys.stderr,
        )
        return 2
    logging.getLogger("kafka").setLevel(logging.CRITICAL)  # clients retry; failures surface here
    try:
        return COMMANDS[args.command](Cluster.load(), args)
    except ValueError as exc:
        print(f"kafka-cluster: {exc}", file=sys.stderr)
        return 2
    except ClusterError as exc:
        print(f"kafka-cluster: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
