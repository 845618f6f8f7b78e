"""force-returns-warehouse: the Dagster code location and the `warehouse` command."""
