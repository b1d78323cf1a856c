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
HEADERS = {
    "python": "import kafka\nfrom kafka import KafkaProducer\nKafkaProducer(",
    "java": "import org.apache.kafka.clients.producer.*;\nclass A { void m() { Properties p = new Properties(); ",
    "kotlin": "import org.apache.kafka.clients.producer.KafkaProducer\nfun f() = KafkaProducer(mapOf(",
    "go": 'package main\nimport "github.com/IBM/sarama"\nfunc f() { c := sarama.NewConfig(); ',
    "javascript": "const { Kafka } = require('kafkajs')\nconst p = kafka.producer({ ",
    "typescript": "import { Kafka } from 'kafkajs';\nconst p = kafka.producer({ ",
    "tsx": "import { Kafka } from 'kafkajs';\nconst p = <div>{kafka.producer({ ",
    "csharp": "using Confluent.Kafka;\nclass A { void M() { var c = new ProducerConfig { ",
}
# One statement of each language's client code, with a key and a value filled in.
TEMPLATES = {
    "java": [
        "p.put({key}, {value});",
        "p.setProperty({key}, {value});",
        "static final String K = {value};",
        "new KafkaProducer<>(p);",
        "new DefaultKafkaConsumerFactory<>(Map.of({key}, {value}));",
        "f.getContainerProperties().setAckMode({value});",
    ],
    "kotlin": [
        "props[{key}] = {value}",
        "props.put({key}, {value})",
        "val p = KafkaProducer(mapOf({key} to {value}))",
        "DefaultKafkaConsumerFactory<String, String>(Properties().apply {{ put({key}, {value}) }})",
        "props.ackMode = {value}",
    ],
    "go": [
        "c.Producer.RequiredAcks = {value}",
        "c.Producer.Retry.Max = {value}",
        "p, err := sarama.NewSyncProducer(nil, c)",
        "w := &kafka.Writer{{RequiredAcks: {value}}}",
        "kgo.NewClient(kgo.RequiredAcks({value}))",
        "kgo.NewClient(kgo.RecordDeliveryTimeout({value} * time.Second), kgo.ProducerLinger(time.Duration({value})))",
        "r := kafka.NewReader(kafka.ReaderConfig{{GroupID: {value}}}); r.SetOffset({value}); r.ReadMessage(nil)",
        "b := kgo.NewClient",
        'kafka.NewProducer(&kafka.ConfigMap{{"acks": {value}}})',
    ],
    "javascript": [
        "const p = kafka.producer({{ idempotent: {value}, retry: {{ retries: {value} }} }})",
        "await p.send({{ acks: {value} }})",
        "const c = kafka.consumer({{ groupId: {value} }}); c.run({{ autoCommit: {value} }})",
        "new Kafka.Producer({{ [{key}]: {value}, ...conf }})",
        "const conf = {{ {key}: {value} }}",
        "const kafka = new Kafka({{ retry: {{ retries: {value} }}, ...load({value}) }})",
        "const make = kafka.producer; [{value}].map(kafka.consumer)",
        "class Traced extends Kafka.Producer {{}}",
    ],
    "csharp": [
        "var c = new ProducerConfig {{ Acks = {value}, EnableIdempotence = {value} }};",
        "c.MessageSendMaxRetries = {value};",
        "new ProducerBuilder<Null, string>(c).Build();",
        "new ConsumerBuilder<Null, string>(new ConsumerConfig {{ EnableAutoCommit = {value} }});",
        "configuration.GetSection({value}).Bind(c);",
        "ProducerBuilder<Null, string> b = new(c);",
        "new ProducerBuilder<Null, string>(Load({value})).Build();",
        "class Traced : ProducerBuilder<Null, string> {{ }}",
    ],
}
PRELUDES = {
    "java": "import org.apache.kafka.clients.producer.*;\n"
    "class A {{ void m() {{ Properties p = new Properties();\n{body}\n}} }}",
    "kotlin": "import org.apache.kafka.clients.producer.KafkaProducer\n"
    "fun m() {{\nval props = Properties()\n{body}\n}}",
    "go": 'package main\nimport (\n"github.com/IBM/sarama"\n"github.com/segmentio/kafka-go"\n'
    '"github.com/twmb/franz-go/pkg/kgo"\n)\nfunc f() {{\nc := sarama.NewConfig()\n{body}\n}}',
    "javascript": "const {{ Kafka }} = require('kafkajs')\nconst kafka = new Kafka({{}})\n{body}",
    "csharp": "using Confluent.Kafka;\nclass A {{ void M() {{\n{body}\n}} }}",
}
SUFFIX = {"kotlin": ".kt", "java": ".java", "go": ".go", "javascript": ".js", "csharp": ".cs"}
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


@st.composite
def tree_programs(draw: st.DrawFn) -> tuple[str, str]:
    language = draw(st.sampled_from(sorted(TEMPLATES)))
    statements = []
    for _ in range(draw(st.integers(0, 6))):
        template = draw(st.sampled_from(TEMPLATES[language]))
        key = draw(st.sampled_from(['"acks"', "ProducerConfig.ACKS_CONFIG", "ACKS_CONFIG", '"retries"', "x"]))
        statements.append(template.format(key=key, value=draw(VALUES).replace("'", '"')))
    return language, PRELUDES[language].format(body="\n".join(statements))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree_programs())
def test_generated_programs_in_every_tree_sitter_language(generated: tuple[str, str]) -> None:
    language, program = generated
    path = f"gen{SUFFIX[language]}"
    found = read_code(program, path, ReadOptions())
    for client in found.clients:
        assert client.name == f"{path}:{client.line}"
        assert all(v.value is not None or v.detail for v in client.settings.values())  # unknown says why


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
