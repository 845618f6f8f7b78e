"""The published warehouse: built only after every blocking check on staging and marts passed.

Its materialization carries what the data team looks at first in `dagster dev`: rows per mart,
return coverage, check results and a markdown preview of the headline figures, all read from the
file just published (read-only).
"""

import math
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import get_asset_key_for_model

from expectations.suites import SUITES
from orchestration.defs.dbt.assets import dbt_models
from orchestration.defs.resources import WarehouseConfig
from orchestration.lib import checked_returns
from orchestration.lib.publish import publish

# Publication depends directly on every model a blocking check guards, so any failing check stops it.
GUARDED_MODELS = tuple(SUITES)


def _check_results(context: dg.AssetExecutionContext) -> list[tuple[str, bool]]:
    """Every asset check evaluated earlier in this run (dbt tests and expectation suites)."""
    records = context.instance.get_records_for_run(
        run_id=context.run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    evaluations = [r.event_log_entry.dagster_event.event_specific_data for r in records]
    return sorted((f"{e.asset_key.to_user_string()}:{e.check_name}", e.passed) for e in evaluations)


HEADLINES_SQL = """
select figure_id, description, period, value, ci_lower, ci_upper, unit, forces_reporting,
       forces_total, population_coverage, data_origin
from marts.headline_figures
order by period, case unit when 'share' then 0 else 1 end, figure_id
"""

COVERAGE_SQL = """
select period,
       count(*) filter (where has_return) as forces_with_return,
       count(*) as forces_total,
       cast(sum(months_covered) as integer) as force_months_covered,
       count(*) * 12 as force_months_possible
from marts.return_coverage
group by period
order by period
"""


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _figure(value: Any, unit: str) -> str:
    if _missing(value):
        return "—"
    return f"{float(value) * 100:.1f}%" if unit == "share" else f"{float(value):.2f}×"


def _cell(text: Any) -> str:
    """Text safe inside a markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def headline_figures_markdown(con: duckdb.DuckDBPyConnection) -> str:
    """The headline figures as a markdown table: value with its 95% interval, forces reporting,
    population coverage, and a SYNTHETIC marker on figures built from synthetic data."""
    rows = con.execute(HEADLINES_SQL).fetchall()
    if not rows:
        return "_No headline figures in this publication._"
    synthetic = any(r[10] == "synthetic" for r in rows)
    lines = []
    if synthetic:
        lines += [
            "**SYNTHETIC DATA**: figures marked SYNTHETIC were built from generated sample "
            "returns, not police or Home Office data.",
            "",
        ]
    lines += [
        "| Figure | Period | Value (95% interval) | Forces reporting | Population coverage | Data |",
        "|---|---|---|---|---|---|",
    ]
    for fid, desc, period, value, lower, upper, unit, reporting, total, coverage, origin in rows:
        value_text = _figure(value, unit)
        if not _missing(lower) and not _missing(upper):
            value_text += f" ({_figure(lower, unit)} to {_figure(upper, unit)})"
        forces = f"{'—' if reporting is None else reporting} of {'—' if total is None else total}"
        covered = "—" if _missing(coverage) else f"{float(coverage) * 100:.0f}%"
        marker = "**SYNTHETIC**" if origin == "synthetic" else _cell(origin or "—")
        lines.append(
            f"| {_cell(desc or fid)} (`{_cell(fid)}`) | {_cell(period)} | {value_text} "
            f"| {forces} | {covered} | {marker} |"
        )
    return "\n".join(lines)


def return_coverage_summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Per period: forces with a return out of all forces, and force-months covered; plus the
    number of quarantined returns."""
    columns = (
        "forces_with_return",
        "forces_total",
        "force_months_covered",
        "force_months_possible",
    )
    periods = {
        period: dict(zip(columns, rest, strict=True))
        for period, *rest in con.execute(COVERAGE_SQL).fetchall()
    }
    quarantined = con.execute("select count(*) from raw.quarantined_returns").fetchone()[0]
    return {"periods": periods, "quarantined_returns": int(quarantined)}


def check_summary(checks: list[tuple[str, bool]]) -> dict[str, Any]:
    failed = [name for name, passed in checks if not passed]
    return {
        "checks_total": len(checks),
        "checks_passed": len(checks) - len(failed),
        "checks_failed": len(failed),
        "gx_suites_passed": sum(passed for name, passed in checks if ":gx_" in name),
        "failed_checks": dg.MetadataValue.json(failed),
    }


def _read(con: duckdb.DuckDBPyConnection, read: Any, label: str, log: Any) -> Any:
    try:
        return read(con)
    except duckdb.Error as error:
        if log is not None:
            log.warning(f"no {label} for the metadata: {error}")
        return None


def published_metadata(published: Any, log: Any = None) -> dict[str, Any]:
    """Return coverage and headline preview from the published file, read-only. The publication
    has already happened, so a missing mart is logged, never raised."""
    try:
        with duckdb.connect(str(published), read_only=True) as con:
            coverage = _read(con, return_coverage_summary, "return coverage", log)
            headlines = _read(con, headline_figures_markdown, "headline figures", log)
    except duckdb.Error as error:
        if log is not None:
            log.warning(f"could not read {published} for the metadata: {error}")
        return {}
    metadata: dict[str, Any] = {}
    if coverage is not None:
        metadata["return_coverage"] = dg.MetadataValue.json(coverage)
        metadata["quarantined_returns"] = coverage["quarantined_returns"]
        if coverage["periods"]:
            latest = coverage["periods"][max(coverage["periods"])]
            metadata["forces_with_return"] = latest["forces_with_return"]
    if headlines is not None:
        metadata["headline_figures"] = dg.MetadataValue.md(headlines)
    return metadata


@dg.asset(
    deps=[get_asset_key_for_model([dbt_models], name) for name in GUARDED_MODELS],
    group_name="publication",
    kinds={"duckdb", "parquet"},
    description="data/warehouse/warehouse.duckdb (+ Parquet marts), swapped in atomically.",
)
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: WarehouseConfig
) -> dg.MaterializeResult:
    with warehouse.connect_build(read_only=True) as con:
        inputs = con.execute(
            "select return_id, content_sha256 from raw.force_returns order by 1"
        ).fetchall()
    checks = _check_results(context)
    settings = warehouse.settings
    publication = publish(settings.build_db, settings.published, inputs, checks)
    if checked_returns.cell_checks_passed(checks):
        try:
            with warehouse.connect_build() as con:
                checked_returns.record_checked(con)
        except duckdb.Error as error:  # published all the same; the cells are checked next time
            context.log.warning(f"could not record the checked returns: {error}")
    context.log.info(f"published {publication.path} ({publication.publication_id})")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(publication.path)),
            "publication_id": publication.publication_id,
            "returns": len(inputs),
            **check_summary(checks),
            "mart_rows": dg.MetadataValue.json(publication.tables),
            "parquet_dir": dg.MetadataValue.path(str(publication.parquet_dir)),
            **published_metadata(publication.path, context.log),
        }
    )
