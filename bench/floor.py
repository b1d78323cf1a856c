"""The floor: the audit's own requests, replayed with the same client library, answers decoded and dropped.

    python bench/floor.py record --bootstrap-server HOST:PORT --output requests.pickle
    python bench/floor.py replay requests.pickle --bootstrap-server HOST:PORT

`record` runs kafka-audit's live collection once in this process and keeps every request it
sends (kafka-python request objects, with the API version negotiated), the broker it went to,
and when it was sent and answered. Requests are grouped in waves: a request joins the wave
after the latest wave that had an answer before it was sent (what it could have depended on),
so a wave holds requests the audit could have sent at once. Connection set-up (ApiVersions,
SASL) is left to the replaying client.

`replay` is the floor: a fresh Python process that imports kafka-python, connects, and sends
each wave at once (every request of the wave in flight together, to the broker it went to),
waits for every answer (kafka-python decodes it) and drops it. No model, no facts, no judging,
no report: what the audit's own overhead is measured against (bench/collect.py).
"""

from __future__ import annotations

import argparse
import logging
import pickle
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONNECTION_SETUP = ("ApiVersions", "SaslHandshake", "SaslAuthenticate")
REPLAY_TIMEOUT_MS = 120_000
MAX_IN_FLIGHT = 100


@dataclass
class Sent:
    request: Any
    node_id: int | str | None
    sent_at: float
    answered_at: float = float("inf")


def api_name(request: Any) -> str:
    return str(type(request).__name__.split("_v")[0].removesuffix("Request"))


def record(bootstrap: str) -> list[list[tuple[Any, Any]]]:
    """The requests of one live collection, in waves of (request, node id)."""
    sys.path.insert(0, str(ROOT))
    from kafka.net.connection import KafkaConnection

    from auditor.sources.connection import ConnectionSettings
    from auditor.sources.live import collect

    sent: list[Sent] = []
    lock = threading.Lock()
    original = KafkaConnection._send_request

    def recording(self: Any, request: Any, future: Any = None, timeout_at: Any = None) -> Any:
        entry = Sent(request, self.node_id, time.monotonic())
        with lock:
            sent.append(entry)
        answer = original(self, request, future, timeout_at)
        answer.add_both(lambda _: setattr(entry, "answered_at", time.monotonic()))
        return answer

    KafkaConnection._send_request = recording
    try:
        collect(ConnectionSettings(tuple(bootstrap.split(",")), timeout_s=120))
    finally:
        KafkaConnection._send_request = original
    return waves([s for s in sent if api_name(s.request) not in CONNECTION_SETUP])


def waves(sent: list[Sent]) -> list[list[tuple[Any, Any]]]:
    """Group requests: each joins the wave after the latest wave answered before it was sent.

    A request is kept as (module, class name, API version, encoded body, node id): kafka-python's
    request objects do not pickle, their bytes do, and `decode` makes the same request again."""
    wave_of: list[int] = []
    for index, entry in enumerate(sent):
        earlier = [wave_of[i] for i in range(index) if sent[i].answered_at <= entry.sent_at]
        wave_of.append(max(earlier, default=-1) + 1)
    grouped: list[list[tuple[Any, Any]]] = [[] for _ in range(max(wave_of, default=-1) + 1)]
    for entry, wave in zip(sent, wave_of, strict=True):
        request, version = entry.request, entry.request.API_VERSION
        kind = type(request)
        grouped[wave].append(((kind.__module__, kind.__qualname__, version, request.encode(version)), entry.node_id))
    return grouped


def rebuilt(kept: tuple[str, str, int, bytes]) -> Any:
    """The recorded request, decoded from its bytes at its API version."""
    import importlib

    module, name, version, body = kept
    request = getattr(importlib.import_module(module), name).decode(body, version=version)
    request._header = None  # decode leaves none; the connection makes the header when it sends
    request.API_VERSION = version
    return request


def replay(recorded: Path, bootstrap: str) -> int:
    """Send each wave at once, wait for every answer, drop them. Returns the number of requests."""
    from kafka import KafkaAdminClient

    grouped = [[(rebuilt(kept), node) for kept, node in wave] for wave in pickle.loads(recorded.read_bytes())]
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap.split(","),
        request_timeout_ms=REPLAY_TIMEOUT_MS,
        max_in_flight_requests_per_connection=MAX_IN_FLIGHT,  # as the audit pipelines its batches
    )
    manager = admin._manager
    count = 0
    try:
        for wave in grouped:

            async def exchange(wave: list[tuple[Any, Any]] = wave) -> None:
                futures = [manager.send(request, node_id=_node(node)) for request, node in wave]
                for future in futures:
                    await manager.wait_for(future, REPLAY_TIMEOUT_MS)

            manager.run(exchange)
            count += len(wave)
    finally:
        admin.close()
    return count


def _node(node_id: Any) -> Any:
    """Bootstrap connections are recorded as 'bootstrap-N': any broker will do for those."""
    return node_id if isinstance(node_id, int) else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("record", "replay"))
    parser.add_argument("recorded", type=Path, nargs="?", help="replay: the file record wrote")
    parser.add_argument("--bootstrap-server", required=True)
    parser.add_argument("--output", type=Path, help="record: where to write the requests")
    args = parser.parse_args()
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    if args.action == "record":
        grouped = record(args.bootstrap_server)
        args.output.write_bytes(pickle.dumps(grouped))
        sizes = [len(w) for w in grouped]
        print(f"recorded {sum(sizes)} requests in {len(grouped)} waves: {sizes}", file=sys.stderr)
        return 0
    replay(args.recorded, args.bootstrap_server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
