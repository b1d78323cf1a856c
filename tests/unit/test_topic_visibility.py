"""When the auditing principal is known to see every topic, and when the coverage must say it
may not (#11 point 15); the real cluster's case is tests/integration/test_topic_visibility.py."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.model import ConfigSource, ConfigValue
from auditor.sources.live.visibility import ALLOW, DENY, PATTERN_LITERAL, _sees_every_topic, invisible_topics, principal

DESCRIBE, READ, CREATE = 8, 3, 5
PREFIXED = 4
STANDARD = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"


def broker_configs(authorizer: str) -> dict[int, Any]:
    value = ConfigValue("authorizer.class.name", authorizer, ConfigSource.STATIC_BROKER)
    return {b: {"authorizer.class.name": value} for b in (1, 2, 3)}


class NoAcls:
    """A session whose DescribeAcls request fails, as against a broker that refuses it."""

    def send(self, request: Any, node_id: int | None = None) -> Any:
        raise PermissionError("ClusterAuthorizationFailedError")


@pytest.mark.parametrize(
    ("client", "expected"),
    [
        ({}, "User:ANONYMOUS"),
        ({"security_protocol": "SSL", "ssl_cafile": "ca.pem"}, "User:ANONYMOUS"),
        ({"security_protocol": "SSL", "ssl_certfile": "client.pem"}, None),
        (
            {"security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512", "sasl_plain_username": "audit"},
            "User:audit",
        ),
        ({"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "OAUTHBEARER"}, None),
    ],
)
def test_the_principal_is_known_only_when_the_settings_name_it(client: dict[str, str], expected: str | None) -> None:
    assert principal(client) == expected


def test_no_authorizer_on_any_broker_hides_nothing() -> None:
    assert invisible_topics(NoAcls(), broker_configs(""), [1, 2, 3], None, None) is None  # type: ignore[arg-type]


def test_a_super_user_sees_everything() -> None:
    every = ["CREATE", "ALTER", "DESCRIBE", "CLUSTER_ACTION", "DESCRIBE_CONFIGS", "ALTER_CONFIGS", "IDEMPOTENT_WRITE"]
    assert invisible_topics(NoAcls(), broker_configs(STANDARD), [1, 2, 3], "User:a", every) is None  # type: ignore[arg-type]


def test_a_broker_whose_authorizer_was_not_read_leaves_visibility_unknown() -> None:
    configs = broker_configs("")
    del configs[3]
    reason = invisible_topics(NoAcls(), configs, [1, 2, 3], "User:a", ["DESCRIBE"])  # type: ignore[arg-type]
    assert reason is not None and "ACLs could not be read" in reason


def test_an_unknown_principal_is_said() -> None:
    reason = invisible_topics(NoAcls(), broker_configs(STANDARD), [1, 2, 3], None, ["DESCRIBE"])  # type: ignore[arg-type]
    assert reason is not None and "mapping rules" in reason


@pytest.mark.parametrize(
    ("acls", "sees"),
    [
        ([("User:audit", "*", PATTERN_LITERAL, DESCRIBE, ALLOW)], True),
        ([("User:*", "*", PATTERN_LITERAL, READ, ALLOW)], True),  # READ implies DESCRIBE
        ([("User:audit", "*", PATTERN_LITERAL, CREATE, ALLOW)], False),  # CREATE does not
        ([("User:audit", "orders", PATTERN_LITERAL, DESCRIBE, ALLOW)], False),
        ([("User:audit", "*", PREFIXED, DESCRIBE, ALLOW)], False),
        ([("User:other", "*", PATTERN_LITERAL, DESCRIBE, ALLOW)], False),
        (
            [
                ("User:audit", "*", PATTERN_LITERAL, DESCRIBE, ALLOW),
                ("User:audit", "pii", PATTERN_LITERAL, DESCRIBE, DENY),
            ],
            False,
        ),
    ],
)
def test_acls_that_let_the_principal_describe_every_topic(
    acls: list[tuple[str, str, int, int, int]], sees: bool
) -> None:
    assert _sees_every_topic(acls, "User:audit") is sees
