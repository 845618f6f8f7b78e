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
import openpyxl
import pytest

from orchestration import cli
from orchestration.lib.report import ReportError, build_report
from tests.conftest import copy_sample_landing, refresh

EVIL = "<script>alert(1)</script>"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PERIOD = "2023-24"

Z = 1.959963984540054
DDL = {
    "rates_by_region_offence": """period varchar, region_code varchar, region varchar,
        offence_group varchar, nationality_group varchar, arrests bigint, arrests_lower bigint,
        arrests_upper bigint, suppressed_cells int, population bigint, person_years double,
        rate_per_100k double, rate_per_100k_lower double, rate_per_100k_upper double,
        rate_ci_lower double, rate_ci_upper double, estimate_method varchar,
        share_of_arrests double, share_of_arrests_lower double, share_of_arrests_upper double,
        forces_reporting int, forces_in_region int, population_coverage double,
        months_covered int, months_covered_max int, unknown_nationality_share double,
        is_complete boolean, data_origin varchar""",
    "nationality_rate_ratios": """period varchar, geography_level varchar,
        geography_code varchar, geography_name varchar, offence_group varchar,
        non_british_arrests bigint, non_british_arrests_lower bigint,
        non_british_arrests_upper bigint, british_arrests bigint, british_arrests_lower bigint,
        british_arrests_upper bigint, unknown_arrests bigint, unknown_arrests_lower bigint,
        unknown_arrests_upper bigint, non_british_person_years double,
        british_person_years double, rate_ratio double, rate_ratio_lower double,
        rate_ratio_upper double, rate_ratio_lower_incl_unknown double,
        rate_ratio_upper_incl_unknown double, rate_ratio_ci_lower double,
        rate_ratio_ci_upper double, population_relative_se double, estimate_method varchar,
        forces_reporting int,
        population_coverage double, suppressed_cells int, unknown_nationality_share double,
        months_covered int, is_complete boolean, data_origin varchar""",
    "return_coverage": """period varchar, force_code varchar, force_name varchar,
        region varchar, has_return boolean, status varchar, quarantine_reason varchar,
        return_ids varchar, superseded_return_ids varchar, months_covered int,
        first_month date, last_month date, cells bigint, suppressed_cells int,
        unknown_nationality_share double, data_origin varchar""",
    "force_month_coverage": """period varchar, month date, force_code varchar,
        force_name varchar, region varchar, status varchar, return_ids varchar,
        quarantined_folders varchar, quarantine_reason varchar, cells bigint,
        suppressed_cells int, data_origin varchar""",
    "headline_figures": """figure_id varchar, description varchar, period varchar,
        value double, value_lower double, value_upper double, value_lower_incl_unknown double,
        value_upper_incl_unknown double, ci_lower double, ci_upper double,
        estimate_method varchar, numerator_lower bigint, numerator_upper bigint,
        denominator_lower bigint, denominator_upper bigint, unit varchar,
        forces_reporting int, forces_total int, population_coverage double,
        months_covered_min int, suppressed_cells int, unknown_nationality_share double,
        is_complete boolean, caveat varchar, data_origin varchar""",
}
# What the methodology's worked example reads besides the marts above (only the columns it uses).
APS_DDL = {
    "marts.rates_by_force_offence": """period varchar, force_code varchar,
        offence_group varchar, nationality_group varchar, population bigint,
        person_years double, data_origin varchar""",
    "reference.ref_force_population": """force_code varchar, population_group varchar,
        population bigint, population_ci_lower bigint, population_ci_upper bigint,
        is_missing boolean""",
}

