"""Kubernetes workloads (Spring Boot env by relaxed binding over mounted ConfigMaps) and ConfigMaps."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.audit import judge
from auditor.engine import load_rules
from auditor.model import Estate, Role
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


# --- a service repository: the manifests' ConfigMaps in other files, the Spring application under them

REPO = Path(__file__).parent.parent / "fixtures" / "files" / "spring-on-kubernetes"
APP_YML = f"{REPO}/src/main/resources/application.yml"
DEPLOYMENT = f"{REPO}/k8s/deployment.yaml"
REPLAY = f"{REPO}/k8s/replay.yaml"
CONFIGMAP = f"{REPO}/k8s/configmap.yaml"


def repo_findings(*paths: Path | str) -> dict[tuple[str, str], tuple[str, str | None, int | None]]:
    """(resource, rule) -> (status, path, line) of the workloads' findings."""
    found = read_paths([str(p) for p in paths])
    return {
        (f.resource.name, f.rule_id): (f.status.value, f.location.path, f.location.line)
        for f in judge(Estate(clients=found.clients), load_rules())
        if f.location and "/" in f.resource.name and not f.resource.name.startswith(str(REPO))
    }


def test_environment_over_the_repositorys_application_yml_each_setting_from_its_file_and_line() -> None:
    assert repo_findings(REPO) == {
        # SPRING_KAFKA_PRODUCER_ACKS=all (deployment.yaml:24) fixes acks: 1: PRD001 passes;
        # retries: 0 of the application.yml still fails, and silently disables the default idempotence
        ("Deployment/orders/app", "PRD002"): ("fail", APP_YML, 9),
        ("Deployment/orders/app", "PRD003"): ("fail", APP_YML, 9),
        # request.timeout.ms=180000 of the application.properties mounted from a ConfigMap of
        # k8s/configmap.yaml outlasts delivery.timeout.ms=120000 (configMapKeyRef, deployment.yaml:26);
        # its enable-auto-commit=false overrides the application.yml's true: CON001 passes
        ("Deployment/orders/app", "PRD005"): ("fail", DEPLOYMENT, 26),
        # the Job's environment comes from a ConfigMap and a Secret the audit cannot read:
        # what they could override is unknown, at the envFrom line; its own env (auto-commit false) passes
        ("Job/orders-replay/replay", "PRD001"): ("unknown", REPLAY, 17),
        ("Job/orders-replay/replay", "PRD002"): ("unknown", REPLAY, 17),
        ("Job/orders-replay/replay", "PRD003"): ("unknown", REPLAY, None),
        ("Job/orders-replay/replay", "PRD004"): ("unknown", REPLAY, None),
        ("Job/orders-replay/replay", "PRD005"): ("unknown", REPLAY, None),
        ("Job/orders-replay/replay", "CON002"): ("unknown", REPLAY, 17),
    }


def test_provenance_names_the_manifest_the_configmap_file_and_the_application_file() -> None:
    found = read_paths([str(REPO)])
    producer = next(c for c in found.clients if c.name == "Deployment/orders/app" and Role.PRODUCER in c.roles)
    consumer = next(c for c in found.clients if c.name == "Deployment/orders/app" and Role.CONSUMER in c.roles)
    assert (producer.settings["acks"].value, producer.settings["acks"].path, producer.settings["acks"].line) == (
        "all",
        DEPLOYMENT,
        24,
    )
    assert (producer.settings["retries"].path, producer.settings["retries"].line) == (APP_YML, 9)
    timeout = producer.settings["delivery.timeout.ms"]  # configMapKeyRef to k8s/configmap.yaml
    assert (timeout.value, timeout.path, timeout.line) == ("120000", DEPLOYMENT, 26)
    reset = consumer.settings["auto.offset.reset"]  # envFrom orders-env, defined in k8s/configmap.yaml
    assert (reset.value, reset.path, reset.line) == ("earliest", CONFIGMAP, 8)
    mounted = producer.settings["request.timeout.ms"]  # application.properties of a ConfigMap volume
    assert (mounted.value, mounted.path, mounted.line) == ("180000", CONFIGMAP, 26)
    auto_commit = consumer.settings["enable.auto.commit"]  # the mounted file over the jar's application.yml
    assert (auto_commit.value, auto_commit.path, auto_commit.line) == ("false", CONFIGMAP, 25)
    assert producer.library_version == "3.3.4"  # Spring Boot's, from the project the manifest lies in
    assert (producer.library_version_at or "").endswith("spring-on-kubernetes/pom.xml:9")


