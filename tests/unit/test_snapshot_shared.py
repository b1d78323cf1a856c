"""Reading a large snapshot (#15 point 3): topics are decoded one at a time, and topics whose
configs are the same JSON text share one Configs, decoded once; the model is the same as if each
were decoded on its own, and an invalid value is still named at its place."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from auditor.errors import InputError
from auditor.sources import snapshot as snapshot_module
from auditor.sources.snapshot import read_snapshot, write_snapshot
from tests.builders import snapshot, topic


def _written(tmp_path: Path) -> Path:
    path = tmp_path / "snap.json"
    topics = (topic("orders"), topic("payments"), topic("audit-log", min_isr="1"), topic("refunds"))
    write_snapshot(snapshot(*topics), path, pretty=False)
    return path


def test_topics_with_the_same_configs_share_one_decoded_configs(tmp_path: Path) -> None:
    orders, payments, audit_log, refunds = read_snapshot(_written(tmp_path)).topics
    assert orders.configs is payments.configs is refunds.configs
    assert audit_log.configs is not orders.configs
    assert audit_log.configs["min.insync.replicas"].value == "1"
    assert orders.configs["min.insync.replicas"].value == "2"


def test_past_the_kept_configs_each_is_decoded_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _written(tmp_path)
    shared = read_snapshot(path)
    monkeypatch.setattr(snapshot_module, "DISTINCT_TOPIC_CONFIGS_KEPT", 0)
    alone = read_snapshot(path)
    assert alone == shared
    assert alone.topics[0].configs is not alone.topics[1].configs


def test_an_invalid_config_of_a_later_topic_is_named_at_its_place(tmp_path: Path) -> None:
    path = _written(tmp_path)
    document = msgspec.json.decode(path.read_bytes())
    document["cluster"]["topics"][3]["configs"]["min.insync.replicas"]["source"] = "BOGUS"
    path.write_bytes(msgspec.json.encode(document))
    with pytest.raises(InputError, match=r"cluster/topics/3/configs/\*/source: Invalid enum value '\(not shown\)'"):
        read_snapshot(path)
