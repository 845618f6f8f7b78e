"""One Dagster dynamic partition per return folder in the landing folder, so that a new or
corrected return is parsed in a run of its own partition while the others are left as loaded."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from orchestration.returns.manifest import return_folders

RETURN_PARTITIONS = dg.DynamicPartitionsDefinition(name="force_returns")

# Run tags that make one run cover a range of partitions (with a single-run backfill policy).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def landing_partition_keys(landing: Path) -> list[str]:
    return [folder.name for folder in return_folders(landing)]


def sync_partitions(instance: dg.DagsterInstance, landing: Path) -> list[str]:
    """Make the instance's partitions the landing folder's returns; the keys, in partition order."""
    name = RETURN_PARTITIONS.name
    wanted = landing_partition_keys(landing)
    existing = instance.get_dynamic_partitions(name)
    for key in set(existing) - set(wanted):
        instance.delete_dynamic_partition(name, key)
    if new := [key for key in wanted if key not in existing]:
        instance.add_dynamic_partitions(name, new)
    return instance.get_dynamic_partitions(name)


def whole_range_tags(keys: list[str]) -> dict[str, str]:
    """Tags for one run over every partition (unchanged returns are skipped by content hash)."""
    return {RANGE_START_TAG: keys[0], RANGE_END_TAG: keys[-1]}
