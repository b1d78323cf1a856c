"""A refused read names the ACL the principal lacks and the kafka-acls command that grants it
(auditor/sources/live/acls.py); other errors keep their own name, with no ACL made up."""

from __future__ import annotations

import shlex
from types import SimpleNamespace
from typing import Any

import pytest
from kafka.errors import ClusterAuthorizationFailedError, KafkaConnectionError

from auditor.sources.connection import ConnectionSettings
from auditor.sources.live.acls import (
    CLUSTER_AUTHORIZATION_FAILED,
    DESCRIBE,
    DESCRIBE_CONFIGS,
    GROUP_AUTHORIZATION_FAILED,
    TOPIC_AUTHORIZATION_FAILED,
    TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
    on_cluster,
    on_group,
    on_topic,
    on_transactional_id,
    principal_of,
    refused,
)
from auditor.sources.live.session import Session

SCRAM = {"security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512", "sasl_plain_username": "auditor"}


def session(client: dict[str, Any], command_config: str | None = "client.properties") -> Session:
    settings = ConnectionSettings(("b1:9093", "b2:9093"), 10.0, client, command_config)
    return Session(SimpleNamespace(), 10.0, settings=settings)


def test_a_refused_broker_config_names_describe_configs_on_the_cluster_and_the_grant() -> None:
    text = refused(session(SCRAM), CLUSTER_AUTHORIZATION_FAILED, on_cluster(DESCRIBE_CONFIGS))
    reason, command = text.split("; an administrator grants it read-only with: ")
    assert reason == "ClusterAuthorizationFailedError: User:auditor needs DESCRIBE_CONFIGS on Cluster kafka-cluster"
    assert shlex.split(command) == [
        "kafka-acls.sh", "--bootstrap-server", "b1:9093,b2:9093", "--command-config", "ADMIN_CLIENT.properties",
        "--add", "--allow-principal", "User:auditor", "--operation", "DescribeConfigs", "--cluster",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "acl", "needs", "flags"),
    [
        (GROUP_AUTHORIZATION_FAILED, on_group("payments"), "DESCRIBE on Group 'payments'", ["--group", "payments"]),
        (
            TOPIC_AUTHORIZATION_FAILED,
            on_topic(DESCRIBE_CONFIGS, "orders; rm"),
            "DESCRIBE_CONFIGS on Topic 'orders; rm'",
            ["--topic", "orders; rm"],
        ),
        (TOPIC_AUTHORIZATION_FAILED, on_topic(DESCRIBE, "orders"), "DESCRIBE on Topic 'orders'", ["--topic", "orders"]),
        (
            TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
            on_transactional_id("tx-1"),
            "DESCRIBE on TransactionalId 'tx-1'",
            ["--transactional-id", "tx-1"],
        ),
    ],
)
def test_each_resource_kind_is_named_and_granted_alone(code: int, acl: Any, needs: str, flags: list[str]) -> None:
    text = refused(session(SCRAM), code, acl)
    assert f"User:auditor needs {needs};" in text
    command = shlex.split(text.split("read-only with: ")[1])
    assert command[-len(flags) :] == flags
    assert command[command.index("--operation") + 1] == ("Describe" if acl.operation == DESCRIBE else "DescribeConfigs")


def test_a_raised_authorization_error_is_named_as_a_code_is() -> None:
    text = refused(session(SCRAM), ClusterAuthorizationFailedError(), on_cluster(DESCRIBE))
    assert "needs DESCRIBE on Cluster kafka-cluster" in text and "--operation Describe --cluster" in text


def test_an_error_that_is_not_an_authorization_failure_names_no_acl() -> None:
    text = refused(session(SCRAM), KafkaConnectionError("111 ECONNREFUSED"), on_cluster(DESCRIBE))
    assert text == "KafkaConnectionError: 111 ECONNREFUSED"
    assert refused(session(SCRAM), 7, on_topic(DESCRIBE, "t"), "timed out") == "RequestTimedOutError (timed out)"


@pytest.mark.parametrize(
    ("client", "principal"),
    [
        (SCRAM, "User:auditor"),
        ({**SCRAM, "security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "PLAIN"}, "User:auditor"),
        ({}, "User:ANONYMOUS"),
        ({"security_protocol": "SSL"}, "User:PRINCIPAL"),  # the certificate's name after the brokers' mapping
        ({"security_protocol": "SASL_SSL", "sasl_mechanism": "OAUTHBEARER"}, "User:PRINCIPAL"),
    ],
)
def test_the_principal_is_named_only_when_the_settings_tell_it(client: dict[str, Any], principal: str) -> None:
    assert principal_of(session(client)) == principal


def test_a_session_without_settings_names_placeholders_not_guesses() -> None:
    text = refused(Session(SimpleNamespace(), 10.0), TOPIC_AUTHORIZATION_FAILED, on_topic(DESCRIBE, "t"))
    assert text.endswith("User:PRINCIPAL needs DESCRIBE on Topic 't'; an administrator grants it read-only with: "
                         "kafka-acls.sh --bootstrap-server BOOTSTRAP --add --allow-principal User:PRINCIPAL "
                         "--operation Describe --topic t")  # fmt: skip


def test_without_a_client_file_the_grant_has_no_command_config() -> None:
    text = refused(session({}, command_config=None), GROUP_AUTHORIZATION_FAILED, on_group("g"))
    assert "--command-config" not in text
    assert text.endswith("kafka-acls.sh --bootstrap-server b1:9093,b2:9093 --add --allow-principal User:ANONYMOUS "
                         "--operation Describe --group g")  # fmt: skip
