"""key=value files: Java client .properties, librdkafka key=value configs, broker server.properties.

All are read with java.util.Properties' syntax (auditor.sources.properties), which also covers
librdkafka's simpler `key=value` lines.
"""

from __future__ import annotations

from auditor.model import BrokerSettings
from auditor.sources.files.base import Entry, Found, ReadOptions, client_config, settings_of
from auditor.sources.files.clientkeys import looks_librdkafka
from auditor.sources.files.values import Dialect, ParseError
from auditor.sources.properties import PropertiesSyntaxError, parse_properties

BROKER_MARKERS = frozenset(
    {
        "broker.id",
        "node.id",
        "process.roles",
        "log.dirs",
        "log.dir",
        "zookeeper.connect",
        "controller.quorum.voters",
        "controller.quorum.bootstrap.servers",
        "controller.listener.names",
        "inter.broker.listener.name",
        "num.partitions",
        "default.replication.factor",
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "unclean.leader.election.enable",
    }
)

SERVER_PROPERTIES = "server-properties"  # the format name of a broker read from its own file


def entries_of(text: str) -> list[Entry]:
    try:
        return [Entry(p.key, p.value, p.line) for p in parse_properties(text)]
    except PropertiesSyntaxError as exc:
        raise ParseError(exc.problem, exc.line) from exc


def properties_kind(entries: list[Entry]) -> str:
    """Which key=value format these entries are: spring, server-properties, librdkafka or properties."""
    keys = {e.key for e in entries}
    if any(k.startswith("spring.") for k in keys):
        return "spring"
    if keys & BROKER_MARKERS:
        return "server-properties"
    reset = next((e.value for e in entries if e.key == "auto.offset.reset"), None)
    return "librdkafka" if looks_librdkafka(keys, reset) else "properties"


def read_client_properties(text: str, path: str, options: ReadOptions) -> Found:
    """A Java client .properties."""
    return _client(text, path, options, "java")


def read_librdkafka_properties(text: str, path: str, options: ReadOptions) -> Found:
    """A librdkafka / confluent-kafka key=value configuration."""
    return _client(text, path, options, "librdkafka")


def _client(text: str, path: str, options: ReadOptions, detected: str) -> Found:
    library, version = options.library(detected)
    config = client_config(entries_of(text), path, library, version)
    return Found(clients=(config,) if config else ())


def read_server_properties(text: str, path: str, options: ReadOptions) -> Found:
    """A broker's server.properties (KRaft or ZooKeeper mode): every key is a broker setting."""
    settings = settings_of(entries_of(text), path, Dialect.PLAIN)
    return Found(brokers=(BrokerSettings(name=path, path=path, format=SERVER_PROPERTIES, settings=settings),))
