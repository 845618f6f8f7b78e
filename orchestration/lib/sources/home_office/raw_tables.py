"""The Home Office tables of the raw schema: datasets as read, their markers, every count cell as
text with lineage, and the datasets that could not be read.

Values always travel as bound parameters or Arrow tables, never spliced into SQL text.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa

from orchestration.lib.sources.home_office.read import ParsedDataset

# The raw tables this package creates, in the schema `raw`.
RAW_TABLES = (
    "home_office_datasets",
    "home_office_markers",
    "home_office_cells",
    "home_office_quarantined",
)

RAW_DDL = """
create schema if not exists raw;
create table if not exists raw.home_office_datasets (
    dataset_id varchar primary key,
    dataset_folder varchar not null,
    kind varchar not null,
    title varchar not null,
    publisher varchar not null,
    publication varchar,
    url varchar,
    data_origin varchar not null,
    notes varchar,
    source_file varchar not null,
    file_sha256 varchar not null,
    sheet varchar,
    cell_count bigint not null,
    content_sha256 varchar not null,
    loaded_at timestamp not null
);
create table if not exists raw.home_office_markers (
    dataset_id varchar not null,
    marker varchar not null,
    meaning varchar not null
);
create table if not exists raw.home_office_cells (
    dataset_id varchar not null,
    source_file varchar not null,
    file_sha256 varchar not null,
    sheet varchar,
    source_row integer not null,
    source_column varchar not null,
    source_header varchar,
    financial_year_raw varchar,
    period varchar,
    geocode_raw varchar,
    force_name_raw varchar,
    force_name varchar,
    region_raw varchar,
    offence_group_raw varchar,
    is_offence_total boolean not null,
    gender_raw varchar,
    ethnicity_raw varchar,
    age_group_raw varchar,
    arrests_raw varchar
);
create table if not exists raw.home_office_quarantined (
    dataset_folder varchar primary key,
    content_sha256 varchar not null,
    error varchar not null,
    quarantined_at timestamp not null
);
"""

_TABLES_BY_DATASET = (
    "raw.home_office_cells",
    "raw.home_office_markers",
    "raw.home_office_datasets",
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(RAW_DDL)


def loaded_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    """dataset folder -> (dataset id, content sha256) of every dataset already in raw."""
    rows = con.execute(
        "select dataset_folder, dataset_id, content_sha256 from raw.home_office_datasets"
    ).fetchall()
    return {folder: (did, sha) for folder, did, sha in rows}


def quarantined_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = con.execute(
        "select dataset_folder, content_sha256 from raw.home_office_quarantined"
    ).fetchall()
    return dict(rows)


def drop_dataset(con: duckdb.DuckDBPyConnection, dataset_id: str) -> None:
    for table in _TABLES_BY_DATASET:
        con.execute(f"delete from {table} where dataset_id = ?", [dataset_id])


def clear_quarantine(con: duckdb.DuckDBPyConnection, folder: str) -> None:
    con.execute("delete from raw.home_office_quarantined where dataset_folder = ?", [folder])


def quarantine(
    con: duckdb.DuckDBPyConnection, folder: str, content_sha256: str, error: str
) -> None:
    clear_quarantine(con, folder)
    con.execute(
        "insert into raw.home_office_quarantined values (?, ?, ?, ?)",
        [folder, content_sha256, error, _now()],
    )


def replace_dataset(con: duckdb.DuckDBPyConnection, folder: str, parsed: ParsedDataset) -> None:
    """Write one dataset's rows, replacing any earlier load of it, in one transaction."""
    m = parsed.manifest
    con.begin()
    try:
        drop_dataset(con, m.dataset_id)
        con.execute(
            "insert into raw.home_office_datasets values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                _now(),
            ],
        )
        for meaning, markers in (
            ("not_available", m.markers.not_available),
            ("nil", m.markers.nil),
        ):
            for marker in markers:
                con.execute(
                    "insert into raw.home_office_markers values (?, ?, ?)",
                    [m.dataset_id, marker, meaning],
                )
        cells: pa.Table = parsed.cells  # noqa: F841 - read by name from the SQL below
        con.execute("insert into raw.home_office_cells by name select * from cells")
        con.commit()
    except Exception:
        con.rollback()
        raise
