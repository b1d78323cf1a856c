"""docker-compose files: the broker settings of each Kafka service.

How an image turns `environment` into server.properties is data, auditor/knowledge/broker_images.yaml
(auditor.knowledge.images): the variable prefix (apache/kafka, confluentinc/cp-kafka, wurstmeister:
KAFKA_FOO_BAR -> foo.bar; bitnami: KAFKA_CFG_FOO_BAR, plus the legacy KAFKA_* names its libkafka.sh
aliases, which win over the KAFKA_CFG_* name), the image's own variables, the server.properties it
starts from (bitnami and wurstmeister: Kafka's shipped file, whose internal topics have one replica),
and where a mounted server.properties is read from. A service is a broker when its image is a known
broker image, when its environment is Kafka-shaped (node or broker id, process roles, listeners,
quorum voters, zookeeper.connect: at least two) whatever the image (`image: ${IMAGE}`, `build: .`),
or when it mounts a server.properties where its image reads one; that file is then read as the
broker's file, under the environment. wurstmeister's KAFKA_CREATE_TOPICS
(name:partitions:replicas[:policy], comma separated) declares topics. `environment` may be a list
(KEY=VALUE) or a map; anchors and merges apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from auditor.knowledge.images import (
    BaseConfig,
    BrokerImage,
    all_base_keys,
    assumed,
    broker_images,
    image_for,
    judged_settings,
)
from auditor.model import BrokerSettings, Configs, ConfigSource, ConfigValue, CoverageGap, DeclaredTopic
from auditor.sources.files.base import Entry, Found, ReadOptions, settings_of
from auditor.sources.files.values import NO_VALUE, Dialect, ParseError, dotenv_lines, read_dotenv, resolve
from auditor.sources.files.yamltree import Value, YList, YMap, load_documents

FORMAT = "docker-compose"
# Variables (after KAFKA_ or KAFKA_CFG_) only a broker is configured with.
BROKER_SHAPED = frozenset(
    {
        "NODE_ID",
        "BROKER_ID",
        "PROCESS_ROLES",
        "LISTENERS",
        "ADVERTISED_LISTENERS",
        "CONTROLLER_QUORUM_VOTERS",
        "ZOOKEEPER_CONNECT",
    }
)


@dataclass(frozen=True)
class _Image:
    """What a service runs: the knowledge entry of its image, or None with why it is not known."""

    entry: BrokerImage | None
    line: int | None  # the line of `image:` (or `build:`)
    unknown: str | None = None


@dataclass(frozen=True)
class _Mount:
    """A server.properties the service mounts where its image reads one."""

    source: str  # as the compose file writes it
    target: str
    file: Path  # resolved relative to the compose file
    display: str
    line: int | None


def image_of(service: YMap, env: dict[str, str] | None = None) -> _Image:
    """The broker image a service runs; entry None when the image is none the knowledge file knows."""
    image = service.get("image")
    line = service.line("image")
    if isinstance(image, str):
        resolved = resolve(image, Dialect.COMPOSE, env).value
        if resolved is None:
            return _Image(None, line, f"image: {image} is not resolved")
        entry = image_for(resolved)
        return (
            _Image(entry, line)
            if entry
            else _Image(None, line, f"image {resolved} is not a broker image kafka-audit knows")
        )
    if service.get("build") is not None:
        return _Image(None, service.line("build"), "built locally (build:)")
    return _Image(None, None, "no image")


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
    image = image_of(service, env)
    entries = env_files(service, path) + environment(service)
    mount = mounted_config(service, image.entry, path)
    if image.entry is None and mount is None and not broker_shaped(entries):
        return Found()
    mapping = image.entry or _guessed_mapping(entries)
    aliased = [e for e in entries if e.key in mapping.aliases]  # bitnami: the legacy name wins
    ordered = [e for e in entries if e.key not in mapping.aliases] + aliased
    renamed = [Entry(prop, e.value, e.line, e.path) for e in ordered if (prop := mapping.property_name(e.key))]
    settings = _from_host(settings_of(renamed, path, Dialect.COMPOSE, env))
    under = _mounted_settings(mount, path) if mount else _base_settings(image, path, bool(settings))
    broker = BrokerSettings(
        name=name, path=path, format=FORMAT, settings={**under, **settings}, variable_prefix=mapping.prefix
    )
    topics = _create_topics(entries, name, path, env) if mapping.create_topics and image.entry else ()
    return Found(
        brokers=(broker,),
        topics=topics,
        gaps=_ignored(entries, mapping, path) if image.entry else (),
        mounted=(mount.file.resolve(),) if mount and mount.file.is_file() else (),
    )


def broker_shaped(entries: list[Entry]) -> bool:
    """At least two variables only a broker is configured with (KAFKA_NODE_ID, KAFKA_CFG_LISTENERS, ...)."""
    shaped = {e.key.removeprefix("KAFKA_").removeprefix("CFG_") for e in entries if e.key.startswith("KAFKA_")}
    return len(shaped & BROKER_SHAPED) >= 2


def _guessed_mapping(entries: list[Entry]) -> BrokerImage:
    """An unknown image's variables read as the family they are spelled for (KAFKA_CFG_*: bitnami's)."""
    return assumed("bitnami" if any(e.key.startswith("KAFKA_CFG_") for e in entries) else "apache")


def _ignored(entries: list[Entry], image: BrokerImage, path: str) -> tuple[CoverageGap, ...]:
    """Variables that look like broker settings the rules judge but this image does not read."""
    gaps = []
    for entry in entries:
        setting = image.ignored(entry.key)
        if setting is not None:
            spelled = image.prefix + entry.key[len(image.alias_prefix) :]
            gaps.append(
                CoverageGap(
                    f"{entry.path or path}:{entry.line}",
                    f"{entry.key} has no effect on {image.name}, which reads {image.prefix}* and a fixed list of "
                    f"legacy names: {setting} is not set by it (write {spelled})",
                )
            )
    return tuple(gaps)


def _base_settings(image: _Image, path: str, has_settings: bool) -> Configs:
    """What the image's own base server.properties sets, for the keys the service leaves out."""
    entry = image.entry
    if entry is None:
        why = f"the service's image is not known ({image.unknown})"
        return {
            key: ConfigValue(
                key,
                None,
                ConfigSource.UNKNOWN,
                path,
                image.line,
                detail=f"not set; {why}, so what its base server.properties sets is unknown",
            )
            for key in all_base_keys()
        }
    base = entry.base
    if base is None or (entry.base_when == "no-settings" and has_settings):
        return {}
    return {key: _from_base(key, value, entry, base, path, image.line) for key, value in base.settings.items()}