# region code -> (name, forces reporting, forces in region, population all/british/non-British)
REGIONS = {
    "E12000001": ("North East", 2, 3, 2_646_772, 2_497_000, 101_000),
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
QUARANTINE_REASON = (
    "file arrests.csv, row 9, column F: count 'twelve' is not a whole non-negative number"
)
GWENT_REASON = "manifest period 2023-04..2024-03 overlaps gwent-fy2023-24-v2"
# code, name, region, months covered (None: no return), first month, status, quarantine reason,
# APS British population and 95% half-width, non-British population and half-width
FORCES = [
    ("E23000007", "Northumbria Police", "North East", 12, dt.date(2023, 4, 1), "received", None,
     1_350_000, 30_000, 52_000, 9_000),
    ("E23000008", "Durham Constabulary", "North East", None, None, "quarantined",
     QUARANTINE_REASON, 600_000, 20_000, 14_000, 4_000),
    ("E23000013", f"Cleveland Police {EVIL}", "North East", 6, dt.date(2023, 4, 1), "received",
     None, 540_000, 18_000, 20_000, 5_000),
    ("E23000001", "Metropolitan Police Service", "London", 12, dt.date(2023, 4, 1), "received",
     None, 5_900_000, 150_000, 2_800_000, 85_000),
    ("E23000034", "City of London Police", "London", None, None, "missing", None,
     None, None, None, None),
    ("W15000001", "North Wales Police", "Wales", 12, dt.date(2023, 4, 1), "received", None,
     650_000, 21_000, 25_000, 6_000),
    ("W15000002", "Gwent Police", "Wales", 12, dt.date(2023, 4, 1), "received", GWENT_REASON,
     560_000, 19_000, 22_000, 5_000),
    ("W15000003", "South Wales Police", "Wales", 9, dt.date(2023, 7, 1), "received", None,
     1_250_000, 28_000, 50_000, 8_000),
    ("W15000004", "Dyfed-Powys Police", "Wales", 12, dt.date(2023, 4, 1), "received", None,
     490_000, 17_000, 19_000, 4_000),
]  # fmt: skip
MONTHS = [dt.date(2023 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(12)]


def _interval(count: float, denominator: float) -> tuple[float, float]:
    """A normal-approximation 95% interval: the report only displays what the mart holds."""
    half = Z * math.sqrt(count) / denominator * 100_000
    return count / denominator * 100_000 - half, count / denominator * 100_000 + half


def _received(months: int | None, first: dt.date | None) -> list[dt.date]:
    if months is None or first is None:
        return []
    start = MONTHS.index(first)
    return MONTHS[start : start + months]


MONTHS_MIN = {"E12000001": 6, "E12000007": 12, "W92000004": 9}


def _per(count: float | None, population: int | None) -> float | None:
    return None if count is None or population is None else count / population * 1e5


def _rates_rows(origin: str) -> list[tuple]:
    """British rows exact; the others rest on 3 suppressed cells (1..4 each): a midpoint estimate.
    Wales' non-British all-offences rate rests only on suppressed cells: no point estimate."""
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
            for group, (known, pop) in groups.items():
                only_suppressed = (region, offence, group) == (
                    "Wales", "All offences", "non_british"
                )  # fmt: skip
                if group == "british":
                    arrests, low, high, suppressed, method = known, known, known, 0, None
                elif only_suppressed:
                    arrests, low, high, suppressed, method = None, 3, 12, 3, None
                else:
                    arrests, low, high, suppressed = None, known + 3, known + 12, 3
                    method = "midpoint"
                mid = None if only_suppressed else (low + high) / 2
                ci_low = _interval(low, pop)[0] if pop else None
                ci_high = _interval(high, pop)[1] if pop else None
                rows.append(
                    (PERIOD, code, region, offence, group, arrests, low, high, suppressed,
                     pop, pop, _per(mid, pop), _per(low, pop), _per(high, pop), ci_low, ci_high,
                     method, None if mid is None else mid / everyone, low / everyone,
                     high / everyone, reporting, total, reporting / total, MONTHS_MIN[code], 12,
                     unknown / everyone, reporting == total, origin)
                )  # fmt: skip
    return rows


def aps_person_years() -> dict[str, tuple[float, float]]:
    """Person-years of each group over the reporting forces, with its APS standard error."""
    totals = {}
    for group, (pop_at, half_at) in (("british", (7, 8)), ("non_british", (9, 10))):
        person_years = variance = 0.0
        for force in FORCES:
            if force[3] is None:
                continue
            share = force[3] / 12
            person_years += force[pop_at] * share
            variance += (force[half_at] / Z * share) ** 2
        totals[group] = (person_years, math.sqrt(variance))
    return totals


def population_relative_se() -> float:
    (pya, se_a), (pyb, se_b) = aps_person_years()["non_british"], aps_person_years()["british"]
    return math.sqrt((se_a / pya) ** 2 + (se_b / pyb) ** 2)


def national_ratio(
    a: tuple[int, int], b: tuple[int, int], aps: bool = True
) -> tuple[float, float, float, float, float]:
    """The national all-offences ratio as the mart computes it: point (midpoint counts), bounds,
    and the log-method interval around the least and greatest ratio with se at the smallest
    counts, with the APS terms (or Poisson only)."""
    (pya, _), (pyb, _) = aps_person_years()["non_british"], aps_person_years()["british"]
    extra = population_relative_se() ** 2 if aps else 0.0

    def ratio(x: float, y: float) -> float:
        return (x / pya) / (y / pyb)

    se = math.sqrt(1 / a[0] + 1 / b[0] + extra)
    least, greatest = ratio(a[0], b[1]), ratio(a[1], b[0])
    return (ratio(sum(a) / 2, sum(b) / 2), least, greatest, least * math.exp(-Z * se),
            greatest * math.exp(Z * se))  # fmt: skip


NATIONAL_NON_BRITISH = (2_990, 3_010)  # 5 suppressed cells
NATIONAL_BRITISH = (30_000, 30_000)  # exact


def _ratio_rows(origin: str, aps: bool = True) -> list[tuple]:
    (pya, _), (pyb, _) = aps_person_years()["non_british"], aps_person_years()["british"]
    geographies = [("national", "K04000001", "England and Wales", 7, 0.16, pya, pyb)] + [
        ("region", code, name, reporting, reporting / total, pop_nb, pop_b)
        for code, (name, reporting, total, _, pop_b, pop_nb) in REGIONS.items()
    ]
    rows = []
    for level, code, name, reporting, coverage, py_nb, py_b in geographies:
        for index, (offence, (rate_b, rate_nb)) in enumerate(OFFENCES.items()):
            ratio = rate_nb / rate_b * (1 + 0.07 * index) * (1.1 if level == "region" else 1)
            a, b, method = (2_990, 3_010), (30_000, 30_000), "midpoint"
            low, high, ci_low, ci_high = ratio * 0.97, ratio * 1.03, ratio * 0.85, ratio * 1.18
            if (level, offence) == ("national", "All offences"):
                a, b = NATIONAL_NON_BRITISH, NATIONAL_BRITISH
                ratio, low, high, ci_low, ci_high = national_ratio(a, b, aps)
            elif (name, offence) == ("Wales", "All offences"):  # every non-British cell suppressed
                a, ratio, method = (3, 12), None, None
                low, high, ci_low, ci_high = 0.9, 4.1, 0.3, 9.9
            rows.append(
                (PERIOD, level, code, name, offence, None, a[0], a[1], b[0] if b[0] == b[1] else None,
                 b[0], b[1], None, 180, 200, py_nb, py_b, ratio, low, high,
                 None if low is None else low * 0.9, None if high is None else high * 1.4,
                 ci_low, ci_high, population_relative_se(), method, reporting, coverage, 4, 0.058,
                 9, False, origin)
            )  # fmt: skip
    return rows


HEADLINES = [  # figure id, description, value, bounds, bounds incl. unknown, 95% interval,
    # method, numerator bounds, denominator bounds, unit, unknown share, caveat
    ("non_british_share_all_arrests", "Share of all arrests that are of non-British nationals",
     0.0681, (0.0672, 0.0690), (0.0672, 0.1250), (0.0652, 0.0711), "midpoint",
     (2_640, 2_660), (38_760, 38_790), "share", 0.057, "Arrests are not charges or convictions."),
    ("non_british_share_sexual_offences",
     "Share of arrests for sexual offences that are of non-British nationals",
     0.112, (0.112, 0.112), (0.112, 0.180), (0.094, 0.131), None, (121, 121), (1_080, 1_080),
     "share", 0.071, "No suppressed cells."),
    ("non_british_share_child_sexual_offences",
     "Share of arrests for sexual offences against children that are of non-British nationals",
     None, (0.05, 0.30), (0.05, 0.45), (0.01, 0.52), None, (1, 4), (8, 20), "share", 0.1,
     "Every cell suppressed."),
    ("rate_ratio_non_british_vs_british_all_arrests",
     "Arrest rate of non-British nationals relative to British nationals", 1.92, (1.90, 1.94),
     (1.81, 2.63), (1.71, 2.15), "midpoint", (2_990, 3_010), (30_000, 30_000), "ratio", 0.057,
     "Nationality denominators are APS 2015/16 estimates; resident population excludes visitors."),
]  # fmt: skip


def _headline_rows(origin: str) -> list[tuple]:
    return [
        (fid, text, PERIOD, value, *bounds, *incl, *ci, method, *num, *den, unit, 7, 43, 0.164,
         6, 9, unknown, False, caveat, origin)
        for fid, text, value, bounds, incl, ci, method, num, den, unit, unknown, caveat in HEADLINES
    ]  # fmt: skip


def _coverage_rows(origin: str) -> list[tuple]:
    rows = []
    for code, name, region, months, first, status, reason, *_ in FORCES:
        received = _received(months, first)
        if not received:
            rows.append(
                (PERIOD, code, name, region, False, status, reason, None, None, 0, None, None,
                 0, 0, None, None)
            )  # fmt: skip
            continue
        superseded = "gwent-fy2023-24-v1" if code == "W15000002" else None
        rows.append(
            (PERIOD, code, name, region, True, status, reason, f"{code.lower()}-fy2023-24",
             superseded, months, received[0], received[-1], months * 120, 2, 0.05, origin)
        )  # fmt: skip
    return rows


def _force_month_rows(origin: str) -> list[tuple]:
    """Every force-month: received in a force's range, quarantined for Durham, else missing."""
    rows = []
    for code, name, region, months, first, status, reason, *_ in FORCES:
        received = _received(months, first)
        for month in MONTHS:
            if month in received:
                suppressed = 2 if (code, month.month) == ("E23000013", 5) else 0
                rows.append(
                    (PERIOD, month, code, name, region, "received", f"{code.lower()}-fy2023-24",
                     "gwent-fy2023-24-v2" if reason else None, reason, 120, suppressed, origin)
                )  # fmt: skip
            elif status == "quarantined":
                rows.append(
                    (PERIOD, month, code, name, region, "quarantined", None,
                     "durham-fy2023-24", reason, 0, 0, None)
                )  # fmt: skip
            else:
                rows.append(
                    (PERIOD, month, code, name, region, "missing", None, None, None, 0, 0, None)
                )
    return rows


def _aps_rows() -> dict[str, list[tuple]]:
    force_rows, population_rows = [], []
    for code, _, _, months, _, _, _, pop_b, half_b, pop_nb, half_nb in FORCES:
        if pop_b is None:
            continue
        for group, pop, half in (("british", pop_b, half_b), ("non_british", pop_nb, half_nb)):
            population_rows.append((code, group, pop, pop - half, pop + half, False))
            if months is not None:
                force_rows.append(
                    (PERIOD, code, "All offences", group, pop, pop * months / 12, "real")
                )
    return {
        "marts.rates_by_force_offence": force_rows,
        "reference.ref_force_population": population_rows,
    }


ROWS = {
    "rates_by_region_offence": _rates_rows,
    "nationality_rate_ratios": _ratio_rows,
    "return_coverage": _coverage_rows,
    "force_month_coverage": _force_month_rows,
    "headline_figures": _headline_rows,
}


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    placeholders = ", ".join("?" * len(rows[0]))
    con.executemany(f"insert into {table} values ({placeholders})", rows)


def make_warehouse(
    path: Path, synthetic_in: str | None = None, aps_in_ratio_intervals: bool = True
) -> Path:
    """A published-warehouse fixture; `synthetic_in` marks the first row of that table synthetic;
    `aps_in_ratio_intervals` false publishes Poisson-only ratio intervals."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create schema reference")
        for table, ddl in DDL.items():
            con.execute(f"create table marts.{table} ({ddl})")
            rows = (
                _ratio_rows("real", aps_in_ratio_intervals)
                if table == "nationality_rate_ratios"
                else ROWS[table]("real")
            )
            if table == synthetic_in:
                rows[0] = (*rows[0][:-1], "synthetic")
            _insert(con, f"marts.{table}", rows)
        for table, rows in _aps_rows().items():
            con.execute(f"create table {table} ({APS_DDL[table]})")
            _insert(con, table, rows)
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


def _card(page: str, figure_id: str) -> str:
    return page.split(f'id="figure-{figure_id}"')[1].split("</article>")[0]


def _text(fragment: str) -> str:
    """A fragment of the page as read: tags dropped, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def test_headline_figure_shows_interval_coverage_and_caveat(real_report):
    card = _text(_card(real_report, "non_british_share_all_arrests"))
    assert "6.8%" in card and "95% interval 6.5% to 7.1%" in card
    assert "7 of 43 forces reporting" in card and "16% of the population" in card
    assert "at least 6 months" in card and "Arrests are not charges or convictions." in card


def test_headline_shows_its_range_under_suppression_and_with_unknown_nationality(real_report):
    card = _text(_card(real_report, "non_british_share_all_arrests"))
    assert "6.8% midpoint estimate" in card
    assert "Range under suppression 6.7%–6.9%" in card
    assert "Range incl. unknown nationality 6.7%–12.5%" in card
    assert "2,640–2,660 non-British of 38,760–38,790 arrests" in card
    ratio = _text(_card(real_report, "rate_ratio_non_british_vs_british_all_arrests"))
    assert "1.92× midpoint estimate" in ratio and "Range under suppression 1.90×–1.94×" in ratio
    assert "Range incl. unknown nationality 1.81×–2.63×" in ratio
    exact = _text(_card(real_report, "non_british_share_sexual_offences"))
    assert "11.2% exact" in exact and "Range under suppression 11.2%" in exact


def test_fully_suppressed_headline_shows_only_its_range(real_report):
    card = _card(real_report, "non_british_share_child_sexual_offences")
    value = _text(card.split('<div class="value">')[1].split("</div>")[0])
    assert value == "5.0%–30.0% range only"
    assert "No point estimate" in card and not re.search(r"(?<![\d.])0(\.0)?%", card)


def _table(page: str, table_id: str) -> list[list[str]]:
    body = page.split(f'id="{table_id}"')[1].split("</table>")[0].split("<tbody>")[1]
    return [
        [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    ]


def test_rates_table_gives_bounds_and_never_shows_a_fully_suppressed_rate_as_zero(real_report):
    rows = {(r[0], r[1]): r for r in _table(real_report, "rates-table")}
    wales = rows[("Wales", "Non-British")]
    assert wales[2] == wales[4] == "2.6–10.3" and wales[3] == "range only"
    assert wales[6] == "3–12" and not wales[2].startswith("0")
    london = rows[("London", "Non-British")]
    assert london[3] == "midpoint estimate" and "–" in london[4]
    assert rows[("London", "British")][3] == "exact"


def test_ratios_table_gives_bounds_with_and_without_unknown_nationality(real_report):
    rows = {(r[0], r[1]): r for r in _table(real_report, "ratios-table")}
    wales = rows[("Wales", "All offences")]
    assert wales[2] == "0.90×–4.10×" and wales[3] == "range only"
    assert wales[4] == "0.90×–4.10×" and wales[5] == "0.81×–5.74×"
    national = rows[("England and Wales", "All offences")]
    assert national[3] == "midpoint estimate" and national[7] == "2,990–3,010 / 30,000"


def test_methodology_works_the_national_ratio_interval_from_the_data(real_report):
    section = _text(real_report.split('id="methodology"')[1].split("</section>")[0])
    assert "per 100,000 person-years" in section and "population × the months" in section
    assert "The point estimate is the midpoint" in section
    assert "se(ln RR)² = 1/a + 1/b + (se_Pa/Pa)² + (se_Pb/Pb)²" in section
    assert "Rate intervals are Poisson only" in section and "treated as fixed" in section
    (pya, se_a), (pyb, _) = aps_person_years()["non_british"], aps_person_years()["british"]
    _, _, _, low, high = national_ratio(NATIONAL_NON_BRITISH, NATIONAL_BRITISH)
    assert f"a = 2,990–3,010 over Pa = {pya:,.0f} person-years" in section
    assert f"b = 30,000 over Pb = {pyb:,.0f}" in section
    assert f"standard error of {se_a:,.0f} on Pa" in section
    assert f"least feasible ratio = (2,990 / {pya:,.0f}) ÷ (30,000 / {pyb:,.0f})" in section
    assert (
        f"se = {math.sqrt(1 / 2_990 + 1 / 30_000 + population_relative_se() ** 2):.4f}" in section
    )
    assert f") = {low:.2f} to {high:.2f}" in section
    assert (
        f"The published interval ( rate_ratio_ci_lower , rate_ratio_ci_upper ) is {low:.2f}"
        in section
    )
    assert "it includes the APS sampling error as stated" in section


def test_aps_caveat_says_what_the_published_ratio_intervals_do(real_report, tmp_path):
    caveats = _text(real_report.split('id="caveats"')[1].split("</section>")[0])
    assert "folded into" not in caveats
    assert "propagated into the rate-ratio intervals by the delta method" in caveats
    assert "rate intervals are Poisson only" in caveats

    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", aps_in_ratio_intervals=False)
    page = build_report(warehouse, tmp_path / "report").read_text()
    caveats = _text(page.split('id="caveats"')[1].split("</section>")[0])
    assert "That error is not in any interval shown" in caveats
    assert "propagated" not in caveats
    assert "the APS sampling error is not in the published ratio intervals" in _text(page)


def _coverage_row(page: str, force_code: str) -> str:
    return page.split(f'data-force="{force_code}">')[-1].split("</tr>")[0]


def test_coverage_table_marks_each_covered_month(real_report):
    def covered(force_code: str) -> list[str]:
        row = real_report.split(f'<tr class="received" data-force="{force_code}"')[1]
        row = row.split("</tr>")[0]
        return re.findall(r'class="m received" data-month="(\d{4}-\d{2})"', row)

    assert covered("E23000013") == [f"2023-{m:02d}" for m in range(4, 10)]
    assert covered("W15000003") == [f"2023-{m:02d}" for m in range(7, 13)] + [
        f"2024-{m:02d}" for m in range(1, 4)
    ]
    assert len(covered("E23000007")) == 12
    cleveland = _coverage_row(real_report, "E23000013")
    assert re.search(r'data-month="2023-05">2</td>', cleveland)
    assert re.search(r'data-month="2023-10"></td>', cleveland)


def test_quarantined_return_shows_as_received_and_quarantined_with_its_reason(real_report):
    reason = QUARANTINE_REASON.replace("'", "&#39;")
    durham = _coverage_row(real_report, "E23000008")
    assert f"Return received, quarantined: {reason}" in durham
    assert "No return" not in durham
    assert re.findall(r'class="m (\w+)"', durham) == ["quarantined"] * 12
    assert durham.count(">Q</td>") == 12
    assert "quarantined: durham-fy2023-24" in durham
    tile = re.search(r'<div class="tile ([^"]*)"[^>]*data-force="E23000008"', real_report)
    assert tile and tile.group(1) == "quarantined"
    assert f"Durham Constabulary: Return received, quarantined: {reason}" in real_report
    assert "No return" not in tile.group(0)
    assert "1 more sent a return that was received but quarantined" in _text(real_report)
    gwent = _coverage_row(real_report, "W15000002")
    assert "Return received; another return was quarantined" in gwent
    city = _coverage_row(real_report, "E23000034")
    assert ">No return</td>" in city


def test_tile_grid_has_one_tile_per_force(real_report):
    tiles = re.findall(r'class="tile (full|partial|quarantined|none)[^"]*"[^>]*data-force="([EW]\d{8})"',
                       real_report)  # fmt: skip
    assert len({code for _, code in tiles}) == len(tiles) == 43
    status = dict((code, s) for s, code in tiles)
    assert status["E23000007"] == "full" and status["E23000013"] == "partial"
    assert status["E23000008"] == "quarantined"
    assert status["E23000034"] == "none" and status["E23000024"] == "none"  # Norfolk: no row
    assert re.search(r'class="tile full flagged"[^>]*data-force="W15000002"', real_report)


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


def test_force_month_coverage_is_required(tmp_path):
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table marts.force_month_coverage")
    with pytest.raises(ReportError, match="marts.force_month_coverage"):
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


@pytest.fixture(scope="module")
def quarantined_sample_report(tmp_path_factory) -> str:
    """The sample returns refreshed with one cell of Essex's return unreadable: its manifest is
    valid, so the return is received and quarantined; the page built from the real marts."""
    root = tmp_path_factory.mktemp("quarantined")
    landing = copy_sample_landing(root / "landing")
    book_path = landing / "essex-fy2023-24" / "arrests_nationality_sex.xlsx"
    book = openpyxl.load_workbook(book_path)
    book["Table 1"]["F9"] = "twelve"
    book.save(book_path)
    warehouse = root / "warehouse" / "warehouse.duckdb"
    outcome = refresh(landing, warehouse)
    assert outcome.published, outcome.problems
    assert list(outcome.quarantined) == ["essex-fy2023-24"]
    return build_report(warehouse, root / "report").read_text()


def test_refreshed_quarantined_return_renders_as_quarantined_with_its_reason(
    quarantined_sample_report,
):
    page = quarantined_sample_report
    essex = _coverage_row(page, "E23000028")
    status = _text(essex.split('<td class="status quarantined">')[1].split("</td>")[0])
    assert status.startswith("Return received, quarantined: ")
    assert "count 'twelve' is not a whole non-negative number" in status.replace("&#39;", "'")
    assert "No return" not in essex
    assert re.findall(r'class="m (\w+)"', essex) == ["quarantined"] * 12
    tile = re.search(r'<div class="tile ([^"]*)"[^>]*data-force="E23000028"', page)
    assert tile and tile.group(1) == "quarantined" and "No return" not in tile.group(0)
    assert "1 more sent a return that was received but quarantined" in _text(page)


def test_refreshed_headline_shows_its_range_and_the_ratio_interval_is_worked(
    quarantined_sample_report,
):
    page = quarantined_sample_report
    card = _text(_card(page, "non_british_share_all_arrests"))
    assert re.search(r"\d+\.\d% midpoint estimate", card)
    assert re.search(r"Range under suppression \d+\.\d+%–\d+\.\d+%", card)
    assert re.search(r"Range incl\. unknown nationality \d+\.\d+%–\d+\.\d+%", card)
    ratio = _text(_card(page, "rate_ratio_non_british_vs_british_all_arrests"))
    assert re.search(r"Range under suppression \d\.\d\d×–\d\.\d\d×", ratio)
    # The mart's ratio intervals are what the methodology says: APS error by the delta method.
    assert "it includes the APS sampling error as stated" in _text(page)
    assert "propagated into the rate-ratio intervals by the delta method" in _text(page)
