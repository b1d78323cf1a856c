"""One bounded conversation with a cluster: every request shares one deadline (`--timeout`).

`Session.send` sends one Kafka request and waits for its answer at most the per-request share
of the budget (ConnectionSettings.request_timeout_s), never past the deadline; `Session.parallel`
runs independent calls at once (the admin client multiplexes them on its IO thread) and turns
every failure or timeout into a value the caller maps to a gap.

A registered broker that does not answer within its share (frozen, overloaded, a listener that
accepts connections and never replies) is recorded once (`Session.silent`): what another broker
can answer is asked there, what only it holds (its configs, the groups it coordinates) becomes a
gap at once, and the collector reports the broker as not answering.

Two kinds of request go to one broker the metadata names, and that broker can change under the
audit: a partition's leader (ListOffsets; leadership moves when a broker restarts, is thawed or a
preferred election runs) and the controller (ListPartitionReassignments, which a ZooKeeper-mode
broker answers only when it is the controller). `send_to_leaders` asks the partitions' leaders
again after one metadata refresh when a leader says it no longer leads (or cannot be reached);
`send_to_controller` asks the controller the refreshed metadata names after NOT_CONTROLLER or a
controller that is down, silent or unknown. Both stay within the request's deadline.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from auditor.errors import ClusterUnreachable
from auditor.model import CoverageGap
from auditor.sources.connection import ConnectionSettings
from auditor.sources.live.versions import NotOffered

if TYPE_CHECKING:
    from kafka import KafkaAdminClient

K = TypeVar("K")
T = TypeVar("T")
TopicPartition = tuple[str, int]

MAX_PARALLEL = 8
ANY_NODE_ATTEMPTS = 3
RETRY_BACKOFF_S = 0.2
DEADLINE_GRACE_S = 0.1  # a request's own timer fires at the deadline; this lets its error arrive
# Partition errors that mean "ask the current leader": UNKNOWN_TOPIC_OR_PARTITION (3, a broker
# that has not yet learnt of the partition), LEADER_NOT_AVAILABLE (5), NOT_LEADER_OR_FOLLOWER (6).
LEADER_MOVED = frozenset({3, 5, 6})
NOT_CONTROLLER = 41

# kafka-python logs connection failures at ERROR; the audit reports them itself. Its DEBUG log
# would print the client configuration, password included: it must never be switched on.
logging.getLogger("kafka").setLevel(logging.CRITICAL)


class CollectionTimeout(Exception):
    """The `--timeout` budget ran out before this call finished."""


class UndecodableAnswer(Exception):
    """kafka-python could not encode a request or decode its answer: a gap naming API and version."""

    def __init__(self, request: Any, cause: BaseException) -> None:
        version = getattr(request, "API_VERSION", None)
        api = type(request).__name__.removesuffix("Request")
        at = f" v{version}" if version is not None else ""
        super().__init__(f"{api}{at} answer not understood by kafka-python ({type(cause).__name__}: {cause})")


class BrokerSilent(Exception):
    """A registered broker that accepted the request and did not answer within its share of the budget."""

    def __init__(self, node_id: int, waited_s: float) -> None:
        super().__init__(f"broker {node_id} did not answer within {waited_s:g}s")
        self.node_id = node_id


@dataclass(frozen=True)
class PartitionError:
    """A partition's error code in a partition-led answer."""

    code: int


# One request to a leader for some of its partitions: each partition's value or error code.
AskLeader = Callable[[int, Sequence[TopicPartition]], Mapping[TopicPartition, T | PartitionError]]
LedAnswers = dict[TopicPartition, T | PartitionError | Exception]


