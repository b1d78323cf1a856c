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
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
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
