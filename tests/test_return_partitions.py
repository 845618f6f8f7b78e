"""One Dagster partition per return: a partition's run parses that return alone."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb

from orchestration.defs.ingest.assets import landed_return, raw_force_returns
from orchestration.defs.ingest.partitions import RETURN_PARTITIONS, landing_partition_keys
from orchestration.defs.resources import WarehouseConfig, WriterLock
from tests.conftest import SAMPLE_LANDING

FOLDERS = ("gwent-fy2023-24", "kent-fy2023-24", "kent-fy2023-24-v2", "metropolitan-fy2023-24")


def _loaded(build_db) -> dict[str, object]:
    with duckdb.connect(str(build_db), read_only=True) as con:
        return dict(
            con.execute("select landing_folder, loaded_at from raw.force_returns").fetchall()
        )


def _landed(result: dg.ExecuteInProcessResult) -> list[dg.AssetMaterialization]:
    return [
        event.event_specific_data.materialization
        for event in result.get_asset_materialization_events()
        if event.asset_key == landed_return.key
    ]


def test_partition_keys_are_the_return_folders(tmp_path):
    landing = tmp_path / "landing"
    for name in FOLDERS[:2]:
        shutil.copytree(SAMPLE_LANDING / name, landing / name)
    (landing / ".hidden").mkdir()
    (landing / "_notes").mkdir()
    assert landing_partition_keys(landing) == list(FOLDERS[:2])


def test_a_return_partition_run_reparses_that_return_alone(tmp_path):
    landing = tmp_path / "landing"
    for name in FOLDERS:
        shutil.copytree(SAMPLE_LANDING / name, landing / name)
    warehouse = WarehouseConfig(
        landing_dir=str(landing),
        warehouse_path=str(tmp_path / "warehouse" / "warehouse.duckdb"),
        home_office_dir=str(tmp_path / "homeoffice"),
    )
    resources = {"warehouse": warehouse, "writer_lock": WriterLock(warehouse=warehouse)}
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(RETURN_PARTITIONS.name, landing_partition_keys(landing))
        full = dg.materialize([raw_force_returns], instance=instance, resources=resources)
        (first,) = [
            m
            for m in full.asset_materializations_for_node("raw_force_returns")
            if m.asset_key == dg.AssetKey(["raw", "return_cells"])
        ]
        assert first.metadata["returns_parsed"].value == len(FOLDERS)
        before = _loaded(warehouse.settings.build_db)

        # Correct one count in Gwent's return: 194 arrests become 195.
        csv = landing / "gwent-fy2023-24" / "arrests_by_nationality.csv"
        text = csv.read_text()
        line = "2023-04,Violence against the person,UK,194"
        assert text.count(line) == 1
        csv.write_text(text.replace(line, line[:-3] + "195"))

        one = dg.materialize(
            [landed_return], instance=instance, resources=resources, partition_key=FOLDERS[0]
        )
        (second,) = _landed(one)
        assert second.partition == FOLDERS[0]
        assert second.metadata["parsed"].value is True
        after = _loaded(warehouse.settings.build_db)
        assert after[FOLDERS[0]] > before[FOLDERS[0]]
        assert {k: v for k, v in after.items() if k != FOLDERS[0]} == {
            k: v for k, v in before.items() if k != FOLDERS[0]
        }
        with duckdb.connect(str(warehouse.settings.build_db), read_only=True) as con:
            counts = con.execute(
                "select count_raw from raw.return_cells c join raw.force_returns r using (return_id) "
                "where r.landing_folder = 'gwent-fy2023-24' and month_raw = '2023-04' "
                "and offence_raw = 'Violence against the person' and nationality_raw = 'UK'"
            ).fetchall()
        assert counts == [("195",)]

        # A partition whose return did not change is not re-parsed.
        again = dg.materialize(
            [landed_return], instance=instance, resources=resources, partition_key=FOLDERS[1]
        )
        (third,) = _landed(again)
        assert third.metadata["parsed"].value is False
        assert third.metadata["unchanged"].value is True
        # ... and the whole-landing asset then finds nothing left to parse.
        rest = dg.materialize([raw_force_returns], instance=instance, resources=resources)
        (fourth,) = [
            m
            for m in rest.asset_materializations_for_node("raw_force_returns")
            if m.asset_key == dg.AssetKey(["raw", "return_cells"])
        ]
        assert fourth.metadata["returns_parsed"].value == 0
