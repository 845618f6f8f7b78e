"""The bad-input corpus (tests/bad_inputs/corpus.py): every crafted bad return gets a clear error
naming its file and is quarantined; nothing published changes; no value is spliced into SQL text.
Limits (file size, cells, unzipped size) are configurable and checked before a file is read."""

from __future__ import annotations

import ast
import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from orchestration.cli import settings_from_environment
from orchestration.lib.settings import ReadLimits, build_db_path
from orchestration.lib.sources.force_returns.check import check_landing
from orchestration.lib.sources.force_returns.ingest import ingest_landing
from orchestration.lib.sources.force_returns.manifest import ManifestError
from orchestration.lib.sources.force_returns.parse import parse_return, return_fingerprint
from orchestration.lib.sources.force_returns.readers import ReadError, sheet_extent, spreadsheet
from tests.bad_inputs.corpus import (
    CASES,
    FORMULA,
    GWENT,
    GWENT_CSV,
    SAMPLE,
    SQL_TEXT,
    Case,
    case,
    cases_at,
    write_corpus,
)
from tests.conftest import REPO, copy_sample_landing, refresh

PARSE_CASES = cases_at("parse")
CROSS_CASES = cases_at("landing", "dbt")
REQUIRED_CATEGORIES = {
    "missing column",
    "renamed column",
    "negative count",
    "fractional count",
    "non-numeric count",
    "blank header",
    "unknown force",
    "period outside the return",
    "month not a date",
    "duplicate return",
    "conflicting corrections (two corrections of one return)",
    "conflicting corrections (overlapping current returns)",
    "wrong encoding",
    "empty file",
    "header-only file",
    "truncated XLSX",
    "XLSX zip bomb",
    "huge file over the size limit",
    "formula-injection text",
    "SQL-looking text",
    "path traversal in a manifest",
    "absolute path in a manifest",
    "symlink out of the landing folder",
    "unknown manifest key",
    "wrong type for a key",
    "missing manifest",
    "manifest not YAML",
    "sheet that does not exist",
    "header row past the end",
}


