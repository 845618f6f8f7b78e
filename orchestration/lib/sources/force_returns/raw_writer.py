"""Write parsed returns into the raw tables in large batches, inserting one batch while the next
returns are parsed. Rows, and their order in every table, are as if each return were written on
its own as it was parsed."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import duckdb
import pyarrow as pa

from orchestration.lib.landing import store
from orchestration.lib.landing.tables import FORCE_RETURN_TABLES
from orchestration.lib.sources.force_returns.parse import ParsedReturn

# Cells buffered before a write: DuckDB appends one insert of a million rows much faster than
# forty inserts of 25,000 (each insert pays its statement and merges its small row collections
# into row groups), while a batch stays about 200 MB of Arrow.
BATCH_CELLS = 1_000_000

# DuckDB's rows per row group. Cells arrive one Arrow chunk per return and layout piece; DuckDB
# inserts each chunk as a collection of its own and merges those smaller than a row group into
# full ones (a second copy of every value). Chunks of exactly a row group are written as they are,
# and in parallel: a third less CPU for the insert.
DUCKDB_ROW_GROUP_ROWS = 122_880

# The tables a batch writes, parents first (the registry's order); every one but the cells is
# buffered as rows, with its Arrow schema read from the table itself.
_WRITE_ORDER = FORCE_RETURN_TABLES.row_tables
_CELLS = "return_cells"
_SMALL_TABLES = tuple(t for t in _WRITE_ORDER if t.name != _CELLS)


class RawWriter:
    """Writes parsed returns into raw inside the caller's transaction, in batches (see
    BATCH_CELLS). Every table gets its rows in the order replace_return was called, and a
    buffered return is written before anything deletes it, so raw ends as if each return had been
    written at once. Deletes are skipped for a return id no raw table holds (every return of a
    full refresh): each would scan the rows written so far in the transaction.

    A batch is inserted on a worker thread while the caller parses the next returns (DuckDB
    releases the GIL). The connection is used by one thread at a time: every other use of it
    goes through `connection()`, which waits for the batch being written. Call flush() before
    commit, and close() in any case before the connection is used again."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con
        self.schemas: dict[str, pa.Schema] = {}
        for table in _SMALL_TABLES:
            self.schemas[table.name] = con.sql(table.sql.select_empty).to_arrow_table().schema
        self.stored = store.stored_ids(con, FORCE_RETURN_TABLES)
        self.pending_ids: set[str] = set()
        self.rows: dict[str, list[dict]] = {table.name: [] for table in _SMALL_TABLES}
        self.cells: list[pa.Table] = []
        self.cell_count = 0
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="raw-writer")
        self._writing: Future | None = None

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The connection, once the batch being written (if any) is in; raises its error."""
        if self._writing is not None:
            writing, self._writing = self._writing, None
            writing.result()
        return self._con

    def close(self) -> None:
        """Wait for the batch being written without raising its error (the caller is already
        failing, or flush() has raised it), and stop the worker thread."""
        if self._writing is not None:
            self._writing.exception()
            self._writing = None
        self._worker.shutdown(wait=True)

    def drop_return(self, return_id: str) -> None:
        if return_id in self.pending_ids:
            self._write_buffer()
        if return_id in self.stored:
            store.drop_id(self.connection(), FORCE_RETURN_TABLES, return_id)
            self.stored.discard(return_id)

    def replace_return(self, landing_folder: str, parsed: ParsedReturn) -> None:
        m = parsed.manifest
        self.drop_return(m.return_id)
        self.rows["force_returns"].append(
            {
                "return_id": m.return_id,
                "landing_folder": landing_folder,
                "force": m.force,
                "reference": m.reference,
                "received": m.received.isoformat(),
                "period_start": m.period.start,
                "period_end": m.period.end,
                "data_origin": m.data_origin,
                "notes": m.notes,
                "content_sha256": parsed.content_sha256,
                "loaded_at": store.now(),
            }
        )
        self.rows["return_supersessions"] += [
            {"return_id": m.return_id, "supersedes_return_id": earlier} for earlier in m.supersedes
        ]
        for f in parsed.files:
            self.rows["return_files"].append(
                {name: f[name] for name in self.schemas["return_files"].names}
            )
            markers = [(marker, "suppressed") for marker in f["suppression_markers"]]
            markers += [(marker, "nil") for marker in f["nil_markers"]]
            self.rows["return_suppression_markers"] += [
                {
                    "return_id": f["return_id"],
                    "source_file": f["source_file"],
                    "sheet": f["sheet"],
                    "table_row": f["table_row"],
                    "marker": marker,
                    "meaning": meaning,
                }
                for marker, meaning in markers
            ]
        self.cells.append(parsed.cells)
        self.cell_count += parsed.cells.num_rows
        self.pending_ids.add(m.return_id)
        if self.cell_count >= BATCH_CELLS:
            self._write_buffer()

    def flush(self) -> None:
        """Write every buffered row, and wait until it is in."""
        self._write_buffer()
        self.connection()

    def _write_buffer(self) -> None:
        """Start writing the buffered rows on the worker thread (after the batch before them)."""
        batch = {
            table: pa.Table.from_pylist(rows, schema=self.schemas[table])
            for table, rows in self.rows.items()
            if rows
        }
        if self.cells:
            batch[_CELLS] = pa.concat_tables(self.cells)
        for rows in self.rows.values():
            rows.clear()
        self.cells = []
        self.cell_count = 0
        self.stored |= self.pending_ids
        self.pending_ids.clear()
        con = self.connection()
        if batch:
            self._writing = self._worker.submit(_append_all, con, batch)


def _append_all(con: duckdb.DuckDBPyConnection, batch: dict[str, pa.Table]) -> None:
    for table in _WRITE_ORDER:
        rows = batch.get(table.name)
        if rows is None:
            continue
        if rows.num_rows > DUCKDB_ROW_GROUP_ROWS:
            chunks = rows.combine_chunks().to_batches(max_chunksize=DUCKDB_ROW_GROUP_ROWS)
            rows = pa.Table.from_batches(chunks, schema=rows.schema)
        store.append(con, table, rows)
