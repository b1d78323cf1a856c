"""Facts of a broker setting that declared topics leave to brokers not in the audit.

A Terraform module or a Strimzi KafkaTopic whose Kafka resource lives elsewhere leaves
unclean.leader.election.enable or min.insync.replicas to brokers the audit cannot see: one
subject per (brokers, key), counting the topics that inherit it, so 265 topics give one verdict,
not 265 unknowns. Its value is the policy's broker_defaults entry (with its line) or unknown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from auditor.facts.base import Fact, FactSpec, FactTable, Scope, Subject, SubjectKind, parse_bool, parse_int
from auditor.facts.defaults import INHERITED_FACTS
from auditor.facts.topic import absent_brokers, inherited_keys
from auditor.findings import Location, Resource
from auditor.model import ConfigValue, Estate, Kind

EXAMPLES = 3  # topic names a finding lists before "and N more"


def inherited_subjects(estate: Estate) -> Iterator[Subject]:
    topics: dict[tuple[str, str], list[str]] = {}
    paths: dict[tuple[str, str], str] = {}
    for topic in estate.topics:
        scope = absent_brokers(topic, estate)
        if scope is None:
            continue
        for key in inherited_keys(topic).values():
            topics.setdefault((scope, key), []).append(topic.name)
            paths.setdefault((scope, key), topic.path)
    for (scope, key), names in topics.items():
        yield inherited_subject(scope, key, names, estate.broker_defaults.get(key), paths[(scope, key)])


@dataclass(frozen=True)
class InheritedSeen:
    """One broker setting left to brokers not in the audit: the topics leaving it, and what the
    policy's broker_defaults declares for it (None: nothing)."""

    key: str
    topics: list[str]
    declared: ConfigValue | None

    def declared_as(self, fact: str) -> Fact:
        """The declared value as the broker fact it is, not applicable for the other keys' facts."""
        if fact != BROKER_FACT_OF[self.key]:
            return Fact(None, not_applicable=f"not what {self.key} decides")
        parse = parse_bool if self.key == "unclean.leader.election.enable" else parse_int
        return Fact(parse(None if self.declared is None else self.declared.value), self.declared)


def inherited_subject(scope: str, key: str, topics: list[str], declared: ConfigValue | None, path: str) -> Subject:
    return Subject(
        resource=Resource(Kind.BROKER_DEFAULT, scope),
        scope=Scope(),
        facts=BROKER_DEFAULT_FACTS.derive(InheritedSeen(key, topics, declared)),
        location=Location(declared.path, declared.line) if declared and declared.path else Location(path),
        context={
            "brokers": scope,
            "inherited_key": key,
            "topic_examples": examples(topics),
            "declared_at": None if declared is None else f"{declared.path}:{declared.line}",
        },
    )


def examples(topics: list[str]) -> str:
    shown = ", ".join(topics[:EXAMPLES])
    return shown if len(topics) <= EXAMPLES else f"{shown} and {len(topics) - EXAMPLES} more"


# The broker fact each inherited key is, on this kind (a topic's replication_factor is the
# brokers' default_replication_factor).
BROKER_FACT_OF: Mapping[str, str] = {
    broker_key: "default_replication_factor" if fact == "replication_factor" else fact
    for fact, broker_key in INHERITED_FACTS.items()
}

Spec = FactSpec[InheritedSeen, Fact]
BROKER_DEFAULT_FACTS = FactTable(
    Spec("config_key", "the broker setting the topics leave to their brokers", lambda s: Fact(s.key)),
    Spec(
        "default_replication_factor",
        "the brokers' default.replication.factor as the policy declares it (broker_defaults); unknown when it "
        "does not; not applicable for another key",
        lambda s: s.declared_as("default_replication_factor"),
    ),
    Spec(
        "min_insync_replicas",
        "the brokers' min.insync.replicas as the policy declares it; unknown when it does not; not applicable "
        "for another key",
        lambda s: s.declared_as("min_insync_replicas"),
    ),
    Spec(
        "unclean_leader_election_enable",
        "the brokers' unclean.leader.election.enable as the policy declares it; unknown when it does not; not "
        "applicable for another key",
        lambda s: s.declared_as("unclean_leader_election_enable"),
    ),
    Spec(
        "declared_in_policy",
        "whether the policy's broker_defaults declares the value",
        lambda s: Fact(s.declared is not None),
    ),
    Spec("topic_count", "declared topics that leave the setting to these brokers", lambda s: Fact(len(s.topics))),
)

BROKER_DEFAULT = SubjectKind(
    name=Kind.BROKER_DEFAULT,
    facts=BROKER_DEFAULT_FACTS,
    context={
        "brokers": "the brokers the topics inherit from: the resource they name (Kafka/my-cluster, a compose "
        "service), else the folder of their files",
        "inherited_key": "the broker setting",
        "topic_examples": "a few of the topics, and how many more",
        "declared_at": "policy file:line of the broker_defaults entry; unknown when none",
    },
    build=inherited_subjects,
)