def _limits(**environ: str) -> ReadLimits:
    """The limits the `warehouse` command reads from these user settings."""
    return settings_from_environment(environ=environ).limits


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The whole corpus beside the sample returns the cross-return cases need."""
    landing = tmp_path_factory.mktemp("corpus") / "landing"
    write_corpus(landing, with_base=True)
    return landing


def test_the_corpus_covers_every_category_with_at_least_30_returns():
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)
    assert REQUIRED_CATEGORIES <= {c.category for c in CASES}
    assert all(c.dbt_test for c in cases_at("dbt"))


def _ids(c: Case) -> str:
    return c.name


# -- (a) each return on its own --------------------------------------------------------------


@pytest.mark.parametrize("bad", PARSE_CASES, ids=_ids)
def test_parse_refuses_the_return_with_an_error_naming_the_file(corpus, bad):
    folder = corpus / bad.name
    with pytest.raises((ManifestError, ReadError)) as raised:
        parse_return(folder)
    error, message = raised.value, str(raised.value)
    assert bad.expect in message
    if bad.file == "manifest.yml":
        assert isinstance(error, ManifestError)
        assert message.startswith(f"{folder / 'manifest.yml'}: ")
    elif bad.file is not None:
        assert isinstance(error, ReadError)
        assert error.file == bad.file and message.startswith(f"file {bad.file}")
    else:  # the return folder itself
        assert isinstance(error, ReadError) and message.startswith(f"return folder {bad.name} ")


@pytest.mark.parametrize("bad", CROSS_CASES, ids=_ids)
def test_cross_return_cases_parse_alone_and_check_reports_them(tmp_path, bad):
    landing = tmp_path / "landing"
    write_corpus(landing, [bad], with_base=True)
    parse_return(landing / bad.name)  # readable on its own
    errors = [p for p in check_landing(landing, pull=False) if p.severity == "error"]
    assert errors, f"check found nothing wrong with {bad.name}"
    assert {p.return_folder for p in errors} == {bad.name}, errors
    assert any(bad.expect in str(p) for p in errors), errors
    assert all(p.file == bad.file for p in errors if bad.expect in str(p))


def test_symlinked_folder_is_not_read_even_for_its_fingerprint(tmp_path):
    landing = tmp_path / "landing"
    write_corpus(landing, [case("bad-symlink-folder-outside")])
    folder = landing / "bad-symlink-folder-outside"
    before = return_fingerprint(folder)
    (folder / GWENT_CSV).write_text("changed outside the landing folder\n", encoding="utf-8")
    assert return_fingerprint(folder) == before  # only the link is fingerprinted


def test_a_return_id_used_twice_in_one_refresh_is_quarantined_the_second_time(tmp_path):
    landing = tmp_path / "landing"
    write_corpus(landing, [case(f"{GWENT}-duplicate")], with_base=True)
    with duckdb.connect() as con:
        report = ingest_landing(con, landing, log=lambda _: None)
    assert f"{GWENT}-duplicate" in report.quarantined
    assert GWENT in report.parsed and f"{GWENT}-duplicate" not in report.parsed


def test_a_return_id_moved_to_another_folder_is_loaded_from_there(tmp_path):
    landing = tmp_path / "landing"
    write_corpus(landing, [case(f"{GWENT}-duplicate")], with_base=True)
    shutil.rmtree(landing / f"{GWENT}-duplicate")
    with duckdb.connect() as con:
        ingest_landing(con, landing, log=lambda _: None)
        shutil.move(landing / GWENT, landing / f"{GWENT}-moved")
        report = ingest_landing(con, landing, log=lambda _: None)
        assert report.parsed == [f"{GWENT}-moved"] and not report.quarantined
        assert report.removed == [GWENT]
        folders = con.execute(
            "select landing_folder from raw.force_returns where return_id = ?", [GWENT]
        ).fetchall()
    assert folders == [(f"{GWENT}-moved",)]


# -- (b) warehouse check ---------------------------------------------------------------------


def test_warehouse_check_exits_one_and_reports_every_bad_return(corpus):
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "check", "--landing", str(corpus), "--no-pull"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    for bad in CASES:
        mine = [line for line in lines if line.startswith(f"ERROR: return {bad.name}")]
        assert any(bad.expect in line for line in mine), (bad.name, mine)
    summary = lines[-1]
    assert f"{len(CASES) + 3} return(s)" in summary
    assert f"3 good, {len(CASES)} bad" in summary  # the sample returns beside them stay good


def test_the_sample_landing_still_checks_clean():
    assert check_landing(SAMPLE, pull=False) == []


# -- limits ----------------------------------------------------------------------------------


def _copy(sample: str, tmp_path: Path) -> Path:
    folder = tmp_path / "landing" / sample
    shutil.copytree(SAMPLE / sample, folder)
    return folder


def _with_file_keys(folder: Path, **keys) -> None:
    path = folder / "manifest.yml"
    text = path.read_text(encoding="utf-8")
    extra = "".join(f"  {k}: {v}\n" for k, v in keys.items())
    path.write_text(text + extra, encoding="utf-8")  # files: is the manifests' last key


def test_file_size_limit_from_the_environment_and_the_manifest(tmp_path, monkeypatch):
    folder = _copy(GWENT, tmp_path)
    parse_return(folder)
    limits = _limits(WAREHOUSE_MAX_FILE_BYTES="1000")
    with pytest.raises(ReadError, match=r"over the size limit of 1,000 bytes \(WAREHOUSE_MAX_FILE"):
        parse_return(folder, limits=limits)
    _with_file_keys(folder, max_bytes=10**12)  # a manifest cannot raise the limit
    with pytest.raises(ReadError, match=r"over the size limit of 1,000 bytes \(WAREHOUSE_MAX_FILE"):
        parse_return(folder, limits=limits)
    parse_return(folder, limits=_limits())


def test_size_is_checked_before_the_file_is_read(tmp_path, monkeypatch):
    folder = _copy(GWENT, tmp_path)
    _with_file_keys(folder, max_bytes=1000)

    def no_reading(self, *args, **kwargs):
        raise AssertionError(f"read {self}")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(ReadError, match="over the size limit of 1,000 bytes"):
        parse_return(folder)


def test_cell_limit_from_the_environment_for_csv_and_xlsx(tmp_path):
    gwent, durham = _copy(GWENT, tmp_path), _copy("durham-fy2023-24", tmp_path)
    limits = _limits(WAREHOUSE_MAX_CELLS="1_000")
    with pytest.raises(
        ReadError, match=r"= 4,036 cells, over the limit of 1,000 cells \(WAREHOUSE"
    ):
        parse_return(gwent, limits=limits)
    with pytest.raises(
        ReadError,
        match=r"sheet 'Arrests': holds 159 rows x 9 columns = 1,431 cells, over the limit of 1,000",
    ):
        parse_return(durham, limits=limits)


def test_unzipped_size_limit_from_the_environment(tmp_path):
    durham = _copy("durham-fy2023-24", tmp_path)
    with pytest.raises(
        ReadError, match=r"bytes unzipped, over the limit of 1,000 bytes \(WAREHOUSE"
    ):
        parse_return(durham, limits=_limits(WAREHOUSE_MAX_UNZIPPED_BYTES="1000"))


@pytest.mark.parametrize("value", ["lots", "0", "-5"])
def test_a_bad_limit_in_the_environment_names_the_variable(value):
    with pytest.raises(ValueError, match=f"WAREHOUSE_MAX_CELLS='{value}': expected a whole number"):
        _limits(WAREHOUSE_MAX_CELLS=value)


def test_manifest_limits_must_be_positive(tmp_path):
    folder = _copy(GWENT, tmp_path)
    _with_file_keys(folder, max_cells=0)
    with pytest.raises(ManifestError, match="key files.0.max_cells: Input should be greater than"):
        parse_return(folder)


@pytest.mark.parametrize(
    "name",
    [
        "bad-xlsx-zip-bomb",
        "bad-xlsx-zip-bomb-understated",
        "bad-xlsx-cell-bomb",
        "bad-ods-cell-bomb",
    ],
)
def test_bombs_are_refused_before_calamine_builds_a_sheet(corpus, monkeypatch, name):
    """Calamine may open an XLSX (it reads sheets lazily) but never build the bomb's grid; an ODS
    (all sheets built on opening) or a zip bomb is refused before calamine opens it at all."""
    opened = []

    class Workbook:
        def __init__(self, path):
            self.sheet_names = CalamineWorkbook.from_path(path).sheet_names

        @classmethod
        def from_path(cls, path):
            if not path.endswith(".xlsx") or name != "bad-xlsx-cell-bomb":
                raise AssertionError(f"calamine opened {path}")
            opened.append(path)
            return cls(path)

        def get_sheet_by_name(self, sheet):
            raise AssertionError(f"calamine built sheet {sheet}")

    monkeypatch.setattr(spreadsheet, "CalamineWorkbook", Workbook)
    with pytest.raises(ReadError, match=re.escape(case(name).expect)):
        parse_return(corpus / name)
    assert len(opened) == (name == "bad-xlsx-cell-bomb")


def test_sheet_extents_measured_from_the_xml_match_calamine_on_every_sample_sheet():
    books = sorted(p for p in SAMPLE.glob("*/*") if p.suffix in (".xlsx", ".ods"))
    assert books
    for book in books:
        workbook = CalamineWorkbook.from_path(str(book))
        for sheet in workbook.sheet_names:
            values = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            shape = (len(values), max(map(len, values))) if values else (0, 0)
            assert sheet_extent(book, sheet, 10**9) == shape, (book, sheet)


# -- no value is ever spliced into SQL text ---------------------------------------------------

_SQL_CALLS = {"execute", "executemany", "sql", "query"}
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$")
# The raw-table registry: the one module that makes SQL text from names (its declared tables and
# columns), when it is imported. Elsewhere its statements are reached as `<table or source>.sql.X`.
_REGISTRY = REPO / "orchestration" / "lib" / "landing" / "tables.py"


def _constants(tree: ast.Module) -> dict[str, object]:
    """Module-level names bound once to a literal (string, or tuple of strings)."""
    found: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    found[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    pass
    return found


def _registry_statement(node: ast.AST) -> bool:
    """`<expression>.sql.<name>`: a statement the raw-table registry made at import."""
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "sql"
    )


def _enclosing_loop(name: str, call: ast.AST, parents: dict) -> ast.For | None:
    node = call
    while node in parents:
        node = parents[node]
        if (
            isinstance(node, ast.For)
            and isinstance(node.target, ast.Name)
            and node.target.id == name
        ):
            return node
    return None


def _loop_over_identifiers(name: str, call: ast.AST, parents: dict, constants: dict) -> bool:
    """True when `name` is the variable of an enclosing `for` over a module constant whose items
    are all SQL identifiers (table names), never data."""
    loop = _enclosing_loop(name, call, parents)
    if loop is None or not isinstance(loop.iter, ast.Name):
        return False
    items = constants.get(loop.iter.id)
    return isinstance(items, tuple) and all(
        isinstance(i, str) and _IDENTIFIER.match(i) for i in items
    )


def _loop_over_statements(name: str, call: ast.AST, parents: dict) -> bool:
    """True when `name` is the variable of an enclosing `for` over registry statements."""
    loop = _enclosing_loop(name, call, parents)
    return loop is not None and _registry_statement(loop.iter)


def _defines_sql(tree: ast.Module) -> bool:
    """Whether a module binds anything called `sql` (a field, an attribute): only the registry
    may, so that `.sql.` always leads to its statements."""
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        for target in targets:
            if (isinstance(target, ast.Attribute) and target.attr == "sql") or (
                isinstance(target, ast.Name) and target.id == "sql"
            ):
                return True
        if isinstance(node, ast.Call) and any(
            isinstance(a, ast.Constant) and a.value == "sql" for a in node.args
        ):
            return True
    return False


def test_no_value_is_spliced_into_sql_text():
    lib = REPO / "orchestration" / "lib"
    sources = sorted((lib / "sources").rglob("*.py")) + sorted((lib / "landing").rglob("*.py"))
    assert _REGISTRY in sources
    calls = 0
    for source in sources:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        if source != _REGISTRY:
            assert not _defines_sql(tree), f"{source.name} binds a name `sql`"
        constants = _constants(tree)
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            if isinstance(call.func, ast.Attribute) and call.func.attr in _SQL_CALLS and call.args:
                sql = call.args[0]
            elif isinstance(call.func, ast.Name) and call.func.id == "scalar" and call.args[1:]:
                sql = call.args[1]  # orchestration.lib.sql.scalar(con, query, parameters)
            else:
                continue
            calls += 1
            where = f"{source.name}:{call.lineno}"
            if isinstance(sql, ast.Constant):
                assert isinstance(sql.value, str), where
            elif _registry_statement(sql):
                pass
            elif isinstance(sql, ast.Name):
                assert isinstance(constants.get(sql.id), str) or _loop_over_statements(
                    sql.id, call, parents
                ), f"{where}: SQL from variable {sql.id}"
            elif isinstance(sql, ast.JoinedStr):
                for part in sql.values:
                    if isinstance(part, ast.FormattedValue):
                        value = part.value
                        assert isinstance(value, ast.Name) and _loop_over_identifiers(
                            value.id, call, parents, constants
                        ), f"{where}: a value is formatted into SQL text"
            else:  # concatenation, %-formatting, .format(): never
                raise AssertionError(f"{where}: SQL text built with {type(sql).__name__}")
    assert calls >= 10  # the scan did find the raw store's statements


def test_the_registry_statements_hold_only_its_declared_names():
    """Every statement of the raw-table registry names declared tables and columns only: no
    quoted text, nothing but identifiers, keywords, types and placeholders."""
    from orchestration.lib.landing import tables

    declared = {t.name for t in tables.RAW_TABLES}
    statements = []
    for obj in (*tables.RAW_TABLES, *tables.SOURCES):
        for value in vars(obj.sql).values():
            statements += value if isinstance(value, tuple) else [value]
    assert len(statements) > 20
    for statement in statements:
        # The DDL is read from raw_tables/<name>.sql, whose comments may quote a value's meaning.
        code = re.sub(r"--[^\n]*", "", statement).strip()
        for part in code.removesuffix(";").split(";\n"):  # the DDL: one statement a `;`
            assert not re.search(r"['\"`$;]|--", part), statement
        assert set(re.findall(r"\braw\.(\w+)", code)) <= declared, statement
    for table in tables.RAW_TABLES:
        assert all(_IDENTIFIER.match(n) for n in (table.name, table.key or "x")), table
        # Each file creates the table it is named after, and only that one.
        created = re.findall(r"create table if not exists raw\.(\w+)", table.ddl)
        assert created == [table.name], (table.name, created)


# -- (c) one landing folder, refreshed: quarantine, publish unchanged, publish refused -----------


def _marts_digest(warehouse: Path) -> dict[str, str]:
    """sha256 of every mart's rows in a stable order, by table."""
    digests = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        for name in tables:
            query = COVERAGE_AS_RECEIVED.get(name, f'select * from marts."{name}"')
            rows = con.execute(f"{query} order by all").fetchall()
            digests[name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


# A quarantined return whose manifest could be read is shown in the coverage marts as received
# but quarantined (its force and months, perhaps a year of its own): what was received must not
# change.
_QUARANTINE_COLUMNS = "exclude (status, quarantine_reason, quarantined_folders)"
COVERAGE_AS_RECEIVED = {
    "force_month_coverage": f"select * {_QUARANTINE_COLUMNS} from marts.force_month_coverage "
    "where status = 'received'",
    "return_coverage": "select * exclude (status, quarantine_reason) from marts.return_coverage "
    "where status = 'received'",
}


def _published_inputs(warehouse: Path) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            r for (r,) in con.execute("select return_id from meta.publication_inputs").fetchall()
        }


