"""The done-when matrix of the code readers: for every language, library and PRD/CON rule, a fixture
of tests/fixtures/code shows the rule pass, fail and unknown (the per-file tests in test_code_*.py
pin the lines). What a library cannot show is listed with why; what is not shown yet is listed as
a hole, so it stays visible. An outcome listed and yet shown fails too: the table must be kept true."""

from __future__ import annotations

from collections import defaultdict
from functools import cache

import pytest

from auditor.engine import load_rules
from auditor.engine.evaluate import judge_all
from auditor.facts import subjects
from auditor.knowledge import defaults_for
from auditor.model import Estate, Role
from auditor.sources.files import read_paths
from tests.code_cases import FIXTURES

# language folder of tests/fixtures/code -> the libraries its fixtures build (a client's `library`)
LIBRARIES = {
    "python": ("kafka-python", "aiokafka", "librdkafka"),
    "java": ("java", "spring"),
    "kotlin": ("java", "spring"),
    "go": ("sarama", "franz-go", "kafka-go", "librdkafka"),
    "javascript": ("kafkajs", "librdkafka"),
    "csharp": ("librdkafka",),
}
RULES = {
    Role.PRODUCER: ("PRD001", "PRD002", "PRD003", "PRD004", "PRD005"),
    Role.CONSUMER: ("CON001", "CON002", "CON003"),
}
OUTCOMES = ("pass", "fail", "unknown")
NOT_SPRING = "CON003 judges a Spring listener container's ack-mode; this client has none"

# (library, rule, outcome) -> why no program using the library can show it
CANNOT: dict[tuple[str, str, str], str] = {
    **{
        (library, "CON003", outcome): NOT_SPRING
        for library in ("java", "kafka-python", "aiokafka", "librdkafka", "sarama", "franz-go", "kafka-go", "kafkajs")
        for outcome in ("fail", "unknown")
    },
    ("kafka-go", "PRD003", "pass"): "segmentio/kafka-go has no idempotent producer",
    ("kafka-go", "PRD003", "unknown"): "segmentio/kafka-go has no idempotent producer",
    ("kafka-go", "PRD004", "fail"): "without idempotence there is no in-flight limit to break it",
    ("kafka-go", "PRD004", "unknown"): "without idempotence there is no in-flight limit to break it",
    ("kafka-go", "PRD005", "fail"): "kafka-go has no delivery timeout: a message gets MaxAttempts attempts",
    ("kafka-go", "PRD005", "unknown"): "kafka-go has no delivery timeout: a message gets MaxAttempts attempts",
    (
        "sarama",
        "PRD005",
        "fail",
    ): "sarama has no delivery timeout (Producer.Timeout is the request's, Retry.Max bounds retries)",
    (
        "sarama",
        "PRD005",
        "unknown",
    ): "sarama has no delivery timeout (Producer.Timeout is the request's, Retry.Max bounds retries)",
    ("kafkajs", "PRD005", "fail"): "kafkajs has no delivery timeout: retry.retries bounds a send",
    ("kafkajs", "PRD005", "unknown"): "kafkajs has no delivery timeout: retry.retries bounds a send",
    ("aiokafka", "PRD002", "fail"): "aiokafka has no retries setting: it retries until request_timeout_ms",
    ("aiokafka", "PRD004", "fail"): "aiokafka has no in-flight setting",
    ("aiokafka", "PRD005", "fail"): "aiokafka has no delivery timeout setting",
}
# (language, library, rule, outcome) -> why no fixture shows it yet (a hole of the readers or the facts)
NOT_SHOWN: dict[tuple[str, str, str, str], str] = {}


@cache
def judged() -> tuple[dict[tuple[str, str, str], frozenset[str]], dict[tuple[str, str], frozenset[str]]]:
    """(language, library, rule) -> the outcomes the fixtures of that language show, and
    (language, library) -> where their findings say an omitted setting's value came from."""
    rules = [r for r in load_rules() if any(r.id in ids for ids in RULES.values())]
    outcomes: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    sources: dict[tuple[str, str], set[str]] = defaultdict(set)
    for language in LIBRARIES:
        for client in read_paths([str(FIXTURES / language)]).clients:
            verdicts = judge_all(rules, subjects(Estate(clients=(client,))))
            for finding in verdicts.findings:
                outcomes[(language, client.library, finding.rule_id)].add(finding.status.value)
                sources[(language, client.library)].add(finding.actual_source or "")
            for passed in verdicts.passes:
                outcomes[(language, client.library, passed.rule_id)].add("pass")
    return (
        {key: frozenset(found) for key, found in outcomes.items()},
        {key: frozenset(found) for key, found in sources.items()},
    )


def shown() -> dict[tuple[str, str, str], frozenset[str]]:
    return judged()[0]


def cells() -> list[tuple[str, str, str, str]]:
    return [
        (language, library, rule, outcome)
        for language, libraries in LIBRARIES.items()
        for library in libraries
        for role in (Role.PRODUCER, Role.CONSUMER)
        for rule in RULES[role]
        for outcome in OUTCOMES
    ]


@pytest.mark.parametrize(("language", "library", "rule", "outcome"), cells())
def test_every_outcome_is_shown_or_said_why_not(language: str, library: str, rule: str, outcome: str) -> None:
    why = CANNOT.get((library, rule, outcome)) or NOT_SHOWN.get((language, library, rule, outcome))
    seen = outcome in shown().get((language, library, rule), frozenset())
    if why is None:
        assert seen, f"no fixture of tests/fixtures/code/{language} shows {library} {rule} {outcome}"
    else:
        assert not seen, f"{library} {rule} {outcome} is shown now: drop it from the table ({why})"


def test_the_table_names_only_real_cells() -> None:
    every = set(cells())
    assert {k for k in NOT_SHOWN if k not in every} == set()
    libraries = {library for _, library, _, _ in every}
    assert {library for library, _, _ in CANNOT} <= libraries
    assert len(every) > 250  # 6 languages, 13 language-library pairs, 8 rules, 3 outcomes


@pytest.mark.parametrize(("language", "library"), [(lang, lib) for lang, libs in LIBRARIES.items() for lib in libs])
def test_an_omitted_setting_names_the_library_default_it_took(language: str, library: str) -> None:
    """The done-when's provenance: a finding on a setting the code leaves out says whose default it
    is, with the version the build file pins and where (go.mod), or the range assumed without one."""
    name = defaults_for(library, None).name
    said = [s for s in judged()[1][(language, library)] if s.startswith(f"default of {name} ")]
    assert said, f"no {language} fixture finding names the default of {name}"
    if language == "go":  # tests/fixtures/code/go/go.mod pins every Go library
        assert all("(tests/fixtures/code/go/go.mod:" in s for s in said), said
    else:
        assert any("(assumed)" in s for s in said), said


def test_no_library_of_a_fixture_is_left_out_of_the_table() -> None:
    for language, libraries in LIBRARIES.items():
        found = {c.library for c in read_paths([str(FIXTURES / language)]).clients}
        assert found == set(libraries), language
