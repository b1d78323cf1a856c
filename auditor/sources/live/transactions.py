"""Open transactions (informational): ListTransactions on every broker, DescribeTransactions on
the coordinator that listed them. A transaction open longer than `transaction.max.timeout.ms`
plus five minutes is flagged hanging, as `kafka-transactions.sh find-hanging` pads it.

The broker lists only the transactional ids the principal may describe; ids it may not see are
filtered out by the broker without an error.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from functools import partial
from typing import Any

from auditor.model import Transaction
from auditor.sources.live.acls import on_transactional_id, refused
from auditor.sources.live.session import Session, describe_error, error_name

FINISHED = frozenset({"Empty", "CompleteCommit", "CompleteAbort", "Dead"})
HANGING_SLACK_MS = 5 * 60 * 1000
DEFAULT_MAX_TIMEOUT_MS = 900_000


def collect_transactions(
    session: Session, broker_ids: Sequence[int], max_timeout_ms: int | None
) -> tuple[Transaction, ...]:
    from kafka.protocol.admin.transactions import DescribeTransactionsRequest, ListTransactionsRequest

    listed: dict[int, list[str]] = defaultdict(list)
    answers = session.parallel({b: partial(session.send, ListTransactionsRequest(), b) for b in broker_ids})
    for broker_id, answer in answers.items():
        error = describe_error(answer) if isinstance(answer, Exception) else _error(answer.error_code)
        if error or isinstance(answer, Exception):
            session.gap(f"transactions coordinated by broker {broker_id}", f"not listed: {error}")
            continue
        listed[broker_id] = [
            t.transactional_id for t in answer.transaction_states if t.transaction_state not in FINISHED
        ]
    calls = {
        b: partial(session.send, DescribeTransactionsRequest(transactional_ids=ids), b)
        for b, ids in listed.items()
        if ids
    }
    threshold = (max_timeout_ms or DEFAULT_MAX_TIMEOUT_MS) + HANGING_SLACK_MS
    found: list[Transaction] = []
    for broker_id, answer in session.parallel(calls).items():
        if isinstance(answer, Exception):
            for tid in listed[broker_id]:
                reason = refused(session, answer, on_transactional_id(tid))
                session.gap(f"transaction {tid}", f"not described: {reason}")
            continue
        found.extend(_transactions(session, answer, threshold))
    return tuple(sorted(found, key=lambda t: t.transactional_id))


def _error(code: int) -> str | None:
    return error_name(code) if code else None


def _transactions(session: Session, response: Any, threshold_ms: int) -> list[Transaction]:
    now_ms = int(time.time() * 1000)
    found = []
    for state in response.transaction_states:
        if state.error_code:
            reason = refused(session, state.error_code, on_transactional_id(state.transactional_id))
            session.gap(f"transaction {state.transactional_id}", f"not described: {reason}")
            continue
        started = state.transaction_start_time_ms
        duration = now_ms - started if started >= 0 else None
        found.append(
            Transaction(
                transactional_id=state.transactional_id,
                state=state.transaction_state,
                producer_id=state.producer_id,
                duration_ms=duration,
                partitions=tuple(sorted(f"{t.topic}-{p}" for t in state.topics for p in t.partitions)),
                hanging=duration is not None and state.transaction_state not in FINISHED and duration > threshold_ms,
            )
        )
    return found
