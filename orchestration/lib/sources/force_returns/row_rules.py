"""Rows of a table body that are not figures, and rows that name a section, by the manifest's rules.

Returns re-typed from a PDF repeat their header after each page break and carry "Page 3 of 7"
lines (skip_lines_matching); returns with nationality (or offence) as section rows put a heading
row ("British", "Nationality: Polish") above the rows it applies to (sections). Every rule works
on whole columns at once; only the few distinct heading texts are read in Python.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib.sources.force_returns.manifest import FileSpec
from orchestration.lib.sources.force_returns.readers import Grid, ReadError, column_letter
from orchestration.lib.sources.force_returns.tables import rows_matching


def _cell_columns(table: pa.Table) -> list[str]:
    return [n for n in table.column_names if n.startswith("c")]


def drop_layout_lines(table: pa.Table, grid: Grid, spec: FileSpec, header_lines: list[int]):
    """The body without page-break lines (a cell matching one of skip_lines_matching) and without
    copies of a header row repeated below it (every cell as in that header row)."""
    drop = np.zeros(table.num_rows, dtype=bool)
    for pattern in spec.skip_lines_matching:
        drop |= rows_matching(table, pattern)
    for line in header_lines:
        header = grid.row(line)
        if not any(header):
            continue
        same = np.ones(table.num_rows, dtype=bool)
        for name, text in zip(_cell_columns(table), header, strict=True):
            same &= pc.equal(table[name], text).to_numpy(zero_copy_only=False).astype(bool)
        drop |= same
    return table.filter(pa.array(~drop)) if drop.any() else table


def strip_marks(values: pa.Array | pa.ChunkedArray, spec: FileSpec):
    """Labels without their footnote marks ("Rape¹" -> "Rape"), when the manifest declares them."""
    if spec.footnote_marks is None:
        return values
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(values, spec.footnote_marks, ""))


def fill_sections(
    table: pa.Table, grid: Grid, spec: FileSpec, index: dict[str, int]
) -> tuple[pa.Table, dict[str, pa.Array]]:
    """Each declared section's value for every figure row (its heading's, filled down to the next
    heading), and the body without its heading rows. A heading row has text only in its section's
    column; a row matching several sections' patterns heads the first listed."""
    if not spec.sections:
        return table, {}
    n = table.num_rows
    names = _cell_columns(table)
    heading_of = np.full(n, -1)  # which section a row heads, -1 for none
    texts: dict[int, list[str]] = {}
    for k, section in enumerate(spec.sections):
        column = f"c{index[section.column]}"
        alone = pc.not_equal(table[column], "").to_numpy(zero_copy_only=False).astype(bool)
        for name in names:
            if name != column:
                alone &= pc.equal(table[name], "").to_numpy(zero_copy_only=False).astype(bool)
        candidates = np.flatnonzero(alone & (heading_of < 0))
        cells = strip_marks(pc.take(table[column], pa.array(candidates)), spec).to_pylist()
        found = [(row, section.value_of(text)) for row, text in zip(candidates, cells, strict=True)]
        texts[k] = []
        for row, value in found:
            if value is not None:
                heading_of[row] = k
                texts[k].append(value)
    figures = heading_of < 0
    filled: dict[str, pa.Array] = {}
    rows = table["source_row"].to_numpy()
    for k, section in enumerate(spec.sections):
        heads = np.flatnonzero(heading_of == k)
        which = np.searchsorted(heads, np.flatnonzero(figures), side="right") - 1
        if which.size and which[0] < 0:
            first = int(rows[np.flatnonzero(figures)[0]])
            raise ReadError.at(
                f"row {first} is above the first {section.dimension} heading (a row with text "
                f"only in column {section.column!r}, matching {section.pattern!r}); expected a "
                "heading above every section's rows",
                file=spec.source_name,
                sheet=grid.sheet,
                row=first,
                column=column_letter(index[section.column]),
            )
        filled[section.dimension] = pc.take(pa.array(texts[k], pa.string()), pa.array(which))
    return table.filter(pa.array(figures)), filled
