"""Kafka CLI client settings (`--command-config client.properties`) -> kafka-python settings.

Only what kafka-python can honour is accepted; anything else is an input error that says what
to use instead, never a silently weaker connection.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.errors import InputError, InvalidSetting, Setting
from auditor.sources.properties import read_properties_file

if TYPE_CHECKING:
    from auditor.sources.keystores import Store

SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
PASSWORD_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
MECHANISMS = (*PASSWORD_MECHANISMS, "OAUTHBEARER", "GSSAPI", "AWS_MSK_IAM")
INLINE_PEM = ("ssl.truststore.certificates", "ssl.keystore.certificate.chain", "ssl.keystore.key")
MAX_IN_FLIGHT = 100
_JAAS_OPTION = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|(\S+?))(?=\s|;|$)')


# One request may wait this share of --timeout (at least MIN_REQUEST_S): a broker that accepts
# connections and never answers costs one such wait, and the request is tried on another broker.
REQUEST_SHARE = 0.25
MIN_REQUEST_S = 1.0


@dataclass(frozen=True)
class ConnectionSettings:
    bootstrap_servers: tuple[str, ...]
    timeout_s: float  # the whole collection's deadline
    client: Mapping[str, Any] = field(default_factory=dict)
    command_config: str | None = None  # the file `client` was read from, as given (for fix commands)
    # where the bootstrap servers were given (a flag, an environment variable, a client properties
    # file's bootstrap.servers), for the report; None when the caller does not say
    bootstrap_from: str | None = None

    @property
    def request_timeout_s(self) -> float:
        """How long one request (or one bootstrap address) may take before another broker is asked."""
        return min(self.timeout_s, max(MIN_REQUEST_S, self.timeout_s * REQUEST_SHARE))

    def admin_kwargs(self) -> dict[str, Any]:
        return {
            "bootstrap_servers": list(self.bootstrap_servers),
            "client_id": "kafka-audit",
            "request_timeout_ms": int(self.request_timeout_s * 1000),
            "bootstrap_timeout_ms": int(self.timeout_s * 1000),
            # The collector pipelines its batched requests; kafka-python's default of 5 pauses
            # a connection instead of queueing the sixth.
            "max_in_flight_requests_per_connection": MAX_IN_FLIGHT,
            **self.client,
        }


def parse_bootstrap(value: str) -> tuple[str, ...]:
    servers = tuple(s.strip() for s in value.split(",") if s.strip())
    for server in servers:
        host, sep, port = server.rpartition(":")
        if not sep or not host or not re.fullmatch(r"[0-9]{1,5}", port) or not 1 <= int(port) <= 65535:
            shown = server if len(server) <= 80 else server[:77] + "..."
            raise InvalidSetting(Setting.BOOTSTRAP, "invalid entry: expected HOST:PORT, PORT 1-65535", value=shown)
    if not servers:
        raise InvalidSetting(Setting.BOOTSTRAP, "empty")
    return servers


def load_command_config(path: Path) -> dict[str, Any]:
    """Read a Kafka CLI client.properties into kafka-python keyword arguments."""
    props = {k: v.value.strip() for k, v in read_properties_file(path).items()}
    return client_kwargs(props, source=str(path))


def client_kwargs(props: Mapping[str, str], source: str) -> dict[str, Any]:
    protocol = props.get("security.protocol", "PLAINTEXT").upper()
    if protocol not in SECURITY_PROTOCOLS:
        raise InputError(f"{source}: security.protocol={protocol} is not one of {', '.join(SECURITY_PROTOCOLS)}")
    kwargs: dict[str, Any] = {"security_protocol": protocol}
    if protocol.startswith("SASL_"):
        kwargs.update(_sasl_kwargs(props, source))
    if protocol.endswith("SSL"):
        kwargs.update(_ssl_kwargs(props, source))
    return kwargs


def _sasl_kwargs(props: Mapping[str, str], source: str) -> dict[str, Any]:
    from auditor.sources.msk_iam import is_msk_iam, msk_iam_kwargs

    mechanism = props.get("sasl.mechanism", "GSSAPI").upper()
    if is_msk_iam(props):
        return msk_iam_kwargs(props, parse_jaas_options(props.get("sasl.jaas.config", "")), source)
    if mechanism == "OAUTHBEARER":
        return {"sasl_mechanism": mechanism, "sasl_oauth_token_provider": _oauth_token_file(props, source)}
    if mechanism == "GSSAPI":
        return _gssapi_kwargs(props, source)
    if mechanism not in PASSWORD_MECHANISMS:
        raise InputError(f"{source}: sasl.mechanism={mechanism} is not supported; use one of {', '.join(MECHANISMS)}")
    options = parse_jaas_options(props.get("sasl.jaas.config", ""))
    if "username" not in options or "password" not in options:
        raise InputError(f"{source}: sasl.jaas.config must set username and password for {mechanism}")
    return {
        "sasl_mechanism": mechanism,
        "sasl_plain_username": options["username"],
        "sasl_plain_password": options["password"],
    }


def _gssapi_kwargs(props: Mapping[str, str], source: str) -> dict[str, Any]:
    import importlib.util

    if importlib.util.find_spec("gssapi") is None:
        raise InputError(
            f"{source}: sasl.mechanism=GSSAPI is not supported without the Python package 'gssapi' "
            "(pip install gssapi, with a Kerberos ticket from kinit); or use SCRAM, PLAIN or OAUTHBEARER"
        )
    return {"sasl_mechanism": "GSSAPI", "sasl_kerberos_service_name": props.get("sasl.kerberos.service.name", "kafka")}


def _oauth_token_file(props: Mapping[str, str], source: str) -> Any:
    """OAUTHBEARER with the token read from a file (KIP-768's `file:` token endpoint URL)."""
    url = props.get("sasl.oauthbearer.token.endpoint.url", "")
    if not url.startswith("file:"):
        raise InputError(
            f"{source}: sasl.mechanism=OAUTHBEARER needs the token in a file: fetch it with your identity "
            "provider and set sasl.oauthbearer.token.endpoint.url=file:///path/to/token"
        )
    from urllib.parse import unquote, urlparse

    from kafka.net.sasl.oauth import AbstractTokenProvider

    path = Path(unquote(urlparse(url).path))
    if not path.is_file():
        raise InputError(f"{source}: sasl.oauthbearer.token.endpoint.url: no token file at {path}")

    class FileTokenProvider(AbstractTokenProvider):  # type: ignore[misc]
        def token(self) -> str:
            return path.read_text(encoding="utf-8").strip()

    return FileTokenProvider()


def parse_jaas_options(jaas: str) -> dict[str, str]:
    """Options of a JAAS line: `LoginModule required username="u" password="p";`."""
    options: dict[str, str] = {}
    for match in _JAAS_OPTION.finditer(jaas):
        quoted, bare = match.group(2), match.group(3)
        value = quoted if quoted is not None else bare
        options[match.group(1)] = re.sub(r"\\(.)", r"\1", value)
    return options


def _ssl_kwargs(props: Mapping[str, str], source: str) -> dict[str, Any]:
    inline = [key for key in INLINE_PEM if props.get(key)]
    if inline:
        raise InputError(
            f"{source}: {inline[0]} (PEM inline in the properties) cannot be read by kafka-audit; "
            "write it to a PEM file and set ssl.truststore.location / ssl.keystore.location with type PEM"
        )
    algorithm = props.get("ssl.endpoint.identification.algorithm", "https")
    check_hostname = algorithm.strip().lower() == "https"  # empty: no host name check, as in Java
    stores = {role: _store(props, role, source) for role in ("truststore", "keystore")}
    if any(store is not None and store.type != "PEM" for store in stores.values()):
        from auditor.sources.keystores import ssl_context

        return {"ssl_context": ssl_context(stores["truststore"], stores["keystore"], check_hostname, source)}
    kwargs: dict[str, Any] = {}
    for role, store in stores.items():
        if store is None:
            continue
        kwargs["ssl_cafile" if role == "truststore" else "ssl_certfile"] = str(store.path)
        if role == "keystore":
            kwargs["ssl_keyfile"] = str(store.path)
    if "ssl.key.password" in props:
        kwargs["ssl_password"] = props["ssl.key.password"]
    kwargs["ssl_check_hostname"] = check_hostname
    preflight_tls(kwargs, source)
    return kwargs


def _store(props: Mapping[str, str], role: str, source: str) -> Store | None:
    """`ssl.<role>.location` and its type (Java's default: JKS) and passwords."""
    from auditor.sources.keystores import STORE_TYPES, Store

    location = props.get(f"ssl.{role}.location")
    if location is None:
        return None
    store_type = props.get(f"ssl.{role}.type", "JKS").strip().upper()
    if store_type not in STORE_TYPES:
        raise InputError(f"{source}: ssl.{role}.type={store_type} is not one of {', '.join(STORE_TYPES)}")
    key_password = props.get("ssl.key.password") if role == "keystore" else None
    return Store(f"ssl.{role}.location", Path(location), store_type, props.get(f"ssl.{role}.password"), key_password)


def preflight_tls(kwargs: Mapping[str, Any], source: str) -> None:
    """Load the TLS material the way the connection will, before any connection: a missing or
    unreadable file, a file that holds no certificate or key, or a wrong ssl.key.password is an
    InputError naming the file (exit 2), not a handshake that times out (exit 3)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cafile = kwargs.get("ssl_cafile")
    if cafile:
        _load_tls(source, "ssl.truststore.location", cafile, lambda: context.load_verify_locations(cafile=cafile))
    certfile = kwargs.get("ssl_certfile")
    if certfile:
        keyfile, password = kwargs.get("ssl_keyfile"), kwargs.get("ssl_password")
        _load_tls(
            source, "ssl.keystore.location", certfile, lambda: context.load_cert_chain(certfile, keyfile, password)
        )


def _encrypted_key(path: str) -> bool:
    try:
        return "ENCRYPTED" in Path(path).read_text(encoding="ascii", errors="replace")
    except OSError:
        return False


def _load_tls(source: str, key: str, path: str, load: Callable[[], None]) -> None:
    try:
        load()
    except OSError as exc:  # ssl.SSLError is an OSError
        reason = _ssl_reason(exc, path) if isinstance(exc, ssl.SSLError) else exc.strerror
        raise InputError(f"{source}: {key}={path}: {reason}") from exc


def _ssl_reason(exc: OSError, path: str) -> str:
    text = str(getattr(exc, "reason", None) or exc).lower().replace("_", " ")
    if "bad decrypt" in text or "bad password" in text or ("pem lib" in text and _encrypted_key(path)):
        return "cannot decrypt the private key: wrong ssl.key.password"
    if "no certificate" in text or "no start line" in text or "pem lib" in text:
        return "holds no PEM certificate or key it needs"
    if "key values mismatch" in text:
        return "the private key does not match the certificate"
    return f"not usable TLS material ({text})"


def connection_settings(
    bootstrap: str, command_config: Path | None, timeout_s: float, bootstrap_from: str | None = None
) -> ConnectionSettings:
    """The settings a bootstrap list, a Kafka CLI client properties file and a timeout give."""
    return ConnectionSettings(
        bootstrap_servers=parse_bootstrap(bootstrap),
        timeout_s=timeout_s,
        client=load_command_config(command_config) if command_config else {},
        command_config=str(command_config) if command_config else None,
        bootstrap_from=bootstrap_from,
    )


def configured_bootstrap(command_config: Path) -> str | None:
    """bootstrap.servers of a Kafka CLI client.properties, as Kafka's tools read it (None when unset)."""
    line = read_properties_file(command_config).get("bootstrap.servers")
    value = line.value.strip() if line is not None else ""
    return value or None
