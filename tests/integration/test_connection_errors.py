"""Connection failures on the real cluster's listeners: each a distinct one-line message with the
likely fix, exit 3, within a few seconds when the failure is immediate (--timeout is 30 s)."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

TIMEOUT_S = 30
FAST_S = 3.0  # beyond the time the command takes to fail on a bad flag (its start-up on this machine)
PORT_BASE = int(os.environ.get("KAFKA_AUDIT_PORT_BASE") or 19090)


def audit(bootstrap: str, config: Path | None = None) -> tuple[int, str, float]:
    command = [sys.executable, "-m", "auditor", "audit", "--bootstrap-server", bootstrap, "--timeout", str(TIMEOUT_S)]
    if config is not None:
        command += ["--command-config", str(config)]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S + 60, check=False)
    return done.returncode, done.stderr, time.monotonic() - started


def startup_s() -> float:
    """How long the command takes to start and fail at once (a bootstrap that is no HOST:PORT)."""
    code, _, elapsed = audit("not-an-address")
    assert code == 2
    return elapsed


def assert_fast_one_line(result: tuple[int, str, float], *phrases: str) -> None:
    code, err, elapsed = result
    assert code == 3, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for phrase in phrases:
        assert phrase in lines[0], lines[0]
    bound = startup_s() + FAST_S
    assert elapsed < bound, f"took {elapsed:.1f}s (bound {bound:.1f}s): {lines[0]}"


def properties(path: Path, **settings: str) -> Path:
    path.write_text("".join(f"{key.replace('_', '.')}={value}\n" for key, value in settings.items()))
    return path


def scram(tmp_path: Path, mechanism: str = "SCRAM-SHA-512", password: str = "auditor-secret") -> Path:
    module = "scram.ScramLoginModule" if mechanism.startswith("SCRAM") else "plain.PlainLoginModule"
    jaas = f'org.apache.kafka.common.security.{module} required username="auditor" password="{password}";'
    text = f"security.protocol=SASL_PLAINTEXT\nsasl.mechanism={mechanism}\nsasl.jaas.config={jaas}\n"
    path = tmp_path / f"{mechanism}.properties"
    path.write_text(text)
    return path


def test_a_name_that_does_not_resolve() -> None:
    assert_fast_one_line(audit("no-such-broker.invalid:9092"), "'no-such-broker.invalid' does not resolve")


def test_a_refused_connection() -> None:
    assert_fast_one_line(audit(f"127.0.0.1:{PORT_BASE + 951}"), "connection refused", "nothing listens")


@pytest.fixture
def http_server() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", PORT_BASE + 952), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{PORT_BASE + 952}"
    finally:
        server.shutdown()
        server.server_close()


def test_an_http_server(http_server: str) -> None:
    assert_fast_one_line(audit(http_server), "is an HTTP server, not a Kafka broker")


def test_plaintext_to_the_tls_listener(kafka_cluster: Any) -> None:
    assert_fast_one_line(audit(kafka_cluster.ssl_bootstrap), "is a TLS listener", "security.protocol=SSL")


def test_tls_to_the_plaintext_listener(kafka_cluster: Any) -> None:
    result = audit(kafka_cluster.bootstrap, kafka_cluster.ssl_config_path)
    assert_fast_one_line(result, "does not speak TLS", "security.protocol=PLAINTEXT")


def test_plaintext_to_the_sasl_listener(kafka_cluster: Any) -> None:
    result = audit(kafka_cluster.sasl_bootstrap)
    assert_fast_one_line(result, "expects a SASL login (it offers SCRAM-SHA-512, PLAIN, OAUTHBEARER)")


def test_sasl_to_the_plaintext_listener(kafka_cluster: Any, tmp_path: Path) -> None:
    assert_fast_one_line(audit(kafka_cluster.bootstrap, scram(tmp_path)), "takes no SASL login")


def test_a_sasl_mechanism_the_listener_does_not_enable(kafka_cluster: Any, tmp_path: Path) -> None:
    result = audit(kafka_cluster.sasl_bootstrap, scram(tmp_path, "SCRAM-SHA-256"))
    assert_fast_one_line(result, "does not enable SASL mechanism SCRAM-SHA-256", "it offers SCRAM-SHA-512")


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-512", "PLAIN"])
def test_a_wrong_password(kafka_cluster: Any, tmp_path: Path, mechanism: str) -> None:
    result = audit(kafka_cluster.sasl_bootstrap, scram(tmp_path, mechanism, password="not-the-secret"))
    assert_fast_one_line(result, f"authentication failed for user 'auditor' with {mechanism}")
    assert "not-the-secret" not in result[1]


def test_a_wrong_password_is_final_at_the_first_address(
    kafka_cluster: Any, tmp_path: Path, silent_listener: str
) -> None:
    """One failed SASL login is the cluster's answer: the next addresses (here a silent one that
    would cost its share of --timeout, then the other brokers) are not tried."""
    first = kafka_cluster.sasl_bootstrap.split(",")[0]
    bootstrap = ",".join([first, silent_listener, *kafka_cluster.sasl_bootstrap.split(",")[1:]])
    result = audit(bootstrap, scram(tmp_path, password="not-the-secret"))
    assert_fast_one_line(result, f"{first}: authentication failed for user 'auditor' with SCRAM-SHA-512")
    assert "more alike" not in result[1] and silent_listener not in result[1]


def test_a_controller_only_port(kafka_cluster: Any) -> None:
    if kafka_cluster.state.mode != "kraft":
        pytest.skip("ZooKeeper mode has no controller listener")
    controller = f"127.0.0.1:{kafka_cluster.nodes[0].controller}"
    assert_fast_one_line(audit(controller), "is a KRaft controller listener")


def test_the_right_settings_still_connect(kafka_cluster: Any, tmp_path: Path) -> None:
    """The probe refuses nothing that works: SCRAM on the SASL listener audits."""
    code, err, _ = audit(kafka_cluster.sasl_bootstrap, scram(tmp_path))
    assert code in (0, 1), err


@pytest.fixture
def silent_listener() -> Iterator[str]:
    """A port that accepts connections and never answers (a frozen broker, a proxy holding them)."""
    import socket

    server = socket.create_server(("127.0.0.1", PORT_BASE + 953))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{PORT_BASE + 953}"
    finally:
        stop.set()
        thread.join()
        for sock in [server, *accepted]:
            sock.close()


def test_a_silent_address_first_leaves_the_live_broker_after_it_time(kafka_cluster: Any, silent_listener: str) -> None:
    """Each bootstrap address gets its share of --timeout: the silent one may not spend it all
    (it did: exit 3 after the whole timeout, the live broker after it called "down")."""
    live = kafka_cluster.bootstrap.split(",")[0]
    code, err, elapsed = audit(f"{silent_listener},{live}")
    assert code in (0, 1), err
    assert elapsed < TIMEOUT_S, f"took {elapsed:.1f}s"


def test_debug_after_the_subcommand_adds_the_traceback() -> None:
    command = [sys.executable, "-m", "auditor", "audit", "--bootstrap-server", "no-such-broker.invalid:9092", "--debug"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 3
    assert "Traceback" in done.stderr and "ClusterUnreachable" in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("kafka-audit: error: cannot connect")


def bootstrap_from(config: Path | None, env: dict[str, str], *flag: str) -> tuple[str, str]:
    command = [sys.executable, "-m", "auditor", "audit", "--format", "json", "--fail-on", "never", *flag]
    if config is not None:
        command += ["--command-config", str(config)]
    unset = ("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_AUDIT_BOOTSTRAP_SERVER")
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False, env=clean | env)
    assert done.returncode == 0, done.stderr
    target = json.loads(done.stdout)["targets"][0]
    return target["name"], target["bootstrap_from"]


def test_bootstrap_servers_from_the_flag_the_environment_or_the_client_properties(
    kafka_cluster: Any, tmp_path: Path
) -> None:
    """--bootstrap-server wins over KAFKA_BOOTSTRAP_SERVERS, which wins over bootstrap.servers in
    --command-config; the report names the one used."""
    first, second = (f"127.0.0.1:{node.plaintext}" for node in kafka_cluster.nodes[:2])
    config = properties(tmp_path / "client.properties", bootstrap_servers=first)
    assert bootstrap_from(config, {}) == (first, f"bootstrap.servers in {config}")
    assert bootstrap_from(config, {"KAFKA_BOOTSTRAP_SERVERS": second}) == (second, "KAFKA_BOOTSTRAP_SERVERS")
    flag = ("--bootstrap-server", first)
    assert bootstrap_from(config, {"KAFKA_BOOTSTRAP_SERVERS": second}, *flag) == (first, "--bootstrap-server")
