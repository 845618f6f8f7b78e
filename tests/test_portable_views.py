"""The published file's views (staging, marts.source_cells) name no catalog: they work in a copy
under another name and attached under any alias, as analysts open it."""

from __future__ import annotations

import re
import shutil

import duckdb


def test_every_view_works_in_a_renamed_copy_attached_under_another_alias(
    published_sample, tmp_path
):
    copy = tmp_path / "someone_elses_name.duckdb"
    shutil.copyfile(published_sample, copy)
    with duckdb.connect() as con:
        con.execute(f"attach '{copy}' as w (read_only)")
        views = con.execute(
            "select schema_name, view_name, sql from duckdb_views() "
            "where database_name = 'w' and not internal"
        ).fetchall()
        assert ("marts", "source_cells") in {(s, v) for s, v, _ in views}
        for schema, view, sql in views:
            catalog = (
                rf'\b"?{published_sample.stem}"?\."?(raw|reference|staging|intermediate|marts)\b'
            )
            assert not re.search(catalog, sql), f"{schema}.{view} names the catalog"
            con.execute(f'select count(*) from w."{schema}"."{view}"').fetchone()
        cells = con.execute("select count(*) from w.marts.source_cells").fetchone()[0]
    with duckdb.connect(str(published_sample), read_only=True) as con:
        assert cells == con.execute("select count(*) from marts.source_cells").fetchone()[0] > 0
