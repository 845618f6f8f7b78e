"""Record-level returns (one row per arrest, with its date): counted per month × offence ×
nationality (× sex × age band) into canonical count cells.

A counted cell keeps every row it counts in `source_rows` (the rows are not contiguous in
general, so a first and last row would not say which rows they are); `source_row` is the first of
them and `source_column` the date column, so a counted cell is located like any other and its
rows can be listed exactly (`unnest(source_rows)`).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib.sources.force_returns.manifest import DIMENSIONS, FileSpec
from orchestration.lib.sources.force_returns.months import describe_format, month_of
from orchestration.lib.sources.force_returns.readers import Grid, ReadError

RECORDS_HEADER = "rows counted"  # a counted cell's source_header: it has no count column


def count_records(
    table: pa.Table,
    grid: Grid,
    spec: FileSpec,
    dims: dict[str, pa.Array],
    month_letter: str,
    schema: pa.Schema,
) -> pa.Table:
    """One count cell per month × dimensions of the rows of `table`, month_raw as YYYY-MM. Each
    distinct date text is read once; a row whose date is not one is an error naming its cell."""
    raw = dims["month"]
    distinct = pc.unique(raw)
    typed = grid.sheet is not None
    months = [month_of(text, spec.month_format, typed) for text in distinct.to_pylist()]
    for text, month in zip(distinct.to_pylist(), months, strict=True):
        if month is None:
            row = table.filter(pc.equal(raw, text))["source_row"][0].as_py()
            raise ReadError.at(
                f"date {text!r} is not {describe_format(spec.month_format)} (records are "
                "counted by the month of their date)",
                file=spec.source_name,
                sheet=grid.sheet,
                row=row,
                column=month_letter,
            )
    month = pc.take(pa.array(months, pa.string()), pc.index_in(raw, value_set=distinct))
    keys = [f"{dim}_raw" for dim in DIMENSIONS]
    rows = pa.table(
        {"source_row": table["source_row"], "month_raw": month}
        | {f"{dim}_raw": dims[dim] for dim in DIMENSIONS if dim != "month"}
    )
    counted = rows.group_by(keys, use_threads=False).aggregate(
        [("source_row", "min"), ("source_row", "count"), ("source_row", "list")]
    )
    n = counted.num_rows
    cells = pa.table(
        {
            "source_row": counted["source_row_min"],
            "source_column": pa.repeat(pa.scalar(month_letter, pa.string()), n),
            "source_header": pa.repeat(pa.scalar(RECORDS_HEADER, pa.string()), n),
            **{key: counted[key] for key in keys},
            "count_raw": pc.cast(counted["source_row_count"], pa.string()),
            # Single-threaded, each list keeps the body's order: ascending rows.
            "source_rows": counted["source_row_list"],
        }
    )
    order = pc.sort_indices(cells["source_row"])
    return cells.take(order).cast(schema)
