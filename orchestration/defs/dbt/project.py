"""The dbt project for Dagster. Its manifest is prepared before the definitions load
(orchestration.lib.dbt_project.ensure_manifest), or by `dagster dev` here."""

from dagster_dbt import DbtProject

from orchestration.lib.settings import DBT_PROJECT_DIR

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
DBT_PROJECT.prepare_if_dev()
