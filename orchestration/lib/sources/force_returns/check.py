"""`warehouse check`: validate the landing returns without publishing.

Every return is read as its manifest says, exactly as a refresh would, and every problem found is
listed, each naming the return, file, sheet, row and column (or the manifest key); the check exits
non-zero when any return is bad. Reading a return is Python's: a manifest that cannot be used, a
file that cannot be read, a count or month that is not one, a download that fails, a return id
already used by another folder (what a refresh quarantines). What shows only against the reference
data or the other returns is the refresh's own dbt tests' verdict, not a second copy of their
rules: the returns that read cleanly are written into a throwaway DuckDB in a temporary folder,
dbt builds there the seeds and models those tests read and runs the tests (`DBT_TESTS`), and each
failing row becomes a problem:

- a force the reference seed does not know (not_null_columns_int_force_returns_resolved),
- offence or nationality strings the lookups do not map (unmapped_offence_descriptions,
  unmapped_nationalities),
- two current returns covering the same force-month
  (covered_once_int_force_month_coverage_returns_covering).

Nothing is written outside that folder, which is removed afterwards: no build database, no
published file, no dbt target or logs in the project. A correction superseding a return that is
not in the landing folder is a warning, not an error. A sheet whose layout does not parse (a header
not found, a column the manifest names missing, no count cells) comes with its first rows as read
(`Problem.preview`, preview.py), so that the manifest can be corrected without opening code.

The Home Office datasets (`home_office`, when given) are checked too, each read as a refresh
reads it (orchestration/lib/sources/home_office/check.py); their problems follow the returns'.

    warehouse check [--landing DIR] [--home-office DIR] [--no-pull]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib import settings
from orchestration.lib.settings import ReadLimits
from orchestration.lib.sources.force_returns import raw_tables
from orchestration.lib.sources.force_returns.manifest import (
    MANIFEST_NAME,
    ManifestError,
    ReturnManifest,
    load_manifest,
    return_folders,
)
from orchestration.lib.sources.force_returns.parse import (
    FileCells,
    ParsedReturn,
    outside_landing,
    parse_return,
    validate_return,
)
from orchestration.lib.sources.force_returns.preview import SheetPreview, sheet_preview
from orchestration.lib.sources.force_returns.pull import PullError, pull_return
from orchestration.lib.sources.force_returns.raw_writer import RawWriter
from orchestration.lib.sources.force_returns.readers import DEFAULT_LIMITS, ReadError

SEEDS = settings.DBT_PROJECT_DIR / "seeds"
FORCES_SEED = SEEDS / "reference" / "ref_forces.csv"
OFFENCE_LOOKUP = SEEDS / "lookups" / "offence_lookup.csv"
NATIONALITY_LOOKUP = SEEDS / "lookups" / "nationality_lookup.csv"

# The dbt tests whose failing rows `warehouse check` reports (named in the models' yml, so the
# names stay put when their arguments change). dbt builds only what they read.
FORCE_TEST = "not_null_columns_int_force_returns_resolved"
OFFENCE_TEST = "unmapped_offence_descriptions"
NATIONALITY_TEST = "unmapped_nationalities"
COVERAGE_TEST = "covered_once_int_force_month_coverage_returns_covering"
DBT_TESTS = (FORCE_TEST, OFFENCE_TEST, NATIONALITY_TEST, COVERAGE_TEST)

# dbt in a child process: parsed once, then the seeds and models the tests read are built, then
# the tests run. Two commands, not one `dbt build`: a failing test would skip the models after it
# and hide the other tests' failures, and the check reports every return's problems at once.
_DBT_RUN = """
import json, sys
from dbt.cli.main import dbtRunner

common, commands, out = json.loads(sys.argv[1])
steps = []
parsed = dbtRunner().invoke(["parse", *common])
if not parsed.success:
    steps.append({"error": str(parsed.exception or "dbt parse failed"), "nodes": []})
else:
    runner = dbtRunner(manifest=parsed.result)
    for command in commands:
        done = runner.invoke([*command, *common])
        nodes = [
            {
                "name": r.node.name,
                "status": str(getattr(r.status, "value", r.status)),
                "message": r.message,
                "relation": getattr(r.node, "relation_name", None),
            }
            for r in (getattr(done.result, "results", None) or [])
        ]
        error = None if done.exception is None else str(done.exception)
        steps.append({"error": error, "nodes": nodes})
        if error is not None or any(n["status"] == "error" for n in nodes):
            break
