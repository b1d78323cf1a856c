"""Before the admin client: is each bootstrap address a Kafka broker listener this client can use?

kafka-python retries a bootstrap that fails for the whole --timeout and then says little about
why. This probe opens one connection per bootstrap address and tells apart, in one line with the
likely fix and as soon as the failure shows: a name that does not resolve, a refused connection,
TLS spoken to a plaintext listener and plaintext to a TLS one, an HTTP server, a KRaft controller
listener, a SASL listener reached without SASL (and the reverse), a SASL mechanism the listener
does not enable, and a failed SASL PLAIN/SCRAM login. Only a silent peer waits for the timeout.
A failed login ends the probe at the first address: every broker checks the same credentials.

It sends ApiVersions, SaslHandshake and SaslAuthenticate only: nothing is read from or written to
the cluster. A problem it cannot classify is left to the admin client (the probe then says
nothing), so a probe's blind spot never refuses a connection that would work.
"""

from __future__ import annotations

import socket
import ssl
import struct
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

API_VERSIONS, SASL_HANDSHAKE, SASL_AUTHENTICATE = 18, 17, 36
METADATA, VOTE = 3, 52
UNSUPPORTED_SASL_MECHANISM, ILLEGAL_SASL_STATE = 33, 34
PASSWORD_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
# ApiVersions v0 with an empty client id is 10 bytes: its size prefix ends in "\n", and the
# correlation id is "\r\n\r\n", so an HTTP server sees a complete (bad) request and answers 400
# at once instead of waiting for the end of a request line.
HTTP_TERMINATING_CORRELATION_ID = 0x0D0A0D0A
MAX_FRAME = 1 << 20
HTTP_ANSWERS = (b"http", b"<!do", b"<htm")  # a status line, or an HTTP/0.9 answer's HTML body


class ProbeFailed(Exception):
    """The address is not a listener this client can use; the message says why and what to change."""


class AuthenticationFailed(ProbeFailed):
    """The cluster refused the SASL login: final for every address (they share one credential store)."""


class _Unclassified(Exception):
    """Something the probe does not recognise: left to the admin client."""


@dataclass
class _Deadline:
    at: float

    def left(self) -> float:
        remaining = self.at - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        return remaining


def check_bootstrap(servers: tuple[str, ...], client: Mapping[str, Any], timeout_s: float) -> str | None:
    """The first bootstrap address that answers as a broker with these settings; None when the
    probe cannot tell (the admin client tries the list). ProbeFailed naming each address's problem
    when none is usable."""
    ends = time.monotonic() + timeout_s
    # Each address gets its share of the time: a silent one first in the list may not spend the
    # whole --timeout and leave the live brokers after it none (they were then called "down").
    share = max(_LEAST_PER_ADDRESS_S, timeout_s / len(servers))
    problems: dict[str, list[str]] = {}  # the problem (address left out) -> the addresses that have it
    for server in servers:
        deadline = _Deadline(min(ends, time.monotonic() + share))
        try:
            probe(server, client, deadline, min(share, timeout_s))
            return server
        except AuthenticationFailed:
            raise  # the next broker checks the same user and password: exit at once, one line
        except ProbeFailed as failed:
            problems.setdefault(str(failed).replace(server, _HERE, 1), []).append(server)
        except (_Unclassified, TimeoutError):
            return None  # not ours to judge: the admin client tries, and reports what it finds
    raise ProbeFailed("; ".join(text.replace(_HERE, _addresses(found)) for text, found in problems.items()))


_HERE = "\x00"
_LEAST_PER_ADDRESS_S = 1.0


def _addresses(servers: list[str]) -> str:
    return servers[0] if len(servers) == 1 else f"{servers[0]} (and {len(servers) - 1} more alike)"


def probe(server: str, client: Mapping[str, Any], deadline: _Deadline, timeout_s: float) -> None:
    host, _, port = server.rpartition(":")
    host = host.strip("[]")
    protocol = str(client.get("security_protocol", "PLAINTEXT"))
    sock = _connect(server, host, int(port), deadline, timeout_s)
    try:
        if protocol.endswith("SSL"):
            sock = _tls(server, sock, host, client, deadline)
        keys = _api_versions(server, sock, protocol, deadline, timeout_s)
        if METADATA not in keys and VOTE in keys:
            raise ProbeFailed(
                f"{server} is a KRaft controller listener, which serves no clients: use a broker listener "
                "(bootstrap.servers, not controller.quorum.bootstrap.servers)"
            )
        _sasl(server, sock, protocol, client, deadline)
    finally:
        sock.close()


