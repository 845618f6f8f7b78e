"""The report's claims: a YAML list of figure requests (data/figures.yml) answered at every refresh.

On the sample warehouse (SYNTHETIC returns refreshed once, which also builds the report through
the `warehouse_report` asset): one claim per entry of the checked-in list, a count checked against
the generator's truth table (tests/data/sample_truth.csv, in plain Python), each claim's command
reproducing it. Then what a request the warehouse cannot answer and a malformed list do.
"""

from __future__ import annotations

import csv
import html
import json
import re
import shlex
import shutil
from pathlib import Path

import dagster as dg
import pytest
import yaml

from orchestration import cli
from orchestration.defs.publication.report import warehouse_report
from orchestration.defs.resources import WarehouseConfig
from orchestration.lib.report import build_report
from orchestration.lib.settings import DEFAULT_FIGURES, WarehouseSettings
from tests.conftest import REPO
from tests.test_report import make_warehouse

TRUTH = REPO / "tests" / "data" / "sample_truth.csv"
FORCES_SEED = REPO / "dbt_project" / "seeds" / "reference" / "ref_forces.csv"
# The sample's wordings of a British nationality (the generator's), and its one superseded return.
BRITISH = {"British", "UK", "British Citizen", "GBR"}
SUPERSEDED = "kent-fy2023-24"


def _text(fragment: str) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", fragment).split()))


def claims(page: str) -> dict[str, str]:
    """Each claim's heading text -> its article's HTML, in page order."""
    section = page.split('<section id="claims">')[1].split("</section>")[0]
    found = {}
    for article in section.split('<article class="claim"')[1:]:
        heading = article.split("<h3>")[1].split("<span")[0].split("</h3>")[0]
        found[html.unescape(heading)] = article.split("</article>")[0]
    return found


def table_rows(article: str) -> list[dict[str, str]]:
    """A claim's table as {column header: cell text}."""
    headers = [_text(h) for h in re.findall(r"<th>(.*?)</th>", article, re.S)]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", article.split("<tbody>")[1], re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        rows.append(dict(zip(headers, cells, strict=True)))
    return rows


def first_line(cell: str) -> str:
    """The figure of a cell, without its notes."""
    return _text(cell.split("<small>")[0])


@pytest.fixture(scope="module")
def sample_page(published_sample) -> str:
    # Built by the refresh itself (warehouse_report), from the checked-in figure list.
    return (published_sample.parent / "report" / "index.html").read_text(encoding="utf-8")


def test_refresh_builds_one_claim_per_entry_of_the_checked_in_list(sample_page):
    entries = yaml.safe_load(DEFAULT_FIGURES.read_text(encoding="utf-8"))
    assert len(entries) >= 6
    found = claims(sample_page)
    assert list(found) == [e["claim"] for e in entries]
    for claim, article in found.items():
        assert "cannot be answered" not in article, claim
        rows = table_rows(article)
        assert rows, claim
        # The sample is synthetic: every row with a force behind it says so.
        assert all("SYNTHETIC" in r["Data"] for r in rows if r["Forces reporting"][0] != "0")
        assert "SYNTHETIC" in article.split("</h3>")[0]


def _truth(first: str, last: str, offence: str) -> list[dict[str, str]]:
    with TRUTH.open(encoding="utf-8") as fh:
        return [
            r
            for r in csv.DictReader(fh)
            if r["return_id"] != SUPERSEDED
            and r["offence_raw"] == offence
            and first <= r["month"] <= last
        ]


def test_a_claims_counts_and_coverage_equal_the_generators_truth(sample_page):
    """Drug offences, January to March 2024: the British count is exact in every return, so it
    is the truth table's sum; the total lies within its bounds; the forces behind it are those
    with cells in all three months."""
    truth = _truth("2024-01", "2024-03", "Drug offences")
    british = sum(int(r["arrests"]) for r in truth if r["nationality_raw"] in BRITISH)
    total = sum(int(r["arrests"]) for r in truth)
    months_by_force: dict[str, set[str]] = {}
    for r in truth:
        months_by_force.setdefault(r["force_code"], set()).add(r["month"])
    reporting = {code for code, months in months_by_force.items() if len(months) == 3}
    with FORCES_SEED.open(encoding="utf-8") as fh:
        names = {r["force_code"]: r["force_name"] for r in csv.DictReader(fh)}
    missing = sorted(names[code] for code in set(names) - reporting)

    (article,) = [a for c, a in claims(sample_page).items() if "drug offences" in c]
    rows = {r["Nationality"]: r for r in table_rows(article)}
    assert list(rows) == ["all", "british", "non-british", "unknown"]
    assert first_line(rows["british"]["Arrests"]) == f"{british:,}"
    assert "exact" in _text(rows["british"]["Arrests"])
    lower, upper = (int(v.replace(",", "")) for v in first_line(rows["all"]["Arrests"]).split("–"))
    assert lower <= total <= upper and lower < upper
    assert _text(rows["all"]["Forces reporting"]) == f"{len(reporting)} of {len(names)}"
    assert _text(rows["all"]["Forces missing"]) == ", ".join(missing)
    assert _text(rows["all"]["Months covered"]) == "3 of 3"
    assert _text(rows["all"]["Complete"]) == "no"
    assert re.fullmatch(r"\d+\.\d%", _text(rows["all"]["Unknown nationality"]))