def test_a_configmap_outside_the_audit_makes_what_it_could_set_unknown_never_a_default() -> None:
    found = read_paths([DEPLOYMENT])  # alone: orders-env and orders-tuning are not in the audit
    producer = next(c for c in found.clients if c.name == "Deployment/orders/app" and Role.PRODUCER in c.roles)
    assert producer.settings["acks"].value == "all"  # set by `env`, after the envFrom: known
    timeout = producer.settings["delivery.timeout.ms"]
    assert timeout.value is None
    assert timeout.detail == "unresolved placeholder ${configMapKeyRef orders-tuning/delivery-timeout not in the audit}"
    assert producer.opaque == (
        f"ConfigMap orders-application mounted at /workspace/config is not in the audit ({DEPLOYMENT}:34)"
        " may set any spring.kafka.* property; "
        f"envFrom ConfigMap orders-env is not in the audit ({DEPLOYMENT}:21) may set any SPRING_KAFKA_* variable"
    )
    findings = repo_findings(DEPLOYMENT)
    assert findings[("Deployment/orders/app", "PRD002")] == ("unknown", DEPLOYMENT, None)  # omitted: not a default
    assert not any(rule.startswith("CON") for _, rule in findings)  # no consumer setting in sight: no consumer
    assert ("Deployment/orders/app", "PRD001") not in findings


def test_a_configmap_defined_twice_in_the_audit_is_not_guessed(tmp_path: Path) -> None:
    for name, value in (("a.yaml", "earliest"), ("b.yaml", "latest")):
        (tmp_path / name).write_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: env\n"
            f"data:\n  SPRING_KAFKA_CONSUMER_AUTO_OFFSET_RESET: {value}\n"
        )
    (tmp_path / "deploy.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: c\n          envFrom:\n"
        "            - configMapRef:\n                name: env\n"
        "          env:\n            - name: SPRING_KAFKA_CONSUMER_ENABLE_AUTO_COMMIT\n              value: 'false'\n"
    )
    consumer = next(c for c in read_paths([str(tmp_path)]).clients if c.name == "Deployment/d/c")
    assert consumer.settings["enable.auto.commit"].value == "false"
    assert consumer.opaque is not None and consumer.opaque.startswith(
        f"envFrom ConfigMap env is defined more than once in the audit ({tmp_path}/a.yaml, {tmp_path}/b.yaml)"
    )
    # a namespace tells them apart
    (tmp_path / "b.yaml").write_text(
        (tmp_path / "b.yaml").read_text().replace("name: env", "name: env\n  namespace: other")
    )
    (tmp_path / "a.yaml").write_text(
        (tmp_path / "a.yaml").read_text().replace("name: env", "name: env\n  namespace: shop")
    )
    (tmp_path / "deploy.yaml").write_text(
        (tmp_path / "deploy.yaml").read_text().replace("name: d", "name: d\n  namespace: shop")
    )
    consumer = next(c for c in read_paths([str(tmp_path)]).clients if c.name == "Deployment/shop/d/c")
    assert consumer.opaque is None
    assert consumer.settings["auto.offset.reset"].value == "earliest"


POD = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n"
    "      containers:\n        - name: c\n          env:\n"
    "            - name: SPRING_KAFKA_PRODUCER_ACKS\n              value: all\n"
    "            - name: SPRING_CONFIG_ADDITIONAL_LOCATION\n              value: optional:file:/etc/orders/\n"
    "          volumeMounts:\n            - name: settings\n              mountPath: {mount}\n{sub_path}"
    "      volumes:\n        - name: settings\n          configMap:\n            name: orders-settings\n"
)
SETTINGS = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: orders-settings\ndata:\n"
    "  application.properties: |\n    spring.kafka.producer.retries=0\n"
)


