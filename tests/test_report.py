"""`warehouse report`: a self-contained HTML page built read-only from the published marts.

The warehouse here is a small fixture written with exactly the marts' contracted columns, so these
tests do not wait for a refresh. One browser test renders the page in headless Chromium.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration import cli
from orchestration.lib.report import ReportError, build_report

EVIL = "<script>alert(1)</script>"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PERIOD = "2023-24"

DDL = {
    "rates_by_region_offence": """period varchar, region_code varchar, region varchar,
        offence_group varchar, nationality_group varchar, arrests bigint, arrests_lower bigint,
        arrests_upper bigint, suppressed_cells int, population bigint, rate_per_100k double,
        rate_ci_lower double, rate_ci_upper double, share_of_arrests double,
        forces_reporting int, forces_in_region int, population_coverage double,
        months_covered int, unknown_nationality_share double, is_complete boolean,
        data_origin varchar""",
    "nationality_rate_ratios": """period varchar, geography_level varchar,
        geography_code varchar, geography_name varchar, offence_group varchar,
        non_british_arrests bigint, british_arrests bigint, non_british_population bigint,
        british_population bigint, non_british_rate_per_100k double,
        british_rate_per_100k double, rate_ratio double, rate_ratio_ci_lower double,
        rate_ratio_ci_upper double, forces_reporting int, population_coverage double,
        suppressed_cells int, unknown_nationality_share double, is_complete boolean,
        data_origin varchar""",
    "return_coverage": """period varchar, force_code varchar, force_name varchar,
        region varchar, has_return boolean, return_ids varchar, superseded_return_ids varchar,
        months_covered int, first_month date, last_month date, cells bigint,
        suppressed_cells int, unknown_nationality_share double, data_origin varchar""",
    "headline_figures": """figure_id varchar, description varchar, period varchar,
        value double, ci_lower double, ci_upper double, numerator bigint, denominator bigint,
        unit varchar, forces_reporting int, forces_total int, population_coverage double,
        months_covered_min int, suppressed_cells int, unknown_nationality_share double,
        is_complete boolean, caveat varchar, data_origin varchar""",
}

# region code -> (name, forces reporting, forces in region, population all/british/non-British)
REGIONS = {
    "E12000001": ("North East", 3, 3, 2_646_772, 2_497_000, 101_000),
    "E12000007": ("London", 1, 2, 8_799_728, 5_900_000, 2_800_000),
    "W92000004": ("Wales", 4, 4, 3_105_410, 2_950_000, 116_000),
}
# offence group -> arrests per 100,000 for (british, non_british)
OFFENCES = {
    "All offences": (1300.0, 2600.0),
    "Drug offences": (160.0, 210.0),
    "Sexual offences": (55.0, 120.0),
    "Theft offences": (190.0, 420.0),
}
FORCES = [  # code, name, region, months covered (None: no return), first month
    ("E23000007", "Northumbria Police", "North East", 12, dt.date(2023, 4, 1)),
    ("E23000008", "Durham Constabulary", "North East", 12, dt.date(2023, 4, 1)),
    ("E23000013", f"Cleveland Police {EVIL}", "North East", 6, dt.date(2023, 4, 1)),
    ("E23000001", "Metropolitan Police Service", "London", 12, dt.date(2023, 4, 1)),
    ("E23000034", "City of London Police", "London", None, None),
    ("W15000001", "North Wales Police", "Wales", 12, dt.date(2023, 4, 1)),
    ("W15000002", "Gwent Police", "Wales", 12, dt.date(2023, 4, 1)),
    ("W15000003", "South Wales Police", "Wales", 9, dt.date(2023, 7, 1)),
    ("W15000004", "Dyfed-Powys Police", "Wales", 12, dt.date(2023, 4, 1)),
]


def _interval(count: float, denominator: float) -> tuple[float, float]:
    """A normal-approximation 95% interval: the report only displays what the mart holds."""
    half = 1.96 * math.sqrt(count) / denominator * 100_000
    return count / denominator * 100_000 - half, count / denominator * 100_000 + half


def _rates_rows(origin: str) -> list[tuple]:
    rows = []
    for code, (region, reporting, total, pop_all, pop_b, pop_nb) in REGIONS.items():
        for offence, (rate_b, rate_nb) in OFFENCES.items():
            british, non_british = round(rate_b * pop_b / 1e5), round(rate_nb * pop_nb / 1e5)
            unknown = round(0.06 * (british + non_british))
            everyone = british + non_british + unknown
            groups = {
                "all": (everyone, pop_all),
                "british": (british, pop_b),
                "non_british": (non_british, pop_nb),
                "unknown": (unknown, None),
            }
            for group, (arrests, pop) in groups.items():
                low, high = _interval(arrests, pop) if pop else (None, None)
                rows.append(
                    (PERIOD, code, region, offence, group, arrests, arrests, arrests + 12, 3,
                     pop, arrests / pop * 1e5 if pop else None, low, high, arrests / everyone,
                     reporting, total, reporting / total, 12, unknown / everyone,
                     reporting == total, origin)
                )  # fmt: skip
    return rows


def _ratio_rows(origin: str) -> list[tuple]:
    geographies = [("national", "K04000001", "England and Wales", 8, 0.16)] + [
        ("region", code, name, reporting, reporting / total)
        for code, (name, reporting, total, *_) in REGIONS.items()
    ]
    rows = []
    for level, code, name, reporting, coverage in geographies:
        for index, (offence, (rate_b, rate_nb)) in enumerate(OFFENCES.items()):
            ratio = rate_nb / rate_b * (1 + 0.07 * index) * (1.1 if level == "region" else 1)
            rows.append(
                (PERIOD, level, code, name, offence, 3_000, 30_000, 110_000, 2_500_000,
                 rate_nb, rate_b, ratio, ratio * 0.85, ratio * 1.18, reporting, coverage, 4,
                 0.058, False, origin)
            )  # fmt: skip
    return rows


HEADLINES = [
    ("share_non_british_all", "Share of all arrests that are of non-British nationals", 0.0681,
     0.0652, 0.0711, 2_647, 38_768, "share", 0.057,
     "Arrests are not charges or convictions."),
    ("share_non_british_sexual", "Share of arrests for sexual offences that are of non-British nationals",
     0.112, 0.094, 0.131, 121, 1_080, "share", 0.071,
     "A few suppressed cells; the share is bounded by 0.104 to 0.139."),
    ("rate_ratio_all", "Non-British vs British arrest rate per 100,000 residents, all offences",
     1.92, 1.71, 2.15, None, None, "ratio", 0.057,
     "Nationality denominators are APS 2015/16 estimates; resident population excludes visitors."),
]  # fmt: skip


def _headline_rows(origin: str) -> list[tuple]:
    return [
        (fid, text, PERIOD, value, low, high, num, den, unit, 8, 43, 0.164, 6, 9, unknown,
         False, caveat, origin)
        for fid, text, value, low, high, num, den, unit, unknown, caveat in HEADLINES
    ]  # fmt: skip


def _coverage_rows(origin: str) -> list[tuple]:
    rows = []
    for code, name, region, months, first in FORCES:
        if months is None:
            rows.append(
                (PERIOD, code, name, region, False, None, None, 0, None, None, 0, 0, None, None)
            )
            continue
        last = dt.date(first.year + (first.month + months - 2) // 12,
                       (first.month + months - 2) % 12 + 1, 1)  # fmt: skip
        superseded = "gwent-fy2023-24-v1" if code == "W15000002" else None
        rows.append(
            (PERIOD, code, name, region, True, f"{code.lower()}-fy2023-24", superseded, months,
             first, last, months * 120, 2, 0.05, origin)
        )  # fmt: skip
    return rows


ROWS = {
    "rates_by_region_offence": _rates_rows,
    "nationality_rate_ratios": _ratio_rows,
    "return_coverage": _coverage_rows,
    "headline_figures": _headline_rows,
}


def make_warehouse(path: Path, synthetic_in: str | None = None) -> Path:
    """A published-warehouse fixture; `synthetic_in` marks the first row of that table synthetic."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        for table, ddl in DDL.items():
            con.execute(f"create table marts.{table} ({ddl})")
            rows = ROWS[table]("real")
            if table == synthetic_in:
                rows[0] = (*rows[0][:-1], "synthetic")
            placeholders = ", ".join("?" * len(rows[0]))
            con.executemany(f"insert into marts.{table} values ({placeholders})", rows)
    return path


