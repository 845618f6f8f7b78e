"""Figures as people quote them, from the published warehouse: any period of months, any level of
the offence hierarchy or an offence flag, nationally, by region or for named forces, each number
with its bounds under suppression, its interval and the coverage it stands on.

    from orchestration.lib.figures import open_warehouse
    wh = open_warehouse("data/warehouse/warehouse.duckdb")
    wh.figure(period="2024-01..2024-10", offence="child_sexual", by="force", nationality="split")

Every call opens the published file read-only and closes it again, so a notebook never blocks a
refresh and always reads the version published last. `figure` and `cells` give DataFrames;
`figure_rows` and `cell_rows` the same as plain dicts, without importing pandas (the CLI's way). Parameters are bound; the only values
written into SQL are the fixed texts of the .sql files beside this module.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

import duckdb

from orchestration.lib.figures import measures
from orchestration.lib.figures.errors import FigureError
from orchestration.lib.figures.periods import Period, parse_period
from orchestration.lib.sql import read_sql

if TYPE_CHECKING:  # pandas takes longer to import than a figure takes to compute: only on demand
    import pandas as pd

# An offence flag: what it counts (the predicate is in figure_selection.sql, by the same name).
FLAGS = {
    "child_sexual": "sexual offences with a child victim, and indecent images of children",
    "under_13": "offences against a victim under 13",
    "indecent_images": "indecent images of children",
    "prostitution": "prostitution-related offences",
}
ALL_OFFENCES = "All offences"
LEVELS = ("national", "region", "force")
NATIONALITY_GROUPS = ("all", "british", "non_british", "unknown")
NATIONALITY_CHOICES = (*NATIONALITY_GROUPS, "split")

REQUIRED_TABLES = (
    ("marts", "arrests_by_month"),
    ("marts", "force_month_coverage"),
    ("marts", "source_cells"),
    ("reference", "ref_forces"),
    ("reference", "ref_force_population"),
    ("reference", "ref_offence_taxonomy"),
)

# Every row of a figure, in this order; JSON objects have these keys.
COLUMNS = (
    "period",
    "area_level",
    "area_code",
    "area_name",
    "offence",
    "offence_level",
    "nationality_group",
    "arrests",
    "arrests_lower",
    "arrests_upper",
    "rate_per_100k",
    "rate_per_100k_lower",
    "rate_per_100k_upper",
    "rate_ci_lower",
    "rate_ci_upper",
    "estimate_method",
    "share",
    "share_lower",
    "share_upper",
    "share_ci_lower",
    "share_ci_upper",
    "rate_ratio",
    "rate_ratio_lower",
    "rate_ratio_upper",
    "rate_ratio_lower_incl_unknown",
    "rate_ratio_upper_incl_unknown",
    "rate_ratio_ci_lower",
    "rate_ratio_ci_upper",
    "rate_ratio_estimate_method",
    "forces_reporting",
    "forces_in_area",
    "forces_missing",
    "months_covered",
    "months_covered_max",
    "months_requested",
    "population_covered",
    "unknown_nationality_share",
    "unknown_nationality_share_lower",
    "unknown_nationality_share_upper",
    "is_complete",
    "data_origin",
    "source_cells",
    "suppressed_cells",
    "population",
    "person_years",
    "population_relative_se",
)
_INTEGER = {
    "arrests",
    "arrests_lower",
    "arrests_upper",
    "forces_reporting",
    "forces_in_area",
    "months_covered",
    "months_covered_max",
    "months_requested",
    "source_cells",
    "suppressed_cells",
    "population",
}
_TEXT = {
    "period",
    "area_level",
    "area_code",
    "area_name",
    "offence",
    "offence_level",
    "nationality_group",
    "estimate_method",
    "rate_ratio_estimate_method",
    "data_origin",
}
# The columns of `cells`: the area a cell stands behind, then marts.source_cells' own.
CELL_COLUMNS = (
    "period",
    "area_level",
    "area_code",
    "area_name",
    "force_code",
    "force_name",
    "month",
    "offence_group",
    "offence_category",
    "offence_code",
    "offence_raw",
    "nationality_group",
    "nationality_raw",
    "count_raw",
    "is_suppressed",
    "arrests",
    "arrests_lower",
    "arrests_upper",
    "return_id",
    "return_status",
    "source_file",
    "sheet",
    "source_row",
    "source_column",
    "file_sha256",
    "data_origin",
)
_RATIO_KEYS = [c for c in COLUMNS if c.startswith("rate_ratio")] + ["population_relative_se"]


@dataclass(frozen=True)
class Offence:
    """What a figure counts: level 'all', 'group', 'category', 'code' or 'flag', and its value."""

    level: str
    value: str

    @property
    def kind(self) -> str:
        """The selector figure_selection.sql takes: the level, or the flag's own name."""
        return self.value if self.level == "flag" else self.level

    @property
    def sql_value(self) -> str | None:
        return self.value if self.level in ("group", "category", "code") else None


