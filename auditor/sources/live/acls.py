"""A refused read names the ACL it lacks, and the kafka-acls command that grants it read-only.

Kafka answers TOPIC_, GROUP_, CLUSTER_ and TRANSACTIONAL_ID_AUTHORIZATION_FAILED without saying
which operation it checked; the operation is fixed by the request (Kafka's documentation,
"Operations and Resources on Protocols"), so each read says what it needs:

| read | needs |
|---|---|
| DescribeConfigs of a topic | DESCRIBE_CONFIGS on the Topic |
| DescribeConfigs of a broker | DESCRIBE_CONFIGS on the Cluster |
| Metadata, DescribeTopicPartitions, ListOffsets | DESCRIBE on the Topic |
| DescribeGroups, OffsetFetch | DESCRIBE on the Group |
| ListGroups (when refused whole), DescribeQuorum, ListPartitionReassignments, DescribeLogDirs | DESCRIBE on Cluster |
| DescribeTransactions | DESCRIBE on the TransactionalId |

The grant is worded for an administrator (the auditor's own principal cannot alter ACLs): with a
client properties file of theirs when the audit needed one.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditor.sources.live.session import describe_error, error_name

if TYPE_CHECKING:
    from auditor.sources.live.session import Session

TOPIC_AUTHORIZATION_FAILED, GROUP_AUTHORIZATION_FAILED, CLUSTER_AUTHORIZATION_FAILED = 29, 30, 31
TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53
AUTHORIZATION_FAILED = frozenset(
    {TOPIC_AUTHORIZATION_FAILED, GROUP_AUTHORIZATION_FAILED, CLUSTER_AUTHORIZATION_FAILED,
     TRANSACTIONAL_ID_AUTHORIZATION_FAILED}
)  # fmt: skip
DESCRIBE, DESCRIBE_CONFIGS = "DESCRIBE", "DESCRIBE_CONFIGS"
CLUSTER_NAME = "kafka-cluster"  # the one Cluster resource's name in Kafka's ACLs
UNKNOWN_PRINCIPAL = "User:PRINCIPAL"  # to fill in: the settings do not tell who the brokers see
ADMIN_CLIENT_CONFIG = "ADMIN_CLIENT.properties"  # the administrator's, not the auditor's
_OPERATION_FLAG = {DESCRIBE: "Describe", DESCRIBE_CONFIGS: "DescribeConfigs"}  # kafka-acls --operation
_RESOURCE_FLAG = {"Topic": "--topic", "Group": "--group", "TransactionalId": "--transactional-id"}
_PASSWORD_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


@dataclass(frozen=True)
class Acl:
    """An operation on a resource, as Kafka's authorizer names them (`DESCRIBE on Group 'payments'`)."""

    operation: str
    resource_type: str  # Kafka's ResourceType: Cluster, Topic, Group, TransactionalId
    name: str = CLUSTER_NAME

    def __str__(self) -> str:
        shown = self.name if self.resource_type == "Cluster" else f"'{self.name}'"
        return f"{self.operation} on {self.resource_type} {shown}"


def on_cluster(operation: str) -> Acl:
    return Acl(operation, "Cluster")


def on_topic(operation: str, name: str) -> Acl:
    return Acl(operation, "Topic", name)


def on_group(name: str) -> Acl:
    return Acl(DESCRIBE, "Group", name)


def on_transactional_id(name: str) -> Acl:
    return Acl(DESCRIBE, "TransactionalId", name)


def refused(session: Session, error: int | BaseException, acl: Acl, detail: str | None = None) -> str:
    """Why a read failed: the error's name (and the broker's `detail`), and for an authorization
    failure the ACL the principal lacks and the command that grants it."""
    code = error if isinstance(error, int) else getattr(error, "errno", None)
    text = error_name(error) if isinstance(error, int) else describe_error(error)
    text += f" ({detail})" if detail else ""
    if code not in AUTHORIZATION_FAILED:
        return text
    principal = principal_of(session)
    command = grant(session, acl, principal)
    return f"{text}: {principal} needs {acl}; an administrator grants it read-only with: {command}"


def principal_of(session: Session) -> str:
    """The principal the brokers see for these client settings: `User:<name>` for a SASL
    PLAIN/SCRAM login, `User:ANONYMOUS` for PLAINTEXT, else `User:PRINCIPAL` (a certificate's
    distinguished name after the brokers' mapping rules, a Kerberos or OAuth identity)."""
    if session.settings is None:
        return UNKNOWN_PRINCIPAL
    config = session.settings.client
    mechanism = str(config.get("sasl_mechanism") or "").upper()
    protocol = str(config.get("security_protocol") or "PLAINTEXT").upper()
    if protocol.startswith("SASL") and mechanism in _PASSWORD_MECHANISMS and config.get("sasl_plain_username"):
        return f"User:{config['sasl_plain_username']}"
    if protocol == "PLAINTEXT":
        return "User:ANONYMOUS"
    return UNKNOWN_PRINCIPAL


def grant(session: Session, acl: Acl, principal: str) -> str:
    """kafka-acls.sh adding exactly `acl` for `principal` (an ALLOW of a read-only operation)."""
    settings = session.settings
    servers = ",".join(settings.bootstrap_servers) if settings else "BOOTSTRAP"
    words = ["kafka-acls.sh", "--bootstrap-server", servers]
    if settings is not None and settings.command_config is not None:
        words += ["--command-config", ADMIN_CLIENT_CONFIG]
    words += ["--add", "--allow-principal", principal, "--operation", _OPERATION_FLAG[acl.operation]]
    words += ["--cluster"] if acl.resource_type == "Cluster" else [_RESOURCE_FLAG[acl.resource_type], acl.name]
    return shlex.join(words)
