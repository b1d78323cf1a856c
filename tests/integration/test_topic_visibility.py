"""Topics the principal may not DESCRIBE are invisible (#11 point 15), on the real cluster.

Kafka leaves them out of Metadata without an error, so the collector cannot notice them missing;
the coverage says so unless the principal is known to see every topic: a super user (the
harness's PLAINTEXT listener is ANONYMOUS, a super user), or a principal an ACL allows to
DESCRIBE the literal topic `*` with no ACL denying it (the least-privilege `auditor`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from auditor.model import ClusterSnapshot
from auditor.sources.connection import ConnectionSettings, load_command_config
from auditor.sources.live import collect
from auditor.sources.live.visibility import INVISIBLE

pytestmark = pytest.mark.integration


def snapshot_as_auditor(cluster: Any) -> ClusterSnapshot:
    client = load_command_config(cluster.auditor_config_path)
    return collect(ConnectionSettings(tuple(cluster.sasl_bootstrap.split(",")), 20.0, client))


def invisible(snapshot: ClusterSnapshot) -> list[str]:
    return [gap.reason for gap in snapshot.gaps if gap.resource == INVISIBLE]


def test_a_super_user_sees_every_topic(kafka_cluster: Any) -> None:
    snapshot = collect(ConnectionSettings(tuple(kafka_cluster.bootstrap.split(",")), 20.0))
    assert invisible(snapshot) == []


def test_the_least_privilege_auditor_sees_every_topic(kafka_cluster: Any, make_topic: Callable[..., str]) -> None:
    name = make_topic("visible")
    snapshot = snapshot_as_auditor(kafka_cluster)
    assert name in {t.name for t in snapshot.topics}
    assert invisible(snapshot) == []


@pytest.fixture
def denied_topic(kafka_cluster: Any, make_topic: Callable[..., str], admin: Any) -> Iterator[str]:
    """A topic the auditor is denied DESCRIBE on (an ACL a team adds to hide a sensitive topic)."""
    from kafka.admin import ACL, ACLOperation, ACLPermissionType, ACLResourcePatternType, ResourcePattern, ResourceType

    name = make_topic("hidden")
    pattern = ResourcePattern(ResourceType.TOPIC, name, ACLResourcePatternType.LITERAL)
    deny = ACL("User:auditor", "*", ACLOperation.DESCRIBE, ACLPermissionType.DENY, pattern)
    admin.create_acls([deny])
    try:
        yield name
    finally:
        from kafka.admin import ACLFilter

        admin.delete_acls([ACLFilter("User:auditor", "*", ACLOperation.DESCRIBE, ACLPermissionType.DENY, pattern)])


def test_a_topic_denied_to_the_auditor_is_invisible_and_the_coverage_says_so(
    kafka_cluster: Any, denied_topic: str
) -> None:
    snapshot = snapshot_as_auditor(kafka_cluster)
    assert denied_topic not in {t.name for t in snapshot.topics}  # Kafka filters it out, no error
    (reason,) = invisible(snapshot)
    assert "no ACL allows User:auditor to describe every topic" in reason
