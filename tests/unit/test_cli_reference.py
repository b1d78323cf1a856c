"""docs/cli.md is generated from the command line (auditor.cli_reference) and must stay current;
the README names every option of every command, the environment variables and the policy
discovery order."""

from __future__ import annotations

import re
from pathlib import Path

from auditor.cli import cli
from auditor.cli_options import ENV_PREFIX
from auditor.cli_reference import commands, reference
from auditor.policyfile import POLICY_FILES

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _options() -> list[tuple[str, object]]:
    return [(" ".join(path), p) for path, c in commands(cli()) for p in c.params if p.param_type_name == "option"]


def test_docs_cli_md_is_current() -> None:
    expected = reference(cli())
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == expected, (
        "docs/cli.md is stale: run `make docs` (python -m auditor.cli_reference > docs/cli.md)"
    )


def test_the_reference_lists_every_command_option_and_environment_variable() -> None:
    text = reference(cli())
    for name in ("audit", "snapshot", "init", "plan", "report convert", "report merge", "rules list", "rules show"):
        assert f"\n## kafka-audit {name}\n" in text
    for command, option in _options():
        for flag in option.opts:  # type: ignore[attr-defined]
            assert f"`{flag}`" in text, (command, flag)
        for variable in option.envvar or ():  # type: ignore[attr-defined]
            assert f"`{variable}`" in text, (command, variable)


def test_readme_names_every_long_option() -> None:
    missing = [
        (command, flag)
        for command, option in _options()
        for flag in option.opts  # type: ignore[attr-defined]
        if flag.startswith("--") and not re.search(re.escape(flag) + r"(?![\w-])", README)
    ]
    assert not missing, f"options the README does not explain: {missing}"


def test_readme_states_the_environment_variables_and_the_discovery_order() -> None:
    flat = " ".join(README.split())
    assert f"`{ENV_PREFIX}<OPTION>`" in flat and "`KAFKA_BOOTSTRAP_SERVERS`" in flat
    for command, option in _options():
        for variable in option.envvar or ():  # type: ignore[attr-defined]
            long_name = max(option.opts, key=len).lstrip("-").replace("-", "_").upper()  # type: ignore[attr-defined]
            assert variable == ENV_PREFIX + long_name or f"`{variable}`" in flat, (command, variable)
    order = [flat.index(f"`{name}`") for name in POLICY_FILES] + [flat.index("`[tool.kafka-audit]`")]
    assert order == sorted(order), "README lists the policy files in another order than find_policy looks"
    assert "up to the repository root" in flat
