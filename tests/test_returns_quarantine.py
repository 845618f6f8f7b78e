"""One unreadable return among the 43 sample returns is quarantined, with an error naming the
return, file, sheet, row and column; the other 42 still publish."""

from __future__ import annotations

import duckdb
import openpyxl

from orchestration.lib.sources.force_returns.manifest import load_manifest, return_folders
from tests.conftest import copy_sample_landing, refresh, settings_for


def test_one_broken_return_is_quarantined_and_the_other_42_publish(tmp_path):
    landing = copy_sample_landing(tmp_path / "landing")
    folders = return_folders(landing)
    assert len(folders) == 43
    broken = landing / "essex-fy2023-24"
    book_path = broken / "arrests_nationality_sex.xlsx"
    book = openpyxl.load_workbook(book_path)
    book["Table 1"]["F9"] = "twelve"
    book.save(book_path)
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"

    outcome = refresh(landing, warehouse)

    assert outcome.published, outcome.problems
    assert list(outcome.quarantined) == ["essex-fy2023-24"]
    error = outcome.quarantined["essex-fy2023-24"]
    assert error.startswith(
        "return essex-fy2023-24: file arrests_nationality_sex.xlsx, sheet 'Table 1', row 9, "
        "column F: count 'twelve' is not a whole non-negative number"
    )
    expected = {load_manifest(f / "manifest.yml").return_id for f in folders if f != broken}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        published = {
            r for (r,) in con.execute("select return_id from meta.publication_inputs").fetchall()
        }
        forces = con.execute(
            "select count(*) filter (where has_return), count(*) from marts.return_coverage"
        ).fetchone()
    assert published == expected and len(published) == 42
    assert forces == (41, 43)  # Essex quarantined, City of London made no return
    # The quarantine still says which return it is, as data/landing/essex-fy2023-24/manifest.yml.
    with duckdb.connect(str(settings_for(landing, warehouse).build_db), read_only=True) as con:
        quarantined = con.execute(
            "select landing_folder, error, return_id, force, period_start, period_end "
            "from raw.quarantined_returns"
        ).fetchall()
    assert quarantined == [
        ("essex-fy2023-24", error, "essex-fy2023-24", "E23000028", "2023-04", "2024-03")
    ]