def _connect(server: str, host: str, port: int, deadline: _Deadline, timeout_s: float) -> socket.socket:
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ProbeFailed(
            f"{server}: the host name {host!r} does not resolve ({exc.strerror}): check bootstrap.servers and DNS"
        ) from exc
    try:
        return socket.create_connection((host, port), timeout=deadline.left())
    except ConnectionRefusedError as exc:
        raise ProbeFailed(
            f"{server}: connection refused: nothing listens on port {port} there (check the port, and that the "
            "broker is up)"
        ) from exc
    except TimeoutError as exc:
        raise ProbeFailed(
            f"{server}: no answer to the connection within {timeout_s:g}s (a firewall dropping packets, or a "
            "host that is down)"
        ) from exc
    except OSError as exc:
        raise ProbeFailed(f"{server}: cannot connect: {exc.strerror or exc}") from exc


def _tls(server: str, sock: socket.socket, host: str, client: Mapping[str, Any], deadline: _Deadline) -> Any:
    """The TLS handshake alone: the certificate is judged by the admin client (it names the CA and
    host name problems), the probe only asks whether the listener speaks TLS at all."""
    context = client.get("ssl_context")  # from JKS/PKCS12 stores: verifies; its failures go to the admin client
    if context is None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        if client.get("ssl_certfile"):
            context.load_cert_chain(client["ssl_certfile"], client.get("ssl_keyfile"), client.get("ssl_password"))
    sock.settimeout(deadline.left())
    try:
        return context.wrap_socket(sock, server_hostname=host)
    except (ssl.SSLEOFError, ConnectionResetError) as exc:
        raise ProbeFailed(_not_tls(server)) from exc
    except ssl.SSLError as exc:
        if "wrong version number" in str(exc).lower() or "record layer" in str(exc).lower():
            raise ProbeFailed(_not_tls(server)) from exc
        raise _Unclassified from exc
    except TimeoutError as exc:
        raise _Unclassified from exc


def _not_tls(server: str) -> str:
    return (
        f"{server} does not speak TLS (it ended the TLS handshake): set security.protocol=PLAINTEXT or "
        "SASL_PLAINTEXT to match the listener, or use the broker's SSL listener"
    )


def _api_versions(server: str, sock: Any, protocol: str, deadline: _Deadline, timeout_s: float) -> set[int]:
    """The API keys the listener answers (ApiVersions v0), or the reason it is no Kafka listener."""
    sock.settimeout(deadline.left())
    try:
        sock.sendall(_request(API_VERSIONS, 0, b""))
        head = _read(sock, 4)
    except ssl.SSLError as exc:
        if "certificate required" in str(exc).lower():
            raise ProbeFailed(
                f"{server} requires a client certificate (mutual TLS): set ssl.keystore.location "
                "(and its password) in the client properties"
            ) from exc
        raise _Unclassified from exc
    except TimeoutError as exc:
        raise ProbeFailed(
            f"{server}: connected, but no answer within {timeout_s:g}s (a frozen broker, or a proxy that holds "
            "connections open)"
        ) from exc
    except OSError as exc:
        raise _Unclassified from exc
    if head.lower().startswith(HTTP_ANSWERS):
        raise ProbeFailed(
            f"{server} is an HTTP server, not a Kafka broker (a REST Proxy, Connect or Schema Registry address?): "
            "use the brokers' bootstrap address"
        )
    if head[:1] in (b"\x15", b"\x16") and head[1:2] == b"\x03" and not protocol.endswith("SSL"):
        raise ProbeFailed(
            f"{server} is a TLS listener: set security.protocol=SSL (or SASL_SSL) and ssl.truststore.location "
            "in the client properties"
        )
    size = struct.unpack(">i", head)[0]
    if not 10 <= size <= MAX_FRAME:
        raise ProbeFailed(f"{server} does not answer like a Kafka broker (first bytes {head!r})")
    body = _read(sock, size)
    error, count = struct.unpack(">hi", body[4:10])
    if error or count < 0:
        raise _Unclassified
    return {struct.unpack(">h", body[10 + 6 * i : 12 + 6 * i])[0] for i in range(count)}