class Session:
    def __init__(
        self,
        admin: KafkaAdminClient,
        timeout_s: float,
        started: float | None = None,
        settings: ConnectionSettings | None = None,
        request_timeout_s: float | None = None,
    ) -> None:
        self.admin = admin
        self.settings = settings  # how the audit connected: named in the commands a gap suggests
        self.timeout_s = timeout_s
        self.request_timeout_s = request_timeout_s or timeout_s
        self.deadline = (started if started is not None else time.monotonic()) + timeout_s
        self._gaps: list[CoverageGap] = []
        self._silent: dict[int, str] = {}
        self._lock = threading.Lock()

    # ---- budget

    def remaining_s(self) -> float:
        return self.deadline - time.monotonic()

    def _budget_ms(self) -> int:
        remaining = self.remaining_s()
        if remaining <= 0.05:
            raise CollectionTimeout(f"timed out (the run's timeout: {self.timeout_s:g}s)")
        return int(min(remaining, self.request_timeout_s) * 1000)

    # ---- brokers that do not answer

    @property
    def silent(self) -> dict[int, str]:
        """Registered brokers that did not answer a request within its deadline: id -> why."""
        with self._lock:
            return dict(self._silent)

    def controller_id(self) -> int | None:
        """The controller the admin client's last metadata names; None when it names none."""
        controller = self.admin._manager.cluster.controller
        return None if controller is None else int(controller.node_id)

    def _mark_silent(self, error: BrokerSilent) -> None:
        with self._lock:
            self._silent.setdefault(error.node_id, str(error))
        self._shun(error.node_id)

    def _shun(self, node_id: int) -> None:
        """Keep the admin client's own broker choice (least loaded node) off a silent broker until
        the deadline: its connection is closed and it is backed off, as after a failed connect."""
        manager = self.admin._manager
        setup_ms = self.request_timeout_s * 1000
        manager._net.call_soon(lambda: manager.close(node_id))
        manager._backoff[node_id] = (1, self.deadline, setup_ms)

    def _pick_node(self) -> int | None:
        """The least loaded broker that has not gone silent, chosen here so that a broker that
        does not answer is known by its id (None: no broker known yet, the client chooses)."""
        silent = self.silent
        manager = self.admin._manager
        chosen: int | None = manager.least_loaded_node()
        if chosen is None or chosen not in silent:
            return chosen
        others = [b.node_id for b in manager.cluster.brokers() if b.node_id not in silent]
        return others[0] if others else chosen

    # ---- requests

    def send(self, request: Any, node_id: int | None = None) -> Any:
        """One request to `node_id` (any live broker when None); its response, or an exception.

        A broker that went silent is not asked again: BrokerSilent at once."""
        if node_id is not None:
            return self._send_once(request, node_id)
        return self.any_node(lambda: self._send_once(request, self._pick_node()))

    def any_node(self, call: Callable[[], T]) -> T:
        """A call that may go to any broker: tried again (elsewhere) when the broker it picked is down
        or does not answer within the per-request deadline."""
        for attempt in range(ANY_NODE_ATTEMPTS):
            try:
                return self._within_request_deadline(call)
            except Exception as exc:
                if attempt + 1 == ANY_NODE_ATTEMPTS or not _retriable_elsewhere(exc):
                    raise
                time.sleep(min(RETRY_BACKOFF_S, max(self.remaining_s(), 0)))
        raise AssertionError("unreachable")

    def _within_request_deadline(self, call: Callable[[], T]) -> T:
        """`call` (an admin-client call that picks its broker itself), given up after one request's
        share of the budget: KafkaTimeoutError, so that it is tried elsewhere."""
        from kafka.errors import KafkaTimeoutError

        wait_s = min(max(self.remaining_s(), 0), self.request_timeout_s) + DEADLINE_GRACE_S
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kafka-audit-call")
        try:
            return pool.submit(call).result(timeout=wait_s)
        except FutureTimeout:
            raise KafkaTimeoutError(f"no answer within {wait_s - DEADLINE_GRACE_S:g}s") from None
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _send_once(self, request: Any, node_id: int | None) -> Any:
        from kafka.errors import KafkaError, KafkaProtocolError, KafkaTimeoutError, RequestTimedOutError

        silent = self.silent
        if node_id is not None and node_id in silent:
            raise BrokerSilent(node_id, self.request_timeout_s)
        budget_ms = self._budget_ms()
        manager = self.admin._manager

        async def exchange() -> Any:
            future = manager.send(request, node_id=node_id, request_timeout_ms=budget_ms)
            return await manager.wait_for(future, budget_ms)

        try:
            return manager.run(exchange)
        except (KafkaTimeoutError, RequestTimedOutError) as exc:
            # this request's wait, or another's on the same connection, ran out: the broker's
            # silence, unless it was the whole collection's deadline that ended the wait
            if node_id is None or self.remaining_s() <= DEADLINE_GRACE_S:
                raise
            error = BrokerSilent(node_id, self.request_timeout_s)
            self._mark_silent(error)
            raise error from exc
        except KafkaProtocolError as exc:
            raise UndecodableAnswer(request, exc) from exc
        except (KafkaError, OSError, CollectionTimeout, TimeoutError):
            raise
        except Exception as exc:  # a struct/KeyError/ValueError from kafka-python's codec
            raise UndecodableAnswer(request, exc) from exc

    # ---- requests to the broker the metadata names: a partition's leader, the controller

    def refresh_metadata(self, topics: Collection[str] = ()) -> Any:
        """A fresh Metadata answer (brokers, controller and `topics`' partitions) from a live broker,
        applied to the admin client so that a broker it names can be connected to."""
        from kafka.protocol.metadata import MetadataRequest

        wanted = [MetadataRequest.MetadataRequestTopic(name=name) for name in sorted(topics)]
        response = self.send(MetadataRequest(topics=wanted, allow_auto_topic_creation=False))

        async def apply() -> None:
            self.admin._manager.cluster.update_metadata(response)

        self.admin._manager.run(apply)
        return response

    def send_to_leaders(self, leader: int, partitions: Sequence[TopicPartition], ask: AskLeader[T]) -> LedAnswers[T]:
        """`ask` `leader` about `partitions`; those it no longer leads (NOT_LEADER_OR_FOLLOWER,
        LEADER_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION), or all when it cannot be reached, are
        asked once more of the leader a fresh Metadata answer names. Each partition's value, error
        code, or the exception its last request raised."""
        answers: LedAnswers[T]
        try:
            answers = dict(ask(leader, partitions))
        except Exception as exc:
            if not _retriable_elsewhere(exc):
                raise
            answers = dict.fromkeys(partitions, exc)
        moved = [tp for tp, a in answers.items() if _leader_moved(a)]
        if not moved or self.remaining_s() <= RETRY_BACKOFF_S:
            return answers
        time.sleep(RETRY_BACKOFF_S)  # the new leader's election reaches the other brokers' metadata
        answers.update(self._ask_current_leaders(moved, ask))
        return answers

    def _ask_current_leaders(self, partitions: Sequence[TopicPartition], ask: AskLeader[T]) -> LedAnswers[T]:
        """Each partition asked of the leader a fresh Metadata answer names; one it names no leader
        for (offline, deleted) is left out: its first answer stands."""
        try:
            leaders = _leaders(self.refresh_metadata({topic for topic, _ in partitions}))
        except Exception as exc:  # the refresh's own failure is each partition's answer
            return dict.fromkeys(partitions, exc)
        by_leader: dict[int, list[TopicPartition]] = {}
        for tp in partitions:
            current = leaders.get(tp)
            if current is not None:
                by_leader.setdefault(current, []).append(tp)
        answers: LedAnswers[T] = {}
        for current, tps in by_leader.items():
            try:
                answers.update(ask(current, tps))
            except Exception as exc:  # the retry's failure is each partition's answer
                answers.update(dict.fromkeys(tps, exc))
        return answers

    def send_to_controller(self, request: Any) -> Any:
        """A controller-only request (a ZooKeeper-mode broker answers it only as the controller; a
        KRaft broker forwards it). To the controller the metadata names; after NOT_CONTROLLER, or
        when that controller is down, silent or unknown, once more to the controller a fresh
        Metadata answer names, or to any live broker when it names none that answers."""
        controller = self.controller_id()
        if controller is not None and controller not in self.silent:
            try:
                response = self.send(request, controller)
            except Exception as exc:
                if not _retriable_elsewhere(exc):
                    raise
            else:
                if getattr(response, "error_code", 0) != NOT_CONTROLLER:
                    return response
        refreshed = self.refresh_metadata().controller_id
        if refreshed is None or refreshed < 0 or refreshed in self.silent:
            return self.send(request)
        return self.send(request, int(refreshed))

    def parallel(self, calls: Mapping[K, Callable[[], T]]) -> dict[K, T | Exception]:
        """Run independent calls at once; each result is its value or the exception it raised."""
        if not calls:
            return {}
        results: dict[K, T | Exception] = {}
        pool = ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(calls)), thread_name_prefix="kafka-audit")
        try:
            futures = {key: pool.submit(call) for key, call in calls.items()}
            for key, future in futures.items():
                try:  # the deadline is hard: a call still running then is left behind as a gap
                    results[key] = future.result(timeout=max(self.remaining_s(), 0) + DEADLINE_GRACE_S)
                except FutureTimeout:
                    results[key] = CollectionTimeout(f"timed out (the run's timeout: {self.timeout_s:g}s)")
                except Exception as exc:
                    results[key] = exc
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        return results

    def bounded(self, call: Callable[[], T]) -> T:
        """A blocking call that must end by the deadline; CollectionTimeout when it does not."""
        result = self.parallel({0: call})[0]
        if isinstance(result, Exception):
            raise result
        return result

    # ---- gaps

    def gap(self, resource: str, reason: str | BaseException) -> None:
        text = reason if isinstance(reason, str) else describe_error(reason)
        with self._lock:
            self._gaps.append(CoverageGap(resource, text))

    @property
    def gaps(self) -> tuple[CoverageGap, ...]:
        with self._lock:
            return tuple(sorted(set(self._gaps), key=lambda g: (g.resource, g.reason)))