with open(out, "w", encoding="utf-8") as fh:
    json.dump(steps, fh)
"""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a return, and where (no return: the check itself could not finish)."""

    return_folder: str | None
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    severity: str = "error"  # "error" (the return is bad) or "warning"
    noun: str = "return"  # what the folder is: a return, a Home Office dataset
    # For a sheet whose layout does not parse: its first rows as read, to fix the manifest by.
    preview: SheetPreview | None = None

    def __str__(self) -> str:
        parts = [f"{self.noun} {self.return_folder}" if self.return_folder else "landing folder"]
        if self.file:
            parts.append(f"file {self.file}")
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return f"{', '.join(parts)}: {self.message}"


@dataclass
class _Return:
    """A return folder as the check read it."""

    folder: Path
    manifest: ReturnManifest | None = None
    loaded: bool = False  # written into the check's database, as a refresh would load it
    _read: list[FileCells] | None = None

    def file_of(
        self, limits: ReadLimits, source_file: str, sheet: str | None, source_row: int
    ) -> FileCells | None:
        """The file's (or sheet's, or table's) cells as validated that hold `source_row`, to place
        a failing value (read on demand: only for a return a dbt test fails on)."""
        if self._read is None:
            assert self.manifest is not None
            self._read, _ = validate_return(self.folder, self.manifest, limits)
        listed = [
            fc for fc in self._read if (fc.spec.source_name, fc.sheet) == (source_file, sheet)
        ]
        if len(listed) > 1:  # several tables on one sheet: the one the row is in
            rows = pa.array([source_row], pa.int32())
            listed = [fc for fc in listed if pc.any(pc.is_in(fc.cells["source_row"], rows)).as_py()]
        return listed[0] if listed else None


def _seed_name(path: Path) -> str:
    return str(path.relative_to(settings.REPO_ROOT))


