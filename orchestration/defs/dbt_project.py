"""The dbt project, with its manifest prepared once and re-parsed only when a dbt file changed."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration import settings

DBT_PROJECT = DbtProject(
    project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR
)
_SOURCE_DIRS = ("models", "seeds", "macros", "tests")
FINGERPRINT_ENV = "WAREHOUSE_DBT_FINGERPRINT"


def _source_files(project_dir: Path) -> list[Path]:
    paths = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for folder in _SOURCE_DIRS:
        paths += sorted(p for p in (project_dir / folder).rglob("*") if p.is_file())
    return paths


def _newest_source_mtime(project_dir: Path) -> float:
    return max(p.stat().st_mtime for p in _source_files(project_dir))


def project_fingerprint(project_dir: Path) -> str:
    """sha256 of the dbt project's code and seeds. Incremental models keep it beside their rows and
    rebuild every row when it changes, so new logic or lookups never mix with rows built by old."""
    digest = hashlib.sha256()
    for path in _source_files(project_dir):
        digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def dbt_environment() -> dict[str, str]:
    """The environment dbt runs in: profiles.yml reads the build database's path from it. Parsing
    and building with the same value keeps dbt's partial parsing valid between the two."""
    return {
        **os.environ,
        "WAREHOUSE_BUILD_DB": str(settings.build_db_path(settings.warehouse_path())),
    }


def ensure_manifest(project: DbtProject = DBT_PROJECT) -> Path:
    """Run `dbt parse` (partial parsing keeps it quick) when the manifest is missing or stale."""
    manifest = project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(
        project.project_dir
    ):
        subprocess.run(
            [
                settings.DBT_EXECUTABLE,
                "parse",
                "--quiet",
                "--project-dir",
                str(project.project_dir),
                "--profiles-dir",
                str(project.project_dir),
            ],
            check=True,
            env=dbt_environment(),
        )
    return manifest


# Every dbt process started from here (parse, build, docs) inherits it; models read it with env_var.
os.environ[FINGERPRINT_ENV] = project_fingerprint(settings.DBT_PROJECT_DIR)
ensure_manifest()
