"""One Dagster dynamic partition per return folder in the landing folder, so that a new or
corrected return is parsed in a run of its own partition while the others are left as loaded."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from orchestration.lib.sources.force_returns.manifest import return_folders

RETURN_PARTITIONS_NAME = "force_returns"
RETURN_PARTITIONS = dg.DynamicPartitionsDefinition(name=RETURN_PARTITIONS_NAME)


def landing_partition_keys(landing: Path) -> list[str]:
    return [folder.name for folder in return_folders(landing)]
