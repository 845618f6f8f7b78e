"""A quarantined return still says which return it is: raw.quarantined_returns keeps the id, force
and period (YYYY-MM) its manifest gives, so that "received but quarantined: reason" can be told
from "no return". A manifest that cannot be read gives none of them (NULL); one that is read but
partly wrong gives the facts that are valid on their own. The error text is as it always was.

Every expected value is written out here, as the test's own manifest says it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.lib.landing import store
from orchestration.lib.landing.tables import FORCE_RETURN_TABLES, HOME_OFFICE_TABLES
from orchestration.lib.sources.force_returns.ingest import ingest_landing
from orchestration.lib.sources.force_returns.raw_tables import RAW_SCHEMA_VERSION
from tests.conftest import SAMPLE_LANDING

GWENT_CSV = SAMPLE_LANDING / "gwent-fy2023-24" / "arrests_by_nationality.csv"
FACTS = ("return_id", "force", "period_start", "period_end")

# The Gwent sample's CSV (months 2023-04..2024-03) under a manifest of the test's own.
MANIFEST = """\
return_id: gwent-resent-2024
force: W15000002
reference: TEST-RESENT
received: 2024-06-01
period:
  start: 2023-04
  end: 2024-03
data_origin: synthetic
files:
- path: arrests_by_nationality.csv
  layout: long
  columns:
    month: Month
    offence: Offence Group
    nationality: Nationality
    count: Arrests
