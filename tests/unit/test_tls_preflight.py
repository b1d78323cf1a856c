"""Bad TLS material in --command-config is an input error (exit 2) found before connecting and
naming the file, not a handshake that times out as exit 3 (#11 point 14).

The client.properties follow Kafka's documented PEM client config (KIP-651:
ssl.truststore.type=PEM, ssl.keystore.type=PEM with ssl.key.password); the certificates are made
with openssl, as scripts/kafka_cluster.py makes the test cluster's.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.sources.connection import load_command_config

PASSWORD = "s3cret-Pa55"


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> Path:
    openssl = shutil.which("openssl")
    assert openssl is not None, "openssl is needed, as for the test cluster's SSL listener"
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2",
         "-subj", "/CN=auditor", "-passout", f"pass:{PASSWORD}"],
        cwd=folder, check=True, capture_output=True,
    )  # fmt: skip
    (folder / "keystore.pem").write_text((folder / "cert.pem").read_text() + (folder / "key.pem").read_text())
    (folder / "garbage.pem").write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    return folder


def _config(folder: Path, **props: str) -> Path:
    lines = {"security.protocol": "SSL", "ssl.truststore.type": "PEM", **props}
    path = folder / "client.properties"
    path.write_text("".join(f"{k}={v}\n" for k, v in lines.items()))
    return path


def test_good_material_loads(material: Path) -> None:
    config = _config(
        material,
        **{
            "ssl.truststore.location": str(material / "cert.pem"),
            "ssl.keystore.type": "PEM",
            "ssl.keystore.location": str(material / "keystore.pem"),
            "ssl.key.password": PASSWORD,
        },
    )
    kwargs = load_command_config(config)
    assert kwargs["ssl_cafile"] == str(material / "cert.pem")
    assert kwargs["ssl_certfile"] == kwargs["ssl_keyfile"] == str(material / "keystore.pem")
    assert kwargs["ssl_password"] == PASSWORD and kwargs["ssl_check_hostname"] is True


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"ssl.truststore.location": "missing.pem"}, "ssl.truststore.location=missing.pem: No such file"),
        ({"ssl.truststore.location": "garbage.pem"}, "ssl.truststore.location=garbage.pem: holds no PEM"),
        (
            {"ssl.keystore.type": "PEM", "ssl.keystore.location": "keystore.pem", "ssl.key.password": "wrong"},
            "ssl.keystore.location=keystore.pem: cannot decrypt the private key: wrong ssl.key.password",
        ),
        (
            {"ssl.keystore.type": "PEM", "ssl.keystore.location": "cert.pem", "ssl.key.password": PASSWORD},
            "ssl.keystore.location=cert.pem: holds no PEM",
        ),
    ],
)
def test_bad_material_is_an_input_error_naming_the_file(
    material: Path, monkeypatch: pytest.MonkeyPatch, props: dict[str, str], message: str
) -> None:
    monkeypatch.chdir(material)
    with pytest.raises(InputError) as raised:
        load_command_config(_config(material, **props))
    assert message in str(raised.value)
    assert PASSWORD not in str(raised.value) and "wrong=" not in str(raised.value)
