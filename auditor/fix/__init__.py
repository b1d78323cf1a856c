"""`kafka-audit audit PATH... --fix` / `--diff`: rewrite local configuration files for the findings
that have a safe file fix, keeping comments, key order, quoting and indentation.

A fix changes one value on the line the finding points at (the value the rule judged), in any
format whose line holds `key <sep> value`: Java and Spring properties, Spring/Strimzi/topicctl/
compose YAML, librdkafka JSON, Terraform, and code where the value is a literal on that line
(`KafkaProducer(acks=1)`, `props.put(ProducerConfig.ACKS_CONFIG, "1")`). A setting that is not
written in the file is added where its place is known: a line of a .properties file; a key of
the resource's settings map in Strimzi (`spec.kafka.config`, `spec.config`), topicctl
(`spec.settings`) and Terraform (`config = {}`) files (auditor/fix/insert.py), after the values
written elsewhere are fixed (a topic that inherits a fixed broker default needs nothing). Elsewhere
it is reported as not fixed, with what to add.
Never fixed: unknown findings, values from placeholders or variables, findings without a file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from auditor.findings import Finding, Status
from auditor.fix.insert import Insertion, align_hcl, hcl_insertion, hcl_line, yaml_insertion, yaml_line

# rule id -> (the setting's safe value, or the rule param that holds it)
SAFE_VALUES: Mapping[str, str] = {
    "PRD001": "all",
    "PRD002": "2147483647",
    "PRD003": "true",
    "PRD004": "5",
    "CON001": "false",
    "CON002": "earliest",
    "STO001": "param:min_replication_factor",
    "STO002": "param:min_insync_replicas",
    "STO004": "false",
    "STO005": "param:min_replication_factor",
    "STO006": "false",
    "STO007": "param:min_replication_factor",
    "STO008": "param:min_replication_factor",
    "STO009": "param:min_insync_replicas",
}
# how a setting is also spelled in the formats kafka-audit reads (besides . _ - and case variants)
ALIASES: Mapping[str, tuple[str, ...]] = {
    "acks": ("acks", "request.required.acks"),
    "replication.factor": ("replication.factor", "replicas", "replication"),
    "retries": ("retries", "message.send.max.retries"),
}
QUOTED_FORMATS = (".json", ".py", ".tf", ".js", ".ts", ".go", ".java", ".kt", ".cs")
PLACEHOLDER = re.compile(r"\$\{|\{\{|%\(|\bvar\.|\blocal\.|\benv\b", re.IGNORECASE)


@dataclass(frozen=True)
class Edit:
    """One line of one file, before and after; or (`at` set) a line added inside a settings map."""

    path: str
    line: int  # 1-based; 0: added (appended at the end, or at `at`)
    before: str
    after: str
    finding: Finding
    at: int | None = None  # added before this 0-based line index
    opens: str | None = None  # the header of the map created for it
    closes: str | None = None  # the line that ends that map (HCL)
    aligned: bool = False  # an HCL map entry: `=` lined up with the entries above, as terraform fmt does


@dataclass(frozen=True)
class NotFixed:
    finding: Finding
    reason: str


@dataclass(frozen=True)
class Fixes:
    edits: tuple[Edit, ...]
    not_fixed: tuple[NotFixed, ...]

    def new_texts(self, read: Mapping[str, str]) -> dict[str, str]:
        """Each edited file's new text, from its current text."""
        texts: dict[str, str] = {}
        for path in dict.fromkeys(e.path for e in self.edits):
            lines = read[path].splitlines(keepends=True)
            appended: list[str] = []
            mine = [e for e in self.edits if e.path == path]
            for edit in mine:
                if edit.line:
                    lines[edit.line - 1] = edit.after
                elif edit.at is None:
                    appended.append(edit.after)
            _insert(lines, [e for e in mine if e.at is not None])
            if appended and lines and not lines[-1].endswith("\n"):
                lines[-1] += "\n"
            texts[path] = "".join(lines + appended)
        return texts


