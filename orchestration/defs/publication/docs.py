"""dbt docs for the published warehouse, as one self-contained page at
<warehouse dir>/docs/dbt/index.html (linked from the report), published after every refresh.

The page is a function of the dbt project (manifest) and of the relations' column types (catalog),
not of the data, and `dbt docs generate` takes seconds. So each generated page is cached under
dbt_project/target/ (git-ignored), keyed by a hash of exactly those inputs, and a refresh whose
key matches copies the cached page instead of running dbt.
"""

import hashlib
import json
import tempfile
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.defs.publication.assets import published_warehouse
from orchestration.defs.resources import DbtCoreCli, WarehouseConfig
from orchestration.lib import atomic
from orchestration.lib.dbt_project import build_vars, ensure_manifest, project_fingerprint
from orchestration.lib.settings import DBT_PROJECT_DIR

CACHE_DIR = DBT_PROJECT_DIR / "target" / "static_docs"
CACHE_KEEP = 4  # pages kept: the current project's and a few earlier ones (branch switches)

# What dbt-duckdb's catalog reads (macros/catalog.sql): relations, their columns and comments.
CATALOG_SQL = """
select schema_name, table_name, 'table', comment, null, null, null from duckdb_tables()
where database_name = current_database()
union all
select schema_name, view_name, 'view', comment, null, null, null from duckdb_views()
where database_name = current_database() and not internal
union all
select schema_name, table_name, 'column', comment, column_index, column_name, data_type
from duckdb_columns() where database_name = current_database() and not internal
order by all
"""

# Per-parse values in the manifest that the page does not depend on.
_VOLATILE = {"metadata", "created_at"}


def _stable(value):
    """The manifest without what changes when an unchanged project is parsed again: its stamps
    (parse time, invocation id, node creation times) and the order of its lists (a full parse
    lists a model's dependencies in varying order)."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in _VOLATILE}
    if isinstance(value, list):
        return sorted((_stable(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def docs_key(manifest: Path, build_db: Path) -> str:
    """Hash of what the static page is made of: dbt versions, the parsed project and the catalog
    (column types also come from outside dbt: the raw tables ingest creates)."""
    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb"):
        digest.update(f"{package}=={version(package)}\n".encode())
    project = _stable(json.loads(manifest.read_bytes()))
    digest.update(json.dumps(project, sort_keys=True).encode())
    with duckdb.connect(str(build_db), read_only=True) as con:
        # The catalog's name (the build file's stem) is part of every relation name on the page.
        digest.update(repr(con.execute("select current_database()").fetchall()).encode())
        digest.update(repr(con.execute(CATALOG_SQL).fetchall()).encode())
    return digest.hexdigest()[:32]


def publish_docs(
    key: str, out: Path, generate: Callable[[Path], None], cache_dir: Path = CACHE_DIR
) -> bool:
    """Publish the page for ``key`` at ``out``: from the cache, or made by ``generate(target)``
    (which writes ``target``/static_index.html) and cached. Returns whether the cache served it."""
    cached = cache_dir / f"{key}.html"
    hit = cached.is_file()
    if not hit:
        with tempfile.TemporaryDirectory() as target:
            generate(Path(target))
            cache_dir.mkdir(parents=True, exist_ok=True)
            atomic.copy_file(Path(target) / "static_index.html", cached)
        pages = sorted(cache_dir.glob("*.html"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in pages[CACHE_KEEP:]:
            stale.unlink(missing_ok=True)
    atomic.copy_file(cached, out)
    return hit


@dg.asset(
    deps=[published_warehouse],
    group_name="publication",
    kinds={"dbt", "html"},
    description="dbt docs (models, columns, tests, lineage) of the published warehouse.",
)
def warehouse_docs(context: dg.AssetExecutionContext, dbt: DbtCoreCli, warehouse: WarehouseConfig):
    settings = warehouse.settings
    out = settings.published.parent / "docs" / "dbt" / "index.html"
    key = docs_key(ensure_manifest(), settings.build_db)

    def generate(target: Path) -> None:
        # --static writes one self-contained page that opens from disk without a web server.
        dbt_vars = build_vars(settings, project_fingerprint())
        dbt.cli(["docs", "generate", "--static", "--vars", dbt_vars], target_path=target).wait()

    cached = publish_docs(key, out, generate)
    context.log.info(f"dbt docs at {out} ({'cached' if cached else 'generated'}, key {key})")
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(out)), "cached": cached, "docs_key": key}
    )
