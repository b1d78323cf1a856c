"""Build client configurations for unit tests: what the file sources produce."""

from __future__ import annotations

from auditor.audit import judge
from auditor.engine import load_rules
from auditor.findings import Finding
from auditor.model import ClientConfig, ConfigSource, ConfigValue, Estate, Role

PATH = "app/client.properties"


def client(
    library: str = "java",
    version: str | None = None,
    roles: tuple[str, ...] = ("producer", "consumer"),
    profile: str | None = None,
    **settings: str | None,
) -> ClientConfig:
    """Keyword names use '_' for '.' (max_in_flight_requests_per_connection); each line is its order."""
    values = {}
    for line, (name, value) in enumerate(settings.items(), start=1):
        key = _key(name)
        values[key] = ConfigValue(key=key, value=value, source=ConfigSource.FILE, path=PATH, line=line)
    return ClientConfig(
        path=PATH,
        roles=frozenset(Role(r) for r in roles),
        library=library,
        library_version=version,
        settings=values,
        profile=profile,
    )


def _key(name: str) -> str:
    if name == "ack_mode":
        return "spring.kafka.listener.ack-mode"
    if name == "acknowledged":  # where a @KafkaListener acknowledges (auditor.sources.code.java)
        return "spring.kafka.listener.acknowledge"
    return name.replace("_", ".")


def judge_clients(*clients: ClientConfig) -> list[Finding]:
    return judge(Estate(clients=clients), load_rules())
