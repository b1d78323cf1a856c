"""JKS and PKCS12 stores in --command-config, read into one SSL context.

The stores are the ones scripts/kafka_cluster.py makes for its SSL listener (openssl and the JDK's
keytool, as a Java shop makes them): a CA in a JKS and a PKCS12 truststore, the client's key and
certificate (CN=auditor) in a PKCS12 keystore and a JKS converted from it by keytool.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from kafka_cluster import STORE_PASSWORDS, make_tls_files

from auditor.errors import InputError
from auditor.sources.connection import client_kwargs

TRUST, CLIENT = STORE_PASSWORDS["truststore"], STORE_PASSWORDS["client"]


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tls")
    make_tls_files(folder)
    return folder


def ssl_props(tls: Path, trust: str, key: str | None = None, **extra: str) -> dict[str, str]:
    suffix = {"JKS": "jks", "PKCS12": "p12", "PEM": "pem"}
    props = {
        "security.protocol": "SSL",
        "ssl.truststore.type": trust,
        "ssl.truststore.location": str(tls / ("ca.pem" if trust == "PEM" else f"truststore.{suffix[trust]}")),
    }
    if trust != "PEM":
        props["ssl.truststore.password"] = TRUST
    if key is not None:
        props |= {
            "ssl.keystore.type": key,
            "ssl.keystore.location": str(tls / f"client.{suffix[key]}"),
            "ssl.keystore.password": CLIENT,
        }
    return props | extra


@pytest.mark.parametrize("trust", ["JKS", "PKCS12"])
def test_a_java_truststore_trusts_its_ca(tls: Path, trust: str) -> None:
    context = client_kwargs(ssl_props(tls, trust), "client.properties")["ssl_context"]
    assert [dict(x[0] for x in c["subject"])["commonName"] for c in context.get_ca_certs()] == ["kafka-audit test CA"]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


@pytest.mark.parametrize("key", ["JKS", "PKCS12"])
def test_a_java_keystore_gives_the_client_certificate(
    tls: Path, key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The context loads the key with its chain (a mismatch would raise), through a private
    temporary folder that is gone once loaded."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    made: list[Path] = []
    real_mkdtemp = tempfile.mkdtemp

    def recording_mkdtemp(*args: object, **kwargs: object) -> str:
        folder = real_mkdtemp(*args, **kwargs)  # type: ignore[call-overload]
        made.append(Path(folder))
        assert Path(folder).stat().st_mode & 0o077 == 0, "private to the user"
        return str(folder)

    monkeypatch.setattr(tempfile, "mkdtemp", recording_mkdtemp)
    context = client_kwargs(ssl_props(tls, "PKCS12", key), "client.properties")["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert len(made) == 1 and not made[0].exists()


def test_an_empty_endpoint_identification_algorithm_turns_host_name_checks_off(tls: Path) -> None:
    props = ssl_props(tls, "JKS", **{"ssl.endpoint.identification.algorithm": ""})
    assert client_kwargs(props, "client.properties")["ssl_context"].check_hostname is False


@pytest.mark.parametrize("trust", ["JKS", "PKCS12"])
def test_a_wrong_store_password_names_the_setting_never_the_password(tls: Path, trust: str) -> None:
    props = ssl_props(tls, trust) | {"ssl.truststore.password": "not-the-password"}
    with pytest.raises(InputError) as raised:
        client_kwargs(props, "client.properties")
    message = str(raised.value)
    assert "wrong ssl.truststore.password" in message
    assert "not-the-password" not in message and TRUST not in message


def test_a_jks_key_password_that_differs_from_the_store_password(tls: Path, tmp_path: Path) -> None:
    """keytool lets a key entry have its own password: ssl.key.password opens it."""
    import subprocess

    from kafka_cluster import _keytool

    store = tmp_path / "keyed.jks"
    subprocess.run(
        [_keytool(), "-importkeystore", "-noprompt", "-srckeystore", str(tls / "client.p12"), "-srcstoretype",
         "PKCS12", "-srcstorepass", CLIENT, "-destkeystore", str(store), "-deststoretype", "JKS",
         "-deststorepass", "store-secret", "-destkeypass", "key-secret", "-alias", "auditor"],
        check=True, capture_output=True,
    )  # fmt: skip
    props = ssl_props(tls, "JKS") | {
        "ssl.keystore.type": "JKS",
        "ssl.keystore.location": str(store),
        "ssl.keystore.password": "store-secret",
    }
    with pytest.raises(InputError, match=r"wrong ssl\.key\.password"):
        client_kwargs(props, "client.properties")
    assert isinstance(client_kwargs(props | {"ssl.key.password": "key-secret"}, "c")["ssl_context"], ssl.SSLContext)


def test_a_store_type_kafka_does_not_know_is_an_input_error(tls: Path) -> None:
    with pytest.raises(InputError, match=r"ssl\.truststore\.type=BKS is not one of JKS, PKCS12, PEM"):
        client_kwargs(ssl_props(tls, "JKS", **{"ssl.truststore.type": "BKS"}), "client.properties")