def check_return(
    folder: Path, pull: bool = True, limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[ReturnManifest | None, ParsedReturn | None, list[Problem]]:
    """One return folder: its manifest, the return as a refresh would load it (None when a
    refresh would quarantine it), and every problem reading it."""
    name = folder.name
    outside = outside_landing(folder)
    if outside is not None:
        return None, None, [Problem(name, outside.detail)]
    try:
        manifest = load_manifest(folder / MANIFEST_NAME)
    except ManifestError as exc:
        return None, None, [Problem(name, p, file=MANIFEST_NAME) for p in exc.problems]
    problems: list[Problem] = []
    if pull:
        try:
            pull_return(folder, manifest)
        except PullError as exc:
            problems.append(
                Problem(name, f"cannot download {exc.url}: {exc.detail}", file=exc.file)
            )
    first: ReadError | None = None
    if not problems:
        try:
            return manifest, parse_return(folder, manifest, limits=limits), []
        except OSError as exc:
            return manifest, None, [Problem(name, str(exc))]
        except ReadError as exc:
            first = exc  # list every problem, not only the first the parse met
    _, errors = validate_return(folder, manifest, limits)
    if not errors and first is not None:
        errors = [first]
    problems += [
        Problem(
            name,
            e.detail,
            file=e.file,
            sheet=e.sheet,
            row=e.row,
            column=e.column,
            preview=sheet_preview(e.grid) if e.grid is not None else None,
        )
        for e in errors
    ]
    return manifest, None, problems


def check_landing(
    landing: Path,
    pull: bool = True,
    limits: ReadLimits = DEFAULT_LIMITS,
    home_office: Path | None = None,
) -> list[Problem]:
    """Validate every return under `landing` (and every Home Office dataset under `home_office`),
    writing only to a database in a temporary folder that is removed afterwards; returns every
    problem found (errors and warnings), return by return, then dataset by dataset."""
    from orchestration.lib.sources.home_office.check import check_home_office

    found = _check_returns(landing, pull, limits)
    return found + (check_home_office(home_office, limits) if home_office is not None else [])


def _check_returns(landing: Path, pull: bool, limits: ReadLimits) -> list[Problem]:
    problems: list[Problem] = []
    returns: dict[str, _Return] = {}
    with tempfile.TemporaryDirectory(prefix="warehouse-check-") as tmp:
        database = Path(tmp) / "landing_check.duckdb"
        with duckdb.connect(str(database)) as con:
            raw_tables.ensure_schema(con)
            con.begin()
            writer = RawWriter(con)
            try:
                problems += _read_returns(landing, pull, limits, writer, returns)
                writer.flush()
            finally:
                writer.close()
            con.commit()
        problems += _supersessions(returns)
        if any(r.loaded for r in returns.values()):
            problems += _dbt_problems(Path(tmp), database, returns, limits)
    return _in_return_order(problems, list(returns))


def _read_returns(
    landing: Path,
    pull: bool,
    limits: ReadLimits,
    writer: RawWriter,
    returns: dict[str, _Return],
) -> list[Problem]:
    """Read every return folder and write those that read cleanly into raw, as a refresh loads
    them: a return id already loaded from another folder stays with that folder.

    With the parse and the writer ingest_landing uses, not ingest_landing itself: that always
    pulls (a conditional download per `url:` file, so no --no-pull and no offline check), and
    its fingerprints and quarantine table serve refreshes, not one throwaway database."""
    problems: list[Problem] = []
    loaded_ids: dict[str, str] = {}
    for folder in return_folders(landing):
        manifest, parsed, found = check_return(folder, pull=pull, limits=limits)
        returns[folder.name] = entry = _Return(folder, manifest)
        problems += found
        if parsed is None:
            continue
        owner = loaded_ids.get(parsed.manifest.return_id)
        if owner is not None:
            problems.append(
                Problem(
                    folder.name,
                    f"key return_id: {parsed.manifest.return_id!r} is already used by folder "
                    f"{owner!r}",
                    file=MANIFEST_NAME,
                )
            )
            continue
        writer.replace_return(folder.name, parsed)
        loaded_ids[parsed.manifest.return_id] = folder.name
        entry.loaded = True
    return problems


def _supersessions(returns: dict[str, _Return]) -> list[Problem]:
    """A correction superseding a return that is not in the landing folder: a warning."""
    ids = {r.manifest.return_id for r in returns.values() if r.manifest is not None}
    return [
        Problem(
            name,
            f"key supersedes: no return {old!r} in the landing folder (nothing to replace)",
            file=MANIFEST_NAME,
            severity="warning",
        )
        for name, r in returns.items()
        if r.manifest is not None
        for old in r.manifest.supersedes
        if old not in ids
    ]


def _in_return_order(problems: list[Problem], folders: list[str]) -> list[Problem]:
    """Problems grouped by return, in landing order (the check's own problems last); a return's
    problems stay in the order they were found."""
    rank = {name: n for n, name in enumerate(folders)}
    return sorted(problems, key=lambda p: rank.get(p.return_folder or "", len(rank)))


# -- the refresh's dbt tests on the check's database ---------------------------------------------


def _run_dbt(tmp: Path, database: Path) -> list[dict[str, Any]]:
    """Build what DBT_TESTS read in `database` and run them, storing their failing rows there;
    dbt's target and logs go to `tmp`. Returns each step's error and nodes (name, status,
    message, relation of the stored failures)."""
    project = str(settings.DBT_PROJECT_DIR)
    common = [
        "--project-dir",
        project,
        "--profiles-dir",
        project,
        "--target-path",
        str(tmp / "dbt-target"),
        "--log-path",
        str(tmp / "dbt-logs"),
        "--vars",
        json.dumps({"build_db": str(database)}),
        "--quiet",
    ]
    build = ["build", "--resource-type", "seed", "--resource-type", "model", "--select"]
    build += [f"+{name}" for name in DBT_TESTS]
    test = ["test", "--store-failures", "--select", *DBT_TESTS]
    out = tmp / "dbt-steps.json"
    done = subprocess.run(
        [sys.executable, "-c", _DBT_RUN, json.dumps([common, [build, test], str(out)])],
        capture_output=True,
        text=True,
        cwd=tmp,
    )
    if not out.is_file():
        detail = (done.stderr or done.stdout).strip().splitlines()
        return [{"error": detail[-1] if detail else f"exit code {done.returncode}", "nodes": []}]
    return json.loads(out.read_text(encoding="utf-8"))


def _dbt_problems(
    tmp: Path, database: Path, returns: dict[str, _Return], limits: ReadLimits
) -> list[Problem]:
    """Each failing row of DBT_TESTS as a problem of the return it names; a dbt step that could
    not run is a problem of the check itself."""
    problems: list[Problem] = []
    failed: dict[str, str] = {}
    for step in _run_dbt(tmp, database):
        if step["error"]:
            problems.append(Problem(None, f"dbt could not run the checks: {step['error']}"))
        for node in step["nodes"]:
            if node["status"] == "error":
                problems.append(Problem(None, f"dbt {node['name']}: {node['message']}"))
            elif node["status"] == "fail" and node["name"] in _FAILURES:
                failed[node["name"]] = node["relation"]
    if not failed:
        return problems
    folders = {r.manifest.return_id: name for name, r in returns.items() if r.loaded and r.manifest}
    with duckdb.connect(str(database), read_only=True) as con:
        for name, relation in failed.items():
            relation_rows = con.table(relation)
            rows = [
                dict(zip(relation_rows.columns, row, strict=True))
                for row in relation_rows.fetchall()
            ]
            problems += _FAILURES[name](rows, folders, returns, limits)
    return problems


def _unknown_forces(
    rows: Iterable[dict], folders: dict[str, str], returns: dict[str, _Return], limits: ReadLimits
) -> list[Problem]:
    return [
        Problem(
            row["landing_folder"],
            f"key force: {row['force_raw']!r} names no force in {_seed_name(FORCES_SEED)} "
            "(expected an ONS code such as E23000013 or a force name such as 'Cleveland Police')",
            file=MANIFEST_NAME,
        )
        for row in sorted(rows, key=lambda r: r["landing_folder"] or "")
        if row["column_name"] == "force_code"
    ]


def _unmapped(dimension: str, seed: Path) -> Callable[..., list[Problem]]:
    """Problems of an unmapped-strings test's rows, each placed where the string is written: its
    cell, its header, or the manifest's fixed value."""
    column = f"{dimension}_raw"

    def problems(
        rows: Iterable[dict],
        folders: dict[str, str],
        returns: dict[str, _Return],
        limits: ReadLimits,
    ) -> list[Problem]:
        found = []
        order = ("return_id", "source_file", "sheet", "source_row", "source_column")
        for row in sorted(rows, key=lambda r: tuple(str(r[k]) for k in order)):
            folder = folders[row["return_id"]]
            message = (
                f"{dimension} {row[column]!r} is not in {_seed_name(seed)} ({row['cells']} "
                "cell(s)); add it there (lower-cased) so the refresh can group it"
            )
            fc = returns[folder].file_of(
                limits, row["source_file"], row["sheet"], row["source_row"]
            )
            where: dict[str, Any] = {"file": row["source_file"], "sheet": row["sheet"]}
            if fc is not None and dimension in fc.columns:
                where |= {"row": row["source_row"], "column": fc.columns[dimension]}
            elif fc is not None and any(s.dimension == dimension for s in fc.spec.sections):
                (section,) = [s for s in fc.spec.sections if s.dimension == dimension]
                message += f" (it is the {dimension} heading above this row, in {section.column!r})"
                where |= {"row": row["source_row"], "column": row["source_column"]}
            elif fc is not None and dimension in fc.spec.wide_by:
                where |= {"row": fc.header_row, "column": row["source_column"]}
            elif fc is not None:
                message = f"key columns.{dimension}_value: {message}"
                where = {"file": MANIFEST_NAME}
            else:  # not read again as it was loaded (the file changed since): the count's cell
                where |= {"row": row["source_row"], "column": row["source_column"]}
            found.append(Problem(folder, message, **where))
        return found

    return problems


def _double_coverage(
    rows: Iterable[dict], folders: dict[str, str], returns: dict[str, _Return], limits: ReadLimits
) -> list[Problem]:
    """Force-months covered by more than one current return, one problem per force and set of
    returns (on the last of them), with the months they share. Returns naming no known force
    share a null force code without sharing a force: the force test names each of them."""
    clashes: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    for row in rows:
        if row["force_code"] is None:
            continue
        covering = tuple(sorted(folders[r] for r in row["covered_by"] if r is not None))
        clashes[(row["force_code"], covering)].append(row["month"].strftime("%Y-%m"))
    return [
        Problem(
            covering[-1],
            f"returns {', '.join(covering)} all cover force {code} in {len(months)} month(s) "
            f"({min(months)}..{max(months)}) and would be counted twice; a correction must list "
            "the return it replaces under supersedes",
            file=MANIFEST_NAME,
        )
        for (code, covering), months in sorted(clashes.items())
        if covering
    ]


_FAILURES: dict[str, Callable[..., list[Problem]]] = {
    FORCE_TEST: _unknown_forces,
    OFFENCE_TEST: _unmapped("offence", OFFENCE_LOOKUP),
    NATIONALITY_TEST: _unmapped("nationality", NATIONALITY_LOOKUP),
    COVERAGE_TEST: _double_coverage,
}
