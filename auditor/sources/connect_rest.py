"""A running Kafka Connect cluster through its REST API: workers, connectors, their configs and
status, the installed plugins (GET /connector-plugins) and their config definitions. Read-only:
only GET requests are ever sent.

Connector configs carry secrets. Every value whose plugin config definition says PASSWORD
(GET /connector-plugins/{plugin}/config, Kafka 3.2+) and every credential-like key or value
(auditor.sources.redaction) is dropped as it is read, before anything is kept or reported.

`--connect-config FILE` takes basic auth (basic.auth.user.info=USER:PASSWORD) and TLS
(ssl.truststore.location / ssl.keystore.location with type PEM, ssl.key.password,
ssl.endpoint.identification.algorithm) in the --command-config property names.
"""

from __future__ import annotations

import base64
import json
import re
import ssl
import urllib.error
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from auditor.errors import ClusterUnreachable, InputError, InvalidSetting, Setting
from auditor.model import (
    Configs,
    ConfigSource,
    ConfigValue,
    Connector,
    ConnectorTask,
    ConnectPlugin,
    ConnectWorker,
    CoverageGap,
    MirrorFlow,
    connector_plugin,
)
from auditor.sources.redaction import redact

FORMAT = "connect-rest"
MIRROR_CLASSES = ("MirrorSourceConnector", "MirrorCheckpointConnector", "MirrorHeartbeatConnector")
TRACE_CHARS = 300


@dataclass(frozen=True)
class ConnectSettings:
    """One --connect-url and how to reach it."""

    url: str
    timeout_s: float = 30.0
    user_info: str | None = None  # USER:PASSWORD for basic auth
    ssl: Mapping[str, Any] = field(default_factory=dict)  # cafile, certfile, keyfile, password, check_hostname


@dataclass(frozen=True)
class ConnectRead:
    workers: tuple[ConnectWorker, ...] = ()
    connectors: tuple[Connector, ...] = ()
    mirrors: tuple[MirrorFlow, ...] = ()
    gaps: tuple[CoverageGap, ...] = ()


def parse_connect_url(value: str) -> str:
    parsed = urllib.parse.urlsplit(value.strip())
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InvalidSetting(Setting.CONNECT_URL, "expected http(s)://HOST:PORT", value=value)
    if parsed.username or parsed.password:
        raise InvalidSetting(
            Setting.CONNECT_URL, "must not carry credentials: put basic.auth.user.info in", see=Setting.CONNECT_CONFIG
        )
    return value.strip().rstrip("/")


def load_connect_config(path: Path | None) -> tuple[str | None, dict[str, Any]]:
    """(USER:PASSWORD or None, TLS settings) from a --connect-config properties file."""
    if path is None:
        return None, {}
    from auditor.sources.connection import _ssl_kwargs
    from auditor.sources.properties import read_properties_file

    props = {k: v.value.strip() for k, v in read_properties_file(path).items()}
    user_info = props.get("basic.auth.user.info")
    if user_info is not None and ":" not in user_info:
        raise InputError(f"{path}: basic.auth.user.info must be USER:PASSWORD")
    return user_info, _ssl_kwargs(props, str(path))


# --------------------------------------------------------------------------- HTTP (GET only)


class _Client:
    def __init__(self, settings: ConnectSettings) -> None:
        self.settings = settings
        self.context = _ssl_context(settings.ssl) if settings.url.startswith("https://") else None

    def get(self, path: str) -> Any:
        import urllib.request  # http.client and email with it: only a run that reads a Connect REST API

        request = urllib.request.Request(self.settings.url + path, method="GET", headers={"Accept": "application/json"})
        if self.settings.user_info:
            token = base64.b64encode(self.settings.user_info.encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        with urllib.request.urlopen(request, timeout=self.settings.timeout_s, context=self.context) as answer:
            return json.loads(answer.read().decode("utf-8"))


def _ssl_context(options: Mapping[str, Any]) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=options.get("ssl_cafile"))
    if options.get("ssl_certfile"):
        context.load_cert_chain(options["ssl_certfile"], options.get("ssl_keyfile"), options.get("ssl_password"))
    if options.get("ssl_check_hostname") is False:
        context.check_hostname = False
    return context


