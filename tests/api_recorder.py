"""Record every Kafka request kafka-python sends in this process, by API key, and how many
requests were in flight on each broker connection at once.

Wraps KafkaConnection._send_request, the one path every request takes (ApiVersions, SASL,
Metadata and every admin request alike). Used by the read-only test and by the benchmarks.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def recorded_requests(in_flight: dict[str, int] | None = None) -> Iterator[Counter[str]]:
    """Count the requests sent inside the block, keyed by API name (e.g. ``DescribeConfigs``);
    `in_flight` (when given) gets each connection's peak of requests awaiting an answer, keyed by
    the broker it is to (``broker 3``; ``bootstrap`` before the metadata names the brokers)."""
    from kafka.net.connection import KafkaConnection

    counts: Counter[str] = Counter()
    lock = threading.Lock()
    original = KafkaConnection._send_request

    def recording(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        with lock:
            counts[api_name(request)] += 1
        future = original(self, request, *args, **kwargs)
        if in_flight is not None:
            node = self.node_id
            key = f"broker {node}" if isinstance(node, int) else "bootstrap"
            with lock:
                in_flight[key] = max(in_flight.get(key, 0), len(self.in_flight_requests))
        return future

    KafkaConnection._send_request = recording
    try:
        yield counts
    finally:
        KafkaConnection._send_request = original


def api_name(request: Any) -> str:
    name = type(request).__name__.split("_v")[0]
    return name.removesuffix("Request")
