"""What each row of a published table is: a force, a region's sub-total, a total, or another row
the manifest skips, decided by the seeds' forces and regions (by ONS code when the table has a
code column, else by name) and never by a name alone: West Midlands is a region and a force.

A name that is both is read by where region rows stand (`region_rows`): above their forces, the
row is the region unless it stands inside that region's block already (then it is the force);
below their forces, the same read from the bottom. Every force row must then stand in the block
of its own region, so a region row read as a force (or a force read as a region) is an error,
not a silent drop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from orchestration.lib.sources.force_returns.readers import ReadError
from orchestration.lib.sources.home_office.manifest import MANIFEST_NAME, HomeOfficeManifest
from orchestration.lib.sources.home_office.reference import (
    FORCES_SEED,
    REGIONS_SEED,
    Reference,
    name_key,
    seed_name,
)

Kind = Literal["force", "region", "total", "other"]


@dataclass(frozen=True)
class Row:
    source_row: int
    label: str  # the name (footnotes stripped) or code that identifies it
    kind: Kind
    code: str | None = None  # force code, region code, or a total's scope ('all', a country)
    skipped: bool = False  # a force not loaded, or a region not checked

    @property
    def loaded(self) -> bool:
        return self.kind == "force" and not self.skipped


def _where(m: HomeOfficeManifest, sheet: str | None, row: int | None = None) -> dict:
    return {"file": m.file, "sheet": sheet, "row": row}


def classify_rows(
    m: HomeOfficeManifest,
    sheet: str | None,
    source_rows: list[int],
    names: list[str],
    geocodes: list[str],
    ref: Reference,
) -> list[Row]:
    """One Row per table row, in order; raises ReadError naming the row that cannot be placed."""
    skip = m.skip_rows
    other = {name_key(n) for n in skip.other}
    totals = {name_key(k): v for k, v in m.total_rows.items()}
    aliases = {name_key(k): v for k, v in m.force_names.items()}
    skip_forces = {name_key(n) for n in skip.forces}
    skip_regions = {name_key(n) for n in skip.regions}
    # Each row as (source row, label, kind or None while undecided, force code, region code).
    found: list[tuple[int, str, Kind | None, str | None, str | None]] = []
    for source_row, name, geocode in zip(source_rows, names, geocodes, strict=True):
        label = name or geocode
        key = name_key(label)
        if key in other or (skip.other_matching and re.search(skip.other_matching, label)):
            found.append((source_row, label, "other", None, None))
            continue
        scope = totals.get(key) or totals.get(name_key(geocode))
        if scope:
            found.append((source_row, label, "total", scope, None))
            continue
        if geocode:
            force = aliases.get(name_key(geocode)) or ref.force_code(geocode)
            region = None if force else ref.region_code(geocode)
        else:
            force = aliases.get(key) or ref.force_code(name)
            region = ref.region_code(name)
        if force is None and region is None:
            raise ReadError.at(
                f"{label!r} is neither a force nor a region in {seed_name(FORCES_SEED)} / "
                f"{seed_name(REGIONS_SEED)} (expected a force or region name or ONS code); "
                "list it under total_rows (a national total), force_names (a force the seeds "
                "name otherwise) or skip_rows.other",
                **_where(m, sheet, source_row),
            )
        found.append((source_row, label, None, force, region))
    resolved = _resolve(m, found, skip_forces, skip_regions)
    _check_blocks(m, sheet, resolved, ref)
    _check_once(m, sheet, resolved)
    _check_skips_used(m, resolved)
    return resolved


def _resolve(
    m: HomeOfficeManifest,
    found: list[tuple[int, str, Kind | None, str | None, str | None]],
    skip_forces: set[str],
    skip_regions: set[str],
) -> list[Row]:
    """Each row as a Row, a name that is both a force and a region read by the region layout."""
    below = m.region_rows == "below_forces"
    rows: list[Row] = []
    current: str | None = None  # the region whose block the walk is in
    for source_row, label, kind, force, region in found[::-1] if below else found:
        key = name_key(label)
        if kind is not None:
            if kind == "total":
                current = None  # a total row ends the block it stands in
            rows.append(Row(source_row, label, kind, force))
            continue
        if force and region:
            # No region rows, or inside that region's block already: the force.
            if m.region_rows == "none" or current == region:
                region = None
            else:
                force = None
        if region:
            current = region
            rows.append(Row(source_row, label, "region", region, key in skip_regions))
        else:
            rows.append(Row(source_row, label, "force", force, key in skip_forces))
    return rows[::-1] if below else rows


def _check_blocks(
    m: HomeOfficeManifest, sheet: str | None, rows: list[Row], ref: Reference
) -> None:
    """With region rows, every force stands in its own region's block."""
    if m.region_rows == "none":
        return
    walk = rows[::-1] if m.region_rows == "below_forces" else rows
    region: Row | None = None
    for row in walk:
        if row.kind == "region":
            region = row
        elif row.kind == "total":
            region = None
        elif row.kind == "force":
            assert row.code is not None
            own = ref.forces[row.code].region_code
            if region is None or region.code != own:
                where = (
                    f"under region row {region.source_row} ({region.label!r})"
                    if region
                    else "outside any region's rows"
                )
                raise ReadError.at(
                    f"force {row.label!r} ({row.code}, region {ref.regions[own]!r} in "
                    f"{seed_name(FORCES_SEED)}) stands {where} although region_rows is "
                    f"{m.region_rows}: a region row read as a force or a force read as a region",
                    **_where(m, sheet, row.source_row),
                )


def _check_once(m: HomeOfficeManifest, sheet: str | None, rows: list[Row]) -> None:
    seen: dict[tuple[str, str | None], int] = {}
    for row in rows:
        if row.kind not in ("force", "region"):
            continue
        first = seen.setdefault((row.kind, row.code), row.source_row)
        if first != row.source_row:
            raise ReadError.at(
                f"{row.kind} {row.label!r} ({row.code}) is listed twice, at rows {first} and "
                f"{row.source_row}",
                **_where(m, sheet, row.source_row),
            )


def _check_skips_used(m: HomeOfficeManifest, rows: list[Row]) -> None:
    """A skip rule that matches no row of its kind is a mistake in the manifest (a region listed
    as a force), not something to ignore."""
    for kind, names in (("force", m.skip_rows.forces), ("region", m.skip_rows.regions)):
        present = sorted({r.label for r in rows if r.kind == kind})
        unused = [n for n in names if name_key(n) not in {name_key(p) for p in present}]
        if unused:
            raise ReadError.at(
                f"key skip_rows.{kind}s: {unused} match no {kind} row of the table "
                f"(its {kind} rows: {present})",
                file=MANIFEST_NAME,
            )