"""
MANIFEST_FACTS = ("gwent-resent-2024", "W15000002", "2023-04", "2024-03")


def _return(landing: Path, name: str, manifest: str | None, bad_cell: bool = False) -> Path:
    folder = landing / name
    folder.mkdir(parents=True)
    if manifest is not None:
        (folder / "manifest.yml").write_text(manifest, encoding="utf-8")
    lines = GWENT_CSV.read_text(encoding="utf-8").splitlines(keepends=True)
    if bad_cell:
        # Row 3 of the file, column D (Arrests): the sample's "5".
        assert lines[2] == "2023-04,Violence against the person,POLISH,5\n"
        lines[2] = "2023-04,Violence against the person,POLISH,twelve\n"
    (folder / "arrests_by_nationality.csv").write_text("".join(lines), encoding="utf-8")
    return folder


def _quarantined(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    rows = con.execute(
        "select landing_folder, error, return_id, force, period_start, period_end, "
        "quarantined_at from raw.quarantined_returns"
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    path = tmp_path / "landing"
    path.mkdir()
    return path


def test_the_quarantine_columns_are_nullable_varchars(landing):
    with duckdb.connect() as con:
        ingest_landing(con, landing, log=lambda _: None)
        columns = con.execute(
            "select column_name, data_type, is_nullable from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'quarantined_returns' "
            "order by ordinal_position"
        ).fetchall()
    assert columns[4:] == [(c, "VARCHAR", "YES") for c in FACTS]
    assert [c for c, _, _ in columns[:4]] == [
        "landing_folder",
        "content_sha256",
        "error",
        "quarantined_at",
    ]


def test_a_valid_manifest_with_a_bad_cell_is_quarantined_with_its_facts(landing):
    _return(landing, "gwent-resent", MANIFEST, bad_cell=True)
    with duckdb.connect() as con:
        report = ingest_landing(con, landing, log=lambda _: None)
        rows = _quarantined(con)
    error = (
        "return gwent-resent: file arrests_by_nationality.csv, row 3, column D: count 'twelve' "
        "is not a whole non-negative number or a suppression marker ['*', '<5'] (1 such cell(s))"
    )
    assert report.quarantined == {"gwent-resent": error}
    assert rows["gwent-resent"][:5] == (error, *MANIFEST_FACTS)


def test_an_unreadable_manifest_is_quarantined_with_null_facts(landing):
    folder = _return(landing, "not-yaml", "return_id: [unclosed\n")
    _return(landing, "no-manifest", None)
    with duckdb.connect() as con:
        report = ingest_landing(con, landing, log=lambda _: None)
        rows = _quarantined(con)
    manifest = folder / "manifest.yml"
    assert report.quarantined["not-yaml"].startswith(
        f"return not-yaml: {manifest}: cannot read as YAML: "
    )
    assert report.quarantined["no-manifest"] == (
        f"return no-manifest: {landing / 'no-manifest' / 'manifest.yml'}: no manifest.yml in "
        "the return folder (expected one saying what the return is and how to read its files)"
    )
    for name in ("not-yaml", "no-manifest"):
        assert rows[name][:5] == (report.quarantined[name], None, None, None, None)


def test_a_manifest_that_is_not_a_mapping_has_null_facts(landing):
    _return(landing, "a-list", "- return_id: gwent-resent-2024\n- force: W15000002\n")
    with duckdb.connect() as con:
        report = ingest_landing(con, landing, log=lambda _: None)
        rows = _quarantined(con)
    assert report.quarantined["a-list"].endswith(": expected a mapping of keys at the top level")
    assert rows["a-list"][1:5] == (None, None, None, None)


def test_a_partly_wrong_manifest_keeps_what_is_valid(landing):
    # An unknown key: every fact is still valid.
    _return(landing, "extra-key", MANIFEST + "colour: blue\n")
    # A bad id and a period ending before it starts: only the force is valid.
    _return(
        landing,
        "bad-id-and-period",
        MANIFEST.replace("return_id: gwent-resent-2024", "return_id: Gwent Resent").replace(
            "start: 2023-04", "start: 2024-04"
        ),
    )
    # A force of the wrong type and a month that is not YYYY-MM: only the id is valid.
    _return(
        landing,
        "bad-force-and-month",
        MANIFEST.replace("force: W15000002", "force: [W15000002]").replace(
            "end: 2024-03", "end: March 2024"
        ),
    )
    with duckdb.connect() as con:
        report = ingest_landing(con, landing, log=lambda _: None)
        rows = _quarantined(con)
    assert set(report.quarantined) == {"extra-key", "bad-id-and-period", "bad-force-and-month"}
    assert "key colour: unknown key" in report.quarantined["extra-key"]
    assert rows["extra-key"][1:5] == MANIFEST_FACTS
    assert "key return_id:" in report.quarantined["bad-id-and-period"]
    assert (
        "period start 2024-04 is after its end 2024-03" in report.quarantined["bad-id-and-period"]
    )
    assert rows["bad-id-and-period"][1:5] == (None, "W15000002", None, None)
    assert "key force:" in report.quarantined["bad-force-and-month"]
    assert "key period.end:" in report.quarantined["bad-force-and-month"]
    assert rows["bad-force-and-month"][1:5] == ("gwent-resent-2024", None, None, None)


def test_a_return_id_already_used_keeps_the_refused_folders_facts(landing):
    _return(landing, "a-first", MANIFEST)
    _return(landing, "b-second", MANIFEST.replace("TEST-RESENT", "TEST-RESENT-AGAIN"))
    with duckdb.connect() as con:
        report = ingest_landing(con, landing, log=lambda _: None)
        rows = _quarantined(con)
    assert report.parsed == ["a-first"]
    assert report.quarantined["b-second"].endswith(
        "key return_id: 'gwent-resent-2024' is already used by folder 'a-first'"
    )
    assert rows["b-second"][1:5] == MANIFEST_FACTS


def test_a_return_unchanged_since_it_was_quarantined_keeps_its_facts(tmp_path, landing):
    _return(landing, "gwent-resent", MANIFEST, bad_cell=True)
    database = tmp_path / "build.duckdb"
    with duckdb.connect(str(database)) as con:
        first = ingest_landing(con, landing, log=lambda _: None)
        before = _quarantined(con)
    with duckdb.connect(str(database)) as con:
        second = ingest_landing(con, landing, log=lambda _: None)
        after = _quarantined(con)
    assert second.quarantined["gwent-resent"] == (
        f"{first.quarantined['gwent-resent']} (unchanged since it was quarantined)"
    )
    assert after == before  # the row as recorded, quarantined_at included
    assert after["gwent-resent"][1:5] == MANIFEST_FACTS


def test_a_raw_schema_of_version_2_is_rebuilt_and_its_quarantine_recorded_anew(tmp_path, landing):
    """A quarantine row of version 2 (no facts) for a folder unchanged since is not kept as
    unchanged: raw is rebuilt, the return read again and quarantined with its facts."""
    folder = _return(landing, "gwent-resent", MANIFEST, bad_cell=True)
    database = tmp_path / "build.duckdb"
    with duckdb.connect(str(database)) as con:
        ingest_landing(con, landing, log=lambda _: None)
        sha = con.execute("select content_sha256 from raw.quarantined_returns").fetchone()
        # Make it look as version 2 left it: same folder and fingerprint, no facts.
        con.execute("drop table raw.quarantined_returns")
        con.execute(
            "create table raw.quarantined_returns (landing_folder varchar primary key, "
            "content_sha256 varchar not null, error varchar not null, "
            "quarantined_at timestamp not null)"
        )
        con.execute(
            "insert into raw.quarantined_returns values (?, ?, ?, now()::timestamp)",
            [folder.name, sha[0], "an error of version 2"],
        )
        con.execute("update raw.schema_version set version = 2")
        report = ingest_landing(con, landing, log=lambda _: None)
        version = con.execute("select version from raw.schema_version").fetchall()
        rows = _quarantined(con)
    assert version == [(RAW_SCHEMA_VERSION,)]
    assert "unchanged" not in report.quarantined["gwent-resent"]
    assert rows["gwent-resent"][0] == report.quarantined["gwent-resent"]
    assert rows["gwent-resent"][1:5] == MANIFEST_FACTS


def test_a_folder_linked_from_outside_is_quarantined_unread_with_null_facts(tmp_path, landing):
    outside = _return(tmp_path / "elsewhere", "gwent-resent", MANIFEST)
    (landing / "linked").symlink_to(outside, target_is_directory=True)
    with duckdb.connect() as con:
        report = ingest_landing(con, landing, log=lambda _: None)
        rows = _quarantined(con)
    assert "outside the landing folder" in report.quarantined["linked"]
    assert rows["linked"][1:5] == (None, None, None, None)


def test_the_home_office_quarantine_has_no_fact_columns_and_refuses_facts():
    assert HOME_OFFICE_TABLES.quarantine.facts == ()
    assert FORCE_RETURN_TABLES.quarantine.facts == FACTS
    with duckdb.connect() as con:
        store.create_tables(con, HOME_OFFICE_TABLES)
        with pytest.raises(ValueError, match="no fact column"):
            store.record_quarantine(
                con, HOME_OFFICE_TABLES, "folder", "sha", "error", {"return_id": "x"}
            )
        store.record_quarantine(con, HOME_OFFICE_TABLES, "folder", "sha", "error")
        assert con.execute(
            "select dataset_folder, content_sha256, error from raw.home_office_quarantined"
        ).fetchall() == [("folder", "sha", "error")]
