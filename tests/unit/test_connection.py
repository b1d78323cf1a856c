from __future__ import annotations

from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.sources.connection import load_command_config, parse_bootstrap, parse_jaas_options

SCRAM = (
    "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n"
    "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n"
    '    username="auditor" password="p@ss word=;x";\n'
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "client.properties"
    path.write_text(text)
    return path


def test_scram_command_config(tmp_path: Path) -> None:
    kwargs = load_command_config(write(tmp_path, SCRAM))
    assert kwargs == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "auditor",
        "sasl_plain_password": "p@ss word=;x",
    }


def test_pem_ssl(tmp_path: Path) -> None:
    text = (
        "security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=/ca.pem\n"
        "ssl.keystore.type=PEM\nssl.keystore.location=/client.pem\nssl.key.password=k\n"
        "ssl.endpoint.identification.algorithm=\n"
    )
    # The mapping of good material is in test_tls_preflight; files that are not there are exit 2.
    with pytest.raises(InputError, match=r"ssl\.truststore\.location=/ca\.pem: No such file or directory"):
        load_command_config(write(tmp_path, text))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("security.protocol=SSL\nssl.truststore.location=/t.jks\n", r"ssl.truststore.location=/t.jks: No such file"),
        ("security.protocol=SASL_SSL\nsasl.mechanism=GSSAPI\n", "sasl.mechanism=GSSAPI is not supported"),
        ("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n", "must set username and password"),
        ("security.protocol=TLS\n", "security.protocol=TLS is not one of"),
    ],
)
def test_settings_that_cannot_be_honoured_are_input_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_command_config(write(tmp_path, text))


def test_missing_command_config_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_command_config(tmp_path / "absent.properties")


def test_jaas_unquoted_values() -> None:
    assert parse_jaas_options("M required username=bob password=secret;") == {"username": "bob", "password": "secret"}


@pytest.mark.parametrize("value", ["", "host", "host:port", ":9092", " , "])
def test_bad_bootstrap(value: str) -> None:
    with pytest.raises(InputError):
        parse_bootstrap(value)


def test_bootstrap_list() -> None:
    assert parse_bootstrap("a:1, b:2") == ("a:1", "b:2")


def test_oauthbearer_token_from_a_file(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("eyJhbGciOiJub25lIn0.e30.\n")
    text = (
        f"security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\nsasl.oauthbearer.token.endpoint.url=file://{token}\n"
    )
    kwargs = load_command_config(write(tmp_path, text))
    assert kwargs["sasl_mechanism"] == "OAUTHBEARER"
    assert kwargs["sasl_oauth_token_provider"].token() == "eyJhbGciOiJub25lIn0.e30."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\n"
            "sasl.oauthbearer.token.endpoint.url=https://idp.example/token\n",
            "needs the token in a file",
        ),
        (
            "security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\n"
            "sasl.oauthbearer.token.endpoint.url=file:///nonexistent/token\n",
            "no token file at /nonexistent/token",
        ),
        ("security.protocol=SSL\nssl.truststore.certificates=-----BEGIN CERTIFICATE-----\n", "write it to a PEM file"),
        ("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=NTLM\n", "use one of PLAIN"),  # AWS_MSK_IAM: test_msk_iam.py
    ],
)
def test_oauth_and_inline_pem_that_cannot_be_honoured(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_command_config(write(tmp_path, text))