@pytest.fixture(scope="module")
def real_report(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("real")
    return build_report(make_warehouse(root / "warehouse.duckdb"), root / "report").read_text()


@pytest.fixture(scope="module")
def synthetic_report(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("synthetic")
    warehouse = make_warehouse(root / "warehouse.duckdb", synthetic_in="return_coverage")
    for site in ("dbt", "gx"):
        (root / "docs" / site).mkdir(parents=True)
        (root / "docs" / site / "index.html").write_text("<html></html>")
    return build_report(warehouse, root / "report")


@pytest.mark.parametrize("table", sorted(DDL))
def test_banner_shown_when_any_row_of_any_mart_is_synthetic(tmp_path, table):
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", synthetic_in=table)
    page = build_report(warehouse, tmp_path / "report").read_text()
    assert 'id="synthetic-banner"' in page and "SYNTHETIC DATA" in page


def test_no_banner_when_every_row_is_real(real_report):
    assert 'id="synthetic-banner"' not in real_report and "SYNTHETIC" not in real_report


def test_values_from_force_returns_are_escaped(real_report):
    assert EVIL not in real_report
    assert "Cleveland Police &lt;script&gt;alert(1)&lt;/script&gt;" in real_report


def test_page_needs_no_network(real_report):
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", real_report)
    assert "Plotly.newPlot" in real_report and len(real_report) > 3_000_000  # plotly.js inline


def test_headline_figure_shows_interval_coverage_and_caveat(real_report):
    card = real_report.split('id="figure-share_non_british_all"')[1].split("</article>")[0]
    assert "6.8%" in card and "95% interval 6.5% to 7.1%" in card
    assert "8 of 43 forces reporting" in card and "16% of the population" in card
    assert "at least 6 months" in card and "Arrests are not charges or convictions." in card


def test_coverage_table_marks_each_covered_month(real_report):
    def covered(force_code: str) -> list[str]:
        row = real_report.split(f'<tr class="has-return" data-force="{force_code}"')[1]
        row = row.split("</tr>")[0]
        return re.findall(r'class="m covered" data-month="(\d{4}-\d{2})"', row)

    assert covered("E23000013") == [f"2023-{m:02d}" for m in range(4, 10)]
    assert covered("W15000003") == [f"2023-{m:02d}" for m in range(7, 13)] + [
        f"2024-{m:02d}" for m in range(1, 4)
    ]
    assert len(covered("E23000007")) == 12


def test_tile_grid_has_one_tile_per_force(real_report):
    tiles = re.findall(r'class="tile (full|partial|none)[^"]*"[^>]*data-force="([EW]\d{8})"',
                       real_report)  # fmt: skip
    assert len({code for _, code in tiles}) == len(tiles) == 43
    status = dict((code, s) for s, code in tiles)
    assert status["E23000007"] == "full" and status["E23000013"] == "partial"
    assert status["E23000034"] == "none" and status["E23000024"] == "none"  # Norfolk: no row


def test_caveats_are_stated(real_report):
    for caveat in (
        "Arrests are not charges or convictions",
        "Resident population excludes visitors",
        "Annual Population Survey",
        "Suppressed cells are carried as bounds",
    ):
        assert caveat in real_report


def test_docs_linked_relatively_only_when_present(real_report, synthetic_report):
    page = synthetic_report.read_text()
    assert 'href="../docs/dbt/index.html"' in page and 'href="../docs/gx/index.html"' in page
    assert "docs/dbt" not in real_report and "docs/gx" not in real_report


def _run_report_command(argv: list[str]) -> int:
    return cli.main(argv)


def test_report_command_prints_the_page_path(tmp_path, capsys):
    warehouse = make_warehouse(tmp_path / "wh" / "warehouse.duckdb")
    assert _run_report_command(["report", "--warehouse", str(warehouse)]) == 0
    printed = Path(capsys.readouterr().out.strip())
    assert printed == tmp_path / "wh" / "report" / "index.html" and printed.is_file()


def test_report_command_without_published_warehouse_fails_cleanly(tmp_path, capsys):
    missing = tmp_path / "none.duckdb"
    assert _run_report_command(["report", "--warehouse", str(missing)]) == 1
    err = capsys.readouterr().err
    assert "no published warehouse" in err and "warehouse refresh" in err
    assert not missing.exists() and "Traceback" not in err


def test_warehouse_without_report_marts_is_an_error_not_a_crash(tmp_path):
    warehouse = tmp_path / "old.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute(
            f"create table marts.rates_by_region_offence ({DDL['rates_by_region_offence']})"
        )
    with pytest.raises(ReportError, match="marts.nationality_rate_ratios"):
        build_report(warehouse, tmp_path / "report")


def _chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=10000", *extra, page.as_uri()],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_charts_draw_in_headless_chromium(synthetic_report, tmp_path):
    chart_ids = re.findall(r'<div id="(chart-[a-z]+)" class="plotly-graph-div"',
                           synthetic_report.read_text())  # fmt: skip
    assert chart_ids == ["chart-rates", "chart-ratios"]

    dom = _chromium(synthetic_report, tmp_path / "profile-dom", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Uncaught" not in dom.stderr, dom.stderr[-2000:]
    for index, chart in enumerate(chart_ids):
        start = dom.stdout.index(f'id="{chart}"')
        end = (
            dom.stdout.index(f'id="{chart_ids[index + 1]}"') if index + 1 < len(chart_ids) else None
        )
        assert 'class="main-svg"' in dom.stdout[start:end], f"{chart} did not draw"

    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / "report.png"
    png.unlink(missing_ok=True)
    shot = _chromium(synthetic_report, tmp_path / "profile-shot", f"--screenshot={png}",
                     "--window-size=1280,2400", "--hide-scrollbars")  # fmt: skip
    assert shot.returncode == 0 and "Uncaught" not in shot.stderr, shot.stderr[-2000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_month_level_coverage_is_used_when_the_mart_has_it(tmp_path):
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "create table marts.force_month_coverage (period varchar, force_code varchar, "
            "month date, return_id varchar, cells bigint, suppressed_cells int)"
        )
        con.executemany(
            "insert into marts.force_month_coverage values (?, ?, ?, ?, ?, ?)",
            [
                (PERIOD, "E23000013", dt.date(2023, month, 1), "r1", 120, suppressed)
                for month, suppressed in ((4, 0), (5, 2), (7, 0))
            ],
        )
    page = build_report(warehouse, tmp_path / "report").read_text()
    row = page.split('data-force="E23000013"')[-1].split("</tr>")[0]
    cells = {
        m: state for state, m in re.findall(r'class="m (\w+)" data-month="2023-0([4-7])"', row)
    }
    assert cells == {"4": "covered", "5": "covered", "6": "missing", "7": "covered"}
    assert re.search(r'data-month="2023-05"\s+title="2 suppressed cells">2</td>', row)
