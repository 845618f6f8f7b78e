"""Home Office arrest statistics as a second source: the open data table (long form) and the
published summary tables, read through a manifest per dataset into raw.home_office_* with lineage
(the tables are declared in orchestration/lib/landing/tables.py, HOME_OFFICE_TABLES).

    from orchestration.lib.sources.home_office import load_home_office
"""

from orchestration.lib.sources.home_office.load import HomeOfficeLoadReport, load_home_office

__all__ = ["HomeOfficeLoadReport", "load_home_office"]