def _insert(lines: list[str], added: Sequence[Edit]) -> None:
    """The added lines in place, the last place first (earlier indexes stay valid); lines for one
    created map go under one header."""
    groups: dict[tuple[int, str | None, str | None], list[str]] = {}
    for edit in added:
        assert edit.at is not None
        groups.setdefault((edit.at, edit.opens, edit.closes), []).append(edit.after)
    for (at, opens, closes), block in sorted(groups.items(), key=lambda item: -item[0][0]):
        if at > 0 and not lines[at - 1].endswith("\n"):
            lines[at - 1] += "\n"
        framed = ([f"{opens}\n"] if opens else []) + block + ([f"{closes}\n"] if closes else [])
        lines[at:at] = framed
        if any(e.aligned for e in added if e.at == at):
            align_hcl(lines, at + len(framed) - (2 if closes else 1))


def find_fixes(
    findings: Iterable[Finding], params: Mapping[str, Mapping[str, object]], read: Mapping[str, str]
) -> Fixes:
    """The edits that fix `findings` in the files `read` (path -> text); `params` are each rule's
    (policy-tuned) params, which hold targets such as the replication factor. Several findings on
    one line (`KafkaProducer(acks=1, enable_idempotence=False)`) make one edit of that line."""
    edits: dict[tuple[str, int, str], Edit] = {}
    not_fixed: list[NotFixed] = []
    for finding in findings:
        result = _fix(finding, params.get(finding.rule_id, {}), read, edits)
        if isinstance(result, NotFixed):
            not_fixed.append(result)
        else:
            key = (result.path, result.line, result.after if result.line == 0 else "")
            edits[key] = result
    if any(e.line for e in edits.values()):  # values written first: what inherits them may pass then
        later = {key: e for key, e in edits.items() if e.at is not None}
        reason = "added once the values written in the files are fixed"
        not_fixed += [NotFixed(e.finding, reason) for e in later.values()]
        edits = {key: e for key, e in edits.items() if key not in later}
    return Fixes(tuple(edits.values()), tuple(not_fixed))


def _fix(
    finding: Finding, params: Mapping[str, object], read: Mapping[str, str], done: Mapping[tuple[str, int, str], Edit]
) -> Edit | NotFixed:
    safe = _safe_value(finding.rule_id, params)
    location = finding.location
    if finding.status is not Status.FAIL:
        return NotFixed(finding, f"status {finding.status.value}: only a value that was read is rewritten")
    if safe is None or finding.config_key is None:
        return NotFixed(finding, "no safe file fix for this rule")
    if location is None or location.path not in read:
        return NotFixed(finding, "not in a configuration file of this audit")
    if location.line is None:
        return _append(finding, location.path, finding.config_key, safe, read[location.path])
    lines = read[location.path].splitlines(keepends=True)
    if not 1 <= location.line <= len(lines):
        return NotFixed(finding, f"line {location.line} is not in {location.path}")
    earlier = done.get((location.path, location.line, ""))
    before = lines[location.line - 1]
    after = rewrite_value(earlier.after if earlier else before, finding.config_key, safe, location.path)
    if after is None:
        return NotFixed(finding, f"{location.path}:{location.line} does not hold a literal {finding.config_key} value")
    return Edit(location.path, location.line, before, after, finding)


def _safe_value(rule_id: str, params: Mapping[str, object]) -> str | None:
    value = SAFE_VALUES.get(rule_id)
    if value is None or not value.startswith("param:"):
        return value
    param = params.get(value.removeprefix("param:"))
    return str(param) if isinstance(param, int) and not isinstance(param, bool) else None


def _append(finding: Finding, path: str, key: str, value: str, text: str) -> Edit | NotFixed:
    """An omitted setting: a line of a .properties file (order does not matter there), under the
    name its format reads (Spring Boot's spring.kafka.* in application*.properties); a key of the
    resource's settings map in Strimzi, topicctl and Terraform files."""
    if path.endswith(".properties"):
        name = spring_key(finding.rule_id, key) if Path(path).name.startswith("application") else key
        if name is not None:
            return Edit(path, 0, "", f"{name}={value}\n", finding)
    elif path.endswith((".yaml", ".yml")):
        place = yaml_insertion(text, finding.resource.name)
        if place is not None:
            return _added(finding, path, yaml_line(place.indent, key, value), place)
    elif path.endswith(".tf"):
        place = hcl_insertion(text, finding.resource.name)
        if place is not None:
            return replace(_added(finding, path, hcl_line(place.indent, key, value), place), aligned=True)
    return NotFixed(finding, f"{key} is not written in {path}: add {key} = {value} there")


