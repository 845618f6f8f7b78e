"""A published table's own totals as checks: its total column against the offence group cells of
each row, and each region sub-total and national total row against the force rows it totals
(the forces of the region, of a country, or all, by the seeds). Not-available cells are bounds,
not zeros: the total must be at least the cells that are known. A force row skipped by the
manifest still counts; a force missing from the table makes its region's and the nation's totals
disagree, and the error says which forces the seeds expected.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.lib.sources.force_returns.readers import ReadError
from orchestration.lib.sources.home_office.manifest import HomeOfficeManifest
from orchestration.lib.sources.home_office.reference import Reference
from orchestration.lib.sources.home_office.rows import Row

# A column of counts: its letter, its header, and each row's count (None: not available or blank).
Counts = tuple[str, str, list[int | None]]


@dataclass(frozen=True)
class Disagreement:
    row: int
    column: str
    header: str
    detail: str


def _compare(
    row: Row, column: Counts, total: int | None, parts: list[int | None], what: str
) -> list[Disagreement]:
    if total is None:
        return []
    known = sum(p for p in parts if p is not None)
    unknown = sum(1 for p in parts if p is None)
    if total == known or (unknown and total > known):
        return []
    sums = (
        f"add up to {known:,}"
        if not unknown
        else f"add up to at least {known:,} ({unknown} not available)"
    )
    detail = f"total {total:,} ({row.label}) disagrees with {what}: they {sums}; difference {total - known:+,}"
    return [Disagreement(row.source_row, column[0], column[1], detail)]


def _members(row: Row, forces: list[tuple[int, Row]], ref: Reference) -> list[int]:
    if row.kind == "region":
        return [i for i, f in forces if ref.forces[f.code or ""].region_code == row.code]
    return [
        i for i, f in forces if row.code == "all" or ref.forces[f.code or ""].country == row.code
    ]


def _missing(row: Row, forces: list[tuple[int, Row]], ref: Reference) -> str:
    """The forces the seeds put under a region or total row that the table does not list."""
    listed = {f.code for _, f in forces}
    expected = [
        f
        for f in ref.forces.values()
        if (f.region_code == row.code if row.kind == "region" else row.code in ("all", f.country))
    ]
    absent = sorted(f.name for f in expected if f.code not in listed)
    return (
        f"; forces the seeds expect here that the table does not list: {absent}" if absent else ""
    )


def check_totals(
    m: HomeOfficeManifest,
    sheet: str | None,
    rows: list[Row],
    offence_counts: list[Counts],
    total_counts: Counts | None,
    ref: Reference,
) -> None:
    """Raise ReadError at the first total that disagrees with its cells, with the difference
    (total minus cells) and how many others disagree."""
    found: list[Disagreement] = []
    if total_counts is not None:
        for i, row in enumerate(rows):
            if row.kind != "other":
                parts = [c[2][i] for c in offence_counts]
                what = f"the {len(parts)} offence group cells of its row"
                found += _compare(row, total_counts, total_counts[2][i], parts, what)
    forces = [(i, r) for i, r in enumerate(rows) if r.kind == "force"]
    columns = [*offence_counts, *([total_counts] if total_counts else [])]
    for i, row in enumerate(rows):
        if not (row.kind == "total" or (row.kind == "region" and not row.skipped)):
            continue
        members = _members(row, forces, ref)
        what = f"the {len(members)} force rows it totals{_missing(row, forces, ref)}"
        for column in columns:
            found += _compare(row, column, column[2][i], [column[2][j] for j in members], what)
    if not found:
        return
    first, others = found[0], found[1:]
    more = ""
    if others:
        places = ", ".join(f"row {d.row} column {d.column}" for d in others[:5])
        more = (
            f" ({len(others)} more total(s) disagree: {places}{', …' if len(others) > 5 else ''})"
        )
    raise ReadError.at(
        f"{first.detail} (under {first.header!r}){more}",
        file=m.file,
        sheet=sheet,
        row=first.row,
        column=first.column,
    )
