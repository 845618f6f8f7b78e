"""A figure (or its source cells) as text: `table` and `markdown` give a summary a reader can
quote, each number beside its bounds, interval and coverage; `csv` and `json` give every column
(JSON: a list of objects with the keys of COLUMNS; forces_missing a list of names). Rows are the
plain dicts of Warehouse.figure_rows / cell_rows: no pandas, so the command starts quickly."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from orchestration.lib.figures.warehouse import CELL_COLUMNS, COLUMNS

FORMATS = ("table", "csv", "json", "markdown")
DASH = "–"


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Every column; a null is empty, a list of names is joined with '; ', floats in full."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        values = [row.get(c) for c in columns]
        writer.writerow(
            [
                ""
                if v is None
                else "; ".join(v)
                if isinstance(v, list)
                else repr(v)
                if isinstance(v, float)
                else v
                for v in values
            ]
        )
    return buffer.getvalue().rstrip("\n")


def _count(value: Any) -> str:
    return f"{value:,}"


def _number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return ""
    if value != 0 and abs(value) < 10:
        return f"{value:.3g}"
    return f"{value:,.{digits}f}"


def _range(lower: Any, upper: Any, show=_number) -> str:
    if lower is None and upper is None:
        return ""
    if lower == upper:
        return show(lower)
    return f"{show(lower) if lower is not None else '?'}{DASH}{show(upper) if upper is not None else '?'}"


def _percent(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}%"


def _summary_row(r: dict[str, Any]) -> dict[str, str]:
    no_data = r["forces_reporting"] == 0
    if no_data:
        arrests = "no data"
    elif r["arrests"] is not None:
        arrests = _count(r["arrests"])
    else:
        arrests = _range(r["arrests_lower"], r["arrests_upper"], _count) + " (suppressed)"
    rate = ""
    if r["rate_per_100k_lower"] is not None:
        point = _number(r["rate_per_100k"]) if r["rate_per_100k"] is not None else "bounds"
        bounds = (
            f" [{_range(r['rate_per_100k_lower'], r['rate_per_100k_upper'])}]"
            if r["rate_per_100k_lower"] != r["rate_per_100k_upper"]
            else ""
        )
        rate = f"{point}{bounds} ({_range(r['rate_ci_lower'], r['rate_ci_upper'])})"
    share = ""
    if r["share_lower"] is not None:
        share = (
            f"{_percent(r['share']) or 'bounds'}"
            f" ({_percent(r['share_ci_lower'])}{DASH}{_percent(r['share_ci_upper'])})"
        )
    ratio = ""
    if r["rate_ratio_lower"] is not None or r["rate_ratio"] is not None:
        point = f"{r['rate_ratio']:.2f}" if r["rate_ratio"] is not None else "bounds"
        ci_lower, ci_upper = r["rate_ratio_ci_lower"], r["rate_ratio_ci_upper"]
        ratio = (
            f"{point} ({'' if ci_lower is None else f'{ci_lower:.2f}'}{DASH}"
            f"{'' if ci_upper is None else f'{ci_upper:.2f}'})"
        )
    return {
        "period": r["period"],
        "area": r["area_name"],
        "nationality": r["nationality_group"],
        "arrests": arrests,
        "rate per 100k [bounds] (95% CI)": rate,
        "share (95% CI)": share,
        "rate ratio (95% CI)": ratio,
        "forces": f"{r['forces_reporting']}/{r['forces_in_area']}",
        "months": f"{r['months_covered']}/{r['months_requested']}",
        "population": _percent(r["population_covered"]),
        "unknown nat.": _percent(r["unknown_nationality_share"]),
        "complete": "yes" if r["is_complete"] else "no",
    }


def _notes(rows: list[dict[str, Any]]) -> list[str]:
    first = rows[0] if rows else None
    notes = []
    if first is not None:
        notes.append(
            f"{first['offence']} ({first['offence_level']}); rates per 100,000 person-years of the "
            "reporting forces; a count with suppressed cells is given as bounds, rates and shares "
            "as the midpoint with [bounds]; intervals cover every allocation of the suppressed cells."
        )
    missing: dict[str, list[str]] = {}
    for r in rows:
        if r["forces_missing"] and r["area_level"] != "force":
            missing.setdefault(r["area_name"], r["forces_missing"])
    for area, names in missing.items():
        notes.append(f"Not behind the figure for {area}: {', '.join(names)}.")
    silent = sorted(
        {r["area_name"] for r in rows if r["area_level"] == "force" and r["forces_missing"]}
    )
    if silent:
        notes.append(f"No data behind the figure for: {', '.join(silent)}.")
    if any(r["data_origin"] == "synthetic" for r in rows):
        notes.append("SYNTHETIC data: not real police figures.")
    return notes


def _table(rows: list[dict[str, str]]) -> str:
    if not rows:
        return "(no rows)"
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns)]
    lines.append("  ".join("-" * widths[c] for c in columns))
    lines += ["  ".join(r[c].ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def _markdown(rows: list[dict[str, str]]) -> str:
    if not rows:
        return "(no rows)"
    columns = list(rows[0])

    def line(values: list[str]) -> str:
        return "| " + " | ".join(v.replace("|", "\\|") for v in values) + " |"

    return "\n".join(
        [line(columns), line(["---"] * len(columns))]
        + [line([r[c] for c in columns]) for r in rows]
    )


def render_figure(rows: list[dict[str, Any]], fmt: str) -> str:
    """Figure rows (Warehouse.figure_rows) in one of FORMATS."""
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False)
    if fmt == "csv":
        return _csv(rows, list(COLUMNS))
    summary = [_summary_row(r) for r in rows]
    notes = _notes(rows)
    if fmt == "markdown":
        return _markdown(summary) + "".join(f"\n\n{note}" for note in notes)
    return _table(summary) + "".join(f"\n{note}" for note in notes)


CELL_TABLE_COLUMNS = (
    "area_name",
    "month",
    "offence_raw",
    "nationality_raw",
    "count_raw",
    "arrests_lower",
    "arrests_upper",
    "return_id",
    "source_file",
    "sheet",
    "source_row",
    "source_column",
)


def render_cells(rows: list[dict[str, Any]], fmt: str, max_rows: int = 100) -> str:
    """The source cells of a figure (Warehouse.cell_rows) in one of FORMATS; table and markdown
    show the first max_rows cells and say how many there are."""
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False)
    if fmt == "csv":
        return _csv(rows, list(CELL_COLUMNS))
    shown = [
        {c: "" if r[c] is None else str(r[c]) for c in CELL_TABLE_COLUMNS} for r in rows[:max_rows]
    ]
    text = _markdown(shown) if fmt == "markdown" else _table(shown)
    suppressed = sum(bool(r["is_suppressed"]) for r in rows)
    tail = f"{len(rows):,} source cell(s), {suppressed:,} suppressed"
    if len(rows) > max_rows:
        tail += f"; the first {max_rows:,} shown (--format csv or json lists all)"
    return f"{text}\n{tail}"
