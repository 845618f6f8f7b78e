"""The report's claims: each entry of the figure list answered by the figure module
(Warehouse.figure_rows, the same numbers as `warehouse figure`), put in words beside its coverage,
with the command that reproduces it. A request the warehouse cannot answer (months it does not
hold, an offence or force it does not know) is shown as such and warned about; the rest of the
report still builds.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestration.lib.figures import FigureError, open_warehouse
from orchestration.lib.report import formatting as fmt
from orchestration.lib.report.figure_list import FigureEntry
from orchestration.lib.settings import DEFAULT_WAREHOUSE

CANNOT = "cannot be answered"


@dataclass(frozen=True)
class ClaimRow:
    """One row of a claim's figure, every number already in words."""

    area: str
    nationality: str
    # Each figure with its notes: what kind of figure it is, its range, its interval.
    arrests: str
    arrests_notes: tuple[str, ...]
    rate: str
    rate_notes: tuple[str, ...]
    share: str
    share_notes: tuple[str, ...]
    ratio: str
    ratio_notes: tuple[str, ...]
    forces: str
    forces_missing: tuple[str, ...]  # by name
    months: str
    unknown: str
    complete: bool
    origin: str  # data_origin, or a dash when no force stands behind the row
    cells: str

    @property
    def synthetic(self) -> bool:
        return self.origin == "synthetic"


@dataclass(frozen=True)
class Claim:
    number: int  # the entry's place in the figure list, from 1
    text: str
    command: str
    rows: list[ClaimRow]
    problem: str | None  # why the warehouse cannot answer it
    show_ratio: bool

    @property
    def synthetic(self) -> bool:
        return any(r.synthetic for r in self.rows)

    @property
    def partial(self) -> bool:
        return any(not r.complete for r in self.rows)


def command(entry: FigureEntry, warehouse: Path) -> str:
    """The `warehouse figure` command that gives this entry's figure."""
    words = ["warehouse", "figure", "--period", entry.period]
    if entry.offence is not None:
        words += ["--offence", entry.offence]
    if entry.force:
        words += ["--force", entry.force if isinstance(entry.force, str) else ",".join(entry.force)]
    elif entry.by is not None:
        words += ["--by", entry.by]
    if entry.nationality != "all":
        nationality = entry.nationality
        words += [
            "--nationality",
            nationality if isinstance(nationality, str) else ",".join(nationality),
        ]
    if entry.ratio:
        words.append("--ratio")
    if Path(warehouse).resolve() != DEFAULT_WAREHOUSE.resolve():
        words += ["--warehouse", str(warehouse)]
    return shlex.join(words)


def _measure(
    row: dict[str, Any], name: str, ci: str, show: Callable[[Any], str], method: str
) -> tuple[str, tuple[str, ...]]:
    """A rate, share or ratio: its point estimate (or its range when every cell behind it is
    suppressed), then what kind of figure that is, its range under suppression and its interval."""
    value, lower, upper = row[name], row[f"{name}_lower"], row[f"{name}_upper"]
    if fmt.missing(value) and fmt.missing(lower) and fmt.missing(upper):
        return fmt.DASH, ()
    notes = [fmt.estimate_kind(value, row[method], lower, upper)]
    bounds = fmt.value_range(lower, upper, show)
    if not fmt.missing(value) and bounds != show(value):
        notes.append(f"range {bounds}")
    ci_lower, ci_upper = row[f"{ci}_lower"], row[f"{ci}_upper"]
    if not (fmt.missing(ci_lower) and fmt.missing(ci_upper)):
        notes.append(f"95% CI {fmt.value_range(ci_lower, ci_upper, show)}")
    return fmt.point_or_range(value, lower, upper, show), tuple(notes)


def claim_row(row: dict[str, Any]) -> ClaimRow:
    """A figure row (Warehouse.figure_rows) in words."""
    no_data = not row["forces_reporting"]
    if no_data:
        arrests, arrests_notes = "no data", ("no force behind it",)
    else:
        arrests = fmt.count_range(row["arrests"], row["arrests_lower"], row["arrests_upper"])
        exact = not fmt.missing(row["arrests"])
        arrests_notes = ("exact",) if exact else ("range under suppression",)
    rate = _measure(row, "rate_per_100k", "rate_ci", fmt.rate, "estimate_method")
    share = _measure(row, "share", "share_ci", fmt.pct, "estimate_method")
    ratio = _measure(row, "rate_ratio", "rate_ratio_ci", fmt.ratio, "rate_ratio_estimate_method")
    suppressed = row["suppressed_cells"] or 0
    months = fmt.value_range(row["months_covered"], row["months_covered_max"], fmt.count)
    return ClaimRow(
        area=str(row["area_name"]),
        nationality=str(row["nationality_group"]).replace("_", "-"),
        arrests=arrests,
        arrests_notes=arrests_notes,
        rate=rate[0],
        rate_notes=rate[1],
        share=share[0],
        share_notes=share[1],
        ratio=ratio[0],
        ratio_notes=ratio[1],
        forces=f"{fmt.count(row['forces_reporting'])} of {fmt.count(row['forces_in_area'])}",
        forces_missing=tuple(row["forces_missing"]),
        months=f"{months} of {fmt.count(row['months_requested'])}",
        unknown=fmt.share_range(
            row["unknown_nationality_share_lower"], row["unknown_nationality_share_upper"]
        )
        if fmt.missing(row["unknown_nationality_share"])
        else fmt.pct(row["unknown_nationality_share"]),
        complete=bool(row["is_complete"]),
        origin=fmt.DASH if no_data or not row["data_origin"] else str(row["data_origin"]),
        cells=f"{fmt.count(row['source_cells'])}"
        + (f" ({suppressed:,} suppressed)" if suppressed else ""),
    )


def answer_claims(
    entries: list[FigureEntry],
    warehouse: Path,
    figures: Path,
    warn: Callable[[str], None],
) -> list[Claim]:
    """Each entry's figure from the published warehouse, in the list's order. A request the
    warehouse cannot answer becomes a claim with its reason, and `warn` is told."""
    wh = open_warehouse(warehouse)
    claims = []
    for number, entry in enumerate(entries, start=1):
        problem, rows = None, []
        try:
            rows = wh.figure_rows(**entry.request())
        except FigureError as exc:
            problem = str(exc)
            warn(f"figure list {figures}, entry {number} ({entry.claim!r}) {CANNOT}: {problem}")
        shown = [claim_row(r) for r in rows]
        claims.append(
            Claim(
                number=number,
                text=entry.claim,
                command=command(entry, warehouse),
                rows=shown,
                problem=problem,
                show_ratio=entry.ratio or any(r.ratio != fmt.DASH for r in shown),
            )
        )
    return claims
