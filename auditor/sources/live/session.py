"""One bounded conversation with a cluster: every request shares one deadline (`--timeout`).

`Session.send` sends one Kafka request and waits for its answer within what is left of the
budget; `Session.parallel` runs independent calls at once (the admin client multiplexes them on
its IO thread) and turns every failure or timeout into a value the caller maps to a gap.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from auditor.errors import ClusterUnreachable
from auditor.model import CoverageGap
from auditor.sources.connection import ConnectionSettings
from auditor.sources.live.versions import NotOffered

if TYPE_CHECKING:
    from kafka import KafkaAdminClient

K = TypeVar("K")
T = TypeVar("T")

MAX_PARALLEL = 8
ANY_NODE_ATTEMPTS = 3
RETRY_BACKOFF_S = 0.2

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


class Session:
    def __init__(
        self,
        admin: KafkaAdminClient,
        timeout_s: float,
        started: float | None = None,
        settings: ConnectionSettings | None = None,
    ) -> None:
        self.admin = admin
        self.settings = settings  # how the audit connected: named in the commands a gap suggests
        self.timeout_s = timeout_s
        self.deadline = (started if started is not None else time.monotonic()) + timeout_s
        self._gaps: list[CoverageGap] = []
        self._lock = threading.Lock()

    # ---- budget

    def remaining_s(self) -> float:
        return self.deadline - time.monotonic()

    def _budget_ms(self) -> int:
        remaining = self.remaining_s()
        if remaining <= 0.05:
            raise CollectionTimeout(f"timed out (the run's timeout: {self.timeout_s:g}s)")
        return int(remaining * 1000)

    # ---- requests

    def send(self, request: Any, node_id: int | None = None) -> Any:
        """One request to `node_id` (any live broker when None); its response, or an exception."""
        if node_id is not None:
            return self._send_once(request, node_id)
        return self.any_node(lambda: self._send_once(request, None))

    def any_node(self, call: Callable[[], T]) -> T:
        """A call that may go to any broker: tried again (elsewhere) when the broker it picked is down."""
        for attempt in range(ANY_NODE_ATTEMPTS):
            try:
                return call()
            except Exception as exc:
                if attempt + 1 == ANY_NODE_ATTEMPTS or not _retriable_elsewhere(exc):
                    raise
                time.sleep(min(RETRY_BACKOFF_S, max(self.remaining_s(), 0)))
        raise AssertionError("unreachable")

    def _send_once(self, request: Any, node_id: int | None) -> Any:
        from kafka.errors import KafkaError, KafkaProtocolError

        budget_ms = self._budget_ms()
        manager = self.admin._manager

        async def exchange() -> Any:
            future = manager.send(request, node_id=node_id, request_timeout_ms=budget_ms)
            return await manager.wait_for(future, budget_ms)

        try:
            return manager.run(exchange)
        except KafkaProtocolError as exc:
            raise UndecodableAnswer(request, exc) from exc
        except (KafkaError, OSError, CollectionTimeout, TimeoutError):
            raise
        except Exception as exc:  # a struct/KeyError/ValueError from kafka-python's codec
            raise UndecodableAnswer(request, exc) from exc

    def parallel(self, calls: Mapping[K, Callable[[], T]]) -> dict[K, T | Exception]:
        """Run independent calls at once; each result is its value or the exception it raised."""
        if not calls:
            return {}
        results: dict[K, T | Exception] = {}
        pool = ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(calls)), thread_name_prefix="kafka-audit")
        try:
            futures = {key: pool.submit(call) for key, call in calls.items()}
            for key, future in futures.items():
                try:
                    results[key] = future.result(timeout=max(self.remaining_s(), 0) + 1.0)
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


def _retriable_elsewhere(exc: Exception) -> bool:
    from kafka.errors import KafkaConnectionError, NodeNotReadyError, RequestTimedOutError

    return isinstance(exc, (KafkaConnectionError, NodeNotReadyError, RequestTimedOutError))


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
    kwargs = settings.admin_kwargs()
    if answered is not None:
        # Bootstrap from the address that answered: kafka-python shuffles the list and would try a
        # silent one again with the whole timeout; the cluster's metadata names the other brokers.
        kwargs["bootstrap_servers"] = [answered]
    try:
        admin = KafkaAdminClient(**kwargs)
    except (KafkaError, OSError) as exc:
        raise ClusterUnreachable(unreachable_message(servers, settings, exc)) from exc
    try:
        yield Session(admin, settings.timeout_s, started, settings)
    finally:
        admin.close()


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
