"""bench/seed.py's arguments and bookkeeping (the shapes of the 2,000- and 20,000-topic bench
clusters), without a cluster: the seeding itself runs against the harness in bench/collect*.py."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_seed() -> ModuleType:
    sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location("bench_seed", ROOT / "bench" / "seed.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_seed"] = module  # dataclasses resolve the module by name
    spec.loader.exec_module(module)
    return module


seed = load_seed()


def test_the_defaults_are_the_2000_topic_cluster() -> None:
    action, shape = seed.parse_shape(["up"])
    assert action == "up"
    assert (shape.topics, shape.partitions, shape.replication_factor, shape.groups) == (2000, 3, 3, 100)


def test_the_20000_topic_shape() -> None:
    argv = ["up", "--topics", "20000", "--replication-factor", "1", "--groups", "1000", "--batch", "500"]
    _, shape = seed.parse_shape(argv)
    assert (shape.topics, shape.replication_factor, shape.groups, shape.batch) == (20000, 1, 1000, 500)
    assert seed.topic_name(19999) == "bench-topic-19999" and seed.topic_name(7) == "bench-topic-0007"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["up", "--topics", "0"], "topics must be at least 1"),
        (["up", "--replication-factor", "0"], "replication-factor must be at least 1"),
        (["up", "--batch", "0"], "batch must be at least 1"),
        (["up", "--groups", "-1"], "groups must be at least 0"),
        (["up", "--topics", "5"], "topics-per-group (10) exceeds topics (5)"),
        (["up", "--topics", "many"], "invalid int value"),
    ],
)
def test_a_shape_that_cannot_be_seeded_is_a_usage_error(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        seed.parse_shape(argv)
    assert exited.value.code == 2 and message in capsys.readouterr().err


def test_groups_wrap_around_the_topics() -> None:
    shape = seed.Shape(topics=25, groups=3)
    assert seed.group_topics(shape, 2) == [seed.topic_name(i % 25) for i in range(20, 30)]


def test_chunks_cover_every_topic_once() -> None:
    names = [seed.topic_name(i) for i in range(1050)]
    parts = seed.chunks(names, 500)
    assert [len(p) for p in parts] == [500, 500, 50] and [name for part in parts for name in part] == names


def described(name: str, leaders: list[int], error: int = 0) -> dict[str, Any]:
    return {"name": name, "error_code": error, "partitions": [{"leader_id": leader} for leader in leaders]}


def test_leaderless_counts_missing_topics_and_partitions_without_a_leader() -> None:
    names = ["a", "b", "c", "d"]
    answer = [described("a", [1, 2, 3]), described("b", [1, -1, -1]), described("c", [], error=3)]
    assert seed.leaderless(answer, names, 3) == 2 + 3 + 3  # b's two, c unknown, d not described
    assert seed.leaderless([described(n, [1, 2, 3]) for n in names], names, 3) == 0
