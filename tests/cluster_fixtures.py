"""pytest plugin: fixtures for integration tests against the real local Kafka cluster.

Register with ``pytest_plugins = ["tests.cluster_fixtures"]`` in the top-level conftest.
The cluster itself is scripts/kafka_cluster.py (also the ``scripts/kafka-cluster`` CLI).

- ``kafka_cluster`` (session): reuses the running 3-node cluster of this checkout (restarting
  stopped nodes), else starts a fresh one and stops it (deleting its data) at the end of the
  session, unless ``KAFKA_AUDIT_KEEP_CLUSTER=1``.
- ``admin`` (function): kafka-python KafkaAdminClient on the PLAINTEXT (super-user) listener;
  one per test, so a broker restart in one test cannot leave stale client metadata for the next.
- ``make_topic`` (function): creates uniquely named topics, deletes them after the test.
- ``stopped_node`` (function): ``with stopped_node(3): ...`` stops node 3 for the body, then
  restarts it and waits until every partition's ISR is full again.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest

SCRIPTS_DIR = Path(__file__).resolve().parents[1] / "scripts"
if str(SCRIPTS_DIR) not in sys.path:
    sys.path.insert(0, str(SCRIPTS_DIR))

from kafka_cluster import Cluster, Node  # noqa: E402  (lives in scripts/, not in a package)

CLUSTER_NODES = 3
MakeTopic = Callable[..., str]


@pytest.fixture(scope="session")
def kafka_cluster() -> Iterator[Cluster]:
    cluster = Cluster.load()
    created = cluster.up(CLUSTER_NODES) is not None  # None: reused the running cluster
    try:
        yield cluster
    finally:
        if created and os.environ.get("KAFKA_AUDIT_KEEP_CLUSTER") != "1":
            cluster.down()


@pytest.fixture
def admin(kafka_cluster: Cluster) -> Iterator[Any]:
    client = kafka_cluster.admin_client()
    try:
        yield client
    finally:
        client.close()


def unique_topic_name(prefix: str) -> str:
    """``<prefix>-<8 random hex digits>``: unique, and short enough to show in full in report tables."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def make_topic(kafka_cluster: Cluster, admin: Any) -> Iterator[MakeTopic]:
    """``make_topic(prefix="t", partitions=1, replication_factor=<nodes>, configs=None) -> name``."""
    created: list[str] = []

    def make(
        prefix: str = "t",
        *,
        partitions: int = 1,
        replication_factor: int | None = None,
        configs: dict[str, str] | None = None,
    ) -> str:
        name = unique_topic_name(prefix)
        spec = {
            "num_partitions": partitions,
            "replication_factor": replication_factor or len(kafka_cluster.nodes),
            "configs": dict(configs or {}),
        }
        admin.create_topics({name: spec}, wait_for_metadata=True)
        created.append(name)
        return name

    yield make
    if created:
        # A fresh client: after a test stopped and restarted a broker, kafka-python 3.0.12's admin client
        # may keep routing controller requests to a broker missing from its cached metadata
        # (UnknownBrokerIdError until the next metadata refresh, up to metadata_max_age_ms).
        with kafka_cluster.admin_client() as fresh:
            fresh.delete_topics(created, raise_errors=False)


@pytest.fixture
def stopped_node(kafka_cluster: Cluster) -> Callable[..., AbstractContextManager[Node]]:
    """``with stopped_node(n, kill=False): ...`` -- see ``Cluster.stopped``."""
    return kafka_cluster.stopped


def scram_client_properties(folder: Path, user: str, password: str) -> Path:
    """A client properties file logging in as `user` over the harness's SASL_PLAINTEXT listener."""
    path = folder / f"{user}.properties"
    path.write_text(
        "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n"
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{user}" password="{password}";\n'
    )
    return path


@contextmanager
def scram_user_with_auditor_grants(admin: Any, user: str, password: str, denied: list[Any]) -> Iterator[str]:
    """A SCRAM user holding the auditor's read-only grants, with the `denied` (operation, resource
    pattern) pairs denied on top (a DENY wins over an ALLOW); removed after the block."""
    from kafka.admin import (
        ACL,
        ACLFilter,
        ACLOperation,
        ACLPermissionType,
        ACLResourcePatternType,
        ResourcePattern,
        ResourcePatternFilter,
        ResourceType,
        UserScramCredentialDeletion,
        UserScramCredentialUpsertion,
    )

    principal = f"User:{user}"
    allow, deny = ACLPermissionType.ALLOW, ACLPermissionType.DENY
    cluster = ResourcePattern(ResourceType.CLUSTER, "kafka-cluster")
    topics = ResourcePattern(ResourceType.TOPIC, "*")
    groups = ResourcePattern(ResourceType.GROUP, "*")
    acls = [
        ACL(principal, "*", ACLOperation.DESCRIBE, allow, cluster),
        ACL(principal, "*", ACLOperation.DESCRIBE_CONFIGS, allow, cluster),
        ACL(principal, "*", ACLOperation.DESCRIBE, allow, topics),
        ACL(principal, "*", ACLOperation.DESCRIBE_CONFIGS, allow, topics),
        ACL(principal, "*", ACLOperation.DESCRIBE, allow, groups),
        *(ACL(principal, "*", operation, deny, pattern) for operation, pattern in denied),
    ]
    admin.alter_user_scram_credentials([UserScramCredentialUpsertion(user, "SCRAM-SHA-512", password)])
    admin.create_acls(acls)
    time.sleep(2)  # ACLs and credentials propagate through the metadata log to every broker
    try:
        yield principal
    finally:
        everything = ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY)
        admin.delete_acls([ACLFilter(principal, None, ACLOperation.ANY, ACLPermissionType.ANY, everything)])
        admin.alter_user_scram_credentials([UserScramCredentialDeletion(user, "SCRAM-SHA-512")])
