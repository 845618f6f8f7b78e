"""Every table of the raw schema, once: its name, the source that writes it and the id column its
rows are dropped by; its columns in raw_tables/<name>.sql. The DDL, the statements the landing loader runs (landing/store.py),
RawWriter's tables and the Dagster asset specs are all made from these declarations.

The statements are made here, when the module is imported, from the names declared below (each
checked to be an SQL identifier): SQL text never holds a value. Values always travel as bound
parameters or Arrow tables (tests/test_bad_inputs.py::test_no_value_is_spliced_into_sql_text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from orchestration.lib.sql import read_sql

FORCE_RETURNS = "force_returns"
HOME_OFFICE = "home_office"

# The name under which Arrow rows are registered for `insert_rows`.
ROWS_VIEW = "raw_rows"

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def _identifier(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"raw table registry: {name!r} is not an SQL identifier")
    return name


@dataclass(frozen=True)
class TableSql:
    """The statements on one raw table."""

    select_empty: str  # its columns, no rows: for the Arrow schema
    insert_rows: str  # append the Arrow rows registered as ROWS_VIEW, by column name


@dataclass(frozen=True)
class RawTable:
    name: str  # in the schema raw
    source: str  # FORCE_RETURNS or HOME_OFFICE
    # "rows": rows of loaded folders, dropped by `key` (the folder's return or dataset id);
    # "quarantine": the source's folders that could not be loaded, by `key` (the folder's name);
    # "meta": about raw itself, no key.
    role: Literal["rows", "quarantine", "meta"] = "rows"
    key: str | None = None
    # A quarantine's columns beyond its folder, content_sha256, error and quarantined_at: what a
    # folder says about itself (loader.Opened.facts), NULL where it cannot say (all nullable).
    facts: tuple[str, ...] = ()
    sql: TableSql = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _identifier(self.name)
        if (self.key is None) != (self.role == "meta"):
            raise ValueError(f"raw table registry: {self.name} needs a key unless it is meta")
        if self.key is not None:
            _identifier(self.key)
        if self.facts and self.role != "quarantine":
            raise ValueError(f"raw table registry: {self.name} has facts but is no quarantine")
        for column in self.facts:
            _identifier(column)
        qualified = f"raw.{self.name}"
        sql = TableSql(
            select_empty=f"select * from {qualified} limit 0",
            insert_rows=f"insert into {qualified} by name select * from {ROWS_VIEW}",
        )
        object.__setattr__(self, "sql", sql)

    @property
    def ddl(self) -> str:
        """Its `create table if not exists`, from raw_tables/<name>.sql."""
        return read_sql(f"{__package__}.raw_tables", self.name)


# Parents first: a source's row tables are written in this order and dropped in the reverse one.
# Each table's columns are in raw_tables/<name>.sql.
RAW_TABLES: tuple[RawTable, ...] = (
    # -- force returns ---------------------------------------------------------------------------
    RawTable("schema_version", FORCE_RETURNS, role="meta"),
    RawTable("force_returns", FORCE_RETURNS, key="return_id"),
    RawTable("return_supersessions", FORCE_RETURNS, key="return_id"),
    RawTable("return_files", FORCE_RETURNS, key="return_id"),
    RawTable("return_suppression_markers", FORCE_RETURNS, key="return_id"),
    RawTable("return_cells", FORCE_RETURNS, key="return_id"),
    RawTable(
        "quarantined_returns",
        FORCE_RETURNS,
        role="quarantine",
        key="landing_folder",
        facts=("return_id", "force", "period_start", "period_end"),  # from its manifest
    ),
    # -- Home Office datasets --------------------------------------------------------------------
    RawTable("home_office_datasets", HOME_OFFICE, key="dataset_id"),
    RawTable("home_office_markers", HOME_OFFICE, key="dataset_id"),
    RawTable("home_office_cells", HOME_OFFICE, key="dataset_id"),
    RawTable("home_office_quarantined", HOME_OFFICE, role="quarantine", key="dataset_folder"),
)


@dataclass(frozen=True)
class SourceSql:
    """The statements the landing loader runs on one source's tables (landing/store.py)."""

    create: str  # the schema and every table of the source
    select_loaded: str  # folder, id, content sha256 of every loaded folder
    select_quarantined: str  # folder, content sha256, error of every quarantined folder
    clear_quarantine: str  # (folder)
    insert_quarantine: str  # (folder, content sha256, error, quarantined at, *quarantine facts)
    drop_by_id: tuple[str, ...]  # (id), one per row table, children first
    select_ids: tuple[str, ...]  # every distinct id, one per row table


@dataclass(frozen=True)
class RawSource:
    """One source's raw tables: `loaded` holds a row per loaded folder (its folder name, its id
    and content_sha256), the quarantine table a row per folder that could not be loaded, under
    the same folder column."""

    name: str
    loaded: str
    description: str  # what its Dagster asset specs say of its tables
    tables: tuple[RawTable, ...] = field(init=False, repr=False, compare=False)
    sql: SourceSql = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tables", tuple(t for t in RAW_TABLES if t.source == self.name))
        loaded = self.table(self.loaded)
        quarantine = self.quarantine
        folder = self.folder_column
        ids = self.row_tables
        inserted = (folder, "content_sha256", "error", "quarantined_at", *quarantine.facts)
        sql = SourceSql(
            create="\n".join(["create schema if not exists raw;", *(t.ddl for t in self.tables)]),
            select_loaded=f"select {folder}, {loaded.key}, content_sha256 from raw.{loaded.name}",
            select_quarantined=f"select {folder}, content_sha256, error from raw.{quarantine.name}",
            clear_quarantine=f"delete from raw.{quarantine.name} where {folder} = ?",
            insert_quarantine=(
                f"insert into raw.{quarantine.name} ({', '.join(inserted)}) "
                f"values ({', '.join('?' for _ in inserted)})"
            ),
            drop_by_id=tuple(f"delete from raw.{t.name} where {t.key} = ?" for t in ids[::-1]),
            select_ids=tuple(f"select distinct {t.key} from raw.{t.name}" for t in ids[::-1]),
        )
        object.__setattr__(self, "sql", sql)

    def table(self, name: str) -> RawTable:
        (table,) = (t for t in self.tables if t.name == name)
        return table

    @property
    def id_column(self) -> str:
        """The id a folder loads as (a return id, a dataset id): the loaded table's key."""
        key = self.table(self.loaded).key
        assert key is not None
        return key

    @property
    def folder_column(self) -> str:
        """The column naming a folder: the quarantine's key (and a column of `loaded`)."""
        key = self.quarantine.key
        assert key is not None
        return key

    @property
    def row_tables(self) -> tuple[RawTable, ...]:
        """The tables of loaded folders' rows, parents first."""
        return tuple(t for t in self.tables if t.role == "rows")

    @property
    def quarantine(self) -> RawTable:
        (table,) = (t for t in self.tables if t.role == "quarantine")
        return table

    @property
    def asset_tables(self) -> tuple[RawTable, ...]:
        """The tables shown as Dagster assets: all but raw's own bookkeeping."""
        return tuple(t for t in self.tables if t.role != "meta")


FORCE_RETURN_TABLES = RawSource(
    FORCE_RETURNS,
    loaded="force_returns",
    description="force returns as parsed, every cell as text, with lineage.",
)
HOME_OFFICE_TABLES = RawSource(
    HOME_OFFICE,
    loaded="home_office_datasets",
    description="Home Office arrest statistics as read, with lineage.",
)
SOURCES = (FORCE_RETURN_TABLES, HOME_OFFICE_TABLES)