def test_each_claims_command_reproduces_its_figure(sample_page, published_sample, capsys):
    for claim, article in claims(sample_page).items():
        command = html.unescape(re.search(r'<code class="command">(.*?)</code>', article).group(1))
        words = shlex.split(command)
        assert words[:2] == ["warehouse", "figure"], command
        assert words[-2:] == ["--warehouse", str(published_sample)], command
        assert cli.main([*words[1:], "--format", "json"]) == 0, command
        figure = json.loads(capsys.readouterr().out)
        rows = table_rows(article)
        assert len(rows) == len(figure), claim
        for row, expected in zip(rows, figure, strict=True):
            assert _text(row["Area"]) == expected["area_name"], claim
            counts = _text(row["Arrests"]).replace(",", "")
            if expected["forces_reporting"] == 0:
                assert counts.startswith("no data"), claim
            elif expected["arrests"] is not None:
                assert counts.startswith(f"{expected['arrests']} exact"), claim
            else:
                bounds = f"{expected['arrests_lower']}–{expected['arrests_upper']}"
                assert counts.startswith(bounds), claim


def test_ratio_shown_where_asked(sample_page):
    found = claims(sample_page)
    (asked,) = [a for c, a in found.items() if "higher rate" in c]
    rows = table_rows(asked)
    assert [r["Nationality"] for r in rows] == ["british", "non-british"]
    for row in rows:  # ratio: true puts it on every row, with its interval
        assert re.match(r"\d+\.\d\d×", first_line(row["Rate ratio, non-British / British"]))
        assert "95% CI" in _text(row["Rate ratio, non-British / British"])
    (no_ratio,) = [a for c, a in found.items() if c.startswith("Arrests for indecent images")]
    assert "Rate ratio" not in no_ratio


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


UNANSWERABLE = """\
- claim: "Arrests for sexual offences in 2023-24"
  period: 2023-24
  offence: Sexual offences
- claim: "Arrests in the first half of 2025"
  period: 2025-01..2025-06
- claim: "Arrests for offences of piracy"
  period: 2023-24
  offence: Piracy on the high seas
"""


