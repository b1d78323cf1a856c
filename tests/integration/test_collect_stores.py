"""--command-config with the stores Java shops have: JKS, PKCS12 and PEM client.properties, each with
a truststore and a client keystore (mutual TLS), audit the real cluster's SSL listener.

The listener (scripts/kafka_cluster.py) requests a client certificate and maps CN=auditor to the
least-privilege user `auditor`; its stores are made by openssl and the JDK's keytool.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from kafka_cluster import STORE_PASSWORDS, make_tls_files

from auditor.sources.live.visibility import INVISIBLE

pytestmark = pytest.mark.integration

SUFFIX = {"JKS": "jks", "PKCS12": "p12"}


def audit(bootstrap: str, config: Path | None = None) -> tuple[int, dict[str, Any] | None, str]:
    command = [sys.executable, "-m", "auditor", "audit", "--bootstrap-server", bootstrap, "--format", "json"]
    command += ["--timeout", "20", "--fail-on", "never"]
    if config is not None:
        command += ["--command-config", str(config)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else None, done.stdout + done.stderr


def store_config(path: Path, tls: Path, kind: str, keystore_dir: Path | None = None) -> Path:
    """A Java client's SSL properties for stores of `kind` (JKS, PKCS12 or PEM)."""
    keys = keystore_dir or tls
    if kind == "PEM":
        lines = [
            "ssl.truststore.type=PEM", f"ssl.truststore.location={tls / 'ca.pem'}",
            "ssl.keystore.type=PEM", f"ssl.keystore.location={keys / 'client.pem'}",
        ]  # fmt: skip
    else:
        lines = [
            f"ssl.truststore.type={kind}", f"ssl.truststore.location={tls / f'truststore.{SUFFIX[kind]}'}",
            f"ssl.truststore.password={STORE_PASSWORDS['truststore']}",
            f"ssl.keystore.type={kind}", f"ssl.keystore.location={keys / f'client.{SUFFIX[kind]}'}",
            f"ssl.keystore.password={STORE_PASSWORDS['client']}",
        ]  # fmt: skip
    path.write_text("\n".join(["security.protocol=SSL", *lines]) + "\n")
    return path


@pytest.mark.parametrize("kind", ["JKS", "PKCS12", "PEM"])
def test_each_store_type_audits_the_ssl_listener_with_a_client_certificate(
    kafka_cluster: Any, make_topic: Any, tmp_path: Path, kind: str
) -> None:
    make_topic("stores-rf1", replication_factor=1)
    _, plain, _ = audit(kafka_cluster.bootstrap)
    config = store_config(tmp_path / f"{kind}.properties", kafka_cluster.tls_dir, kind)
    code, report, output = audit(kafka_cluster.ssl_bootstrap, config)
    assert code == 0, output
    assert report is not None and plain is not None
    # A client certificate's principal is decided by the brokers' mapping rules, so whether it sees
    # every topic cannot be checked: that one gap, nothing else (#11 point 15).
    assert [gap["resource"] for gap in report["coverage"]["gaps"]] == [INVISIBLE], report["coverage"]
    assert {f["fingerprint"] for f in report["findings"]} == {f["fingerprint"] for f in plain["findings"]} != set()
    for secret in STORE_PASSWORDS.values():
        assert secret not in output


@pytest.mark.parametrize("kind", ["JKS", "PKCS12"])
def test_the_keystore_is_presented_a_certificate_of_another_ca_is_refused(
    kafka_cluster: Any, tmp_path: Path, kind: str
) -> None:
    """The listener checks a client certificate it is given: one from an unknown CA ends the
    handshake, which proves the keystore's certificate is sent (exit 3, one line)."""
    make_tls_files(tmp_path / "other")
    config = store_config(tmp_path / "other.properties", kafka_cluster.tls_dir, kind, tmp_path / "other")
    code, report, output = audit(kafka_cluster.ssl_bootstrap, config)
    assert code == 3 and report is None, output
    assert len(output.strip().splitlines()) == 1, output
