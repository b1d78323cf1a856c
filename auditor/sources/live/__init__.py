"""Read a live cluster: everything the no-loss checklist needs, read-only, fast, bounded in time.

Only describe/list requests are sent (tests/integration/test_collect_live.py records them with
tests/api_recorder.py).
Whatever cannot be read becomes a CoverageGap with the reason and the collection goes on; only
a cluster that cannot be reached at all raises ClusterUnreachable (exit 3). Each request waits at
most its share of `--timeout`; a registered broker that does not answer in it is marked `silent`
(rule STO020), what another broker can answer is asked there, and the whole collection ends by
the deadline.

Three rounds, each of independent requests sent at once:
1. topics (one Metadata request), controller quorum, features, every broker's configs;
2. topic configs (batched DescribeConfigs), eligible leader replicas, transactions, groups
   (listed on each broker, described and their offsets fetched on their coordinator);
3. the log start / end / retention-boundary offsets of the partitions the groups consume, and
   their offsets at now - p% of retention.ms for the shares the rules judge, one ListOffsets per
   leader and kind.
For a plan (`log_dirs`), round 2 also asks every live broker for its log directories
(DescribeLogDirs): each partition's size, or a gap saying why not, never a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from auditor.errors import AuditError, ClusterUnreachable, CollectionFailed
from auditor.model import (
    CONTROLLER_QUORUM,
    ELIGIBLE_LEADER_REPLICAS,
    TRANSACTIONS,
    Broker,
    ClusterSnapshot,
    Configs,
    NotApplicable,
)
from auditor.sources.connection import ConnectionSettings
from auditor.sources.live import cluster as cluster_info
from auditor.sources.live.acls import DESCRIBE, Acl, on_cluster, refused
from auditor.sources.live.configs import broker_configs, topic_configs
from auditor.sources.live.groups import GroupsRead, finish_groups, read_groups
from auditor.sources.live.session import CollectionTimeout, Session, describe_error, open_session
from auditor.sources.live.topics import (
    describe_topics,
    eligible_leader_replicas,
    reassignments,
    topic,
)
from auditor.sources.live.transactions import collect_transactions
from auditor.sources.live.versions import NotOffered, offered, zookeeper_mode
from auditor.sources.live.visibility import INVISIBLE, invisible_topics, principal

Progress = Callable[[str], None]


def collect(
    settings: ConnectionSettings,
    progress: Progress | None = None,
    shares: Sequence[float] = (),
    log_dirs: bool = False,
) -> ClusterSnapshot:
    """Everything the rules need from the cluster at `settings.bootstrap_servers`; `shares` are the
    percentages of retention.ms at which the consumed partitions' offsets are probed (the rules'
    time-lag thresholds, auditor.engine.probes); `log_dirs`: the replicas' sizes too, in the same
    session (a plan's data-movement estimate)."""
    servers = ",".join(settings.bootstrap_servers)
    try:
        return _collect(settings, progress or (lambda _: None), shares, servers, log_dirs)
    except AuditError:
        raise
    except Exception as exc:  # never a traceback with exit 1: the audit could not be made (exit 3)
        raise CollectionFailed(f"reading the cluster at {servers} failed: {describe_error(exc)}") from exc


def _collect(
    settings: ConnectionSettings, step: Progress, shares: Sequence[float], servers: str, log_dirs: bool
) -> ClusterSnapshot:
    collected_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    step(f"connecting to {servers}")
    with open_session(settings) as session:
        described = _describe_cluster(session, servers)
        absent = not_applicable(session)
        brokers = [cluster_info.broker(b) for b in described["brokers"]]
        ids = [b.id for b in brokers if not b.fenced]
        for fenced in (b for b in brokers if b.fenced):
            session.gap(f"broker {fenced.id}", "fenced (down or starting): its configuration was not read")
        step("reading topics, brokers, quorum and features")
        first = session.parallel(
            {
                "topics": lambda: describe_topics(session),
                "quorum": lambda: None if CONTROLLER_QUORUM in absent else _quorum(session),
                "features": lambda: cluster_info.finalized_features(session.any_node(session.admin.describe_features)),
                "brokers": lambda: broker_configs(session, ids),
            }
        )
        raw_topics = _value(session, first, "topics", "topics", [])
        names = [str(t.name) for t in raw_topics]
        step(configs_step(raw_topics))
        configs_by_broker: dict[int, Configs] = _value(session, first, "brokers", "broker configs", {})
        second = session.parallel(
            {
                "configs": lambda: topic_configs(session, names),
                "elr": lambda: None if ELIGIBLE_LEADER_REPLICAS in absent else eligible_leader_replicas(session, names),
                "groups": lambda: read_groups(session, ids),
                "transactions": lambda: (
                    ()
                    if TRANSACTIONS in absent
                    else collect_transactions(session, ids, _max_txn_timeout(configs_by_broker))
                ),
                "reassignments": lambda: reassignments(session),
                "log_dirs": lambda: _replica_sizes(session, ids) if log_dirs else None,
                "visibility": lambda: invisible_topics(
                    session, configs_by_broker, ids, principal(settings.client), described.get("authorized_operations")
                ),
            }
        )
        hidden = _value(session, second, "visibility", INVISIBLE, None)
        if hidden is not None:
            session.gap(INVISIBLE, hidden)
        topic_configs_by_name: dict[str, Configs] = _value(session, second, "configs", "topic configs", {})
        elr = _value(session, second, "elr", "eligible leader replicas", None)
        moves = _value(session, second, "reassignments", "partition reassignments", None, on_cluster(DESCRIBE))
        topics = {t.name: topic(t, topic_configs_by_name.get(t.name, {}), elr, moves) for t in raw_topics}
        groups_read: GroupsRead | None = _value(session, second, "groups", "consumer groups", None)
        step(offsets_step(groups_read))
        groups = finish_groups(session, groups_read, topics, shares) if groups_read else ()
        silent = session.silent
        return ClusterSnapshot(
            bootstrap=servers,
            command_config=settings.command_config,
            collected_at=collected_at,
            cluster_id=described.get("cluster_id"),
            brokers=tuple(_with_configs(b, configs_by_broker, silent) for b in sorted(brokers, key=lambda b: b.id)),
            topics=tuple(topics[name] for name in sorted(topics)),
            groups=groups,
            quorum=_value(session, first, "quorum", "controller quorum", None, on_cluster(DESCRIBE)),
            features=_value(session, first, "features", "features", {}),
            transactions=_value(session, second, "transactions", "transactions", ()),
            replica_sizes=_value(session, second, "log_dirs", LOG_DIRS, None),
            gaps=session.gaps,  # after every _value above: each may add a gap
            not_applicable=tuple(NotApplicable(resource, reason) for resource, reason in sorted(absent.items())),
        )


def configs_step(raw_topics: Sequence[Any]) -> str:
    """The progress line of round 2, with the counts round 1 found (the Metadata answer's topics)."""
    partitions = sum(len(t.partitions or ()) for t in raw_topics)
    return f"reading configs of {len(raw_topics):,} topics ({partitions:,} partitions), groups and transactions"


def offsets_step(groups: GroupsRead | None) -> str:
    """The progress line of round 3: how many partitions' log offsets, for how many groups."""
    if groups is None:
        return "reading the log offsets of consumed partitions"
    consumed = len({tp for offsets in groups.committed.values() for tp in offsets})
    return f"reading the log offsets of {consumed:,} partitions consumed by {len(groups.listed):,} groups"


def not_applicable(session: Session) -> dict[str, str]:
    """What this cluster cannot have, by its mode and the APIs its brokers offer, and why."""
    from kafka.protocol.admin import DescribeTopicPartitionsRequest
    from kafka.protocol.admin.transactions import ListTransactionsRequest

    absent: dict[str, str] = {}
    if zookeeper_mode(session):
        absent[CONTROLLER_QUORUM] = (
            "a ZooKeeper-mode cluster has no KRaft controller quorum (its brokers offer LeaderAndIsr, "
            "the ZooKeeper-mode controller API)"
        )
    if offered(session, DescribeTopicPartitionsRequest) is None:
        absent[ELIGIBLE_LEADER_REPLICAS] = (
            "the brokers do not offer DescribeTopicPartitions (Kafka 3.7+): eligible leader replicas "
            "(KIP-966) do not exist before it"
        )
    if offered(session, ListTransactionsRequest) is None:
        absent[TRANSACTIONS] = (
            "the brokers do not offer ListTransactions (Kafka 3.0+): open transactions cannot be listed"
        )
    return absent


def _quorum(session: Session) -> Any:
    """The KRaft controller quorum; a gap naming the missing API when a KRaft broker lacks it."""
    from kafka.protocol.admin import DescribeQuorumRequest

    if offered(session, DescribeQuorumRequest) is None:
        raise NotOffered("the brokers do not offer DescribeQuorum (KRaft brokers before Kafka 3.3)")
    return cluster_info.quorum(cluster_info.describe_quorum(session))


def _describe_cluster(session: Session, servers: str) -> dict[str, Any]:
    """DescribeCluster: the first answer; without it nothing was collected (exit 3)."""
    from kafka.errors import KafkaError

    try:
        described: dict[str, Any] = session.bounded(lambda: cluster_info.describe_cluster(session))
    except (KafkaError, OSError, CollectionTimeout) as exc:
        raise ClusterUnreachable(f"cannot describe the cluster at {servers}: {describe_error(exc)}") from exc
    return described


def _value(
    session: Session, answers: dict[str, Any], key: str, resource: str, default: Any, needs: Acl | None = None
) -> Any:
    """The answer to `key`, or `default` and a gap saying why not (with the ACL `needs`, when refused)."""
    answer = answers[key]
    if isinstance(answer, Exception):
        reason = describe_error(answer) if needs is None else refused(session, answer, needs)
        session.gap(resource, f"not read: {reason}")
        return default
    return answer


def _with_configs(broker: Broker, configs: dict[int, Configs], silent: Mapping[int, str]) -> Broker:
    """The broker with its configs, and marked silent when it did not answer within its deadline."""
    return replace(broker, configs=configs.get(broker.id, broker.configs), silent=broker.id in silent)


def _max_txn_timeout(configs: dict[int, Configs]) -> int | None:
    for broker_configs_ in configs.values():
        value = broker_configs_.get("transaction.max.timeout.ms")
        if value is not None and value.value is not None and value.value.isdigit():
            return int(value.value)
    return None


LOG_DIRS = "log directory sizes"


def _replica_sizes(session: Session, broker_ids: Sequence[int]) -> dict[tuple[str, int], int] | None:
    """Each partition's size on disk (DescribeLogDirs); None, and a gap saying why, when not read."""
    from auditor.sources.live.logdirs import partition_sizes

    sizes, problem = partition_sizes(session, broker_ids)
    if problem is not None:
        session.gap(LOG_DIRS, f"not read: {problem}")
    return sizes


__all__ = ["LOG_DIRS", "Progress", "collect"]
