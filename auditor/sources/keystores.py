"""Java key and trust stores (JKS, PKCS12, PEM) as one ssl.SSLContext, the way a Java client reads
its `ssl.truststore.*` / `ssl.keystore.*` settings.

JKS is read with pyjks, PKCS12 with `cryptography`. Trusted certificates go to the context in
memory (`cadata`); the client key and its chain go through a private temporary folder (0700,
files 0600) that is removed as soon as the context has loaded them: Python's ssl module loads a
private key only from a file. Passwords are never part of a message.
"""

from __future__ import annotations

import contextlib
import shutil
import ssl
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from auditor.errors import InputError

STORE_TYPES = ("JKS", "PKCS12", "PEM")


@dataclass(frozen=True)
class Store:
    """One `ssl.<truststore|keystore>.*` group of settings."""

    setting: str  # ssl.truststore.location / ssl.keystore.location, for messages
    path: Path
    type: str
    password: str | None = None
    key_password: str | None = None


@dataclass(frozen=True)
class KeyMaterial:
    key_pem: bytes  # unencrypted PKCS8
    chain_pem: bytes  # the client certificate first


def trusted_pem(store: Store, source: str) -> str:
    """The trusted certificates of a truststore, as PEM text."""
    data = _read(store, source)
    if store.type == "PEM":
        return data.decode("ascii", "replace")
    ders = _jks_trusted(store, data, source) if store.type == "JKS" else _p12_trusted(store, data, source)
    if not ders:
        raise InputError(f"{source}: {store.setting}={store.path}: holds no trusted certificate")
    return "".join(ssl.DER_cert_to_PEM_cert(der) for der in ders)


def key_material(store: Store, source: str) -> KeyMaterial:
    """The client key and certificate chain of a JKS or PKCS12 keystore (the first key entry by alias)."""
    data = _read(store, source)
    return _jks_key(store, data, source) if store.type == "JKS" else _p12_key(store, data, source)


def ssl_context(trust: Store | None, keystore: Store | None, check_hostname: bool, source: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = check_hostname
    if trust is None:
        context.load_default_certs()
    else:
        _load(source, trust, lambda: context.load_verify_locations(cadata=trusted_pem(trust, source)))
    if keystore is not None:
        material = key_material(keystore, source)
        with _private_folder() as folder:
            key, chain = folder / "key.pem", folder / "chain.pem"
            for path, data in ((key, material.key_pem), (chain, material.chain_pem)):
                path.touch(mode=0o600)
                path.write_bytes(data)
            _load(source, keystore, lambda: context.load_cert_chain(str(chain), str(key)))
    return context


@contextlib.contextmanager
def _private_folder() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="kafka-audit-tls-"))  # mode 0700
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _load(source: str, store: Store, load: object) -> None:
    try:
        load()  # type: ignore[operator]
    except ssl.SSLError as exc:
        reason = str(getattr(exc, "reason", None) or exc).lower().replace("_", " ")
        raise InputError(f"{source}: {store.setting}={store.path}: not usable TLS material ({reason})") from exc


def _read(store: Store, source: str) -> bytes:
    try:
        return store.path.read_bytes()
    except OSError as exc:
        raise InputError(f"{source}: {store.setting}={store.path}: {exc.strerror}") from exc


def _wrong_password(store: Store, source: str, which: str = "password") -> InputError:
    key = store.setting.replace(".location", f".{which}") if which == "password" else "ssl.key.password"
    return InputError(f"{source}: {store.setting}={store.path}: cannot open the {store.type} store: wrong {key}?")


# ---- JKS (pyjks)


def _jks(store: Store, data: bytes, source: str) -> object:
    import jks

    try:
        return jks.KeyStore.loads(data, store.password or "", try_decrypt_keys=False)
    except jks.util.KeystoreSignatureException as exc:
        raise _wrong_password(store, source) from exc
    except (jks.util.BadKeystoreFormatException, jks.util.UnsupportedKeystoreTypeException) as exc:
        raise InputError(f"{source}: {store.setting}={store.path}: not a JKS store ({exc})") from exc


def _jks_trusted(store: Store, data: bytes, source: str) -> list[bytes]:
    keystore = _jks(store, data, source)
    return [entry.cert for _, entry in sorted(keystore.certs.items())]  # type: ignore[attr-defined]


def _jks_key(store: Store, data: bytes, source: str) -> KeyMaterial:
    import jks

    keystore = _jks(store, data, source)
    entries = sorted(keystore.private_keys.items())  # type: ignore[attr-defined]
    if not entries:
        raise InputError(f"{source}: {store.setting}={store.path}: holds no private key")
    _, entry = entries[0]
    try:
        entry.decrypt(store.key_password or store.password or "")
    except jks.util.DecryptionFailureException as exc:
        raise _wrong_password(store, source, "key") from exc
    key = ssl.DER_cert_to_PEM_cert(entry.pkey_pkcs8).replace("CERTIFICATE", "PRIVATE KEY")
    chain = "".join(ssl.DER_cert_to_PEM_cert(der) for _, der in entry.cert_chain)
    return KeyMaterial(key.encode("ascii"), chain.encode("ascii"))


# ---- PKCS12 (cryptography)


def _p12(store: Store, data: bytes, source: str) -> object:
    from cryptography.hazmat.primitives.serialization import pkcs12

    password = store.password.encode() if store.password else None
    try:
        return pkcs12.load_pkcs12(data, password)
    except ValueError as exc:
        raise _wrong_password(store, source) from exc


def _p12_trusted(store: Store, data: bytes, source: str) -> list[bytes]:
    from cryptography.hazmat.primitives.serialization import Encoding

    bundle = _p12(store, data, source)
    certs = [bundle.cert, *bundle.additional_certs]  # type: ignore[attr-defined]
    return [c.certificate.public_bytes(Encoding.DER) for c in certs if c is not None]


def _p12_key(store: Store, data: bytes, source: str) -> KeyMaterial:
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    bundle = _p12(store, data, source)
    if bundle.key is None or bundle.cert is None:  # type: ignore[attr-defined]
        raise InputError(f"{source}: {store.setting}={store.path}: holds no private key")
    key = bundle.key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())  # type: ignore[attr-defined]
    certs = [bundle.cert, *bundle.additional_certs]  # type: ignore[attr-defined]
    return KeyMaterial(key, b"".join(c.certificate.public_bytes(Encoding.PEM) for c in certs))
