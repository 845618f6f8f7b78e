"""The asset graph as intended, snapshotted: every asset key with its group, its upstream assets
and its checks. An accidental change to the graph (a lost dependency, a check no longer attached,
an asset in the wrong group) fails here, before any run. After an intended change, rewrite the
snapshot and review its diff:

    .venv/bin/python -m tests.test_asset_graph
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"


def describe(defs: dg.Definitions) -> dict[str, dict]:
    graph = defs.resolve_asset_graph()
    described = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        described[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
            "checks": sorted(c.name for c in node.check_keys),
        }
    return described


def _definitions(tmp: Path) -> dg.Definitions:
    from orchestration.definitions import build_definitions
    from orchestration.lib.settings import WarehouseSettings

    return build_definitions(WarehouseSettings(landing=tmp, published=tmp / "w.duckdb"))


@pytest.fixture(scope="module")
def graph(tmp_path_factory) -> dict[str, dict]:
    return describe(_definitions(tmp_path_factory.mktemp("graph")))


def test_asset_graph_is_the_snapshot(graph):
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert sorted(graph) == sorted(expected), "assets added or removed"
    for key, node in expected.items():
        assert graph[key] == node, key


def test_layers_read_the_layer_below_and_publication_waits_for_every_suite(graph):
    # Independent of the snapshot: what the layers promise. (A failing dbt test fails the dbt
    # step, which stops publication too; a Great Expectations suite is a check of its own.)
    from expectations.suites import SUITES

    staging = [k for k in graph if k.startswith("staging/stg_force_returns__")]
    assert staging and all(any(d.startswith("raw/") for d in graph[k]["deps"]) for k in staging), (
        "staging reads raw"
    )
    guarded = {f"{SUITES[name].table.replace('.', '/')}" for name in SUITES}
    assert guarded <= set(graph["published_warehouse"]["deps"])
    for name in SUITES:
        assert f"gx_{name}" in graph[SUITES[name].table.replace(".", "/")]["checks"]
    assert graph["warehouse_docs"]["deps"] == ["published_warehouse"]
    assert graph["expectations_docs"]["deps"] == ["published_warehouse"]
    # The report reads the published file and links both docs sites.
    assert graph["warehouse_report"]["deps"] == [
        "expectations_docs",
        "published_warehouse",
        "warehouse_docs",
    ]


if __name__ == "__main__":
    import tempfile

    from orchestration.lib.dbt_project import ensure_manifest

    ensure_manifest()
    with tempfile.TemporaryDirectory() as tmp:
        SNAPSHOT.write_text(
            json.dumps(describe(_definitions(Path(tmp))), indent=2, sort_keys=True) + "\n",
            encoding="utf-8",
        )
    print(f"wrote {SNAPSHOT}")
