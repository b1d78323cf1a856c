"""Fleets and merged reports without a cluster: inventories, cluster names, merge, one exit code.

The live fleet (three harness clusters in one run, and the merge of three runs equal to it) is
tests/integration/test_fleet_live.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.audit import AuditOptions, audit_estate
from auditor.engine import load_rules
from auditor.errors import InputError
from auditor.fleet import load_inventory, parse_cluster_option
from auditor.merge import combined_exit_code, merge_results
from auditor.model import Estate, Target, TargetKind
from auditor.reports import OutputFormat, render
from auditor.reports.load import load_report
from auditor.result import AuditResult
from tests.builders import snapshot, topic
from tests.report_schema import assert_valid_report
from tests.unit.test_cli_offline import assert_one_line_error, run

HOSTILE = ["a b", "x$(id)", "x`id`", "a\nb", "\x1b[31mred", 'q"uote', "", "-dash", "a" * 65]


def cluster_result(name: str, *topics: object, fail_on: AuditOptions | None = None) -> AuditResult:
    """The audit of one fleet member, judged from a snapshot holding `topics`."""
    estate = Estate(cluster=snapshot(*topics))  # type: ignore[arg-type]
    target = (Target(TargetKind.CLUSTER, name, "kafka"),)
    return audit_estate(estate, target, load_rules(), fail_on or AuditOptions(), cluster_name=name)


@pytest.mark.parametrize(
    ("codes", "expected"),
    [([0, 0], 0), ([0, 4], 4), ([4, 1], 1), ([1, 3], 3), ([3, 2, 1], 2), ([], 0), ([0, 1, 0], 1)],
)
def test_the_whole_run_has_the_first_code_in_precedence(codes: list[int], expected: int) -> None:
    assert combined_exit_code(codes) == expected


def test_the_same_topic_in_two_clusters_is_two_resources() -> None:
    eu, us = cluster_result("prod-eu", topic("orders", rf=1)), cluster_result("prod-us", topic("orders", rf=1))
    fleet = merge_results([eu, us])
    orders = [f for f in fleet.findings if f.resource.name == "orders" and f.rule_id == "STO001"]
    assert {f.resource.cluster for f in orders} == {"prod-eu", "prod-us"}
    assert len({f.fingerprint for f in orders}) == 2
    assert [t.name for t in fleet.targets] == ["prod-eu", "prod-us"] and fleet.exit_code == 1
    junit = render(fleet, OutputFormat.JUNIT)
    assert 'testsuite name="cluster prod-eu"' in junit and 'testsuite name="cluster prod-us"' in junit
    assert "topic orders (cluster prod-us)" in render(fleet, OutputFormat.MARKDOWN)


def test_merging_saved_reports_gives_the_one_run_report(tmp_path: Path) -> None:
    parts = [
        cluster_result("a", topic("orders", rf=1)),
        cluster_result("b", topic("orders")),
        cluster_result("c", topic("audit", min_isr="1")),
    ]
    paths = []
    for part in parts:
        paths.append(tmp_path / f"{part.targets[0].name}.json")
        paths[-1].write_text(render(part, OutputFormat.JSON))
    one_run = json.loads(render(merge_results(parts), OutputFormat.JSON))
    merged = json.loads(render(merge_results([load_report(p) for p in paths]), OutputFormat.JSON))
    assert merged == one_run
    assert_valid_report(merged)
    assert {p["resource"]["cluster"] for p in merged["passed"]} == {"a", "b", "c"}


def test_reports_gated_differently_are_not_merged() -> None:
    strict = cluster_result("a", topic("orders"), fail_on=AuditOptions(fail_on=None))
    with pytest.raises(InputError, match="differ in fail_on"):
        merge_results([strict, cluster_result("b", topic("orders"))])


def test_report_merge_writes_one_report_and_exits_with_the_whole_runs_code(tmp_path: Path) -> None:
    clean, failing = cluster_result("a", topic("orders")), cluster_result("b", topic("orders", rf=1))
    (tmp_path / "a.json").write_text(render(clean, OutputFormat.JSON))
    (tmp_path / "b.json").write_text(render(failing, OutputFormat.JSON))
    out = tmp_path / "all.sarif"
    done = run("report", "merge", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--format", "sarif",
               "--output", str(out), "--format", "json")  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["run"]["exit_code"] == 1
    assert "cluster b" in out.read_text()
    assert_one_line_error(run("report", "merge", str(tmp_path / "nope.json")), 2, "cannot read report")


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_cluster_name_is_refused(name: str) -> None:
    with pytest.raises(InputError, match="cluster name"):
        parse_cluster_option(f"{name}=127.0.0.1:9092", {})


def test_cluster_option_errors_are_one_line() -> None:
    assert_one_line_error(run("audit", "--cluster", "127.0.0.1:9092"), 2, "expected NAME=HOST:PORT")
    assert_one_line_error(run("audit", "--cluster", "a=nohost"), 2, "HOST:PORT")
    assert_one_line_error(run("audit", "--cluster", "a=h:1", "--cluster", "a=h:2"), 2, "'a' is given twice")
    both = run("audit", "--cluster", "a=h:1", "--bootstrap-server", "h:1")
    assert_one_line_error(both, 2, "leave out --bootstrap-server")
    assert_one_line_error(run("audit", "--cluster", "a$(id)=h:1"), 2, "cluster name")


def write(tmp_path: Path, text: str, name: str = "fleet.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_an_inventory_names_each_cluster_with_its_settings(tmp_path: Path) -> None:
    jaas = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";'
    properties = f"security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config={jaas}\n"
    write(tmp_path, properties, "eu.properties")
    inventory = write(
        tmp_path,
        "clusters:\n"
        "  - {name: prod-eu, bootstrap: 'k1:9093,k2:9093', command-config: eu.properties}\n"
        "  - name: prod-us\n    bootstrap: k3:9092\n",
    )
    eu, us = load_inventory(inventory)
    assert (eu.name, eu.bootstrap) == ("prod-eu", ("k1:9093", "k2:9093"))
    assert eu.client["security_protocol"] == "SASL_PLAINTEXT"
    assert (us.name, us.bootstrap, dict(us.client)) == ("prod-us", ("k3:9092",), {})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("clusters: []\n", "non-empty list"),
        ("other: 1\n", "needs a 'clusters:' section"),
        ("clusters:\n  - {name: a}\n", "needs 'bootstrap'"),
        ("clusters:\n  - {name: a, bootstrap: 'h:1', port: 2}\n", "unknown cluster key 'port'"),
        ("clusters:\n  - {name: a, bootstrap: 'h:1'}\n  - {name: a, bootstrap: 'h:2'}\n", "'a' is given twice"),
        ("clusters:\n  - {name: 'a`b`', bootstrap: 'h:1'}\n", "cluster name"),
        ("clusters:\n  - {name: a, bootstrap: 'h:1', command-config: missing.properties}\n", "missing.properties"),
        ("clusters:\n  - {name: a, bootstrap: 'h:1', services: 3}\n", "must be a file path"),
    ],
)
def test_inventory_errors_name_the_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=message):
        load_inventory(path)
    done = run("audit", "--clusters", str(path))
    assert_one_line_error(done, 2, message.replace("\\", ""))


INVENTORY_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=12), st.lists(st.text(max_size=4))
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.dictionaries(st.sampled_from(["name", "bootstrap", "command-config", "services", "x"]), INVENTORY_VALUES),
        max_size=3,
    )
)
def test_any_inventory_is_read_or_refused_with_an_input_error(tmp_path: Path, clusters: list[object]) -> None:
    path = write(tmp_path, json.dumps({"clusters": clusters}))  # JSON is YAML
    try:
        members = load_inventory(path)
    except InputError as exc:
        assert "\n" not in str(exc).strip() or "\n" in json.dumps(clusters)
        return
    assert [m.name for m in members] == [c["name"].strip() for c in clusters]  # type: ignore[index]


def test_the_merge_gates_shards_run_with_exit_zero() -> None:
    shard = cluster_result("a", topic("orders", rf=1), fail_on=AuditOptions(exit_zero=True))
    assert shard.exit_code == 0
    assert merge_results([shard]).exit_code == 1
    assert merge_results([shard], exit_zero=True).exit_code == 0


def test_a_cluster_name_alone_picks_it_from_the_inventory(tmp_path: Path) -> None:
    from auditor.cli_policy import fleet

    inventory = write(tmp_path, "clusters:\n  - {name: a, bootstrap: 'h1:1'}\n  - {name: b, bootstrap: 'h2:2'}\n")
    (picked,) = fleet(["b"], inventory, None, AuditOptions(), has_cluster=False)
    assert (picked.name, picked.bootstrap) == ("b", ("h2:2",))
    with pytest.raises(InputError, match="fleet cluster 'c': not in the inventory"):
        fleet(["c"], inventory, None, AuditOptions(), has_cluster=False)
    assert_one_line_error(run("audit", "--clusters", str(inventory), "--cluster", "c"), 2, "not in the inventory")
