"""docker-compose files: the broker settings in each Kafka service's `environment`.

Images map environment variables to broker properties differently:
- apache/kafka, confluentinc/cp-kafka|cp-server, wurstmeister/kafka: KAFKA_FOO_BAR -> foo.bar
  (`__` -> `_`, `___` -> `-`), except the image's own variables (KAFKA_HEAP_OPTS, KAFKA_JMX_*, ...);
- bitnami/kafka: only KAFKA_CFG_FOO_BAR -> foo.bar; a plain KAFKA_* there has no effect.
wurstmeister's KAFKA_CREATE_TOPICS (name:partitions:replicas[:policy], comma separated)
declares topics. `environment` may be a list (KEY=VALUE) or a map; anchors and merges apply.
"""

from __future__ import annotations

import re
from pathlib import Path

from auditor.model import BrokerSettings, Configs, ConfigSource, ConfigValue, DeclaredTopic
from auditor.sources.files.base import Entry, Found, ReadOptions, settings_of
from auditor.sources.files.values import NO_VALUE, Dialect, ParseError, dotenv_lines, read_dotenv, resolve
from auditor.sources.files.yamltree import Value, YList, YMap, load_documents

FORMAT = "docker-compose"
NOT_BROKER_SETTINGS = frozenset(
    {
        "KAFKA_HEAP_OPTS",
        "KAFKA_JVM_PERFORMANCE_OPTS",
        "KAFKA_OPTS",
        "KAFKA_GC_LOG_OPTS",
        "KAFKA_LOG4J_OPTS",
        "KAFKA_LOG4J_ROOT_LOGLEVEL",
        "KAFKA_LOG4J_LOGGERS",
        "KAFKA_TOOLS_LOG4J_LOGLEVEL",
        "KAFKA_JMX_OPTS",
        "KAFKA_JMX_PORT",
        "KAFKA_JMX_HOSTNAME",
        "KAFKA_DEBUG",
        "KAFKA_CREATE_TOPICS",
        "KAFKA_CREATE_TOPICS_SEPARATOR",
        "KAFKA_CLUSTER_ID",
    }
)
_IMAGES = {
    "bitnami": re.compile(r"(^|/)bitnami(legacy)?/kafka(:|@|$)"),
    "apache": re.compile(r"(^|/)apache/kafka(-native)?(:|@|$)"),
    "confluent": re.compile(r"(^|/)confluentinc/cp-(kafka|server|enterprise-kafka)(:|@|$)"),
    "wurstmeister": re.compile(r"(^|/)wurstmeister/kafka(:|@|$)"),
}


def service_family(service: Value, env: dict[str, str] | None = None) -> str | None:
    """The image family of a compose service (its image may carry a ${VAR:-default})."""
    image = service.get("image") if isinstance(service, YMap) else None
    if not isinstance(image, str):
        return None
    resolved = resolve(image, Dialect.COMPOSE, env).value
    return image_family(resolved) if resolved else None


def image_family(image: str) -> str | None:
    return next((family for family, pattern in _IMAGES.items() if pattern.search(image.strip())), None)


def property_name(variable: str, family: str) -> str | None:
    """The broker property an environment variable sets in this image, or None."""
    if family == "bitnami":
        if not variable.startswith("KAFKA_CFG_"):
            return None
        rest = variable[len("KAFKA_CFG_") :]
    else:
        if not variable.startswith("KAFKA_") or variable in NOT_BROKER_SETTINGS or variable.startswith("KAFKA_JMX_"):
            return None
        rest = variable[len("KAFKA_") :]
    if not rest:
        return None
    return rest.replace("___", "-").replace("__", "\0").replace("_", ".").replace("\0", "_").lower()


def env_files(service: YMap, path: str) -> list[Entry]:
    """Variables of the service's env_file(s), each with its file and line; `environment` overrides them."""
    spec = service.get("env_file")
    items = list(spec) if isinstance(spec, YList) else [spec] if spec is not None else []
    entries: list[Entry] = []
    for item in items:
        required = True
        if isinstance(item, YMap):  # long form: {path: ..., required: false}
            required = item.get("required") != "false"
            item = item.get("path")
        if not isinstance(item, str):
            continue
        env_path = Path(path).parent / item
        try:
            text = env_path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            if not required:
                continue
            raise ParseError(f"env_file {item} not found", service.line("env_file")) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ParseError(f"cannot read env_file {item}: {exc}", service.line("env_file")) from exc
        entries += [Entry(k, v, n, str(env_path)) for k, v, n in dotenv_lines(text)]
    return entries


