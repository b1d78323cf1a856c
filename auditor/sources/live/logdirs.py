"""DescribeLogDirs: the size of every partition replica, for the plan's data-movement estimate.

Read-only (DESCRIBE on the cluster). One request per live broker, sent at once; a broker that
does not answer or refuses makes the sizes a gap, never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from auditor.sources.live.acls import CLUSTER_AUTHORIZATION_FAILED, DESCRIBE, on_cluster, refused
from auditor.sources.live.session import Session

PartitionSizes = dict[tuple[str, int], int]


def partition_sizes(session: Session, broker_ids: Iterable[int]) -> tuple[PartitionSizes | None, str | None]:
    """(the largest replica size of each partition, None) or (None, why not)."""
    from kafka.protocol.admin import DescribeLogDirsRequest

    ids = list(broker_ids)
    answers = session.parallel({b: _asker(session, DescribeLogDirsRequest(topics=None), b) for b in ids})
    sizes: PartitionSizes = {}
    for broker, answer in answers.items():
        if isinstance(answer, Exception):
            return None, f"DescribeLogDirs on broker {broker}: {refused(session, answer, on_cluster(DESCRIBE))}"
        problem = _read(session, answer, sizes)
        if problem:
            return None, f"DescribeLogDirs on broker {broker}: {problem}"
    return sizes, None


def _asker(session: Session, request: Any, broker: int) -> Any:
    return lambda: session.send(request, node_id=broker)


def _read(session: Session, answer: Any, sizes: PartitionSizes) -> str | None:
    code = getattr(answer, "error_code", 0) or 0
    if code:
        return refused(session, code, on_cluster(DESCRIBE))
    if not answer.results:  # every broker has a log directory: before v3 an unauthorized answer is empty
        unauthorized = refused(session, CLUSTER_AUTHORIZATION_FAILED, on_cluster(DESCRIBE))
        return f"no log directory in the answer, as DescribeLogDirs before v3 answers {unauthorized}"
    for result in answer.results:
        if result.error_code:
            continue  # an offline log dir holds no replica it could serve
        for topic in result.topics:
            for p in topic.partitions:
                if p.is_future_key:
                    continue
                key = (topic.name, p.partition_index)
                sizes[key] = max(sizes.get(key, 0), int(p.partition_size))
    return None
