"""Kubernetes workloads (Spring Boot env by relaxed binding over mounted ConfigMaps) and ConfigMaps."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.audit import judge
from auditor.engine import load_rules
from auditor.model import Estate
from auditor.sources.files import read_paths
from auditor.sources.files.base import ReadOptions
from auditor.sources.files.kubernetes import read_kubernetes, spring_name
from auditor.sources.files.values import ParseError

MANIFEST = Path(__file__).parent.parent / "fixtures" / "files" / "kubernetes" / "orders-deployment.yaml"


def findings() -> set[tuple[str, str, str, int | None]]:
    found = read_paths([str(MANIFEST)])
    return {
        (f.resource.name, f.rule_id, f.status.value, f.location.line if f.location else None)
        for f in judge(Estate(clients=found.clients), load_rules())
    }


def test_environment_wins_over_the_mounted_application_yml() -> None:
    assert findings() == {
        ("Deployment/orders/app", "PRD001", "fail", 45),  # env acks=1 over the ConfigMap's acks: all
        ("Deployment/orders/app", "PRD003", "fail", 45),
        ("Deployment/orders/app", "PRD002", "fail", 13),  # retries: 0 in the mounted application.yml
        ("Deployment/orders/app", "PRD005", "unknown", 49),  # from a Secret
        ("Deployment/orders/app", "CON001", "fail", 47),  # SPRING_KAFKA_CONSUMER_ENABLE_AUTO_COMMIT=true
        ("ConfigMap/billing-client/consumer.properties", "CON001", "fail", 90),  # a client file in a ConfigMap
        ("ConfigMap/billing-client/consumer.properties", "CON002", "fail", None),
    }  # the CronJob (auto-commit off, earliest) passes


def test_secret_value_is_unknown_and_says_why() -> None:
    found = read_paths([str(MANIFEST)])
    producer = next(c for c in found.clients if c.name == "Deployment/orders/app" and "producer" in c.roles)
    timeout = producer.settings["delivery.timeout.ms"]
    assert timeout.value is None
    assert timeout.detail == "unresolved placeholder ${secretKeyRef kafka-tuning/delivery-timeout}"
    assert producer.settings["acks"].line == 45


@pytest.mark.parametrize(
    ("variable", "name"),
    [
        ("SPRING_KAFKA_PRODUCER_ACKS", "spring.kafka.producer.acks"),
        ("SPRING_KAFKA_CONSUMER_ENABLE_AUTO_COMMIT", "spring.kafka.consumer.enableautocommit"),
        ("SPRING_KAFKA_CONSUMER_ENABLEAUTOCOMMIT", "spring.kafka.consumer.enableautocommit"),
        ("SPRING_KAFKA_PRODUCER_PROPERTIES_ENABLE_IDEMPOTENCE", "spring.kafka.producer.properties.enable.idempotence"),
        ("SPRING_KAFKA_PROPERTIES_ISOLATION_LEVEL", "spring.kafka.properties.isolation.level"),
        ("SPRING_KAFKA_LISTENER_ACK_MODE", "spring.kafka.listener.ackmode"),
        ("SPRING_KAFKA_BOOTSTRAP_SERVERS", "spring.kafka.bootstrapservers"),
        ("SPRING_PROFILES_ACTIVE", "spring.profiles.active"),
        ("JAVA_OPTS", None),
    ],
)
def test_relaxed_binding_of_environment_variables(variable: str, name: str | None) -> None:
    assert spring_name(variable) == name


NAMES = st.sampled_from(
    [
        "SPRING_KAFKA_PRODUCER_ACKS",
        "SPRING_KAFKA_CONSUMER_ENABLE_AUTO_COMMIT",
        "SPRING_KAFKA_",
        "SPRING_PROFILES_ACTIVE",
        "SPRING_KAFKA_PRODUCER_PROPERTIES_",
        "X",
        "",
        "spring_kafka_listener_ack_mode",
    ]
)
VALUES = st.one_of(
    st.none(), st.integers(), st.text(max_size=12), st.sampled_from(["$(rm -rf /)", "`id`", "\x1b[2J", "${A:1}"])
)


@st.composite
def manifests(draw: st.DrawFn) -> list[object]:
    env = [
        draw(st.sampled_from([{"name": draw(NAMES), "value": draw(VALUES)}, {"name": draw(NAMES)}, draw(VALUES)]))
        for _ in range(draw(st.integers(0, 5)))
    ]
    container = {
        "name": draw(VALUES),
        "env": env,
        "envFrom": [{"configMapRef": {"name": "cm"}}],
        "volumeMounts": [{"name": "v"}],
    }
    pod = {
        "containers": draw(st.sampled_from([[container], container, None])),
        "volumes": [{"name": "v", "configMap": {"name": "cm"}}],
    }
    workload = {
        "apiVersion": "apps/v1",
        "kind": draw(st.sampled_from(["Deployment", "CronJob", "Job"])),
        "metadata": {"name": draw(VALUES)},
    }
    workload["spec"] = {"template": {"spec": pod}, "jobTemplate": {"spec": {"template": {"spec": pod}}}}
    data = {
        draw(st.sampled_from(["application.yml", "c.properties", "x.json", "SPRING_KAFKA_PRODUCER_ACKS"])): draw(VALUES)
    }
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cm"},
        "data": draw(st.sampled_from([data, None, "x"])),
    }
    return [workload, config_map]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests())
def test_generated_manifests_never_crash_the_reader(documents: list[object]) -> None:
    text = yaml.safe_dump_all(documents)
    try:
        found = read_kubernetes(text, "gen.yaml", ReadOptions())
    except ParseError:
        return  # an embedded file that is not valid YAML/properties: exit 2 naming it, by design
    assert all(c.name for c in found.clients)
