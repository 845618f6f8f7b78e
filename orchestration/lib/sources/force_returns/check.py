"""`warehouse check`: validate the landing returns without publishing.

Every return is read as its manifest says, exactly as a refresh would, but nothing is written to any
database: the check opens no DuckDB file at all. It lists every problem it finds, each naming the
return, file, sheet, row and column (or the manifest key), and exits non-zero when any return is
bad. Beyond what a refresh would quarantine, it reports what would fail the refresh's dbt tests: a
force the reference seeds do not know, offence or nationality strings the lookups do not map, and
two current returns covering the same force-month. A correction superseding a return that is not
in the landing folder is a warning, not an error.

    warehouse check [--landing DIR] [--no-pull]
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib import settings
from orchestration.lib.settings import ReadLimits
from orchestration.lib.sources.force_returns.manifest import (
    MANIFEST_NAME,
    ManifestError,
    ReturnManifest,
    load_manifest,
    return_folders,
)
from orchestration.lib.sources.force_returns.parse import (
    FileCells,
    outside_landing,
    validate_return,
)
from orchestration.lib.sources.force_returns.pull import PullError, pull_return
from orchestration.lib.sources.force_returns.readers import DEFAULT_LIMITS

SEEDS = settings.DBT_PROJECT_DIR / "seeds"
FORCES_SEED = SEEDS / "reference" / "ref_forces.csv"
OFFENCE_LOOKUP = SEEDS / "lookups" / "offence_lookup.csv"
NATIONALITY_LOOKUP = SEEDS / "lookups" / "nationality_lookup.csv"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a return, and where."""

    return_folder: str
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    severity: str = "error"  # "error" (the return is bad) or "warning"

    def __str__(self) -> str:
        parts = [f"return {self.return_folder}"]
        if self.file:
            parts.append(f"file {self.file}")
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return f"{', '.join(parts)}: {self.message}"


def _force_codes() -> dict[str, str]:
    """Every way a manifest may name a force (ONS code, force name, police force area name),
    lower-cased, mapped to its ONS code; as int_force_returns_resolved resolves them."""
    names: dict[str, str] = {}
    with FORCES_SEED.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for name in (row["force_code"], row["force_name"], row["pfa_name"]):
                names[name.strip().lower()] = row["force_code"]
    return names


def _lookup_keys(path: Path, column: str) -> pa.Array:
    with path.open(encoding="utf-8") as fh:
        return pa.array(sorted({row[column] for row in csv.DictReader(fh)}), pa.string())


def _unmapped(
    folder: str, read: list[FileCells], dimension: str, known: pa.Array, seed: Path
) -> list[Problem]:
    """Strings of a dimension the lookup seed does not map (lower-cased and trimmed, as dbt joins),
    each placed where it is written: its cell, its header, or the manifest's fixed value."""
    column = f"{dimension}_raw"
    problems = []
    for fc in read:
        values = fc.cells[column]
        missing = pc.invert(
            pc.is_in(pc.utf8_lower(pc.utf8_trim_whitespace(values)), value_set=known)
        )
        if not pc.any(missing).as_py():
            continue
        bad = fc.cells.filter(missing)
        for value in pc.unique(bad[column]).to_pylist():
            first = bad.filter(pc.equal(bad[column], value)).slice(0, 1).to_pylist()[0]
            count = pc.sum(pc.equal(bad[column], value)).as_py()
            message = (
                f"{dimension} {value!r} is not in {seed.relative_to(settings.REPO_ROOT)} "
                f"({count} cell(s)); add it there (lower-cased) so the refresh can group it"
            )
            where = {"file": fc.spec.source_name, "sheet": fc.sheet}
            if dimension in fc.columns:
                where |= {"row": first["source_row"], "column": fc.columns[dimension]}
            elif dimension in fc.spec.wide_by:
                where |= {"row": fc.spec.header_lines[-1], "column": first["source_column"]}
            else:
                message = f"key columns.{dimension}_value: {message}"
                where = {"file": MANIFEST_NAME}
            problems.append(Problem(folder, message, **where))
    return problems


