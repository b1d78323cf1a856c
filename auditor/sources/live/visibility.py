"""Whether the auditing principal sees every topic.

Kafka leaves out of Metadata every topic the principal may not DESCRIBE, without an error, so
such topics are not a gap the collector can notice: they are simply absent. The principal is
known to see every topic when the brokers run no authorizer, when it is authorized for every
operation on the cluster as super users are (CLUSTER_ACTION included, which clients are not
granted; a principal given ALL on the cluster resource is taken for one), or when an ACL allows
it (or `User:*`) an operation implying DESCRIBE on every topic (the literal `*`) and no ACL
denies it one on topics. Otherwise the coverage says so, as a gap.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from auditor.model import Configs
from auditor.sources.live.session import Session, describe_error

RESOURCE_TOPIC = 2
PATTERN_ANY, PATTERN_LITERAL = 1, 3
OPERATION_ANY, OPERATION_ALL = 1, 2
# READ, WRITE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS imply DESCRIBE (Kafka's AclEntry)
IMPLY_DESCRIBE = {OPERATION_ALL, 3, 4, 6, 7, 8, 10, 11}
DENIED_DESCRIBE = {OPERATION_ALL, 8}
PERMISSION_ANY, DENY, ALLOW = 1, 2, 3
ANYONE = "User:*"
# Every operation the cluster resource has: a super user is authorized for all of them.
SUPER_USER_OPERATIONS = {
    "CREATE",
    "ALTER",
    "DESCRIBE",
    "CLUSTER_ACTION",
    "DESCRIBE_CONFIGS",
    "ALTER_CONFIGS",
    "IDEMPOTENT_WRITE",
}
INVISIBLE = "topics the principal may not describe"


def principal(client: Mapping[str, Any]) -> str | None:
    """The principal the brokers see, when the settings say it: SASL PLAIN/SCRAM's user, or
    `User:ANONYMOUS` without authentication; None for TLS certificates, OAuth and Kerberos, whose
    principal the brokers' mapping rules decide."""
    protocol = str(client.get("security_protocol", "PLAINTEXT"))
    if protocol in ("PLAINTEXT", "SSL") and "ssl_certfile" not in client:
        return "User:ANONYMOUS"  # no client certificate: the TLS listener maps it to ANONYMOUS too
    username = client.get("sasl_plain_username")
    mechanism = str(client.get("sasl_mechanism", ""))
    if protocol.startswith("SASL") and username and (mechanism == "PLAIN" or mechanism.startswith("SCRAM")):
        return f"User:{username}"
    return None


def invisible_topics(
    session: Session,
    configs: Mapping[int, Configs],
    broker_ids: list[int],
    who: str | None,
    cluster_operations: Collection[str] | None,
) -> str | None:
    """Why topics may be missing from what the principal was shown, or None when it sees them all.

    `cluster_operations`: what DescribeCluster said the principal may do on the cluster."""
    read = [configs[b] for b in broker_ids if b in configs]
    authorizers = {_value(c, "authorizer.class.name") for c in read}
    if len(read) == len(broker_ids) and read and authorizers == {""}:
        return None
    if cluster_operations is not None and set(cluster_operations) >= SUPER_USER_OPERATIONS:
        return None
    if who is None:
        return _reason("the principal of these connection settings is decided by the brokers' mapping rules")
    try:
        acls = _topic_acls(session)
    except Exception as exc:  # any failure leaves the visibility unknown, said as such
        return _reason(f"the topic ACLs could not be read ({describe_error(exc)})")
    if _sees_every_topic(acls, who):
        return None
    return _reason(f"no ACL allows {who} to describe every topic (literal '*'), or one denies it")


def _reason(why: str) -> str:
    return f"not visible: Kafka leaves them out without an error, and {why}"


def _value(configs: Configs, key: str) -> str:
    entry = configs.get(key)
    return "" if entry is None or entry.value is None else entry.value.strip()


def _topic_acls(session: Session) -> list[tuple[str, str, int, int, int]]:
    """(principal, resource name, pattern type, operation, permission) of every ACL on topics."""
    from kafka.errors import for_code
    from kafka.protocol.admin import DescribeAclsRequest

    request = DescribeAclsRequest(
        resource_type_filter=RESOURCE_TOPIC,
        resource_name_filter=None,
        pattern_type_filter=PATTERN_ANY,
        principal_filter=None,
        host_filter=None,
        operation=OPERATION_ANY,
        permission_type=PERMISSION_ANY,
        min_version=1,
    )
    response = session.send(request)
    if response.error_code:
        raise for_code(response.error_code)(response.error_message)
    return [
        (acl.principal, resource.resource_name, resource.pattern_type, acl.operation, acl.permission_type)
        for resource in response.resources
        for acl in resource.acls
        if acl.host == "*" or acl.permission_type == DENY
    ]


def _sees_every_topic(acls: list[tuple[str, str, int, int, int]], who: str) -> bool:
    mine = [acl for acl in acls if acl[0] in (who, ANYONE)]
    allowed = any(
        name == "*" and pattern == PATTERN_LITERAL and op in IMPLY_DESCRIBE and permission == ALLOW
        for _, name, pattern, op, permission in mine
    )
    denied = any(op in DENIED_DESCRIBE and permission == DENY for _, _, _, op, permission in mine)
    return allowed and not denied