@pytest.mark.parametrize(
    ("mount", "sub_path"),
    [
        ("/workspace/config", ""),  # Spring Boot's ./config/ under a buildpacks image's working directory
        ("/etc/orders", ""),  # named by SPRING_CONFIG_ADDITIONAL_LOCATION
        ("/workspace/application.properties", "              subPath: application.properties\n"),
    ],
)
def test_a_mounted_configmap_of_another_file_is_read_and_outside_the_audit_is_unknown(
    tmp_path: Path, mount: str, sub_path: str
) -> None:
    """Where Spring reads it (./config/, a SPRING_CONFIG_* folder, the file itself), a mounted
    ConfigMap's application.properties is layered when the audit has it, else what it could set is unknown."""
    (tmp_path / "deploy.yaml").write_text(POD.format(mount=mount, sub_path=sub_path))
    (tmp_path / "settings.yaml").write_text(SETTINGS)
    producer = next(c for c in read_paths([str(tmp_path)]).clients if c.name == "Deployment/d/c")
    retries = producer.settings["retries"]
    assert (retries.value, retries.path, retries.line) == ("0", f"{tmp_path}/settings.yaml", 7)
    assert producer.opaque is None

    (tmp_path / "settings.yaml").unlink()
    producer = next(c for c in read_paths([str(tmp_path)]).clients if c.name == "Deployment/d/c")
    assert producer.settings["acks"].value == "all"  # the environment is set over the mounted files
    assert producer.opaque == (
        f"ConfigMap orders-settings mounted at {mount} is not in the audit ({tmp_path}/deploy.yaml:16)"
        " may set any spring.kafka.* property"
    )
    statuses = {f.rule_id: f.status.value for f in judge(Estate(clients=(producer,)), load_rules())}
    assert statuses["PRD002"] == "unknown"  # never kafka-clients' default retries


def test_a_configmap_mounted_where_spring_does_not_read_is_not_spring_configuration(tmp_path: Path) -> None:
    (tmp_path / "deploy.yaml").write_text(POD.format(mount="/etc/nginx/conf.d", sub_path=""))
    producer = next(c for c in read_paths([str(tmp_path)]).clients if c.name == "Deployment/d/c")
    assert producer.opaque is None and producer.settings["acks"].value == "all"


def test_an_unmounted_configmaps_application_properties_is_read_as_properties(tmp_path: Path) -> None:
    (tmp_path / "settings.yaml").write_text(SETTINGS)
    (client,) = read_paths([str(tmp_path)]).clients
    assert client.name == "ConfigMap/orders-settings/application.properties"
    assert (client.settings["retries"].value, client.settings["retries"].line) == ("0", 7)


def test_namespace_is_part_of_the_resource_name(tmp_path: Path) -> None:
    """Two Deployments `orders` (container `app`) in two namespaces are two producers, each judged on
    its own environment; a manifest without a namespace keeps the bare name. Shaped after the
    Kubernetes documentation's Deployment example (apps/v1, one container), with metadata.namespace."""
    deployment = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\n{namespace}spec:\n  template:\n"
        "    spec:\n      containers:\n        - name: app\n          env:\n"
        "            - name: SPRING_KAFKA_PRODUCER_ACKS\n              value: '{acks}'\n"
    )
    (tmp_path / "shop.yaml").write_text(deployment.format(namespace="  namespace: shop\n", acks="1"))
    (tmp_path / "billing.yaml").write_text(deployment.format(namespace="  namespace: billing\n", acks="all"))
    (tmp_path / "plain.yaml").write_text(deployment.format(namespace="", acks="0"))
    (tmp_path / "settings.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: client\n  namespace: shop\n"
        "data:\n  producer.properties: |\n    acks=1\n"
    )
    found = read_paths([str(tmp_path)])
    producers = {c.name: c.settings["acks"].value for c in found.clients if "producer" in c.roles}
    assert producers == {
        "Deployment/shop/orders/app": "1",
        "Deployment/billing/orders/app": "all",
        "Deployment/orders/app": "0",
        "ConfigMap/shop/client/producer.properties": "1",
    }
    failing = {f.resource.name for f in judge(Estate(clients=found.clients), load_rules()) if f.rule_id == "PRD001"}
    assert failing == {
        "Deployment/shop/orders/app",
        "Deployment/orders/app",
        "ConfigMap/shop/client/producer.properties",
    }