def test_a_request_the_warehouse_cannot_answer_shows_its_reason_and_the_report_builds(
    published_sample, tmp_path, capsys
):
    figures = _write(tmp_path / "claims.yml", UNANSWERABLE)
    out = tmp_path / "report"
    argv = ["report", "--warehouse", str(published_sample), "--figures", str(figures)]
    assert cli.main([*argv, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == str(out / "index.html")
    page = (out / "index.html").read_text(encoding="utf-8")
    found = claims(page)
    assert list(found) == [
        "Arrests for sexual offences in 2023-24",
        "Arrests in the first half of 2025",
        "Arrests for offences of piracy",
    ]
    assert table_rows(found["Arrests for sexual offences in 2023-24"])
    months = _text(found["Arrests in the first half of 2025"])
    assert (
        "cannot be answered: period 2025-01..2025-06: no month of it is in the warehouse, which "
        "holds 2023-04..2024-03" in months
    )
    piracy = _text(found["Arrests for offences of piracy"])
    assert "cannot be answered: unknown offence 'Piracy on the high seas'" in piracy
    assert "<table" not in found["Arrests for offences of piracy"]
    warnings = captured.err.strip().splitlines()
    assert len(warnings) == 2
    assert f"{figures}, entry 2 ('Arrests in the first half of 2025')" in warnings[0]
    assert f"{figures}, entry 3 ('Arrests for offences of piracy')" in warnings[1]
    assert all(w.startswith("warehouse report: warning: ") for w in warnings)
    assert '<section id="rates">' in page and '<section id="coverage">' in page


def test_a_warehouse_without_the_month_marts_answers_no_claim_but_still_reports(tmp_path):
    warehouse = make_warehouse(tmp_path / "old" / "warehouse.duckdb")
    figures = _write(tmp_path / "f.yml", '- claim: "All arrests"\n  period: 2023-24\n')
    warned: list[str] = []
    page = build_report(warehouse, tmp_path / "report", figures, warned.append).read_text()
    assert "cannot be answered" in _text(claims(page)["All arrests"])
    assert "marts.arrests_by_month" in _text(claims(page)["All arrests"])
    assert len(warned) == 1 and "entry 1 ('All arrests')" in warned[0]


def test_without_a_figure_list_the_report_has_no_claims_section(tmp_path):
    page = build_report(make_warehouse(tmp_path / "w.duckdb"), tmp_path / "report").read_text()
    assert 'id="claims"' not in page


GOOD = "  period: 2023-24\n  offence: child_sexual\n"
MALFORMED = {
    "unknown key": (
        f'- claim: "Fine"\n{GOOD}- claim: "Misspelt"\n{GOOD}  nationalty: split\n',
        "entry 2 ('Misspelt'): key 'nationalty': unknown key; expected one of claim, period, "
        "offence, by, force, nationality, ratio",
    ),
    "bad type": (
        f'- claim: "Fine"\n{GOOD}- claim: "Ratio of what"\n{GOOD}  ratio: sometimes\n',
        "entry 2 ('Ratio of what'): key 'ratio': Input should be a valid boolean",
    ),
    "missing claim": (
        f'- claim: "Fine"\n{GOOD}- period: 2023-24\n  offence: child_sexual\n',
        "entry 2 (no claim): key 'claim': required key is missing",
    ),
    "bad choice": (
        f'- claim: "Fine"\n{GOOD}- claim: "By county"\n{GOOD}  by: county\n',
        "entry 2 ('By county'): key 'by': Input should be 'national', 'region' or 'force'",
    ),
    "bad nationality": (
        f'- claim: "Fine"\n{GOOD}- claim: "Martians"\n{GOOD}  nationality: [british, martian]\n',
        "entry 2 ('Martians'): key 'nationality': 'martian' is not a nationality",
    ),
    "bad period": (
        '- claim: "Thirteenth month"\n  period: 2024-13\n',
        "entry 1 ('Thirteenth month'): key 'period': ",
    ),
    "by and force": (
        f'- claim: "Both"\n{GOOD}  by: region\n  force: Kent Police\n',
        "entry 1 ('Both'): force gives one row per force: drop by: region",
    ),
    "not a list": ("claim: Fine\nperiod: 2023-24\n", "expected a list of figure requests"),
    "not YAML": ('- claim: "unclosed\n', "cannot read as YAML"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_figure_list_stops_the_report_naming_file_entry_and_key(case, tmp_path, capsys):
    text, words = MALFORMED[case]
    warehouse = make_warehouse(tmp_path / "wh" / "warehouse.duckdb")
    figures = _write(tmp_path / "figures.yml", text)
    argv = ["report", "--warehouse", str(warehouse), "--figures", str(figures)]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # one line
    assert err.startswith(f"warehouse report: figure list {figures}: "), err
    assert words in err, err
    assert not (tmp_path / "wh" / "report").exists()


def test_a_missing_figure_list_is_named(tmp_path, capsys):
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb")
    missing = tmp_path / "nowhere.yml"
    assert cli.main(["report", "--warehouse", str(warehouse), "--figures", str(missing)]) == 1
    assert f"figure list {missing} does not exist" in capsys.readouterr().err


def test_the_dagster_asset_reads_the_figure_list_from_its_resource(published_sample, tmp_path):
    warehouse = Path(shutil.copy(published_sample, tmp_path / "warehouse.duckdb"))
    figures = _write(
        tmp_path / "newsroom.yml",
        '- claim: "Prostitution arrests in Kent"\n  period: 2023-24\n  offence: prostitution\n'
        "  force: Kent Police\n"
        '- claim: "Arrests in 2030"\n  period: "2030"\n',
    )
    config = WarehouseConfig.from_settings(WarehouseSettings(published=warehouse, figures=figures))
    assert config.figures_path == str(figures) and config.settings.figures == figures
    result = dg.materialize([warehouse_report], resources={"warehouse": config})
    (materialization,) = result.asset_materializations_for_node("warehouse_report")
    assert materialization.metadata["claims_unanswered"].value == 1
    page = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert list(claims(page)) == ["Prostitution arrests in Kent", "Arrests in 2030"]
    assert "cannot be answered: period 2030" in _text(claims(page)["Arrests in 2030"])
