"""The dbt project as the library sees it: its fingerprint, its manifest (parsed only when a dbt
file changed), and the variables a build passes to it (`--vars`, read in the project with var())."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from orchestration.lib.fingerprint import files_fingerprint
from orchestration.lib.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, WarehouseSettings

_SOURCE_DIRS = ("models", "seeds", "macros", "tests")


def source_files(project_dir: Path = DBT_PROJECT_DIR) -> list[Path]:
    paths = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for folder in _SOURCE_DIRS:
        paths += sorted(p for p in (project_dir / folder).rglob("*") if p.is_file())
    return paths


def project_fingerprint(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """sha256 of the dbt project's code and seeds. Incremental models keep it beside their rows and
    rebuild every row when it changes, so new logic or lookups never mix with rows built by old."""
    return files_fingerprint(project_dir, source_files(project_dir))


def build_vars(
    settings: WarehouseSettings, fingerprint: str, scope_cell_checks: bool = True
) -> str:
    """The `--vars` of a refresh's dbt commands: the build database (profiles.yml), the project's
    fingerprint (incremental models' keys), and whether row tests of the cells run only on
    returns not checked yet (macros/cell_check_scope.sql). All constant between refreshes of an unchanged
    project, so dbt's partial parsing, which any change of vars invalidates, stays valid."""
    return json.dumps(
        {
            "build_db": str(settings.build_db),
            "project_fingerprint": fingerprint,
            "scope_cell_checks": scope_cell_checks,
        },
        sort_keys=True,
    )


def ensure_manifest(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """Run `dbt parse` (partial parsing keeps it quick) when the manifest Dagster builds its asset
    graph from is missing or older than a dbt file. Called before the definitions load (`make env`,
    `warehouse refresh`, the tests), never on import; `dagster dev` parses through
    DbtProject.prepare_if_dev()."""
    manifest = project_dir / "target" / "manifest.json"
    newest = max(p.stat().st_mtime for p in source_files(project_dir))
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        subprocess.run(
            [
                DBT_EXECUTABLE,
                "parse",
                "--quiet",
                "--project-dir",
                str(project_dir),
                "--profiles-dir",
                str(project_dir),
            ],
            check=True,
        )
    return manifest


def run_dbt_as_writer(settings: WarehouseSettings, dbt_args: list[str], wait_seconds: float) -> int:
    """dbt by hand on the warehouse's build database: the refresh's project, profile and --vars
    (unless given) and its target folder, while this process holds the writer lock, whose token
    the dbt process gets (macros/writer_lock.sql checks it). Returns dbt's exit code."""
    import os

    from orchestration.lib.lock import WRITER_TOKEN_ENV, refresh_lock

    command = [DBT_EXECUTABLE, *dbt_args]
    command += ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    if "--vars" not in dbt_args:
        command += ["--vars", build_vars(settings, project_fingerprint())]
    if "--target-path" not in dbt_args:
        command += ["--target-path", str(settings.dbt_target)]
    settings.build_db.parent.mkdir(parents=True, exist_ok=True)
    with refresh_lock(settings.published, wait_seconds) as holder:
        env = {**os.environ, WRITER_TOKEN_ENV: holder.token}
        return subprocess.run(command, env=env, check=False).returncode
