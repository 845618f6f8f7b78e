"""Validate a pandas frame against a registered suite and summarise the result in plain types.

Why pandas: GX 1.24's SQL datasource on DuckDB fails every expectation (IndexError in
resolve_metric_bundle), so callers read the suite's columns from DuckDB into a DataFrame.
One ephemeral GX context serves the whole process (importing GX costs seconds); each call
gets a fresh batch on the same dataframe asset, so repeated calls never clash on names.
Frames straight from DuckDB's ``.df()`` (nullable Int32/boolean with pd.NA) are fine as they
are: the suites' pair expectations skip rows with a missing side, which is where pd.NA broke.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from expectations._gx import gx as _gx
from expectations.suites import SUITES

if TYPE_CHECKING:
    from great_expectations.core.batch_definition import BatchDefinition
    from great_expectations.core.expectation_validation_result import (
        ExpectationValidationResult,
    )

MAX_UNEXPECTED_VALUES = 5
_RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": MAX_UNEXPECTED_VALUES}
_COLUMN_KWARGS = ("column", "column_A", "column_B", "column_list")
_GX_INTERNAL_KWARGS = ("batch_id",)
_LOCK = threading.Lock()  # GX contexts and validators are not thread-safe.


@dataclass(frozen=True)
class SuiteOutcome:
    """What an asset check needs from one validation, in JSON-serialisable types."""

    suite: str
    success: bool
    evaluated: int
    failed: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0
    expectations: int = 0
    # The full GX ExpectationSuiteValidationResult as JSON, for Data Docs (expectations/docs.py).
    result: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def to_metadata(self) -> dict[str, Any]:
        """Plain dict for Dagster check metadata."""
        return {
            "suite": self.suite,
            "table": SUITES[self.suite].table if self.suite in SUITES else None,
            "success": self.success,
            "rows": self.rows,
            "expectations": self.expectations,
            "evaluated_expectations": self.evaluated,
            "failed_expectations": len(self.failed),
            "failures": [dict(f) for f in self.failed],
        }


@cache
def _batch_definition() -> BatchDefinition:
    """The process-wide ephemeral context's single whole-dataframe batch definition."""
    gx = _gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas(name="warehouse_frames").add_dataframe_asset(
        name="frame"
    )
    return asset.add_batch_definition_whole_dataframe(name="whole_frame")


def _plain(value: Any) -> Any:
    """A JSON-serialisable copy of a GX result value."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | np.ndarray):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.isoformat()
    return str(value)


def _failure(result: ExpectationValidationResult) -> dict[str, Any]:
    """One failed expectation: type, column(s), arguments, and what was observed."""
    config = result.expectation_config
    assert config is not None  # GX sets it on every result of a suite it validated
    kwargs = dict(config.kwargs)
    columns = [kwargs[k] for k in _COLUMN_KWARGS if k in kwargs]
    detail = result.result or {}
    failure: dict[str, Any] = {
        "expectation": config.type,
        "column": columns[0] if len(columns) == 1 else None,
        "columns": _plain(columns),
        "kwargs": _plain(
            {k: v for k, v in kwargs.items() if k not in _COLUMN_KWARGS + _GX_INTERNAL_KWARGS}
        ),
        "observed_value": _plain(detail.get("observed_value")),
        "unexpected_count": _plain(detail.get("unexpected_count")),
        "unexpected_percent": _plain(detail.get("unexpected_percent")),
        "unexpected_values": _plain(
            detail.get("partial_unexpected_list", [])[:MAX_UNEXPECTED_VALUES]
        ),
    }
    exception = result.exception_info or {}
    if exception.get("raised_exception"):
        failure["exception"] = str(exception.get("exception_message"))
    return failure


def _result_json(result: Any, table: str, rows: int) -> dict[str, Any]:
    """The GX result as JSON, its batch named after the relation validated (Data Docs show it
    as the data asset; the frame asset shared by all suites would say "frame")."""
    data = result.to_json_dict()
    meta = data.setdefault("meta", {}) or {}
    data["meta"] = meta
    for key in ("batch_spec", "active_batch_definition"):
        if isinstance(meta.get(key), dict):
            meta[key]["data_asset_name"] = table
    meta["validation_time"] = datetime.now(UTC).isoformat()
    meta["rows_validated"] = rows
    return data


def validate_frame(suite_name: str, df: pd.DataFrame) -> SuiteOutcome:
    """Validate ``df`` (the suite's columns, see ``select_sql``) against a registered suite."""
    spec = SUITES[suite_name]
    suite = spec.build()
    with _LOCK:
        batch = _batch_definition().get_batch(batch_parameters={"dataframe": df})
        result = batch.validate(suite, result_format=_RESULT_FORMAT)
    failed = [_failure(r) for r in result.results if not r.success]
    return SuiteOutcome(
        suite=suite_name,
        success=bool(result.success),
        evaluated=int(result.statistics["evaluated_expectations"]),
        failed=failed,
        rows=len(df),
        expectations=len(suite.expectations),
        result=_result_json(result, spec.table, len(df)),
    )
