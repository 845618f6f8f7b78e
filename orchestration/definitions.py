"""The code location: definitions are found by folder (orchestration/defs/), not listed here; the
resources say which warehouse they build (`build_definitions`)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from orchestration.lib.settings import WarehouseSettings


def build_definitions(settings: WarehouseSettings) -> dg.Definitions:
    """Every asset, check, job, schedule and sensor of defs/, bound to one warehouse's resources.
    The dbt manifest must be prepared first (orchestration.lib.dbt_project.ensure_manifest)."""
    from orchestration.defs.resources import resources_for

    found = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    # Runs of hand-picked assets too execute in one process, holding the writer lock throughout.
    return dg.Definitions.merge(
        found,
        dg.Definitions(resources=resources_for(settings), executor=dg.in_process_executor),
    )


@dg.definitions
def defs() -> dg.Definitions:
    """What `dagster dev` loads: the warehouse the documented user settings name (see the README),
    read by the `warehouse` command's own function, so both point at the same files."""
    from orchestration.cli import settings_from_environment

    return build_definitions(settings_from_environment())
