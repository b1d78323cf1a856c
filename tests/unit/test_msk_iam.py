"""MSK IAM in --command-config: the token AWS's signer builds (no AWS needed: it is a presigned URL,
signed offline with the credentials boto3 finds; here, ones from the environment)."""

from __future__ import annotations

import base64
import importlib.util
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlparse

import pytest

from auditor.errors import InputError
from auditor.sources.connection import client_kwargs

# AWS's documented example pair
ACCESS_KEY, SECRET_KEY = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

# AWS's documented client.properties for MSK IAM (Java), both forms
AWS_MSK_IAM = {
    "security.protocol": "SASL_SSL",
    "sasl.mechanism": "AWS_MSK_IAM",
    "sasl.jaas.config": "software.amazon.msk.auth.iam.IAMLoginModule required;",
    "sasl.client.callback.handler.class": "software.amazon.msk.auth.iam.IAMClientCallbackHandler",
    "bootstrap.servers": "b-1.orders.a1b2c3.c2.kafka.eu-west-1.amazonaws.com:9098",
}
OAUTHBEARER = {
    "security.protocol": "SASL_SSL",
    "sasl.mechanism": "OAUTHBEARER",
    "sasl.jaas.config": "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;",
    "sasl.login.callback.handler.class": "software.amazon.msk.auth.iam.IAMOAuthBearerLoginCallbackHandler",
    "sasl.client.callback.handler.class": "software.amazon.msk.auth.iam.IAMOAuthBearerLoginCallbackHandler",
    "bootstrap.servers": "b-1.orders.a1b2c3.c2.kafka.eu-west-1.amazonaws.com:9098",
}


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def signed_url(props: dict[str, str]) -> tuple[str, dict[str, list[str]]]:
    kwargs = client_kwargs(props, "client.properties")
    assert kwargs["sasl_mechanism"] == "OAUTHBEARER"
    token = kwargs["sasl_oauth_token_provider"].token()
    url = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    assert SECRET_KEY not in token and SECRET_KEY not in url
    return url, parse_qs(urlparse(url).query)


@pytest.mark.parametrize("props", [AWS_MSK_IAM, OAUTHBEARER], ids=["AWS_MSK_IAM", "OAUTHBEARER"])
@pytest.mark.usefixtures("aws_env")
def test_the_token_is_a_presigned_kafka_cluster_connect(props: dict[str, str]) -> None:
    url, query = signed_url(props)
    assert urlparse(url).netloc == "kafka.eu-west-1.amazonaws.com"  # region from the bootstrap host
    assert query["Action"] == ["kafka-cluster:Connect"]
    today = datetime.now(timezone.utc).strftime("%Y%m%d")
    assert query["X-Amz-Credential"] == [f"{ACCESS_KEY}/{today}/eu-west-1/kafka-cluster/aws4_request"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and len(query["X-Amz-Signature"][0]) == 64


@pytest.mark.usefixtures("aws_env")
def test_aws_region_wins_over_the_host_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "us-east-2")
    url, query = signed_url(AWS_MSK_IAM)
    assert urlparse(url).netloc == "kafka.us-east-2.amazonaws.com"
    assert "/us-east-2/kafka-cluster/" in query["X-Amz-Credential"][0]


@pytest.mark.usefixtures("aws_env")
def test_without_a_region_it_says_how_to_give_one() -> None:
    props = AWS_MSK_IAM | {"bootstrap.servers": "kafka.internal:9098"}
    with pytest.raises(InputError, match="set AWS_REGION"):
        client_kwargs(props, "client.properties")


def test_without_the_extra_it_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if "msk" in name else real(name))
    with pytest.raises(InputError, match=r"pip install 'kafka-audit\[msk\]'"):
        client_kwargs(AWS_MSK_IAM, "client.properties")