def _retriable_elsewhere(exc: BaseException) -> bool:
    """A broker down, not answering, or no longer in the metadata: another broker may answer."""
    from kafka.errors import (
        KafkaConnectionError,
        KafkaTimeoutError,
        NodeNotReadyError,
        RequestTimedOutError,
        UnknownBrokerIdError,
    )

    retriable = (
        KafkaConnectionError,
        NodeNotReadyError,
        RequestTimedOutError,
        KafkaTimeoutError,
        UnknownBrokerIdError,
        BrokerSilent,
    )
    return isinstance(exc, retriable)


def _leader_moved(answer: object) -> bool:
    if isinstance(answer, PartitionError):
        return answer.code in LEADER_MOVED
    return isinstance(answer, Exception) and _retriable_elsewhere(answer)


def _leaders(metadata: Any) -> dict[TopicPartition, int | None]:
    """(topic, partition) -> leader id in a Metadata answer (None: no leader)."""
    return {
        (str(topic["name"]), int(part["partition_index"])): (None if part["leader_id"] < 0 else int(part["leader_id"]))
        for topic in metadata.to_dict()["topics"]
        if not topic.get("error_code")
        for part in topic.get("partitions", ())
    }


@contextmanager
def open_session(settings: ConnectionSettings) -> Iterator[Session]:
    """Connect (bounded by the timeout) and yield a Session; ClusterUnreachable if that fails."""
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    from auditor.sources.live.probe import ProbeFailed, check_bootstrap

    started = time.monotonic()
    servers = ",".join(settings.bootstrap_servers)
    try:
        answered = check_bootstrap(settings.bootstrap_servers, settings.client, settings.timeout_s)
    except ProbeFailed as failed:
        raise ClusterUnreachable(f"cannot connect: {failed}") from failed
    # Bootstrap from the address that answered the probe: kafka-python shuffles the list and would
    # try a silent one again; the cluster's metadata names the other brokers. When the probe cannot
    # tell, the addresses are tried one at a time in the given order.
    addresses = (answered,) if answered is not None else settings.bootstrap_servers
    try:
        admin = _bootstrap(KafkaAdminClient, settings, addresses, started + settings.timeout_s)
    except (KafkaError, OSError) as exc:
        raise ClusterUnreachable(unreachable_message(servers, settings, exc)) from exc
    # A broker that accepts the connection and never answers ApiVersions (frozen, a silent listener)
    # is given up after one request's share, not kafka-python's 10-30 s (the admin client does not
    # take the setting; its connection manager does).
    setup_ms = int(settings.request_timeout_s * 1000)
    admin._manager.config.update(
        socket_connection_setup_timeout_ms=setup_ms, socket_connection_setup_timeout_max_ms=setup_ms
    )
    try:
        yield Session(admin, settings.timeout_s, started, settings, settings.request_timeout_s)
    finally:
        admin.close()


