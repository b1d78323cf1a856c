"""The Connect REST reader's parsing, on answers in the shape Kafka Connect's REST API documents
(GET /connectors?expand=status&expand=info, kafka.apache.org "REST API"); the live worker is
tests/integration/test_connect_live.py. Hostile and random answers never escape as a traceback."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.errors import InputError
from auditor.sources.connect_rest import _connector, mirror_flows, parse_connect_url

URL = "http://127.0.0.1:8083"
LISTING: dict[str, Any] = {
    "jdbc-sink": {
        "info": {
            "name": "jdbc-sink",
            "config": {
                "connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector",
                "topics": "orders",
                "connection.url": "jdbc:postgresql://db/shop?user=shop&password=hunter2",
                "connection.password": "hunter2",
                "db.secret.typed": "typed-password-value",
                "errors.tolerance": "all",
            },
            "tasks": [{"connector": "jdbc-sink", "task": 0}],
            "type": "sink",
        },
        "status": {
            "name": "jdbc-sink",
            "connector": {"state": "RUNNING", "worker_id": "10.0.0.1:8083"},
            "tasks": [
                {
                    "id": 0,
                    "state": "FAILED",
                    "worker_id": "10.0.0.2:8083",
                    "trace": "org.apache.kafka.connect.errors.ConnectException: boom\n\tat x.y(Z.java:1)",
                }
            ],
            "type": "sink",
        },
    },
    "mm2": {
        "info": {
            "config": {
                "connector.class": "org.apache.kafka.connect.mirror.MirrorSourceConnector",
                "source.cluster.alias": "east",
                "target.cluster.alias": "west",
                "replication.factor": "2",
            },
            "type": "source",
        },
        "status": {"connector": {"state": "RUNNING"}, "tasks": [], "type": "source"},
    },
}


def test_connector_config_status_and_secrets() -> None:
    connector = _connector(
        "jdbc-sink",
        LISTING["jdbc-sink"],
        URL,
        "Connect x",
        {"io.confluent.connect.jdbc.JdbcSinkConnector": frozenset({"db.secret.typed"})},
    )
    assert (connector.type, connector.state) == ("sink", "RUNNING")
    assert [(t.id, t.state, t.worker_id) for t in connector.tasks] == [(0, "FAILED", "10.0.0.2:8083")]
    assert connector.tasks[0].trace == "org.apache.kafka.connect.errors.ConnectException: boom"
    settings_ = connector.settings
    assert settings_["errors.tolerance"].value == "all"
    for secret in ("connection.password", "connection.url", "db.secret.typed"):
        assert settings_[secret].value is None and settings_[secret].sensitive, secret
    assert "hunter2" not in repr(connector) and "typed-password-value" not in repr(connector)


def test_mirror_connectors_become_flows() -> None:
    connectors = tuple(_connector(n, e, URL, "Connect x", {}) for n, e in LISTING.items())
    (flow,) = mirror_flows(connectors, URL)
    assert (flow.source, flow.target) == ("east", "west")
    assert flow.settings["replication.factor"].value == "2"


@pytest.mark.parametrize("url", ["ftp://x", "localhost:8083", "http://", "http://u:p@host:8083", "$(reboot)"])
def test_bad_urls_are_input_errors(url: str) -> None:
    with pytest.raises(InputError):
        parse_connect_url(url)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "info",
                    "status",
                    "config",
                    "connector",
                    "tasks",
                    "state",
                    "id",
                    "trace",
                    "type",
                    "connector.class",
                    "worker_id",
                ]
            )
            | st.text(max_size=5),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=2000)
@given(entry=st.dictionaries(st.sampled_from(["info", "status"]), JSON, max_size=2))
def test_any_answer_shape_is_read_or_refused_cleanly(entry: dict[str, Any]) -> None:
    try:
        connector = _connector("c", entry, URL, "Connect x", {})
    except (AttributeError, TypeError) as exc:  # pragma: no cover - the assertion below reports it
        raise AssertionError(f"unreadable answer escaped as {type(exc).__name__}: {exc}") from exc
    assert connector.name == "c"


def test_hostile_names_and_traces_reach_no_report_as_control_characters() -> None:
    from auditor.audit import AuditOptions, audit_estate
    from auditor.engine import load_rules
    from auditor.model import Estate, Target, TargetKind
    from auditor.reports import OutputFormat, render

    hostile = 'evil"$(rm -rf /)`id`\n\x1b[31mRED'
    entry = {
        "info": {"config": {"connector.class": "FileStreamSink", "errors.tolerance": "all", "topics": "t"}},
        "status": {"connector": {"state": "FAILED", "trace": "\x1b]0;owned\x07java.lang.Error"}, "type": "sink"},
    }
    connector = _connector(hostile, entry, URL, "Connect x", {})
    target = Target(TargetKind.CONNECT, URL, "connect-rest")
    result = audit_estate(Estate(connectors=(connector,)), (target,), load_rules(), AuditOptions())
    assert {f.rule_id for f in result.findings} == {"CNX010", "CNX014"}
    for fmt in OutputFormat:
        text = render(result, fmt)
        assert "\x1b" not in text and "\x07" not in text, fmt


# GET /connector-plugins?connectorsOnly=false of a Kafka 4.x worker with connect-file and connect-mirror
# installed (the shape kafka.apache.org's "REST API" section documents: class, type, version).
PLUGINS_ANSWER: list[Any] = [
    {"class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "type": "sink", "version": "4.3.1"},
    {"class": "org.apache.kafka.connect.file.FileStreamSourceConnector", "type": "source", "version": "4.3.1"},
    {"class": "org.apache.kafka.connect.mirror.MirrorSourceConnector", "type": "source", "version": "4.3.1"},
    {"class": "org.apache.kafka.connect.storage.StringConverter", "type": "converter"},
    {"class": "org.apache.kafka.connect.transforms.InsertField$Value", "type": "transformation", "version": "4.3.1"},
    {"type": "sink"},  # no class: not a plugin
    "garbage",
]


def test_plugins_are_read_and_name_a_connector_class_by_alias() -> None:
    from auditor.model import connector_plugin
    from auditor.sources.connect_rest import _plugin

    plugins = tuple(p for entry in PLUGINS_ANSWER if isinstance(entry, dict) and (p := _plugin(entry)))
    assert len(plugins) == 5
    sink = connector_plugin(plugins, "FileStreamSink")
    assert sink is not None and (sink.type, sink.version) == ("sink", "4.3.1")
    assert connector_plugin(plugins, "org.apache.kafka.connect.file.FileStreamSinkConnector") == sink
    assert connector_plugin(plugins, "FileStreamSinkConnector") == sink
    assert connector_plugin(plugins, "io.confluent.connect.jdbc.JdbcSinkConnector") is None
    assert connector_plugin(plugins, "StringConverter") is None  # a converter is no connector
    assert next(p for p in plugins if p.type == "converter").version is None


def test_connector_type_from_its_plugin_when_the_status_does_not_say() -> None:
    from auditor.model import ConnectPlugin

    plugins = (ConnectPlugin("org.apache.kafka.connect.file.FileStreamSinkConnector", "sink", "4.3.1"),)
    entry = {"info": {"config": {"connector.class": "FileStreamSink", "topics": "t"}}, "status": {}}
    assert _connector("c", entry, URL, "Connect x", {}, plugins).type == "sink"
    assert _connector("c", entry, URL, "Connect x", {}).type is None


def test_failed_connector_names_its_plugin_or_its_absence() -> None:
    from auditor.audit import AuditOptions, audit_estate
    from auditor.engine import load_rules
    from auditor.model import ConnectPlugin, ConnectWorker, Estate, Target, TargetKind

    plugins = (ConnectPlugin("org.apache.kafka.connect.file.FileStreamSinkConnector", "sink", "4.3.1"),)
    worker = ConnectWorker("Connect x", URL, "connect-rest", {}, None, URL, "4.3.1", plugins)
    failed = {"connector": {"state": "FAILED"}, "type": "sink"}

    def cnx014(connector_class: str, on: ConnectWorker) -> str:
        entry = {"info": {"config": {"connector.class": connector_class, "topics": "t"}}, "status": failed}
        connector = _connector("c", entry, URL, on.name, {}, on.plugins)
        estate = Estate(connect_workers=(on,), connectors=(connector,))
        result = audit_estate(estate, (Target(TargetKind.CONNECT, URL, "connect-rest"),), load_rules(), AuditOptions())
        return next(f.message for f in result.findings if f.rule_id == "CNX014")

    assert "FileStreamSinkConnector 4.3.1 (sink)" in cnx014("FileStreamSink", worker)
    assert "com.example.GoneSink (not installed on Connect x)" in cnx014("com.example.GoneSink", worker)
    assert "no plugin list read" in cnx014("FileStreamSink", ConnectWorker("Connect x", URL, "connect-rest", url=URL))