def _added(finding: Finding, path: str, line: str, place: Insertion) -> Edit:
    return Edit(path, 0, "", line, finding, at=place.at, opens=place.opens, closes=place.closes)


SPRING_NAMES = {
    "acks": "acks",
    "retries": "retries",
    "enable.auto.commit": "enable-auto-commit",
    "auto.offset.reset": "auto-offset-reset",
}


def spring_key(rule_id: str, key: str) -> str | None:
    """Spring Boot's property for a client setting: spring.kafka.<role>.<name>, or the role's
    pass-through map (spring.kafka.producer.properties.enable.idempotence)."""
    role = {"PRD": "producer", "CON": "consumer"}.get(rule_id[:3])
    if role is None:
        return None
    name = SPRING_NAMES.get(key)
    return f"spring.kafka.{role}.{name}" if name else f"spring.kafka.{role}.properties.{key}"


def key_pattern(key: str) -> str:
    """The setting's name as any format spells it: dots, dashes, underscores or nothing between
    its words, any case (acks, request.required.acks; enable_idempotence, ENABLE_IDEMPOTENCE,
    enable-idempotence, enableIdempotence; KAFKA_MIN_INSYNC_REPLICAS)."""
    names = ALIASES.get(key, (key,))
    spelled = ("[._-]?".join(re.escape(word) for word in re.split(r"[._-]", name)) for name in names)
    return "(?:" + "|".join(sorted(spelled, key=len, reverse=True)) + ")"


def rewrite_value(line: str, key: str, value: str, path: str) -> str | None:
    """The line with the value after `key` replaced by `value` (quoting kept), or None when the line
    does not hold a literal value for that key."""
    pattern = re.compile(
        r"(?P<head>(?<![A-Za-z0-9])" + key_pattern(key) + r"(?:_CONFIG)?[\"']?\s*(?:[:=]|=>|,)\s*)"
        r"(?P<value>\"[^\"]*\"|'[^']*'|[^\s,;)}#\"']+)",
        re.IGNORECASE,
    )
    match = pattern.search(line)
    if match is None:
        return None
    old = match.group("value")
    if PLACEHOLDER.search(old):
        return None
    new = _literal(old, value, path)
    if new is None:
        return None
    return line[: match.start("value")] + new + line[match.end("value") :]


def _literal(old: str, value: str, path: str) -> str | None:
    """`value` written the way `old` was: same quotes; Python's True/False; quoted where the
    format needs quotes for a word. None when `old` is not a literal (an identifier in code)."""
    if old[:1] in "\"'":
        return f"{old[0]}{value}{old[0]}"
    in_code = path.endswith(QUOTED_FORMATS)
    if old in ("True", "False") and value in ("true", "false"):
        return value.capitalize()
    if in_code and not re.fullmatch(r"-?\d+|true|false", old):
        return None  # an identifier or expression, not a literal
    if in_code and not re.fullmatch(r"-?\d+|true|false", value):
        return f'"{value}"'
    return value


def unified_diff(texts: Mapping[str, str], read: Mapping[str, str]) -> str:
    chunks: list[str] = []
    for path, new in texts.items():
        chunks.extend(
            difflib.unified_diff(
                read[path].splitlines(keepends=True),
                new.splitlines(keepends=True),
                f"a/{path.lstrip('/')}",
                f"b/{path.lstrip('/')}",
            )
        )
    return "".join(chunks)


def read_files(paths: Sequence[str]) -> dict[str, str]:
    texts = {}
    for path in dict.fromkeys(paths):
        try:
            texts[path] = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return texts
