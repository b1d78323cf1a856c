"""How the file a finding is in writes a setting a fix asks for (issue #13, fixes in the file's
language): a compose service's environment variable as its image maps it (KAFKA_CFG_ on bitnami,
KAFKA_ on apache/confluent/wurstmeister), a Strimzi or topicctl YAML field, a Terraform config
map entry, a Spring Boot property (typed or pass-through) or its relaxed environment variable, a
keyword argument of kafka-python, a librdkafka key.

The facts give each subject its `setting_names`; a command of rules/commands.yaml whose variant
says `spell: true` has the `key=value` settings written after it in a fix spelled with them. The
wording around them stays in rules/commands.yaml."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from auditor.enums import StrEnum
from auditor.knowledge.spring import spring_property
from auditor.model import ClientConfig, Role


class Style(StrEnum):
    PROPERTIES = "properties"  # key=value: server.properties, a client .properties, kafka-configs.sh
    YAML = "yaml"  # key: value (Strimzi spec.config / spec.kafka.config, topicctl spec.settings)
    HCL = "hcl"  # "key" = "value" (a Terraform kafka_topic's config map)
    JSON = "json"  # "key": "value" (librdkafka JSON, a connector's config)
    ENVIRONMENT = "environment"  # PREFIX + KEY_IN_UPPER_CASE=value (a compose service's image)
    SPRING_YAML = "spring-yaml"  # spring.kafka.producer.acks: all
    SPRING_PROPERTIES = "spring-properties"  # spring.kafka.producer.acks=all
    SPRING_ENV = "spring-env"  # SPRING_KAFKA_PRODUCER_ACKS=all (Spring Boot's relaxed binding)
    KEYWORD = "keyword"  # acks="all" (kafka-python, aiokafka: snake_case keyword arguments)
    KEYWORD_JSON = "keyword-json"  # "enable_idempotence": true (kafka-python's keywords in a JSON file)
    KEYWORD_YAML = "keyword-yaml"  # enable_idempotence: true (kafka-python's keywords in a YAML map)
    TOML = "toml"  # "enable.idempotence" = true (a client map in a TOML config)
    KEYWORD_TOML = "keyword-toml"  # enable_idempotence = true


class SettingNames(str):
    """A subject's way of writing a setting, as a context value (its text names the style);
    `prefix` is the image's variable prefix (ENVIRONMENT), `role` the client's section (Spring)."""

    style: Style
    prefix: str
    role: Role | None

    def __new__(cls, style: Style = Style.PROPERTIES, prefix: str = "", role: Role | None = None) -> SettingNames:
        names = super().__new__(cls, " ".join(part for part in (style.value, prefix, role or "") if part))
        names.style, names.prefix, names.role = style, prefix, role
        return names

    def assign(self, key: str, value: str) -> str:
        """`key=value` as this file writes it (the value may still be a {placeholder})."""
        if self.style in _WRITTEN:
            layout, spell_key, spell_value = _WRITTEN[self.style]
            return layout.format(key=spell_key(key), value=spell_value(value))
        if self.style is Style.ENVIRONMENT:
            return f"{self.prefix}{image_variable(key)}={value}"
        if self.role is not None and self.style is Style.SPRING_YAML:
            return f"{spring_property(self.role, key)}: {value}"
        if self.role is not None and self.style is Style.SPRING_PROPERTIES:
            return f"{spring_property(self.role, key)}={value}"
        if self.role is not None and self.style is Style.SPRING_ENV:
            return f"{spring_variable(spring_property(self.role, key))}={value}"
        return f"{key}={value}"


def image_variable(key: str) -> str:
    """The variable name after the image's prefix: min.insync.replicas -> MIN_INSYNC_REPLICAS,
    with `_` written `__` and `-` written `___` (the images' shared convention)."""
    return key.replace("_", "__").replace("-", "___").replace(".", "_").upper()


def spring_variable(spring_key: str) -> str:
    """Spring Boot's environment variable for a property: dots to `_`, dashes dropped, upper case
    (spring.kafka.consumer.enable-auto-commit -> SPRING_KAFKA_CONSUMER_ENABLEAUTOCOMMIT; a
    pass-through map key keeps its parts: ..._PROPERTIES_ENABLE_IDEMPOTENCE)."""
    return spring_key.replace("-", "").replace(".", "_").upper()


def python_value(value: str) -> str:
    """A fix's value as a Python literal: true/false as True/False, a number or placeholder as is,
    text quoted."""
    if value in ("true", "false"):
        return value.capitalize()
    if value.lstrip("-").isdigit() or value.startswith("{"):
        return value
    return f'"{value}"'


def json_value(value: str) -> str:
    """A fix's value as a JSON literal: true/false and numbers (or a placeholder) as is, text quoted."""
    if value in ("true", "false") or value.lstrip("-").isdigit() or value.startswith("{"):
        return value
    return f'"{value}"'


def _same(text: str) -> str:
    return text


def _snake(key: str) -> str:
    return key.replace(".", "_")


def _quoted(value: str) -> str:
    return f'"{value}"'


# How each plain file style writes key and value: (layout, the key's spelling, the value's).
_WRITTEN: dict[Style, tuple[str, Callable[[str], str], Callable[[str], str]]] = {
    Style.YAML: ("{key}: {value}", _same, _same),
    Style.HCL: ('"{key}" = {value}', _same, _quoted),
    Style.JSON: ('"{key}": {value}', _same, _quoted),
    Style.KEYWORD: ("{key}={value}", _snake, python_value),
    Style.KEYWORD_JSON: ('"{key}": {value}', _snake, json_value),
    Style.KEYWORD_YAML: ("{key}: {value}", _snake, _same),
    Style.TOML: ('"{key}" = {value}', _same, json_value),
    Style.KEYWORD_TOML: ("{key} = {value}", _snake, json_value),
}


# A client map in an application's own config, by the file's suffix: (Kafka keys, keyword names).
NESTED_STYLES = {
    ".yaml": (Style.YAML, Style.KEYWORD_YAML),
    ".yml": (Style.YAML, Style.KEYWORD_YAML),
    ".json": (Style.JSON, Style.KEYWORD_JSON),
    ".toml": (Style.TOML, Style.KEYWORD_TOML),
}


def in_a_map(config: ClientConfig) -> bool:
    """True for a client map nested in an application's YAML/JSON/TOML config (not a .env's variables)."""
    return config.within is not None and Path(config.path).suffix in NESTED_STYLES


def nested_names(config: ClientConfig) -> SettingNames:
    """A nested client map writes kafka-python/aiokafka's keyword names or the Kafka keys in its
    file's syntax; a .env (no suffix) its variables, after their prefix (ORDERS_KAFKA_PRODUCER_ACKS)."""
    styles = NESTED_STYLES.get(Path(config.path).suffix)
    if styles is None:
        return SettingNames(Style.ENVIRONMENT, prefix=config.within or "")
    return SettingNames(styles[1] if config.library in ("kafka-python", "aiokafka") else styles[0])


FILE_STYLES = {"strimzi": Style.YAML, "topicctl": Style.YAML, "terraform": Style.HCL}


def declared_names(declared_format: str | None, variable_prefix: str | None = None) -> SettingNames:
    """How a broker or topic file writes a setting (server.properties and a live cluster: key=value)."""
    if declared_format == "docker-compose" and variable_prefix:
        return SettingNames(Style.ENVIRONMENT, prefix=variable_prefix)
    return SettingNames(FILE_STYLES.get(declared_format or "", Style.PROPERTIES))


def client_names(config: ClientConfig, role: Role) -> SettingNames:
    """How a client's file or code writes a setting: Spring (its file's syntax, or the container's
    environment), kafka-python/aiokafka keyword arguments (in code, or their JSON/YAML mapping),
    librdkafka JSON (or a librdkafka config dict in code), a map in an application's YAML/JSON/TOML
    config or a .env's variables as that file writes them, else key=value."""
    if config.within is not None:
        return nested_names(config)
    if config.library == "spring":
        if config.from_environment:
            return SettingNames(Style.SPRING_ENV, role=role)
        yaml = config.path.endswith((".yml", ".yaml"))
        return SettingNames(Style.SPRING_YAML if yaml else Style.SPRING_PROPERTIES, role=role)
    if config.library in ("kafka-python", "aiokafka"):
        return SettingNames(Style.KEYWORD if config.line is not None else Style.KEYWORD_JSON)
    if config.path.endswith(".json") or (config.line is not None and config.library == "librdkafka"):
        return SettingNames(Style.JSON)
    return SettingNames()
