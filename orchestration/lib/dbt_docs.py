"""The dbt docs page of a published warehouse, cached: one self-contained page
(`dbt docs generate --static`) per key, where the key hashes exactly what the page is made of: the
dbt project (manifest) and the relations' column types (catalog), not the data. `dbt docs
generate` takes seconds, so a refresh whose key matches copies the cached page instead. The cache
lives under dbt_project/target/ (git-ignored).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import duckdb

from orchestration.lib import atomic
from orchestration.lib.settings import DBT_PROJECT_DIR
from orchestration.lib.sql import read_sql

CACHE_DIR = DBT_PROJECT_DIR / "target" / "static_docs"
CACHE_KEEP = 4  # pages kept: the current project's and a few earlier ones (branch switches)

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
        digest.update(
            repr(con.execute(read_sql(__package__, "dbt_docs_catalog")).fetchall()).encode()
        )
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