def _sasl(server: str, sock: Any, protocol: str, client: Mapping[str, Any], deadline: _Deadline) -> None:
    """SaslHandshake tells a SASL listener from another; a password mechanism then logs in."""
    wanted = str(client.get("sasl_mechanism", "PLAIN"))
    error, offered = _handshake(sock, wanted, deadline)
    shown = ", ".join(offered) or "none"
    if not protocol.startswith("SASL"):
        if error != ILLEGAL_SASL_STATE:
            raise ProbeFailed(
                f"{server} expects a SASL login (it offers {shown}): set security.protocol=SASL_PLAINTEXT "
                "(or SASL_SSL), sasl.mechanism and sasl.jaas.config in the client properties"
            )
        return
    if error == ILLEGAL_SASL_STATE:
        raise ProbeFailed(
            f"{server} takes no SASL login: set security.protocol=PLAINTEXT (or SSL) to match the listener, "
            "or use the broker's SASL listener"
        )
    if error == UNSUPPORTED_SASL_MECHANISM:
        raise ProbeFailed(
            f"{server} does not enable SASL mechanism {wanted} (it offers {shown}): set sasl.mechanism to one of them"
        )
    if error or wanted not in PASSWORD_MECHANISMS:
        return  # other mechanisms log in through the admin client
    _login(server, sock, wanted, client, deadline)


def _handshake(sock: Any, mechanism: str, deadline: _Deadline) -> tuple[int, list[str]]:
    sock.settimeout(deadline.left())
    try:
        sock.sendall(_request(SASL_HANDSHAKE, 1, _string(mechanism)))
        body = _read(sock, struct.unpack(">i", _read(sock, 4))[0])
    except OSError as exc:
        raise _Unclassified from exc
    error, count = struct.unpack(">hi", body[4:10])
    offered, at = [], 10
    for _ in range(max(count, 0)):
        length = struct.unpack(">h", body[at : at + 2])[0]
        offered.append(body[at + 2 : at + 2 + length].decode("utf-8", "replace"))
        at += 2 + length
    return error, offered


def _login(server: str, sock: Any, mechanism: str, client: Mapping[str, Any], deadline: _Deadline) -> None:
    """PLAIN or SCRAM through kafka-python's own mechanism classes, over SaslAuthenticate v0."""
    from kafka.net.sasl import get_sasl_mechanism

    login = get_sasl_mechanism(mechanism)(**client)
    while not login.is_done():
        sock.settimeout(deadline.left())
        try:
            sock.sendall(_request(SASL_AUTHENTICATE, 0, _bytes(login.auth_bytes())))
            body = _read(sock, struct.unpack(">i", _read(sock, 4))[0])
        except OSError as exc:
            raise _Unclassified from exc
        error, message, answer = _authenticate_answer(body)
        if error:
            user = client.get("sasl_plain_username", "")
            raise AuthenticationFailed(
                f"{server}: authentication failed for user {user!r} with {mechanism} ({message or f'error {error}'})"
                ": check the user name and password in sasl.jaas.config"
            )
        try:
            login.receive(answer)
        except Exception as exc:  # a server answer the SCRAM client rejects
            raise _Unclassified from exc


def _authenticate_answer(body: bytes) -> tuple[int, str | None, bytes]:
    error, length = struct.unpack(">hh", body[4:8])
    at = 8 + max(length, 0)
    message = body[8:at].decode("utf-8", "replace") if length >= 0 else None
    size = struct.unpack(">i", body[at : at + 4])[0]
    return error, message, body[at + 4 : at + 4 + max(size, 0)]


def _request(api_key: int, version: int, body: bytes) -> bytes:
    header = struct.pack(">hhih", api_key, version, HTTP_TERMINATING_CORRELATION_ID, 0)
    return struct.pack(">i", len(header) + len(body)) + header + body


def _string(text: str) -> bytes:
    data = text.encode("utf-8")
    return struct.pack(">h", len(data)) + data


def _bytes(data: bytes) -> bytes:
    return struct.pack(">i", len(data)) + data


def _read(sock: Any, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionResetError("closed")
        data += chunk
    return data