def _bootstrap(
    client: Callable[..., KafkaAdminClient], settings: ConnectionSettings, servers: Sequence[str], deadline: float
) -> Any:
    """The admin client, bootstrapped from one address at a time in the given order, by the
    deadline: an address that accepts connections and never answers costs one request's share of
    the budget, then the next is tried (kafka-python alone picks one at random and waits the whole
    budget on it); the last address gets what is left."""
    from kafka.errors import KafkaError, KafkaTimeoutError

    error: Exception | None = None
    for index, server in enumerate(servers):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        share = remaining if index == len(servers) - 1 else min(remaining, settings.request_timeout_s)
        kwargs = {**settings.admin_kwargs(), "bootstrap_servers": [server], "bootstrap_timeout_ms": int(share * 1000)}
        try:
            return client(**kwargs)
        except (KafkaError, OSError) as exc:  # the next address is tried; the last error is raised
            error = exc
    raise error or KafkaTimeoutError(f"timed out (the run's timeout: {settings.timeout_s:g}s)")


def unreachable_message(servers: str, settings: ConnectionSettings, exc: BaseException) -> str:
    message = f"cannot connect to {servers} within {settings.timeout_s:g}s: {describe_error(exc)}"
    if str(settings.client.get("security_protocol", "")).startswith("SASL"):
        message += " (brokers that reject a SASL login close the connection: check the user and password)"
    return message


def describe_error(exc: BaseException) -> str:
    """One line naming the error: `NameOfError: text`, without repeating the name."""
    text = " ".join(str(exc).split())
    name = type(exc).__name__
    if isinstance(exc, (CollectionTimeout, UndecodableAnswer, NotOffered)):
        return text
    if name == "NodeNotReadyError" and text.isdigit():
        return f"{name}: broker {text} is down (its last connection attempt failed)"
    if not text or text.startswith(name):
        return text or name
    return f"{name}: {text}"


def error_name(code: int) -> str:
    from kafka.errors import for_code

    return str(for_code(code).__name__)
