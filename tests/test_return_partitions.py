"""One Dagster partition per return: a partition's run parses that return alone."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb

from orchestration.defs.ingest import raw_force_returns
from orchestration.defs.resources import WarehouseResource
from orchestration.return_partitions import sync_partitions, whole_range_tags
from tests.conftest import SAMPLE_LANDING

FOLDERS = ("gwent-fy2023-24", "kent-fy2023-24", "kent-fy2023-24-v2", "metropolitan-fy2023-24")


def _materializations(result: dg.ExecuteInProcessResult, table: str):
    return [
        m
        for m in result.asset_materializations_for_node("raw_force_returns")
        if m.asset_key == dg.AssetKey(["raw", table])
    ]


def _loaded(build_db) -> dict[str, object]:
    with duckdb.connect(str(build_db), read_only=True) as con:
        return dict(
            con.execute("select landing_folder, loaded_at from raw.force_returns").fetchall()
        )


def test_partitions_follow_the_landing_folder(tmp_path):
    landing = tmp_path / "landing"
    for name in FOLDERS[:2]:
        shutil.copytree(SAMPLE_LANDING / name, landing / name)
    (landing / ".hidden").mkdir()
    with dg.instance_for_test() as instance:
        assert sync_partitions(instance, landing) == list(FOLDERS[:2])
        shutil.rmtree(landing / FOLDERS[0])
        shutil.copytree(SAMPLE_LANDING / FOLDERS[2], landing / FOLDERS[2])
        assert sync_partitions(instance, landing) == [FOLDERS[1], FOLDERS[2]]


def test_a_return_partition_run_reparses_that_return_alone(tmp_path):
    landing = tmp_path / "landing"
    for name in FOLDERS:
        shutil.copytree(SAMPLE_LANDING / name, landing / name)
    warehouse = WarehouseResource(
        landing_dir=str(landing),
        warehouse_path=str(tmp_path / "warehouse" / "warehouse.duckdb"),
        home_office_dir=str(tmp_path / "homeoffice"),
    )
    resources = {"warehouse": warehouse}
    with dg.instance_for_test() as instance:
        keys = sync_partitions(instance, landing)
        full = dg.materialize(
            [raw_force_returns], instance=instance, resources=resources, tags=whole_range_tags(keys)
        )
        # One run over the range: one materialization per return's partition.
        first = _materializations(full, "return_cells")
        assert sorted(m.partition for m in first) == sorted(FOLDERS)
        assert {m.metadata["returns_parsed"].value for m in first} == {len(FOLDERS)}
        before = _loaded(warehouse.build_db)

        # Correct one count in Gwent's return: 194 arrests become 195.
        csv = landing / "gwent-fy2023-24" / "arrests_by_nationality.csv"
        text = csv.read_text()
        line = "2023-04,Violence against the person,UK,194"
        assert text.count(line) == 1
        csv.write_text(text.replace(line, line[:-3] + "195"))

        one = dg.materialize(
            [raw_force_returns],
            instance=instance,
            resources=resources,
            partition_key="gwent-fy2023-24",
        )
        (second,) = _materializations(one, "return_cells")
        assert second.partition == "gwent-fy2023-24"
        assert second.metadata["returns_parsed"].value == 1
        after = _loaded(warehouse.build_db)
        assert after["gwent-fy2023-24"] > before["gwent-fy2023-24"]
        assert {k: v for k, v in after.items() if k != "gwent-fy2023-24"} == {
            k: v for k, v in before.items() if k != "gwent-fy2023-24"
        }
        with duckdb.connect(str(warehouse.build_db), read_only=True) as con:
            counts = con.execute(
                "select count_raw from raw.return_cells c join raw.force_returns r using (return_id) "
                "where r.landing_folder = 'gwent-fy2023-24' and month_raw = '2023-04' "
                "and offence_raw = 'Violence against the person' and nationality_raw = 'UK'"
            ).fetchall()
        assert counts == [("195",)]

        # A partition whose return did not change is not re-parsed.
        again = dg.materialize(
            [raw_force_returns], instance=instance, resources=resources, partition_key=FOLDERS[1]
        )
        (third,) = _materializations(again, "return_cells")
        assert third.metadata["returns_parsed"].value == 0
        assert third.metadata["returns_unchanged"].value == 1