@dataclass(frozen=True)
class CellsAsked:
    """The parameters of a request for cells as given, before the warehouse checks them: declared
    once here, they are the signature of every Warehouse method that takes a request."""

    period: str
    offence: str | None = None
    by: str | None = None
    force: str | Sequence[str] | None = None
    nationality: str | Sequence[str] = "all"


@dataclass(frozen=True)
class FigureAsked(CellsAsked):
    """A request for a figure as given: that for its cells, and whether to give the ratio on
    every row."""

    ratio: bool = False


@dataclass(frozen=True)
class FigureRequest:
    period: Period
    offence: Offence
    level: str
    forces: tuple[str, ...]
    nationality_groups: tuple[str, ...]
    ratio: bool = False

    def parameters(self) -> dict[str, Any]:
        return {
            "months": list(self.period.months),
            "kind": self.offence.kind,
            "value": self.offence.sql_value,
            "level": self.level,
            "forces": list(self.forces),
        }


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


def _choices(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _nationality_groups(nationality: str | Sequence[str]) -> tuple[str, ...]:
    asked = [nationality] if isinstance(nationality, str) else list(nationality)
    groups: list[str] = []
    for item in asked:
        for part in str(item).split(","):
            name = _norm(part).replace("-", "_").replace(" ", "_")
            if name == "split":
                groups.extend(NATIONALITY_GROUPS)
            elif name in NATIONALITY_GROUPS:
                groups.append(name)
            else:
                raise FigureError(
                    f"unknown nationality {part.strip()!r}; use one of {_choices(NATIONALITY_CHOICES)}"
                )
    return tuple(g for g in NATIONALITY_GROUPS if g in groups)


P = ParamSpec("P")
A = TypeVar("A", bound=CellsAsked)
R = TypeVar("R")


def _asked_as(
    asked: Callable[P, A],
) -> Callable[[Callable[[Warehouse, A], R]], Callable[Concatenate[Warehouse, P], R]]:
    """A Warehouse method of one argument, `asked` (CellsAsked or FigureAsked), called with that
    dataclass's own parameters (period, offence, by=..., ...): mypy checks every call against
    them, and help() shows them."""

    def decorate(method: Callable[[Warehouse, A], R]) -> Callable[Concatenate[Warehouse, P], R]:
        @functools.wraps(method)
        def call(self: Warehouse, /, *args: P.args, **kwargs: P.kwargs) -> R:
            return method(self, asked(*args, **kwargs))

        own = inspect.signature(method)
        parameters = [
            *list(own.parameters.values())[:1],
            *inspect.signature(asked).parameters.values(),
        ]
        setattr(call, "__signature__", own.replace(parameters=parameters))  # noqa: B010
        return call

    return decorate


class Warehouse:
    """The published warehouse file, read-only. See the module docstring."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"Warehouse({str(self.path)!r})"

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    # --- reading ---------------------------------------------------------------------------

    def connect(self) -> duckdb.DuckDBPyConnection:
        if not self.path.exists():
            raise FigureError(
                f"no published warehouse at {self.path}; run `warehouse refresh` first"
            )
        try:
            return duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error as exc:
            raise FigureError(f"cannot open {self.path}: {exc}") from exc

    def sql(self, query: str, parameters: Sequence | dict | None = None) -> pd.DataFrame:
        """Any query on the published file (read-only), as a DataFrame."""
        import pandas as pd  # noqa: F401  (DuckDB's .df() needs it)

        with self.connect() as con:
            try:
                return con.execute(query, parameters).df()
            except duckdb.Error as exc:
                raise FigureError(str(exc)) from exc

    # --- figures ---------------------------------------------------------------------------

    @_asked_as(FigureAsked)
    def request(self, asked: FigureAsked) -> FigureRequest:
        """The request as the warehouse understands it; a FigureError for anything it cannot."""
        return self._request(asked, asked.ratio)

    @_asked_as(FigureAsked)
    def figure(self, asked: FigureAsked) -> pd.DataFrame:
        """One row per area and nationality group asked for, with the columns of COLUMNS.

        period: '2024-01..2024-10', '2023-24' (financial year), '2024' or '2024-03'.
        offence: an offence group, category, Home Office code or flag (FLAGS); None for all.
        by: 'national' (default), 'region' or 'force'; force: ONS codes or names (a list or a
        comma-separated string), one row each. nationality: 'all', 'british', 'non_british',
        'unknown' or 'split' (all four). ratio: give the non-British vs British rate ratio on
        every row, not only the non_british row.
        """
        return figure_frame(self._figure_rows(asked))

    @_asked_as(FigureAsked)
    def figure_rows(self, asked: FigureAsked) -> list[dict[str, Any]]:
        """The rows of `figure` as dicts with the keys of COLUMNS (None for a null)."""
        return self._figure_rows(asked)

    @_asked_as(CellsAsked)
    def cells(self, asked: CellsAsked) -> pd.DataFrame:
        """The source cells behind the same figure (marts.source_cells): return, file, sheet, row
        and column of each count, with the area it stands behind."""
        import pandas as pd

        return pd.DataFrame(self._cell_rows(asked), columns=list(CELL_COLUMNS))

    @_asked_as(CellsAsked)
    def cell_rows(self, asked: CellsAsked) -> list[dict[str, Any]]:
        return self._cell_rows(asked)

    def _request(
        self, asked: CellsAsked, ratio: bool, con: duckdb.DuckDBPyConnection | None = None
    ) -> FigureRequest:
        parsed = parse_period(asked.period)
        groups = _nationality_groups(asked.nationality)
        if not groups:
            raise FigureError(
                f"no nationality asked for; use one of {_choices(NATIONALITY_CHOICES)}"
            )
        by, force = asked.by, asked.force
        if by is not None and by not in LEVELS:
            raise FigureError(f"--by {by!r}: use one of {_choices(LEVELS)}")
        if force and by not in (None, "force"):
            raise FigureError(f"--force gives one row per force: drop --by {by}")
        if con is None:
            with self.connect() as own:
                return self._request(asked, ratio, own)
        self._check_tables(con)
        self._check_months(con, parsed)
        forces = self._resolve_forces(con, force) if force else ()
        level = "force" if force else (by or "national")
        return FigureRequest(
            parsed, self._resolve_offence(con, asked.offence), level, forces, groups, ratio
        )

    def _figure_rows(self, asked: FigureAsked) -> list[dict[str, Any]]:
        with self.connect() as con:
            req = self._request(asked, asked.ratio, con)
            inputs = _fetch(con, _figure_query("figure_inputs"), req.parameters())
        return _measured_rows(req, inputs)

    def _cell_rows(self, asked: CellsAsked) -> list[dict[str, Any]]:
        with self.connect() as con:
            req = self._request(asked, False, con)
            parameters = req.parameters() | {"nationality_groups": list(req.nationality_groups)}
            rows = _fetch(con, _figure_query("figure_cells"), parameters)
        for row in rows:
            row["month"] = f"{row['month']:%Y-%m}"
        return [{c: row.get(c, req.period.label) for c in CELL_COLUMNS} for row in rows]

    # --- resolution ------------------------------------------------------------------------

    def _check_tables(self, con: duckdb.DuckDBPyConnection) -> None:
        present = set(
            con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        )
        missing = [f"{s}.{t}" for s, t in REQUIRED_TABLES if (s, t) not in present]
        if missing:
            raise FigureError(
                f"{self.path} has no {', '.join(missing)}; refresh it with this version of the "
                "warehouse"
            )

    def _check_months(self, con: duckdb.DuckDBPyConnection, period: Period) -> None:
        first, last, inside = con.execute(
            "select min(month), max(month), count(distinct month) filter (where month between ? and ?)"
            " from marts.force_month_coverage",
            [period.first, period.last],
        ).fetchone() or (None, None, 0)
        if first is None:
            raise FigureError(f"{self.path}: marts.force_month_coverage is empty")
        if not inside:
            raise FigureError(
                f"period {period.label}: no month of it is in the warehouse, which holds "
                f"{first:%Y-%m}..{last:%Y-%m}"
            )

    def _resolve_offence(self, con: duckdb.DuckDBPyConnection, offence: str | None) -> Offence:
        if offence is None or _norm(offence) in ("", "all", _norm(ALL_OFFENCES)):
            return Offence("all", ALL_OFFENCES)
        wanted = _norm(offence)
        if wanted.replace("-", "_").replace(" ", "_") in FLAGS:
            return Offence("flag", wanted.replace("-", "_").replace(" ", "_"))
        vocabulary = con.execute(read_sql(__package__, "offence_vocabulary")).fetchall()
        for level in ("group", "category", "code"):
            for row_level, value, _name in vocabulary:
                if row_level == level and _norm(value) == wanted:
                    return Offence(level, value)
        for row_level, value, name in vocabulary:  # an offence by its Home Office wording
            if row_level == "code" and _norm(name) == wanted:
                return Offence("code", value)
        groups = sorted({v for lvl, v, _ in vocabulary if lvl == "group"})
        names = [v for _, v, _ in vocabulary] + [n for lvl, _, n in vocabulary if lvl == "code"]
        close = difflib.get_close_matches(str(offence), names + list(FLAGS), n=3, cutoff=0.6)
        raise FigureError(
            f"unknown offence {offence!r}"
            + (f" (did you mean {_choices(close)}?)" if close else "")
            + f"; give an offence group ({_choices(groups)}), a flag ({_choices(FLAGS)}), an "
            "offence category or a Home Office code such as '19E' (reference.ref_offence_taxonomy "
            "lists them), or no --offence for all offences"
        )

    def _resolve_forces(
        self, con: duckdb.DuckDBPyConnection, force: str | Sequence[str]
    ) -> tuple[str, ...]:
        asked = [force] if isinstance(force, str) else list(force)
        names = [part.strip() for item in asked for part in str(item).split(",") if part.strip()]
        rows = con.execute(
            "select force_code, force_name, pfa_name, force_id from reference.ref_forces"
            " order by force_code"
        ).fetchall()
        lookup = {_norm(alias): row[0] for row in rows for alias in row if alias}
        codes, unknown = [], []
        for name in names:
            code = lookup.get(_norm(name))
            if code is None:
                unknown.append(name)
            elif code not in codes:
                codes.append(code)
        if unknown:
            close = {
                n: difflib.get_close_matches(n, [r[1] for r in rows], n=2, cutoff=0.5)
                for n in unknown
            }
            hints = "; ".join(
                f"{n!r}" + (f" (did you mean {_choices(c)}?)" if c else "")
                for n, c in close.items()
            )
            raise FigureError(
                f"unknown force {hints}: give ONS codes (E23000001) or names of "
                f"reference.ref_forces: {', '.join(r[1] for r in rows)}"
            )
        return tuple(codes)


def open_warehouse(path: str | Path | None = None) -> Warehouse:
    """The published warehouse at `path` (default: data/warehouse/warehouse.duckdb)."""
    if path is None:
        from orchestration.lib.settings import DEFAULT_WAREHOUSE

        path = DEFAULT_WAREHOUSE
    return Warehouse(path)


_SELECTION_LINE = "-- include: figure_selection.sql\n"


def _figure_query(name: str) -> str:
    """`<name>.sql` with the CTEs every figure query shares (figure_selection.sql) at its include
    line: fixed text, so parameters stay bound."""
    query = read_sql(__package__, name)
    if query.count(_SELECTION_LINE) != 1:
        raise AssertionError(f"{name}.sql: no single line {_SELECTION_LINE.strip()!r}")
    return query.replace(_SELECTION_LINE, read_sql(__package__, "figure_selection"))


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _fetch(con: duckdb.DuckDBPyConnection, query: str, parameters: dict) -> list[dict[str, Any]]:
    """The rows of a query as dicts (SQL nulls as None), without pandas."""
    cursor = con.execute(query, parameters)
    names = [d[0] for d in cursor.description]
    return [
        {name: _plain(value) for name, value in zip(names, row, strict=True)}
        for row in cursor.fetchall()
    ]


def _measured_rows(req: FigureRequest, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts = [r[k] for r in records for k in ("arrests_lower", "arrests_upper") if r[k] is not None]
    limits = measures.poisson_limits(counts)
    by_area: dict[str, dict[str, dict[str, Any]]] = {}
    for record in records:
        by_area.setdefault(record["area_code"], {})[record["nationality_group"]] = record
    rows = []
    for groups in by_area.values():
        reported = groups["all"]["forces_reporting"] > 0
        ratio = (
            measures.ratio_measures(groups["non_british"], groups["british"], groups["unknown"])
            if reported
            else dict.fromkeys(_RATIO_KEYS)
        )
        for group in req.nationality_groups:
            record = groups[group]
            if reported:
                values = measures.rate_measures(record, groups["all"], groups["unknown"], limits)
            else:
                values = {}
            row = {
                **record,
                **values,
                "period": req.period.label,
                "offence": req.offence.value,
                "offence_level": req.offence.level,
                "months_requested": len(req.period.months),
                "source_cells": record["cells"],
                "forces_missing": list(record["forces_missing"] or []),
                "is_complete": bool(
                    record["forces_reporting"] == record["forces_in_area"]
                    and record["months_covered"] == len(req.period.months)
                ),
            }
            if group == "non_british" or req.ratio:
                row.update(ratio)
            rows.append({c: row.get(c) for c in COLUMNS})
    return rows


def figure_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Figure rows as a DataFrame with nullable types: Int64 counts, Float64 measures, boolean
    is_complete, text, and forces_missing as a list of names."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for column in COLUMNS:
        if column in _INTEGER:
            frame[column] = frame[column].astype("Int64")
        elif column == "is_complete":
            frame[column] = frame[column].astype("boolean")
        elif column in _TEXT or column == "forces_missing":
            frame[column] = frame[column].astype(object)
        else:
            frame[column] = frame[column].astype("Float64")
    return frame
