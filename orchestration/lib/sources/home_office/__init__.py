"""Home Office arrest statistics as a second source: the open data table (long form) and the
published summary tables, read through a manifest per dataset into raw.home_office_* with lineage.

    from orchestration.lib.sources.home_office import load_home_office, RAW_TABLES
"""

from orchestration.lib.sources.home_office.load import HomeOfficeLoadReport, load_home_office
from orchestration.lib.sources.home_office.raw_tables import RAW_TABLES

__all__ = ["RAW_TABLES", "HomeOfficeLoadReport", "load_home_office"]