def _problem(exc: Exception) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


# --------------------------------------------------------------------------- reading


def read_connect(settings: ConnectSettings) -> ConnectRead:
    """Everything one Connect cluster shows. ClusterUnreachable when its root cannot be read."""
    client = _Client(settings)
    try:
        root = client.get("/")
        listing = client.get("/connectors?expand=status&expand=info")
    except (OSError, ValueError, ssl.SSLError) as exc:
        raise ClusterUnreachable(f"cannot read Kafka Connect at {settings.url}: {_problem(exc)}") from exc
    if not isinstance(root, dict) or not isinstance(listing, dict):
        raise ClusterUnreachable(f"{settings.url} does not answer like a Kafka Connect REST API")
    gaps: list[CoverageGap] = []
    passwords = _password_keys(client, listing, gaps)
    plugins = read_plugins(client, gaps)
    name = worker_name(settings.url)
    connectors = tuple(
        _connector(connector, entry, settings.url, name, passwords, plugins)
        for connector, entry in sorted(listing.items())
        if isinstance(entry, dict)
    )
    version = root.get("version") if isinstance(root.get("version"), str) else None
    worker = ConnectWorker(
        name, settings.url, FORMAT, {}, distributed=None, url=settings.url, version=version, plugins=plugins
    )
    return ConnectRead((worker,), connectors, mirror_flows(connectors, settings.url), tuple(gaps))


def _password_keys(client: _Client, listing: Mapping[str, Any], gaps: list[CoverageGap]) -> dict[str, frozenset[str]]:
    """The PASSWORD-typed keys of each connector class in use (KIP-769; older workers: a gap)."""
    classes = {_class_of(entry) for entry in listing.values() if isinstance(entry, dict)} - {None}
    found: dict[str, frozenset[str]] = {}
    for plugin in sorted(c for c in classes if c):
        try:
            definitions = client.get(f"/connector-plugins/{urllib.parse.quote(plugin, safe='')}/config")
        except (OSError, ValueError) as exc:
            gaps.append(
                CoverageGap(
                    f"connector plugin {plugin}",
                    f"config definitions not read ({_problem(exc)}): secrets redacted by key name only",
                )
            )
            continue
        if not isinstance(definitions, list):
            gaps.append(
                CoverageGap(f"connector plugin {plugin}", "config definitions not a list: redacted by key name only")
            )
            continue
        found[plugin] = frozenset(
            d["name"]
            for d in definitions
            if isinstance(d, dict) and d.get("type") == "PASSWORD" and isinstance(d.get("name"), str)
        )
    return found


def worker_name(url: str) -> str:
    """The name findings give a Connect cluster read through its REST API."""
    return f"Connect {url}"


def read_plugins(client: _Client, gaps: list[CoverageGap]) -> tuple[ConnectPlugin, ...]:
    """Every plugin the worker has installed: connectors, and (Kafka 3.2+, KIP-769) converters,
    transformations and predicates; an older worker ignores connectorsOnly and lists connectors."""
    try:
        listed = client.get("/connector-plugins?connectorsOnly=false")
    except (OSError, ValueError) as exc:
        gaps.append(CoverageGap(f"Connect {client.settings.url}", f"plugins not read ({_problem(exc)})"))
        return ()
    if not isinstance(listed, list):
        gaps.append(CoverageGap(f"Connect {client.settings.url}", "GET /connector-plugins answered no list"))
        return ()
    plugins = {plugin for entry in listed if isinstance(entry, dict) and (plugin := _plugin(entry))}
    return tuple(sorted(plugins, key=lambda p: (p.type, p.class_name)))