def environment(service: YMap) -> list[Entry]:
    """A service's environment as entries, in either form; a bare name comes from the host."""
    env = service.get("environment")
    if isinstance(env, YMap):
        return [Entry(k, v, env.line(k)) for k, v in env.items() if not isinstance(v, (YMap, YList))]
    if not isinstance(env, YList):
        return []
    entries: list[Entry] = []
    for item, line in zip(env, env.lines, strict=True):
        if isinstance(item, str):
            name, sep, value = item.partition("=")
            entries.append(Entry(name.strip(), value if sep else None, line))
    return entries


def read_compose(text: str, path: str, options: ReadOptions) -> Found:
    env = dotenv_beside(path)
    found = Found()
    for document in load_documents(text):
        services = document.get("services") if isinstance(document, YMap) else None
        if isinstance(services, YMap):
            for name, service in services.items():
                if isinstance(service, YMap):
                    found += _service(name, service, path, env)
    return found


def dotenv_beside(path: str) -> dict[str, str] | None:
    """The .env file compose reads from the compose file's folder for ${VAR} substitution."""
    dotenv = Path(path).parent / ".env"
    try:
        return read_dotenv(dotenv.read_text(encoding="utf-8")) if dotenv.is_file() else None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParseError(f"cannot read {dotenv}, which compose substitutes from: {exc}") from exc


def _service(name: str, service: YMap, path: str, env: dict[str, str] | None) -> Found:
    family = service_family(service, env)
    if family is None:
        return Found()
    entries = env_files(service, path) + environment(service)
    renamed = [Entry(prop, e.value, e.line, e.path) for e in entries if (prop := property_name(e.key, family))]
    settings = _from_host(settings_of(renamed, path, Dialect.COMPOSE, env))
    broker = BrokerSettings(name=name, path=path, format=FORMAT, settings=settings)
    topics = _create_topics(entries, name, path, env) if family == "wurstmeister" else ()
    return Found(brokers=(broker,), topics=topics)


def _from_host(settings: Configs) -> Configs:
    """`- KAFKA_FOO` without a value takes it from compose's own environment: unknown here."""
    return {key: value if value.detail != NO_VALUE else _unknown(value) for key, value in settings.items()}


def _unknown(value: ConfigValue) -> ConfigValue:
    return ConfigValue(
        value.key,
        None,
        value.source,
        value.path,
        value.line,
        detail="taken from the environment docker compose runs in",
    )


def _create_topics(
    entries: list[Entry], service: str, path: str, env: dict[str, str] | None
) -> tuple[DeclaredTopic, ...]:
    spec = next((e for e in reversed(entries) if e.key == "KAFKA_CREATE_TOPICS"), None)
    if spec is None or spec.value is None:
        return ()
    separator = next((e.value for e in entries if e.key == "KAFKA_CREATE_TOPICS_SEPARATOR" and e.value), ",")
    resolved = resolve(spec.value, Dialect.COMPOSE, env)
    if resolved.value is None:
        return ()
    topics: list[DeclaredTopic] = []
    for item in resolved.value.split(separator.strip('"') or ","):
        fields = item.strip().split(":")
        if not fields[0]:
            continue
        if len(fields) < 3:
            raise ParseError(f"KAFKA_CREATE_TOPICS entry {item.strip()!r} is not name:partitions:replicas", spec.line)
        topics.append(
            DeclaredTopic(
                name=fields[0],
                topic_name=fields[0],
                path=path,
                format=FORMAT,
                partitions=ConfigValue("partitions", fields[1], ConfigSource.FILE, path, spec.line),
                replication_factor=ConfigValue("replication.factor", fields[2], ConfigSource.FILE, path, spec.line),
                inherits_from=service,
            )
        )
    return tuple(topics)


def looks_compose(documents: list[Value]) -> bool:
    for document in documents:
        services = document.get("services") if isinstance(document, YMap) else None
        if isinstance(services, YMap) and any(service_family(s) for s in services.values()):
            return True
    return False
