"""What the brokers offer: which requests they answer, at which versions, and in which mode they run.

Every request goes out at the highest version both kafka-python and the broker know (kafka-python
picks it from the broker's ApiVersions answer when the request is sent); these helpers say
beforehand whether the broker answers it at all, so that an API the cluster lacks is "not
applicable" or a gap naming it, never a request the broker would refuse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditor.sources.live.session import Session


class NotOffered(Exception):
    """The brokers do not answer the API a read needs (a gap that names it)."""


# LeaderAndIsr: the controller-to-broker API of ZooKeeper mode. ZooKeeper-mode brokers list it in
# ApiVersions; KRaft brokers (and every 4.x broker) do not.
LEADER_AND_ISR = 4


def api_versions(session: Session) -> dict[int, tuple[int, int]]:
    """api key -> (min, max) version the bootstrap broker said it answers (ApiVersions)."""
    data = session.admin._manager.broker_version_data
    return dict(data.api_versions) if data is not None and data.api_versions else {}


def offered(session: Session, request: Any, min_version: int = 0) -> int | None:
    """The version `request` (a request class) would be sent at: the highest both kafka-python and
    the broker know, at least `min_version`; None when the broker does not answer it there."""
    span = api_versions(session).get(int(request.API_KEY))
    if span is None:
        return None
    ours = range(max(request.min_version, min_version), request.max_version + 1)
    version = min(span[1], ours.stop - 1)
    return version if version >= max(span[0], ours.start) else None


def zookeeper_mode(session: Session) -> bool | None:
    """True for a ZooKeeper-mode cluster, False for KRaft, None when ApiVersions was not read."""
    versions = api_versions(session)
    return (LEADER_AND_ISR in versions) if versions else None


def version_name(session: Session, request: Any) -> str:
    """`Name vN` as the request would be sent (N: the negotiated version), for messages."""
    version = offered(session, request)
    name = request.__name__.removesuffix("Request")
    return f"{name} v{version}" if version is not None else name