def test_corpus_in_the_landing_folder_is_quarantined_and_published_marts_do_not_change(tmp_path):
    landing = copy_sample_landing(tmp_path / "landing")
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    first = refresh(landing, warehouse)
    assert first.published, first.problems
    sample_inputs = _published_inputs(warehouse)
    marts = _marts_digest(warehouse)
    assert len(sample_inputs) == 43 and marts

    # Every return a refresh quarantines, among the 43 good ones: they still publish, unchanged.
    quarantined = write_corpus(landing, cases_at("parse", "landing"))
    second = refresh(landing, warehouse)
    assert second.published, second.problems
    assert set(second.quarantined) == {c.name for c in quarantined}
    for bad in quarantined:
        error = second.quarantined[bad.name]
        assert error.startswith(f"return {bad.name}: ") and bad.expect in error, (bad.name, error)
    assert _published_inputs(warehouse) == sample_inputs
    assert _marts_digest(warehouse) == marts
    published = warehouse.read_bytes()

    # Returns that parse but fail the refresh's dbt tests: nothing is published.
    refused = write_corpus(landing, cases_at("dbt"))
    third = refresh(landing, warehouse)
    assert not third.published
    assert warehouse.read_bytes() == published
    # dbt build stops what depends on a failed test, so the first failure hides the others
    # (each case's own message is asserted through check_landing above); every check that failed
    # is one of the cases' dbt tests, nothing else.
    # (a dbt test is quoted with its failing rows, "dbt test NAME failed on ..."; another check as
    # "check NAME on ASSET failed: ...")
    failed_checks = re.findall(
        r"^(?:check (\S+) on |dbt test (\S+) failed on )", "\n".join(third.problems), re.MULTILINE
    )
    failed_checks = [a or b for a, b in failed_checks]
    assert failed_checks, third.problems
    for check in failed_checks:
        assert any(bad.dbt_test in check for bad in refused), third.problems
    assert set(third.quarantined) == {c.name for c in quarantined}

    # The SQL-looking and formula text went in as data: stored verbatim, the table intact.
    build_db = build_db_path(warehouse)
    with duckdb.connect(str(build_db), read_only=True) as con:
        stored = con.execute(
            "select count(*) filter (where nationality_raw = ?), "
            "count(*) filter (where offence_raw = ?), count(*) from raw.return_cells",
            [SQL_TEXT, FORMULA],
        ).fetchone()
    assert stored[0] == 1 and stored[1] == 1 and stored[2] > 40_000
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from marts.source_cells").fetchone()[0] > 0
