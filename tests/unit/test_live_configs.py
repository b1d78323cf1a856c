"""DescribeConfigs answers decoded through kafka-python's real codec (FakeManager): each distinct
entry becomes one shared ConfigValue, so 20,000 topics that mostly carry the defaults cost about
40 decoded values instead of 660,000; entries that differ in anything stay apart."""

from __future__ import annotations

from typing import Any

from auditor.model import ConfigSource
from auditor.sources.live.configs import broker_configs, topic_configs
from tests.unit.test_live_versions import session_for

DYNAMIC_TOPIC, STATIC_BROKER, DEFAULT = 1, 4, 5  # Kafka's ConfigSource codes


def entry(name: str, value: str | None, source: int = DEFAULT, sensitive: bool = False, synonyms: Any = ()) -> Any:
    from kafka.protocol.admin import DescribeConfigsResponse

    result = DescribeConfigsResponse.DescribeConfigsResult.DescribeConfigsResourceResult
    return result(
        name=name, value=value, read_only=False, config_source=source, is_default=source == DEFAULT,
        is_sensitive=sensitive, synonyms=list(synonyms),
    )  # fmt: skip


def answer_with(entries: dict[str, list[Any]]) -> Any:
    from kafka.protocol.admin import DescribeConfigsResponse

    def answer(request: Any, version: int) -> Any:
        results = [
            DescribeConfigsResponse.DescribeConfigsResult(
                error_code=0, error_message=None, resource_type=kind, resource_name=name, configs=entries[name],
            )
            for kind, name, _ in request.resources  # as the collector builds them: (type, name, keys)
        ]  # fmt: skip
        return DescribeConfigsResponse(throttle_time_ms=0, results=results)

    return answer


def test_equal_entries_of_different_topics_are_one_shared_value() -> None:
    # three DescribeConfigs batches of 250
    entries = {f"t{i}": [entry("min.insync.replicas", "1"), entry("retention.ms", "604800000")] for i in range(600)}
    entries["t7"] = [entry("min.insync.replicas", "2", DYNAMIC_TOPIC), entry("retention.ms", "604800000")]
    session, manager = session_for("kafka-3.7.2-kraft", answer_with(entries))
    configs = topic_configs(session, list(entries))
    assert len(manager.sent) == 3 and not session.gaps
    first, other, changed = configs["t0"], configs["t599"], configs["t7"]
    assert first["min.insync.replicas"] is other["min.insync.replicas"]  # decoded once, shared
    assert first["retention.ms"] is changed["retention.ms"]
    assert (changed["min.insync.replicas"].value, changed["min.insync.replicas"].source) == (
        "2", ConfigSource.TOPIC_OVERRIDE,
    )  # fmt: skip
    default = first["min.insync.replicas"]
    assert (default.value, default.source) == ("1", ConfigSource.KAFKA_DEFAULT)


def test_entries_differing_only_in_source_sensitivity_or_synonyms_stay_apart() -> None:
    from kafka.protocol.admin import DescribeConfigsResponse

    synonym = DescribeConfigsResponse.DescribeConfigsResult.DescribeConfigsResourceResult.DescribeConfigsSynonym
    entries = {
        "1": [entry("min.insync.replicas", "2", STATIC_BROKER, synonyms=[synonym(name="min.insync.replicas", value="2", source=STATIC_BROKER), synonym(name="min.insync.replicas", value="1", source=DEFAULT)])],  # noqa: E501
        "2": [entry("min.insync.replicas", "2", STATIC_BROKER, synonyms=[synonym(name="min.insync.replicas", value="2", source=STATIC_BROKER)])],  # noqa: E501
        "3": [entry("min.insync.replicas", "2", DEFAULT)],
        "4": [entry("min.insync.replicas", "2", DEFAULT, sensitive=True)],
    }
    session, _ = session_for("kafka-3.7.2-kraft", answer_with(entries))
    values = {b: c["min.insync.replicas"] for b, c in broker_configs(session, [1, 2, 3, 4]).items()}
    assert values[1].detail == "over Kafka default 1" and values[2].detail is None
    assert values[3].source is ConfigSource.KAFKA_DEFAULT and values[3].value == "2"
    assert values[4].sensitive and values[4].value is None  # never shared with the readable "2"
    assert len({id(v) for v in values.values()}) == 4