def check_return(
    folder: Path, pull: bool = True, limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[ReturnManifest | None, list[FileCells], list[Problem]]:
    """One return folder: its manifest, the cells that could be read, and every problem found."""
    name = folder.name
    outside = outside_landing(folder)
    if outside is not None:
        return None, [], [Problem(name, outside.detail)]
    try:
        manifest = load_manifest(folder / MANIFEST_NAME)
    except ManifestError as exc:
        return None, [], [Problem(name, p, file=MANIFEST_NAME) for p in exc.problems]
    problems: list[Problem] = []
    if pull:
        try:
            pull_return(folder, manifest)
        except PullError as exc:
            problems.append(
                Problem(name, f"cannot download {exc.url}: {exc.detail}", file=exc.file)
            )
    read, errors = validate_return(folder, manifest, limits)
    problems += [
        Problem(name, e.detail, file=e.file, sheet=e.sheet, row=e.row, column=e.column)
        for e in errors
    ]
    return manifest, read, problems


def check_landing(
    landing: Path, pull: bool = True, limits: ReadLimits = DEFAULT_LIMITS
) -> list[Problem]:
    """Validate every return under `landing` without writing to any database; returns every
    problem found (errors and warnings), return by return."""
    forces = _force_codes()
    offences = _lookup_keys(OFFENCE_LOOKUP, "offence_raw")
    nationalities = _lookup_keys(NATIONALITY_LOOKUP, "nationality_raw")
    problems: list[Problem] = []
    manifests: dict[str, ReturnManifest] = {}
    months_by_return: dict[str, set[str]] = {}
    for folder in return_folders(landing):
        manifest, read, found = check_return(folder, pull=pull, limits=limits)
        problems += found
        if manifest is None:
            continue
        manifests[folder.name] = manifest
        if manifest.force.strip().lower() not in forces:
            problems.append(
                Problem(
                    folder.name,
                    f"key force: {manifest.force!r} names no force in "
                    f"{FORCES_SEED.relative_to(settings.REPO_ROOT)} (expected an ONS code such as "
                    "E23000013 or a force name such as 'Cleveland Police')",
                    file=MANIFEST_NAME,
                )
            )
        problems += _unmapped(folder.name, read, "offence", offences, OFFENCE_LOOKUP)
        problems += _unmapped(folder.name, read, "nationality", nationalities, NATIONALITY_LOOKUP)
        # A return a refresh would quarantine counts towards no force-month.
        if not any(p.severity == "error" for p in found):
            months_by_return[folder.name] = {
                m for fc in read for m in pc.unique(fc.cells["month"]).to_pylist() if m is not None
            }
    problems += _across_returns(manifests, months_by_return, forces)
    return problems


def _across_returns(
    manifests: dict[str, ReturnManifest], months: dict[str, set[str]], forces: dict[str, str]
) -> list[Problem]:
    """Problems between returns: a return id used twice, a correction superseding a return that is
    not here (a warning), two current returns covering the same force-month."""
    problems: list[Problem] = []
    folders_by_id: dict[str, list[str]] = defaultdict(list)
    for folder, m in manifests.items():
        folders_by_id[m.return_id].append(folder)
    duplicates = {folder for folders in folders_by_id.values() for folder in folders[1:]}
    for return_id, folders in folders_by_id.items():
        for folder in folders[1:]:
            problems.append(
                Problem(
                    folder,
                    f"key return_id: {return_id!r} is already used by folder {folders[0]!r}",
                    file=MANIFEST_NAME,
                )
            )
    superseded = {old for m in manifests.values() for old in m.supersedes}
    for folder, m in manifests.items():
        for old in m.supersedes:
            if old not in folders_by_id:
                problems.append(
                    Problem(
                        folder,
                        f"key supersedes: no return {old!r} in the landing folder (nothing to replace)",
                        file=MANIFEST_NAME,
                        severity="warning",
                    )
                )
    covering: dict[tuple[str, str], list[str]] = defaultdict(list)
    for folder, m in manifests.items():
        code = forces.get(m.force.strip().lower())
        if code is None or m.return_id in superseded or folder in duplicates:
            continue
        for month in months.get(folder, ()):
            covering[(code, month)].append(folder)
    clashes: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    for (code, month), folders in covering.items():
        if len(folders) > 1:
            clashes[(code, tuple(sorted(folders)))].append(month)
    for (code, folders), clash_months in sorted(clashes.items()):
        problems.append(
            Problem(
                folders[-1],
                f"returns {', '.join(folders)} all cover force {code} in {len(clash_months)} "
                f"month(s) ({min(clash_months)}..{max(clash_months)}) and would be counted twice; "
                "a correction must list the return it replaces under supersedes",
                file=MANIFEST_NAME,
            )
        )
    return problems