def _plugin(entry: Mapping[str, Any]) -> ConnectPlugin | None:
    name, kind, version = entry.get("class"), entry.get("type"), entry.get("version")
    if not isinstance(name, str) or not name:
        return None
    return ConnectPlugin(
        _printable(name),
        _printable(kind) if isinstance(kind, str) else "unknown",
        _printable(version) if isinstance(version, str) and version else None,
    )


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    """What a Connect cluster says, without control characters (ESC, newlines) that would reach a
    terminal or a report as instructions; each becomes U+FFFD."""
    return _CONTROL.sub("\ufffd", text)


def _object(value: object) -> dict[str, Any]:
    """A JSON object of the answer; anything else (a Connect of another shape) reads as empty."""
    return value if isinstance(value, dict) else {}


def _class_of(entry: Mapping[str, Any]) -> str | None:
    value = _object(_object(entry.get("info")).get("config")).get("connector.class")
    return value if isinstance(value, str) else None


def _connector(
    name: str,
    entry: Mapping[str, Any],
    url: str,
    worker: str,
    passwords: Mapping[str, frozenset[str]],
    plugins: tuple[ConnectPlugin, ...] = (),
) -> Connector:
    info, status = _object(entry.get("info")), _object(entry.get("status"))
    secret = passwords.get(_class_of(entry) or "", frozenset())
    config = _object(info.get("config"))
    settings: Configs = {
        _printable(key): _value(_printable(key), raw, url, key in secret) for key, raw in config.items()
    }
    state = _object(status.get("connector")).get("state")
    listed = status.get("tasks")
    tasks = tuple(_task(t) for t in listed if isinstance(t, dict)) if isinstance(listed, list) else ()
    plugin = connector_plugin(plugins, _class_of(entry))
    kind = status.get("type") or info.get("type") or (plugin.type if plugin else None)
    return Connector(
        name=_printable(name),
        path=url,
        format=FORMAT,
        settings=settings,
        type=kind if isinstance(kind, str) and kind in ("source", "sink") else None,
        worker=worker,
        state=_printable(str(state)) if state else "UNKNOWN",
        tasks=tasks,
        connector_trace=_first_line(_object(status.get("connector")).get("trace")),
    )


def _value(key: str, raw: object, url: str, password: bool) -> ConfigValue:
    value = None if raw is None else _printable(str(raw))
    read = ConfigValue(key, value, ConfigSource.CONNECT_REST, detail=f"connector config at {url}")
    return redact(replace(read, sensitive=password))


def _task(raw: Mapping[str, Any]) -> ConnectorTask:
    task_id = raw.get("id")
    return ConnectorTask(
        id=task_id if isinstance(task_id, int) and not isinstance(task_id, bool) else -1,
        state=_printable(str(raw.get("state") or "UNKNOWN")),
        worker_id=_printable(str(raw["worker_id"])) if raw.get("worker_id") else None,
        trace=_first_line(raw.get("trace")),
    )


def _first_line(trace: object) -> str | None:
    """The exception line of a trace only: stack frames are noise and may quote config values."""
    if not isinstance(trace, str) or not trace.strip():
        return None
    return _printable(trace.strip().splitlines()[0][:TRACE_CHARS])


def mirror_flows(connectors: tuple[Connector, ...], url: str) -> tuple[MirrorFlow, ...]:
    """MirrorMaker 2 run as connectors: one flow per source -> target alias pair, with the settings
    of its MirrorSource, MirrorCheckpoint and MirrorHeartbeat connectors together."""
    flows: dict[tuple[str, str], Configs] = {}
    for connector in connectors:
        simple = (_setting(connector, "connector.class") or "").rsplit(".", 1)[-1]
        if simple not in MIRROR_CLASSES:
            continue
        source = _setting(connector, "source.cluster.alias") or "source"
        pair = (source, _setting(connector, "target.cluster.alias") or "target")
        flows.setdefault(pair, {}).update(connector.settings)
    return tuple(
        MirrorFlow(f"Connect {url} {source}->{target}", url, FORMAT, source, target, settings)
        for (source, target), settings in sorted(flows.items())
    )


def _setting(connector: Connector, key: str) -> str | None:
    value = connector.settings.get(key)
    return value.value if value is not None else None
