"""Writing one Home Office dataset into its raw tables (declared in
orchestration/lib/landing/tables.py): the dataset as read, its markers, every count cell as text
with lineage.

Values always travel as bound parameters or Arrow tables, never spliced into SQL text.
"""

from __future__ import annotations

import duckdb

from orchestration.lib.landing import store
from orchestration.lib.landing.tables import HOME_OFFICE_TABLES
from orchestration.lib.sources.home_office.read import ParsedDataset

_CELLS = HOME_OFFICE_TABLES.table("home_office_cells")


def replace_dataset(con: duckdb.DuckDBPyConnection, folder: str, parsed: ParsedDataset) -> None:
    """Write one dataset's rows, replacing any earlier load of it (in the caller's transaction)."""
    m = parsed.manifest
    store.drop_id(con, HOME_OFFICE_TABLES, m.dataset_id)
    con.execute(
        "insert into raw.home_office_datasets values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            m.dataset_id,
            folder,
            m.kind,
            m.title,
            m.publisher,
            m.publication,
            m.url,
            m.data_origin,
            m.notes,
            m.file,
            parsed.file_sha256,
            parsed.sheet,
            parsed.cells.num_rows,
            parsed.content_sha256,
            store.now(),
            m.rate_per,
        ],
    )
    for meaning, markers in (
        ("not_available", m.markers.not_available),
        ("nil", m.markers.nil),
        ("mark", m.markers.marks),
    ):
        for marker in markers:
            con.execute(
                "insert into raw.home_office_markers values (?, ?, ?)",
                [m.dataset_id, marker, meaning],
            )
    store.append(con, _CELLS, parsed.cells)
