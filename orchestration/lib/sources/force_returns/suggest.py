"""`warehouse manifest suggest FILE`: a first manifest for a received file, for a person to review.

Each sheet is read by the readers exactly as a refresh reads it (read_grid), then guessed at: the
header row (the first row of labels above rows holding counts; two rows when the one below it
names parts of a merged header), what each column holds (months, by the month formats the README
documents or date cells; offences and nationalities, by the lookup seeds; counts: whole numbers
and suppression markers), the layout (long with a count column, or wide when the headers are
months, nationalities or offences), section heading rows, the markers seen, and the rows and
columns labelled as totals (declared as `totals:`, so that the refresh checks them). Every guess
comes with the evidence for it, one line each.

What the file cannot say is left as a commented placeholder (return id, force, reference, date
received, whether the data are real); the period is the first and last month seen. Nothing here
writes into the landing folder or the warehouse: the suggestion is a file to review.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import yaml

from orchestration.lib import settings
from orchestration.lib.sources.force_returns.manifest import HEADER_JOIN, ReturnManifest
from orchestration.lib.sources.force_returns.months import month_of
from orchestration.lib.sources.force_returns.readers import (
    SPREADSHEET_SUFFIXES,
    Grid,
    column_letter,
    read_grid,
)

LOOKUPS = settings.DBT_PROJECT_DIR / "seeds" / "lookups"
# The month formats the README documents, tried in this order (a date cell reads as %Y-%m-%d).
MONTH_FORMATS = ("%Y-%m", "%Y-%m-%d", "%B %Y", "%b %Y", "%b-%y", "%Y %B", "%m/%Y", "%d/%m/%Y")
# Markers forces write for a suppressed small count, and for nil.
SUPPRESSION_MARKERS = ("*", "<5", "[c]", "..", "c", "[x]", "x")
NIL_MARKERS = ("-",)
TOTAL_LABEL = re.compile(r"^\s*(grand\s+total|sub-?\s*total|total)\s*$", re.IGNORECASE)
SEXES = {"male", "female", "men", "women", "unknown", "not stated", "other"}
# Trailing footnote marks on labels ("Rape¹").
FOOTNOTES = "[¹²³⁴⁵⁶⁷⁸⁹⁰]+$"
_COUNT = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+$")
_HEAD_ROWS = 40  # rows searched for the header
_SAMPLE = 400  # body rows looked at per column
# What a placeholder says, so that nobody loads a suggestion unread.
PLACEHOLDERS = {
    "return_id": ("fill-in-return-id", "lower-case letters, digits, . _ - (e.g. kent-fy2023-24)"),
    "force": ("FILL IN", "the force's ONS code (E23…/W15…) or its name"),
    "reference": ("FILL IN", "the FOI or request reference"),
    "received": (None, "the date the return was received (today's date is written)"),
    "data_origin": ("real", "real, or synthetic for generated data"),
}


def _seed(name: str) -> set[str]:
    with (LOOKUPS / name).open(encoding="utf-8", newline="") as fh:
        return {row[next(iter(row))].strip().lower() for row in csv.DictReader(fh)}


@dataclass
class Suggestion:
    """A suggested manifest (`document`, as load_manifest reads it) and why (`reasons`)."""

    document: dict
    reasons: list[str] = field(default_factory=list)

    def yaml_text(self) -> str:
        """The manifest as YAML, each placeholder commented with what to write there."""
        text = yaml.safe_dump(self.document, sort_keys=False, allow_unicode=True, width=100)
        lines = [
            "# SUGGESTED by `warehouse manifest suggest`: review every key before use; the keys",
            "# marked FILL IN cannot be read from the file.",
        ]
        for line in text.splitlines():
            key = line.split(":", 1)[0]
            if key in PLACEHOLDERS:
                line += f"  # FILL IN: {PLACEHOLDERS[key][1]}"
            elif key == "period":
                line += "  # guessed: the first and last month seen; check it"
            lines.append(line)
        return "\n".join(lines) + "\n"


@dataclass
class _Column:
    index: int
    header: str
    kind: str  # month, year, month_name, offence, nationality, sex, count, label, empty
    why: str
    month_format: str | None = None


class _Guesser:
    def __init__(self) -> None:
        self.offences = _seed("offence_lookup.csv")
        self.nationalities = _seed("nationality_lookup.csv")

    # -- what a value is -----------------------------------------------------------------------

    def month_format(self, values: list[str], typed: bool) -> str | None:
        """The first documented format every value reads with (date cells read as dates)."""
        if not values:
            return None
        for fmt in MONTH_FORMATS:
            if all(month_of(v, fmt, typed_dates=typed) for v in values):
                return fmt
        return None

    def kind_of_labels(self, values: list[str]) -> tuple[str, str] | None:
        """offence / nationality / sex when most values are in that lookup, with the evidence."""
        labels = {re.sub(FOOTNOTES, "", v).strip().lower() for v in values if v}
        labels = {v for v in labels if not TOTAL_LABEL.match(v)}
        if not labels:
            return None
        for kind, known in (
            ("offence", self.offences),
            ("nationality", self.nationalities),
            ("sex", SEXES),
        ):
            hits = labels & known
            if len(hits) >= max(1, 0.6 * len(labels)):
                example = sorted(hits)[0]
                return (
                    kind,
                    f"{len(hits)} of {len(labels)} distinct labels are in the {kind} lookup (e.g. {example!r})",
                )
        return None

    @staticmethod
    def is_count(value: str) -> bool:
        return bool(_COUNT.match(value)) or value in SUPPRESSION_MARKERS + NIL_MARKERS


def _nonblank(row: list[str]) -> int:
    return sum(1 for v in row if v)


def _header_row(grid: Grid, g: _Guesser) -> tuple[list[int], str]:
    """The header row(s): the first row of labels whose next non-blank row holds counts."""
    rows = grid.rows[:_HEAD_ROWS]
    widest = max((_nonblank(r) for r in rows), default=0)
    for i, row in enumerate(rows):
        if _nonblank(row) < max(2, widest // 2) or any(g.is_count(v) for v in row if v):
            continue
        below = [j for j in range(i + 1, len(rows)) if _nonblank(rows[j])]
        if not below:
            break
        nxt = rows[below[0]]
        if sum(g.is_count(v) for v in nxt) >= 1:
            return [i + 1], f"row {i + 1} is the first row of labels above a row of counts"
        # A section heading (a label alone in its row) between the header and its counts.
        if _nonblank(nxt) == 1 and len(below) > 1 and any(g.is_count(v) for v in rows[below[1]]):
            return [i + 1], (
                f"row {i + 1} is the first row of labels above a heading row and counts"
            )
        # A merged header: the row below names parts (no counts), and counts follow it.
        after = [j for j in below[1:2] if sum(g.is_count(v) for v in rows[j]) >= 1]
        merged = _nonblank(nxt) >= 2 and not any(g.is_count(v) for v in nxt if v)
        if after and below[0] == i + 1 and merged:
            return [i + 1, i + 2], (
                f"rows {i + 1} and {i + 2} are labels (a header over two rows) above counts"
            )
    return [1], "no row of labels above counts found in the first rows; assumed row 1"


def _suggest_sheet(grid: Grid, g: _Guesser, name: str) -> tuple[dict, list[str], list[str]]:
    """One files: entry for a sheet, the reasons for it, and the months seen."""
    where = f"sheet {grid.sheet!r}" if grid.sheet else name
    typed = grid.sheet is not None
    reasons: list[str] = []
    header_lines, why = _header_row(grid, g)
    reasons.append(
        f"{where}: header {'rows' if len(header_lines) > 1 else 'row'} "
        f"{', '.join(map(str, header_lines))}: {why}"
    )
    head_rows = [grid.row(n) for n in header_lines]
    headers = []
    for c in range(grid.width):
        parts = [r[c] for r in head_rows if r[c]]
        if len(head_rows) > 1 and not head_rows[0][c]:  # a merged upper cell continues leftwards
            k = c
            while k > 0 and not head_rows[0][k] and head_rows[-1][k]:
                k -= 1
            if head_rows[0][k]:
                parts = [head_rows[0][k]] + [r[c] for r in head_rows[1:] if r[c]]
        headers.append(HEADER_JOIN.join(parts))
    body_start = header_lines[-1]
    body = grid.rows[body_start:]
    # The table ends at its first blank row when notes follow it.
    stop = len(body)
    blank_at = [i for i, r in enumerate(body) if not _nonblank(r)]
    ends_at_blank = False
    for i in blank_at:
        if any(_nonblank(r) for r in body[i + 1 :]) and i > 0:
            stop, ends_at_blank = i, True
            reasons.append(
                f"{where}: rows below row {body_start + i + 1} (a blank row) are notes: "
                "skip_rows_after_blank"
            )
            break
    every_row = [r for r in body[:stop] if _nonblank(r)]
    body = every_row[:_SAMPLE]

    # Heading rows: text in the first column alone (sections), and total rows.
    heading_rows = [r for r in body if r[0] and _nonblank(r) == 1 and not TOTAL_LABEL.match(r[0])]
    data_rows = [r for r in body if r not in heading_rows]
    columns: list[_Column] = []
    for c, header in enumerate(headers):
        values = [r[c] for r in data_rows if r[c] and not TOTAL_LABEL.match(r[c])]
        if not header:
            columns.append(_Column(c, header, "empty", "no header"))
            continue
        fmt = g.month_format(values, typed)
        if fmt and not all(_COUNT.match(v) for v in values):
            columns.append(
                _Column(
                    c, header, "month", f"every value reads as {fmt!r} (e.g. {values[0]!r})", fmt
                )
            )
            continue
        if values and all(g.is_count(v) for v in values):
            if values and all(re.match(r"^(19|20)\d\d$", v) for v in values):
                columns.append(_Column(c, header, "year", "every value is a year"))
            else:
                columns.append(
                    _Column(
                        c, header, "count", f"{len(values)} values are whole numbers or markers"
                    )
                )
            continue
        if values and all(month_of(v, "%B", False) or month_of(v, "%b", False) for v in values):
            columns.append(_Column(c, header, "month_name", "every value is a month's name"))
            continue
        kind = g.kind_of_labels(values)
        if kind is not None:
            columns.append(_Column(c, header, kind[0], kind[1]))
        else:
            columns.append(_Column(c, header, "label", "text matching no lookup"))

    counts = [col for col in columns if col.kind == "count"]
    dims = {
        col.kind: col for col in columns if col.kind in ("month", "offence", "nationality", "sex")
    }
    spec: dict = {"path": name}
    if grid.sheet is not None:
        spec["sheet"] = grid.sheet
    if header_lines != [1]:
        if len(header_lines) > 1:
            spec["header_rows"] = header_lines
        else:
            spec["header_row"] = header_lines[0]
    if ends_at_blank:
        spec["skip_rows_after_blank"] = True

    # Headers that are themselves a dimension: a wide layout.
    total_columns = [
        col.header for col in counts if TOTAL_LABEL.match(col.header.split(HEADER_JOIN)[-1])
    ]
    value_cols = [col for col in counts if col.header not in total_columns]
    wide_by: list[str] = []
    months_seen: list[str] = []
    if value_cols:
        n_parts = min(len(col.header.split(HEADER_JOIN)) for col in value_cols)
        for part in range(n_parts):
            texts = [col.header.split(HEADER_JOIN)[part] for col in value_cols]
            fmt = g.month_format(texts, typed)
            if fmt is not None:
                wide_by.append("month")
                spec["month_format"] = fmt
                months_seen += [month_of(t, fmt, typed) or "" for t in texts]
                reasons.append(
                    f"{where}: the value columns' headers are months in {fmt!r} "
                    f"({texts[0]!r}..{texts[-1]!r}): wide by month"
                )
                continue
            kind = g.kind_of_labels(texts)
            if kind is not None and kind[0] not in dims:
                wide_by.append(kind[0])
                reasons.append(
                    f"{where}: the value columns' headers are {kind[0]} labels ({kind[1]}): wide by {kind[0]}"
                )
    spec["layout"] = "wide" if wide_by else "long"
    if wide_by:
        spec["wide_by"] = wide_by if len(wide_by) > 1 else wide_by[0]

    cols: dict = {}
    month_col = dims.get("month")
    if month_col is not None:
        cols["month"] = month_col.header
        spec["month_format"] = month_col.month_format
        months_seen += [
            month_of(r[month_col.index], month_col.month_format or "", typed) or ""
            for r in every_row
        ]
    else:
        year = next((col for col in columns if col.kind == "year"), None)
        name_col = next((col for col in columns if col.kind == "month_name"), None)
        if year is not None and name_col is not None and "month" not in wide_by:
            cols["month"] = [year.header, name_col.header]
            fmt = "%Y %B" if month_of(data_rows[0][name_col.index], "%B", False) else "%Y %b"
            spec["month_format"] = fmt
            months_seen += [
                month_of(f"{r[year.index]} {r[name_col.index]}", fmt, False) or ""
                for r in every_row
            ]
            reasons.append(
                f"{where}: month assembled from {year.header!r} (years) and "
                f"{name_col.header!r} (month names) as {fmt!r}"
            )
    for dim in ("offence", "nationality", "sex"):
        if dim in dims and dim not in wide_by:
            cols[dim] = dims[dim].header
    for col in columns:
        if col.kind not in ("empty", "count"):
            reasons.append(
                f"{where}: column {column_letter(col.index)} {col.header!r}: {col.kind} ({col.why})"
            )

    # Sections: heading rows filling a dimension down.
    if heading_rows:
        texts = [r[0] for r in heading_rows]
        prefix = re.match(r"^([^:]+):\s*", texts[0])
        pattern = ".+"
        values = texts
        if prefix and all(t.startswith(prefix.group(0)) for t in texts):
            pattern = f"^{re.escape(prefix.group(1))}: (.+)$"
            values = [t[len(prefix.group(0)) :] for t in texts]
        kind = g.kind_of_labels(values)
        if kind is not None and kind[0] not in cols and kind[0] not in wide_by:
            spec["sections"] = [{"dimension": kind[0], "column": headers[0], "pattern": pattern}]
            reasons.append(
                f"{where}: {len(texts)} rows with text in column A alone ({texts[0]!r}) "
                f"are {kind[0]} headings ({kind[1]}): sections"
            )
            dims[kind[0]] = columns[0]

    if spec["layout"] == "long" and counts:
        cols["count"] = counts[-1].header
        reasons.append(
            f"{where}: column {column_letter(counts[-1].index)} {counts[-1].header!r}: count ({counts[-1].why})"
        )
    for dim in ("month", "offence", "nationality"):
        if dim not in cols and dim not in wide_by and dim not in dims:
            cols[f"{dim}_value"] = "FILL IN" if dim != "month" else "2000-01"
            reasons.append(
                f"{where}: no column or header looks like a {dim}: columns.{dim}_value "
                "is a placeholder (FILL IN the value the whole sheet has)"
            )
    spec["columns"] = cols

    # Markers seen in count cells.
    count_values = Counter(r[col.index] for col in counts for r in data_rows)
    markers = [m for m in SUPPRESSION_MARKERS if m in count_values]
    nils = [m for m in NIL_MARKERS if m in count_values]
    if markers:
        spec["suppression"] = {"markers": markers, "lower": 1, "upper": 4}
        reasons.append(
            f"{where}: suppression markers seen in count cells: "
            + ", ".join(f"{m!r} ({count_values[m]} cells)" for m in markers)
            + "; lower/upper 1..4 assumed (check the return's notes)"
        )
    if nils:
        spec["nil_markers"] = nils
        reasons.append(f"{where}: {nils} seen in count cells: taken as nil (zero)")
    if any("," in v and _COUNT.match(v) for v in count_values):
        spec["thousands_separator"] = ","
        reasons.append(f"{where}: counts such as '1,234': thousands_separator ','")
    if any(re.search(FOOTNOTES, v) for r in data_rows + heading_rows for v in r[:1]) or any(
        re.search(FOOTNOTES, h) for h in headers
    ):
        spec["footnote_marks"] = FOOTNOTES
        reasons.append(f"{where}: labels end in footnote marks: footnote_marks")

    # Totals: rows labelled Total / Grand total / Sub-total, and Total columns.
    total_rows = []
    for col in columns:
        if col.kind in ("count", "empty"):
            continue
        labels = Counter(r[col.index] for r in body if TOTAL_LABEL.match(r[col.index]))
        for label, n in sorted(labels.items()):
            sums = "table" if n == 1 and label.lower().strip() != "sub-total" else "block"
            total_rows.append({"match": {col.header: f"^{re.escape(label)}$"}, "sums": sums})
            reasons.append(
                f"{where}: {n} row(s) labelled {label!r} in {col.header!r}: totals "
                f"({'each sums the rows above it' if sums == 'block' else 'a grand total'})"
            )
    total_rows.sort(key=lambda t: t["sums"] == "table")  # inner sub-totals first
    totals: dict = {}
    if total_rows:
        totals["rows"] = total_rows
    if total_columns and spec["layout"] == "wide":
        totals["columns"] = total_columns
        reasons.append(f"{where}: column(s) {total_columns} are labelled Total: totals.columns")
    elif total_columns:
        spec["ignore_columns"] = total_columns
    if totals:
        spec["totals"] = totals
    if spec["layout"] == "wide":
        other = [
            c.header for c in columns if c.kind in ("label", "year", "month_name") and c.header
        ]
        if other:
            spec["ignore_columns"] = spec.get("ignore_columns", []) + other
    return spec, reasons, [m for m in months_seen if m]


def suggest_manifest(path: Path, sheet: str | None = None, name: str | None = None) -> Suggestion:
    """A suggested manifest for `path` (every sheet of a spreadsheet, or only `sheet`); `name` is
    the file's path as the manifest names it (default: its file name)."""
    g = _Guesser()
    name = name or path.name
    workbooks: dict = {}

    def read(sheet_name: str | None) -> Grid:
        # read_grid needs only sheet, encoding and delimiter; encoding and delimiter detected.
        spec = SimpleNamespace(sheet=sheet_name, encoding=None, delimiter=None)
        return read_grid(path, spec, workbooks)  # type: ignore[arg-type]

    grids = [read(sheet)]
    if path.suffix.lower() in SPREADSHEET_SUFFIXES and sheet is None:
        grids += [read(other) for other in workbooks[path].sheet_names[1:]]
    files, reasons, months = [], [], []
    for grid in grids:
        if not grid.height or not grid.width:
            reasons.append(f"sheet {grid.sheet!r}: empty, left out")
            continue
        found, why, seen = _suggest_sheet(grid, g, name)
        files.append(found)
        reasons += why
        months += seen
    start, end = (min(months), max(months)) if months else ("2000-01", "2000-01")
    reasons.append(
        f"period {start}..{end}: the first and last month seen"
        if months
        else "period: no months seen; a placeholder (FILL IN)"
    )
    document = {
        "return_id": PLACEHOLDERS["return_id"][0],
        "force": PLACEHOLDERS["force"][0],
        "reference": PLACEHOLDERS["reference"][0],
        "received": dt.date.today(),
        "period": {"start": start, "end": end},
        "data_origin": PLACEHOLDERS["data_origin"][0],
        "files": files,
    }
    ReturnManifest.model_validate(document)  # a suggestion is always a manifest load_manifest takes
    return Suggestion(document, reasons)
