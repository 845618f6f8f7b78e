"""The ingest's shortcuts change nothing in raw: batched writes on a worker thread give the same
rows, in the same order, as writing each return on its own as it is parsed (BATCH_CELLS = 1), in a
full refresh and in an incremental one (a changed return id, a removed, a renamed, a duplicate and
a broken return); libyaml reads every manifest as the pure-Python loader does, and a manifest it
refuses fails with the pure-Python loader's error; a manifest and fingerprint handed to
parse_return give what it finds itself; a failed batch rolls the whole refresh back."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.lib.landing.tables import FORCE_RETURN_TABLES
from orchestration.lib.sources.force_returns import raw_writer
from orchestration.lib.sources.force_returns.ingest import ingest_landing
from orchestration.lib.sources.force_returns.manifest import (
    MANIFEST_NAME,
    ManifestError,
    _load_yaml,
    load_manifest,
    return_folders,
)
from orchestration.lib.sources.force_returns.parse import parse_return, return_fingerprint
from tests.bad_inputs.corpus import write_corpus
from tests.conftest import SAMPLE_LANDING, copy_sample_landing

# The force returns' raw tables (the registry's) and the columns that differ from run to run.
LOAD_TIMES = {"force_returns": "loaded_at", "quarantined_returns": "quarantined_at"}
RAW_TABLES = {t.name: LOAD_TIMES.get(t.name) for t in FORCE_RETURN_TABLES.asset_tables}


def raw_rows(database: Path) -> dict[str, list[tuple]]:
    """Every raw table's rows in table order (rowid), load times left out."""
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            table: con.execute(
                f"select * exclude (rowid{', ' + skip if skip else ''}) from "
                f"(select rowid, * from raw.{table}) order by rowid"
            ).fetchall()
            for table, skip in RAW_TABLES.items()
        }


def ingest(landing: Path, database: Path):
    with duckdb.connect(str(database)) as con:
        return ingest_landing(con, landing, log=lambda _: None)


def _set_return_id(folder: Path, suffix: str) -> None:
    path = folder / MANIFEST_NAME
    text = path.read_text(encoding="utf-8")
    path.write_text(
        re.sub(r"(?m)^return_id: *(\S+)", rf"return_id: \1{suffix}", text, count=1),
        encoding="utf-8",
    )


def _edit(landing: Path) -> None:
    """Every kind of change an incremental refresh meets."""
    folders = return_folders(landing)
    copy = landing / f"{folders[0].name}-copy"
    shutil.copytree(folders[0], copy)
    _set_return_id(copy, "-copy")  # a new return
    shutil.rmtree(folders[2])  # removed
    folders[3].rename(landing / f"{folders[3].name}-renamed")  # same return id, new folder
    shutil.copytree(folders[4], landing / "zz-duplicate-id")  # quarantined: id already used
    (folders[5] / MANIFEST_NAME).write_text("return_id: [unclosed\n", encoding="utf-8")
    _set_return_id(folders[6], "-v2")  # a folder whose return id changed
    manifest = folders[7] / MANIFEST_NAME  # changed content, same id
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


@pytest.mark.parametrize("batch_cells", [5_000, 10_000_000])
def test_batched_writes_give_the_rows_of_one_write_per_return(tmp_path, monkeypatch, batch_cells):
    results = {}
    for name, cells in (("one_by_one", 1), ("batched", batch_cells)):
        monkeypatch.setattr(raw_writer, "BATCH_CELLS", cells)
        # The same landing path both times: errors name it.
        landing = tmp_path / "landing"
        shutil.rmtree(landing, ignore_errors=True)
        copy_sample_landing(landing)
        database = tmp_path / f"{name}.duckdb"
        full = ingest(landing, database)
        after_full = raw_rows(database)
        _edit(landing)
        incremental = ingest(landing, database)
        results[name] = (full, after_full, incremental, raw_rows(database))
    full, _, incremental, _ = results["batched"]
    assert len(full.parsed) == 43 and incremental.parsed and incremental.quarantined
    assert incremental.removed
    assert results["batched"] == results["one_by_one"]


def test_bad_inputs_corpus_loads_the_same_rows_batched(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    write_corpus(landing, with_base=True)
    rows = {}
    for name, cells in (("one_by_one", 1), ("batched", 10_000_000)):
        monkeypatch.setattr(raw_writer, "BATCH_CELLS", cells)
        report = ingest(landing, tmp_path / f"{name}.duckdb")
        rows[name] = (report, raw_rows(tmp_path / f"{name}.duckdb"))
    assert rows["batched"][0].quarantined  # the corpus is mostly quarantined
    assert rows["batched"] == rows["one_by_one"]


def _manifest_texts(tmp_path: Path) -> list[str]:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, with_base=True)
    paths = sorted(SAMPLE_LANDING.glob(f"*/{MANIFEST_NAME}"))
    paths += sorted(corpus.glob(f"*/{MANIFEST_NAME}"))
    return [p.read_bytes().decode("utf-8", errors="replace") for p in paths]


def test_libyaml_reads_every_manifest_as_the_pure_python_loader(tmp_path):
    texts = _manifest_texts(tmp_path)
    texts += [
        "return_id: [unclosed\n",
        "a: 1\n\tb: 2\n",
        "key: value\nkey2: *undefined\n",
        "received: 2024-13-45\n",
        "- a\nb: c\n",
        "a: 'x\x07y'\n",
    ]
    assert len(texts) > 40
    for text in texts:
        try:
            expected = ("ok", yaml.safe_load(text))
        except Exception as exc:  # noqa: BLE001 - the error itself is compared
            expected = ("error", type(exc), str(exc))
        try:
            got = ("ok", _load_yaml(text))
        except Exception as exc:  # noqa: BLE001
            got = ("error", type(exc), str(exc))
        assert got == expected, text


def test_a_broken_manifest_reports_the_pure_python_loaders_error(tmp_path):
    path = tmp_path / MANIFEST_NAME
    path.write_text("return_id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ManifestError) as raised:
        load_manifest(path)
    with pytest.raises(yaml.YAMLError) as pure:
        yaml.safe_load(path.read_text(encoding="utf-8"))
    assert str(raised.value) == f"{path}: cannot read as YAML: {pure.value}"


def test_parse_return_with_the_callers_manifest_and_fingerprint_is_the_same():
    for folder in return_folders(SAMPLE_LANDING):
        digests: dict[Path, str] = {}
        fingerprint = return_fingerprint(folder, digests)
        manifest = load_manifest(folder / MANIFEST_NAME)
        given = parse_return(folder, manifest, (fingerprint, digests))
        found = parse_return(folder)
        assert given.content_sha256 == found.content_sha256
        assert given.files == found.files
        assert given.cells.equals(found.cells)


def test_a_failed_batch_rolls_the_whole_refresh_back(tmp_path, monkeypatch):
    landing = copy_sample_landing(tmp_path / "landing")
    database = tmp_path / "build.duckdb"
    ingest(landing, database)
    before = raw_rows(database)
    _edit(landing)

    def fail(con, batch):
        raise RuntimeError("disk full")

    monkeypatch.setattr(raw_writer, "_append_all", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest(landing, database)
    assert raw_rows(database) == before
