"""The rules engine: load YAML rules, evaluate their conditions over facts."""

from auditor.engine.evaluate import Verdicts, evaluate, evaluate_all, judge_all
from auditor.engine.rules import Rule, builtin_rules_dir, load_rules

__all__ = ["Rule", "Verdicts", "builtin_rules_dir", "evaluate", "evaluate_all", "judge_all", "load_rules"]
