"""Great Expectations Data Docs from stored validation results, and the headline preview shown
as asset metadata in dagster dev."""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from expectations.docs import load_results, publish_data_docs, render_data_docs, save_result
from expectations.runner import validate_frame
from orchestration.lib.publication.summary import headline_figures_markdown, return_coverage_summary
from tests.test_expectations_suites import _cells, _force_rates


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> list[dict]:
    """One passing suite and one failing one, stored as the checks store them."""
    folder = tmp_path_factory.mktemp("gx_results")
    bad = _force_rates()
    bad.loc[1, ["share_of_arrests", "share_of_arrests_upper"]] = [1.5, 1.6]
    passing = validate_frame("stg_force_returns__cells", _cells())
    failing = validate_frame("rates_by_force_offence", bad)
    assert passing.success and not failing.success
    for outcome in (passing, failing):
        path = save_result(outcome, folder, run_name="run-1")
        json.loads(path.read_text())  # plain JSON on disk
    assert not list(folder.glob(".*"))  # no temporary files left behind
    return load_results(folder)


def _text(path) -> str:
    """An HTML page's visible text, whitespace collapsed."""
    page = re.sub(r"<(script|style).*?</\1>", " ", path.read_text(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_results_round_trip_with_run_and_table(results):
    assert [r["suite_name"] for r in results] == [
        "stg_force_returns__cells",
        "rates_by_force_offence",
    ]
    meta = results[1]["meta"]
    assert meta["run_id"]["run_name"] == "run-1"
    assert meta["active_batch_definition"]["data_asset_name"] == "marts.rates_by_force_offence"
    assert meta["rows_validated"] == 4


def test_data_docs_index_lists_both_suites_and_marks_the_failure(results, tmp_path):
    index = render_data_docs(results, tmp_path / "site")
    assert index == tmp_path / "site" / "index.html"
    page = index.read_text()
    assert "stg_force_returns__cells" in page and "rates_by_force_offence" in page
    # The plain summary (readable offline, where GX's script-built index table stays empty).
    text = _text(index)
    assert "rates_by_force_offence marts.rates_by_force_offence 4 13 of 14 FAILED" in text
    assert "stg_force_returns__cells staging.stg_force_returns__cells 3 4 of 4 Passed" in text

    failing_pages = list(
        (tmp_path / "site" / "validations" / "rates_by_force_offence").rglob("*.html")
    )
    passing_pages = list(
        (tmp_path / "site" / "validations" / "stg_force_returns__cells").rglob("*.html")
    )
    assert len(failing_pages) == 1 and len(passing_pages) == 1
    failed = _text(failing_pages[0])
    assert "Status: Failed" in failed
    assert "Unsuccessful Expectations 1" in failed
    assert "marts.rates_by_force_offence" in failed and "run-1" in failed
    # The failed expectation is shown with GX's failure icon and the unexpected value.
    html = failing_pages[0].read_text()
    assert html.count("fa-times text-danger") >= 1
    share = failed[failed.index("share_of_arrests Status") :]
    assert "1 unexpected values found" in share and "1.5" in share
    assert "Status: Succeeded" in _text(passing_pages[0])
    assert (tmp_path / "site" / "expectations" / "rates_by_force_offence.html").is_file()


def test_publish_swaps_the_site_in_and_keeps_only_the_latest(results, tmp_path):
    docs = tmp_path / "docs" / "gx"
    publish_data_docs(results, docs)
    first = {p.relative_to(docs) for p in docs.rglob("*.html")}
    assert any("rates_by_force_offence" in str(p) for p in first)

    # A crashed earlier publish left a half-written site beside it: cleared, never shown.
    (tmp_path / "docs" / ".gx-deadbeef").mkdir()
    publish_data_docs(results[:1], docs)
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == ["gx"]
    page = (docs / "index.html").read_text()
    assert "stg_force_returns__cells" in page and "rates_by_force_offence" not in page
    assert not (docs / "validations" / "rates_by_force_offence").exists()


def test_save_result_needs_a_gx_result(tmp_path):
    from expectations.runner import SuiteOutcome

    with pytest.raises(ValueError, match="no GX result"):
        save_result(
            SuiteOutcome(suite="headline_figures", success=True, evaluated=0), tmp_path, "r"
        )


def test_check_metadata_has_rows_and_expectation_count():
    outcome = validate_frame("rates_by_force_offence", _force_rates())
    metadata = outcome.to_metadata()
    assert metadata["rows"] == 4
    assert metadata["expectations"] == outcome.evaluated == 14
    assert metadata["table"] == "marts.rates_by_force_offence"
    assert "result" not in metadata
    json.dumps(metadata)


HEADLINES_DDL = """
create schema marts;
create table marts.headline_figures (
    figure_id varchar, description varchar, period varchar, value double, value_lower double,
    value_upper double, estimate_method varchar, ci_lower double, ci_upper double, unit varchar,
    forces_reporting integer, forces_total integer, population_coverage double,
    data_origin varchar
);
"""


def _headlines(rows, ranges=None) -> duckdb.DuckDBPyConnection:
    """Headline rows as (figure_id, description, period, value, ci_lower, ci_upper, unit,
    forces_reporting, forces_total, population_coverage, data_origin); `ranges` gives each row's
    (value_lower, value_upper, estimate_method), by default the value itself, exact."""
    con = duckdb.connect()
    con.execute(HEADLINES_DDL)
    for i, (fid, desc, period, value, *rest) in enumerate(rows):
        least, greatest, method = (ranges or {}).get(i, (value, value, "exact"))
        con.execute(
            "insert into marts.headline_figures values (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [fid, desc, period, value, least, greatest, method, *rest],
        )
    return con


def test_headline_markdown_table_with_intervals_coverage_and_synthetic_marker():
    con = _headlines(
        [
            (
                "rate_ratio_all",
                "Rate ratio | all",
                "2023-24",
                2.2,
                2.1,
                2.3,
                "ratio",
                42,
                43,
                0.9999,
                "synthetic",
            ),
            (
                "share_all",
                "Share of all arrests",
                "2023-24",
                0.078,
                0.076,
                0.080,
                "share",
                7,
                43,
                0.1,
                "synthetic",
            ),
            (
                "share_child",
                "Share, child victims",
                "2023-24",
                None,
                None,
                None,
                "share",
                0,
                43,
                0.0,
                "synthetic",
            ),
        ],
        ranges={0: (1.9, 2.5, "midpoint"), 2: (0.001, 0.02, None)},
    )
    md = headline_figures_markdown(con)
    lines = md.splitlines()
    assert lines[0].startswith("**SYNTHETIC DATA**")
    table = [line for line in lines if line.startswith("|")]
    assert table[0].startswith(
        "| Figure | Period | Value (95% interval) | Range under suppression | Forces reporting |"
    )
    assert table[1].startswith("|---|")
    body = table[2:]
    assert len(body) == 3
    assert body[0].startswith("| Share of all arrests (`share_all`) | 2023-24 |")  # shares first
    assert "7.8% (7.6% to 8.0%)" in body[0] and "| 7 of 43 |" in body[0] and "| 10% |" in body[0]
    assert "| 7.8% to 7.8% |" in body[0]  # exact: the range is the value
    # no point estimate (every cell suppressed): only its range, stated, not left out
    assert "| — | 0.1% to 2.0% |" in body[1] and "| 0 of 43 |" in body[1]
    assert "2.20× (midpoint) (2.10× to 2.30×)" in body[2] and "| 100% |" in body[2]
    assert "| 1.90× to 2.50× |" in body[2]
    assert "Rate ratio \\| all" in body[2]  # a pipe in a description cannot break the table
    assert all(row.endswith("| **SYNTHETIC** |") for row in body)
    assert all(row.count(" | ") == 6 for row in body)


def test_headline_markdown_real_data_has_no_synthetic_marker_and_empty_is_said():
    con = _headlines(
        [("share_all", "Share", "2024-25", 0.05, 0.04, 0.06, "share", 43, 43, 1.0, "real")]
    )
    md = headline_figures_markdown(con)
    assert "SYNTHETIC" not in md and "| real |" in md and "5.0% (4.0% to 6.0%)" in md
    con.execute("delete from marts.headline_figures")
    assert headline_figures_markdown(con) == "_No headline figures in this publication._"


def test_return_coverage_summary_counts_forces_months_and_quarantine():
    con = duckdb.connect()
    con.execute("create schema marts; create schema raw")
    con.execute(
        "create table marts.return_coverage as select '2023-24' as period, "
        "'E23' || lpad(i::varchar, 6, '0') as force_code, i < 42 as has_return, "
        "(case when i < 42 then 12 else 0 end)::integer as months_covered from range(43) t(i)"
    )
    con.execute("create table raw.quarantined_returns as select 'bad' as landing_folder")
    assert return_coverage_summary(con) == {
        "periods": {
            "2023-24": {
                "forces_with_return": 42,
                "forces_total": 43,
                "force_months_covered": 504,
                "force_months_possible": 516,
            }
        },
        "quarantined_returns": 1,
    }
