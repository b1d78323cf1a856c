"""What `audit` and `plan` read, as flags both take: the cluster or snapshot, configuration files,
Kafka Connect and the services manifest. Defined once, so the two commands cannot drift apart."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from auditor.errors import InputError
from auditor.sources.file_formats import FORMATS, formats_help

if TYPE_CHECKING:
    from auditor.audit import AuditOptions, Sources
    from auditor.sources.connect_rest import ConnectSettings
    from auditor.sources.connection import ConnectionSettings

BootstrapOption = Annotated[
    str | None, typer.Option("--bootstrap-server", "-b", metavar="HOST:PORT[,...]", help="The cluster to audit.")
]
SnapshotOption = Annotated[
    Path | None, typer.Option("--snapshot", help="Audit a snapshot file (kafka-audit snapshot) instead of a cluster.")
]
CommandConfigOption = Annotated[
    Path | None,
    typer.Option("--command-config", help="Client properties file, as Kafka CLI tools take."),
]
ConnectUrlOption = Annotated[
    list[str] | None,
    typer.Option(
        "--connect-url",
        help="Kafka Connect REST URL (repeatable): workers, plugins, connectors with their status, and the "
        "internal topics are audited, or saved in a snapshot (GET requests only).",
    ),
]
ConnectConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--connect-config",
        help="Properties for the Connect REST API: basic.auth.user.info=USER:PASSWORD, ssl.truststore.location "
        "(PEM), ssl.keystore.location (PEM), ssl.endpoint.identification.algorithm.",
    ),
]


def a_number(value: float | None) -> float | None:
    """Refuses NaN, which a range check lets through (every comparison with NaN is false)."""
    if value is not None and math.isnan(value):
        raise typer.BadParameter(f"{value} is not a number")
    return value


TimeoutOption = Annotated[
    float,
    typer.Option(
        "--timeout",
        min=1.0,
        max=86_400.0,
        callback=a_number,
        help="Seconds the whole collection may take; unread parts become gaps.",
    ),
]
PathsArgument = Annotated[
    list[str] | None,
    typer.Argument(
        help="Configuration files or folders (searched recursively): client, Spring Boot, librdkafka, "
        "server.properties, docker-compose, Strimzi, Terraform, topicctl, Kafka Connect workers and connectors, "
        "Kafka Streams, MirrorMaker 2.",
        show_default=False,
    ),
]
FileFormatOption = Annotated[
    str | None,
    typer.Option(
        "--file-format",
        metavar="FORMAT",
        help=f"Read every PATH as FORMAT instead of detecting it. {formats_help()}.",
    ),
]
ClientOption = Annotated[
    str | None,
    typer.Option(
        "--client", metavar="NAME[@VERSION]", help="The client whose defaults apply to client configs: java@3.9."
    ),
]


def audit_sources_of(
    *,
    paths: Sequence[str],
    bootstrap_server: str | None,
    snapshot: Path | None,
    file_format: str | None,
    client: str | None,
    command_config: Path | None,
    timeout: float,
    connect_url: Sequence[str],
    connect_config: Path | None,
    services: Path | None,
    options: AuditOptions,
    bootstrap_from: str | None = None,
) -> Sources:
    """The Sources the flags name, every file they name read and checked (InputError, exit 2)
    before any request to a cluster."""
    from auditor.audit import FileSources, Sources, declared_services

    if file_format is not None and file_format not in FORMATS:
        raise InputError(f"--file-format must be one of {', '.join(FORMATS)}, not {file_format!r}")
    if bootstrap_server is not None and snapshot is not None:
        raise InputError("give either --bootstrap-server (a live cluster) or --snapshot FILE, not both")
    if options.assume_down and bootstrap_server is None and snapshot is None:
        raise InputError("--assume-down needs a cluster: --bootstrap-server or --snapshot")
    single = connection(bootstrap_server, command_config, timeout, bootstrap_from) if bootstrap_server else None
    files = FileSources(tuple(paths), file_format, client)
    connect = connect_settings(connect_url, connect_config, timeout)
    return Sources(single, snapshot, files, declared_services(services, options.policy), connect=connect)


def connection(
    bootstrap_server: str, command_config: Path | None, timeout: float, bootstrap_from: str | None = None
) -> ConnectionSettings:
    from auditor.sources.connection import connection_settings

    return connection_settings(bootstrap_server, command_config, timeout, bootstrap_from)


def connect_settings(urls: Sequence[str], config: Path | None, timeout: float) -> tuple[ConnectSettings, ...]:
    if config is not None and not urls:
        raise InputError("--connect-config needs --connect-url")
    if not urls:
        return ()  # the REST client (urllib, http.client, ssl) is imported only when asked for
    from auditor.sources.connect_rest import ConnectSettings, load_connect_config, parse_connect_url

    user_info, tls = load_connect_config(config)
    return tuple(ConnectSettings(parse_connect_url(url), timeout, user_info, tls) for url in urls)


def resolve_bootstrap(
    ctx: typer.Context, value: str | None, command_config: Path | None
) -> tuple[str | None, str | None]:
    """The bootstrap servers and where they were given: --bootstrap-server wins over its environment
    variables, which win over bootstrap.servers in --command-config (as Kafka's own tools read it)."""
    from typer._click.core import ParameterSource

    if value is not None:
        if ctx.get_parameter_source("bootstrap_server") is not ParameterSource.ENVIRONMENT:
            return value, "--bootstrap-server"
        names = (f"{ENV_PREFIX}BOOTSTRAP_SERVER", *ENV_ALIASES["bootstrap_server"])
        return value, next((name for name in names if os.environ.get(name)), "the environment")
    if command_config is None:
        return None, None
    from auditor.sources.connection import configured_bootstrap

    found = configured_bootstrap(command_config)
    return (found, f"bootstrap.servers in {command_config}") if found else (None, None)


ENV_PREFIX = "KAFKA_AUDIT_"
# Names other tools already use for the same thing, read after kafka-audit's own.
ENV_ALIASES = {"bootstrap_server": ("KAFKA_BOOTSTRAP_SERVERS",)}
