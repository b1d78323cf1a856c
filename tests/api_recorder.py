"""Record every Kafka request kafka-python sends in this process, by API key.

Wraps KafkaConnection._send_request, the one path every request takes (ApiVersions, SASL,
Metadata and every admin request alike). Used by the read-only test and by the benchmark.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def recorded_requests() -> Iterator[Counter[str]]:
    """Count the requests sent inside the block, keyed by API name (e.g. ``DescribeConfigs``)."""
    from kafka.net.connection import KafkaConnection

    counts: Counter[str] = Counter()
    lock = threading.Lock()
    original = KafkaConnection._send_request

    def recording(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        with lock:
            counts[api_name(request)] += 1
        return original(self, request, *args, **kwargs)

    KafkaConnection._send_request = recording
    try:
        yield counts
    finally:
        KafkaConnection._send_request = original


def api_name(request: Any) -> str:
    name = type(request).__name__.split("_v")[0]
    return name.removesuffix("Request")
