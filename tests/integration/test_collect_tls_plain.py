"""--command-config over SSL (PEM truststore, hostname verification) and SASL/PLAIN on the real cluster."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from kafka_cluster import make_tls_files

from auditor.sources.live.visibility import INVISIBLE

pytestmark = pytest.mark.integration


def audit(bootstrap: str, config: Path | None = None, timeout: int = 20) -> tuple[int, dict[str, Any] | None, str]:
    command = [sys.executable, "-m", "auditor", "audit", "--bootstrap-server", bootstrap, "--format", "json"]
    command += ["--timeout", str(timeout), "--fail-on", "never"]
    if config is not None:
        command += ["--command-config", str(config)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout + 60, check=False)
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else None, done.stderr


def fingerprints(report: dict[str, Any] | None, principal_unknown: bool = False) -> set[str]:
    """The findings' fingerprints of a complete report; with `principal_unknown` (OAuth: the broker
    maps the token to a principal the auditor cannot name) the one gap allowed is that topics the
    principal may not describe would be invisible (#11 point 15)."""
    assert report is not None
    gaps = [gap["resource"] for gap in report["coverage"]["gaps"]]
    assert gaps == ([INVISIBLE] if principal_unknown else []), report["coverage"]
    return {f["fingerprint"] for f in report["findings"]}


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_ssl_with_a_pem_truststore_sees_what_plaintext_sees(kafka_cluster: Any, make_topic: Any) -> None:
    make_topic("rf1", replication_factor=1)
    _, plain, _ = audit(kafka_cluster.bootstrap)
    code, over_ssl, err = audit(kafka_cluster.ssl_bootstrap, kafka_cluster.ssl_config_path)
    assert code == 0, err
    assert fingerprints(over_ssl) == fingerprints(plain) != set()


def test_ssl_rejects_a_broker_certificate_from_another_ca(kafka_cluster: Any, tmp_path: Path) -> None:
    make_tls_files(tmp_path / "other")
    config = write(
        tmp_path / "ssl.properties",
        f"security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location={tmp_path / 'other' / 'ca.pem'}\n",
    )
    code, report, err = audit(kafka_cluster.ssl_bootstrap, config, timeout=8)
    assert code == 3 and report is None
    assert err.startswith("kafka-audit: error: ") and len(err.strip().splitlines()) == 1


def test_ssl_verifies_the_host_name_unless_told_not_to(kafka_cluster: Any, tmp_path: Path) -> None:
    """The certificate names 127.0.0.1 only: `localhost` fails verification, unless it is turned off."""
    by_name = kafka_cluster.ssl_bootstrap.replace("127.0.0.1", "localhost")
    code, _, _ = audit(by_name, kafka_cluster.ssl_config_path, timeout=8)
    assert code == 3
    unverified = write(
        tmp_path / "ssl.properties",
        kafka_cluster.ssl_config_path.read_text() + "ssl.endpoint.identification.algorithm=\n",
    )
    code, report, err = audit(by_name, unverified)
    assert code == 0, err
    assert report is not None and report["coverage"]["complete"] is True


def plain_config(tmp_path: Path, password: str) -> Path:
    return write(
        tmp_path / "plain.properties",
        "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n"
        "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
        f'username="auditor" password="{password}";\n',
    )


def test_sasl_plain_least_privilege_auditor_sees_what_plaintext_sees(
    kafka_cluster: Any, make_topic: Any, tmp_path: Path
) -> None:
    make_topic("minisr1", configs={"min.insync.replicas": "1"})
    _, plain, _ = audit(kafka_cluster.bootstrap)
    code, over_plain, err = audit(kafka_cluster.sasl_bootstrap, plain_config(tmp_path, "auditor-secret"))
    assert code == 0, err
    assert fingerprints(over_plain) == fingerprints(plain) != set()


def test_sasl_plain_wrong_password_is_exit_3(kafka_cluster: Any, tmp_path: Path) -> None:
    code, report, err = audit(kafka_cluster.sasl_bootstrap, plain_config(tmp_path, "wrong"), timeout=6)
    assert code == 3 and report is None
    assert "wrong" not in err


def unsecured_token(tmp_path: Path, subject: str, lifetime_s: int = 3600) -> Path:
    """A JWT for Kafka's unsecured OAUTHBEARER validator (alg none): the broker takes `sub` as the user."""

    def part(claims: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")

    now = int(time.time())
    token = f"{part({'alg': 'none'})}.{part({'sub': subject, 'iat': now - 60, 'exp': now + lifetime_s})}."
    return write(tmp_path / f"{subject}.jwt", token)


def oauth_config(tmp_path: Path, token: Path) -> Path:
    return write(
        tmp_path / "oauth.properties",
        f"security.protocol=SASL_PLAINTEXT\nsasl.mechanism=OAUTHBEARER\nsasl.oauthbearer.token.endpoint.url=file://{token}\n",
    )


def test_oauthbearer_token_file_authenticates_as_its_subject(
    kafka_cluster: Any, make_topic: Any, tmp_path: Path
) -> None:
    make_topic("rf2", replication_factor=2)
    _, plain, _ = audit(kafka_cluster.bootstrap)
    code, as_auditor, err = audit(
        kafka_cluster.sasl_bootstrap, oauth_config(tmp_path, unsecured_token(tmp_path, "auditor"))
    )
    assert code == 0, err
    assert fingerprints(as_auditor, principal_unknown=True) == fingerprints(plain) != set()
    # the broker authorises the token's subject: a user without ACLs reads (almost) nothing
    code, as_nobody, err = audit(
        kafka_cluster.sasl_bootstrap, oauth_config(tmp_path, unsecured_token(tmp_path, "nobody"))
    )
    assert as_nobody is not None, err
    assert as_nobody["coverage"]["complete"] is False


def test_oauthbearer_expired_token_is_exit_3(kafka_cluster: Any, tmp_path: Path) -> None:
    expired = unsecured_token(tmp_path, "auditor", lifetime_s=-30)
    code, report, _ = audit(kafka_cluster.sasl_bootstrap, oauth_config(tmp_path, expired), timeout=6)
    assert code == 3 and report is None
