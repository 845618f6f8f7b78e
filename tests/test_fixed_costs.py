"""Fixed costs of a refresh: cached dbt docs, GX imported off the critical path, GX frames read
through Arrow in dtypes GX checks vectorised. All cheap: no dbt run, no refresh."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from expectations.frames import read_frame
from expectations.runner import validate_frame
from expectations.suites import SUITES, select_sql
from orchestration.defs.dbt.project import DBT_PROJECT
from orchestration.lib import dbt_docs as docs

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def build_db(tmp_path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create table marts.t (a integer, b varchar)")
    return path


def _write(path: Path, manifest: dict) -> Path:
    path.write_text(json.dumps(manifest))
    return path


def test_docs_key_ignores_parse_stamps_but_follows_project_and_catalog(tmp_path, build_db):
    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    path = _write(tmp_path / "manifest.json", manifest)
    key = docs.docs_key(path, build_db)

    # Re-parsing an unchanged project changes only its stamps and the order in which dependencies
    # are listed: same key, the cache serves.
    manifest["metadata"]["generated_at"] = "2000-01-01T00:00:00Z"
    manifest["metadata"]["invocation_id"] = "another"
    for node in manifest["nodes"].values():
        node["created_at"] = 1.0
        node.get("depends_on", {}).get("nodes", []).reverse()
    assert docs.docs_key(_write(path, manifest), build_db) == key

    # A changed model (its SQL) or a changed column type: another key, the page is regenerated.
    model = next(n for n in manifest["nodes"].values() if n["resource_type"] == "model")
    model["raw_code"] += "\n-- changed"
    changed = docs.docs_key(_write(path, manifest), build_db)
    assert changed != key
    with duckdb.connect(str(build_db)) as con:
        con.execute("alter table marts.t alter b type integer")
    retyped = docs.docs_key(path, build_db)
    assert retyped not in (key, changed)

    # The same project and columns built into a file of another name (another catalog name).
    renamed = build_db.rename(build_db.with_name("other.duckdb"))
    assert docs.docs_key(path, renamed) not in (key, changed, retyped)


def test_docs_are_generated_once_per_key_and_published_from_the_cache(tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "docs" / "dbt" / "index.html"
    made: list[str] = []

    def generator(page: str):
        def generate(target: Path) -> None:
            made.append(page)
            (target / "static_index.html").write_text(page)

        return generate

    assert docs.publish_docs("k1", out, generator("project v1"), cache) is False
    assert docs.publish_docs("k1", out, generator("unused"), cache) is True
    assert made == ["project v1"] and out.read_text() == "project v1"

    assert docs.publish_docs("k2", out, generator("project v2"), cache) is False
    assert made == ["project v1", "project v2"] and out.read_text() == "project v2"
    assert not [p for p in out.parent.iterdir() if p.name != "index.html"]  # no temp files

    for n in range(docs.CACHE_KEEP + 2):
        docs.publish_docs(f"more{n}", out, generator(f"page {n}"), cache)
    assert len(list(cache.glob("*.html"))) == docs.CACHE_KEEP


def test_a_failed_generation_leaves_the_published_page_and_cache_alone(tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "index.html"
    docs.publish_docs("k1", out, lambda t: (t / "static_index.html").write_text("v1"), cache)

    def broken(target: Path) -> None:
        raise RuntimeError("dbt docs generate failed")

    with pytest.raises(RuntimeError):
        docs.publish_docs("k2", out, broken, cache)
    assert out.read_text() == "v1" and [p.name for p in cache.iterdir()] == ["k1.html"]


CELLS_DDL = """
create schema staging;
create table staging.stg_force_returns__cells as
select 'r1' as return_id, (i + 2)::integer as source_row, date '2023-04-01' as month,
       'Robbery' as offence_raw, 'British' as nationality_raw, i = 1 as is_suppressed,
       case when i = 1 then null else i * 7 end::integer as arrests,
       case when i = 1 then 1 else i * 7 end::integer as arrests_lower,
       case when i = 1 then null else i * 7 end::integer as arrests_upper
from range(4) t(i)
"""


def test_frames_read_through_arrow_keep_values_in_dtypes_gx_vectorises():
    con = duckdb.connect()
    con.execute(CELLS_DDL)
    frame = read_frame(con, "stg_force_returns__cells")
    reference = con.sql(select_sql("stg_force_returns__cells")).df()
    assert list(frame.columns) == list(SUITES["stg_force_returns__cells"].columns)
    # GX's between check runs vectorised only for `dtype in [int, float]`.
    for column in ("source_row", "arrests", "arrests_lower", "arrests_upper"):
        assert frame[column].dtype in [int, float], column
        pd.testing.assert_series_equal(
            frame[column].astype(float), reference[column].astype(float), check_names=False
        )
    assert validate_frame("stg_force_returns__cells", frame).success

    con.execute("update staging.stg_force_returns__cells set arrests = -3 where source_row = 2")
    outcome = validate_frame(
        "stg_force_returns__cells", read_frame(con, "stg_force_returns__cells")
    )
    (failure,) = outcome.failed
    assert failure["column"] == "arrests" and failure["unexpected_values"] == [-3]


def test_gx_preload_imports_it_once_in_the_background():
    script = textwrap.dedent(
        """
        import sys
        import expectations._gx as g
        assert "great_expectations" not in sys.modules
        g.preload()
        first = g._preload
        g.preload()
        assert g._preload is first and first.name == "gx-preload"
        assert g.gx() is sys.modules["great_expectations"] and not first.is_alive()
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
