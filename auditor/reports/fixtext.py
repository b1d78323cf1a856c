"""A fix, split into what a person reads and what they paste into a shell.

Rule remediations are one paragraph with Kafka's own tools inside them ("Set min.insync.replicas=2
on payments (kafka-configs.sh --bootstrap-server ... --add-config min.insync.replicas=2), with
..."). Reports that can lay text out (terminal, markdown, HTML) show each command on its own line
or in its own code block, never wrapped inside a token, so that it can be copied as printed.

A command starts at a Kafka tool (`kafka-*.sh`) and takes the options that follow it: an option
in VALUE_OPTIONS takes the next token as its value; other options stand alone; a few subcommands
(kafka-metadata-quorum.sh) are words. The first token that is none of these ends the command, as
does punctuation closing the sentence around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TOOL = re.compile(r"kafka-[a-z][a-z-]*\.sh")

# Options of Kafka's command-line tools that take a value (kafka-configs, kafka-topics,
# kafka-reassign-partitions, kafka-consumer-groups, kafka-leader-election, kafka-metadata-quorum).
VALUE_OPTIONS = frozenset(
    {
        "--bootstrap-server",
        "--bootstrap-controller",
        "--command-config",
        "--admin.config",
        "--config",
        "--reassignment-json-file",
        "--topics-to-move-json-file",
        "--broker-list",
        "--entity-type",
        "--entity-name",
        "--entity-default",
        "--add-config",
        "--delete-config",
        "--topic",
        "--group",
        "--partition",
        "--partitions",
        "--replication-factor",
        "--election-type",
        "--path-to-json-file",
        "--throttle",
        "--to-earliest",
        "--to-offset",
    }
)
SUBCOMMANDS = frozenset({"describe", "add-controller", "remove-controller"})
CLOSING = ".,;:)"


@dataclass(frozen=True)
class FixPart:
    text: str
    command: bool  # True: a shell command, shown verbatim on its own line


def fix_parts(remediation: str) -> list[FixPart]:
    """The remediation as prose and commands, in order; prose stripped of the brackets around a command."""
    parts: list[FixPart] = []
    rest = " ".join(remediation.split())
    while (match := TOOL.search(rest)) is not None and _starts_token(rest, match.start()):
        before = rest[: match.start()]
        command, rest = _take_command(rest[match.start() :])
        _add_prose(parts, before.rstrip().removesuffix("(").rstrip())
        parts.append(FixPart(command, True))
        rest = rest.lstrip().removeprefix(")").lstrip(" ,;.")
    _add_prose(parts, rest.strip())
    return parts


def commands(remediation: str) -> list[str]:
    return [part.text for part in fix_parts(remediation) if part.command]


def _starts_token(text: str, index: int) -> bool:
    return index == 0 or text[index - 1] in " (\n\t"


def _add_prose(parts: list[FixPart], text: str) -> None:
    if text and text not in CLOSING:
        parts.append(FixPart(text, False))


def _take_command(text: str) -> tuple[str, str]:
    """(the command, what follows it) for text that starts with a Kafka tool."""
    tokens = _shell_words(text)
    taken = [tokens[0]]
    wants_value = False
    for token in tokens[1:]:
        core = token.rstrip(CLOSING)
        if token.startswith("(") or not (wants_value or token.startswith("--") or core in SUBCOMMANDS):
            break
        wants_value = not wants_value and core in VALUE_OPTIONS
        taken.append(core)
        if core != token:  # the sentence or the bracket closes after this token
            break
    command = " ".join(taken)
    return command, text[len(command) :]


def _shell_words(text: str) -> list[str]:
    """Split on spaces outside quotes: a shell-quoted value ('it'"'"'s a name') stays one word."""
    words: list[str] = []
    start, quote = 0, ""
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == " ":
            words.append(text[start:index])
            start = index + 1
    return [*words, text[start:]]