def _from_base(key: str, value: str, entry: BrokerImage, base: BaseConfig, path: str, line: int | None) -> ConfigValue:
    when = "" if entry.base_when == "always" else ", used when the service gives no setting"
    detail = f"not set by the service; {entry.name} starts from {base.description}{when}, which sets it"
    return ConfigValue(key, value, ConfigSource.STATIC_BROKER, path, line, detail=detail)


def mounted_config(service: YMap, entry: BrokerImage | None, path: str) -> _Mount | None:
    """The server.properties the service mounts where its image reads one (any image: a server.properties target)."""
    volumes = service.get("volumes")
    if not isinstance(volumes, YList):
        return None
    dirs = entry.config_dirs if entry is not None else _all_config_dirs()
    for item, line in zip(volumes, volumes.lines, strict=True):
        source, target = _volume(item)
        if source is None or target is None or not source.startswith((".", "/", "~")):
            continue  # a named volume holds no file the audit can read
        target_path = PurePosixPath(target)
        if target_path.name == "server.properties" and (entry is None or str(target_path.parent) in dirs):
            return _mount(source, target, path, line)
        if str(target_path) in dirs:  # a folder mounted as the config dir: its server.properties
            return _mount(f"{source.rstrip('/')}/server.properties", target, path, line)
    return None


def _all_config_dirs() -> tuple[str, ...]:
    return tuple(d for e in broker_images() for d in e.config_dirs)


def _volume(item: Value) -> tuple[str | None, str | None]:
    if isinstance(item, YMap):
        source, target = item.get("source"), item.get("target")
        return (source if isinstance(source, str) else None, target if isinstance(target, str) else None)
    if isinstance(item, str):
        parts = item.split(":")
        if len(parts) >= 2:
            return parts[0], parts[1]
    return None, None


def _mount(source: str, target: str, path: str, line: int | None) -> _Mount:
    file = Path(path).parent / source
    return _Mount(
        source, target, file, str(PurePosixPath(Path(path).parent.as_posix()) / source).removeprefix("./"), line
    )


def _mounted_settings(mount: _Mount, path: str) -> Configs:
    """The mounted server.properties' settings, each with its own line; a missing one makes the judged keys unknown."""
    from auditor.sources.files.keyvalue import entries_of

    try:
        text = mount.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "not found" if isinstance(exc, FileNotFoundError) else f"not readable: {exc}"
        detail = f"the broker reads {mount.source} (mounted at {mount.target}), which is {reason}"
        return {
            key: ConfigValue(key, None, ConfigSource.UNKNOWN, path, mount.line, detail=detail)
            for key in sorted(judged_settings())
        }
    try:
        return settings_of(entries_of(text), mount.display, Dialect.PLAIN)
    except ParseError as exc:
        raise ParseError(f"mounted {mount.source}: {exc.problem}", mount.line) from exc


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
        if isinstance(services, YMap) and any(_is_broker(s) for s in services.values()):
            return True
    return False


def _is_broker(service: Value) -> bool:
    if not isinstance(service, YMap):
        return False
    image = image_of(service)
    return image.entry is not None or broker_shaped(environment(service)) or bool(mounted_config(service, None, "."))
