"""Hypothesis: random and generated programs never crash a code reader; it returns clients or gaps."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.sources.code.languages import LANGUAGES, read_code
from auditor.sources.files.base import ReadOptions

HOSTILE = ["'", '"', "$(rm -rf /)", "`id`", "\n", "\x1b[31m", "\\", "{", "}", "(", ")", ",", "=", "**", "#"]
VALUES = st.one_of(
    st.integers(-5, 10).map(str),
    st.sampled_from(['"all"', '"1"', "True", "False", "None", "os.environ['X']", "cfg", "f()", "-1", "[1, 2]"]),
    st.lists(st.sampled_from([*HOSTILE, "a", "b", "1"]), max_size=8).map(lambda parts: repr("".join(parts))),
)
KEYS = st.sampled_from(["acks", "retries", "enable_idempotence", "enable_auto_commit", "auto_offset_reset", "x"])
HEADERS = {"python": "import kafka\nfrom kafka import KafkaProducer\nKafkaProducer("}
CLASSES = st.sampled_from(["KafkaProducer", "KafkaConsumer", "Producer", "Consumer", "AIOKafkaProducer"])


@st.composite
def python_programs(draw: st.DrawFn) -> str:
    lines = ["from kafka import KafkaProducer, KafkaConsumer", "from confluent_kafka import Producer, Consumer"]
    lines.append("from aiokafka import AIOKafkaProducer")
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 4))
        key, value, cls = draw(KEYS), draw(VALUES), draw(CLASSES)
        if kind == 0:
            lines.append(f"cfg = {{{key!r}: {value}}}")
        elif kind == 1:
            lines.append(f"cfg[{key!r}] = {value}")
        elif kind == 2:
            lines.append(f"c = {cls}({key}={value}, **cfg)")
        elif kind == 3:
            lines.append(f"c = {cls}(cfg)")
        else:
            lines.append(f"def f():\n    return {cls}({{{key!r}: {value}}})")
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(python_programs())
def test_generated_python_programs(program: str) -> None:
    found = read_code(program, "gen.py", ReadOptions())
    for client in found.clients:
        assert client.line is not None and client.name == f"gen.py:{client.line}"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([s for language in LANGUAGES for s in language.suffixes]),
    st.lists(st.sampled_from([*HOSTILE, "a", " ", "kafka", "import", "new", "Producer", "acks", ":", ";", "."])),
)
def test_random_text_never_crashes(suffix: str, parts: list[str]) -> None:
    """Invalid programs too: behind a header that passes the pre-filter, so the parser does run."""
    language = next(lang for lang in LANGUAGES if suffix in lang.suffixes)
    text = HEADERS[language.name] + "".join(parts)
    assert language.imports.search(text)
    found = read_code(text, f"fuzz{suffix}", ReadOptions())
    assert all(client.line is not None for client in found.clients)
