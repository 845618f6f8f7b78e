"""Great Expectations suites as code for the warehouse, and the runner the asset checks call.

GX itself is imported lazily (see ``_gx``): importing it takes seconds, and the Dagster code
location only needs the registry and ``select_sql`` to load.
"""

from expectations.runner import SuiteOutcome, validate_frame
from expectations.suites import SUITES, SuiteSpec, select_sql

__all__ = ["SUITES", "SuiteOutcome", "SuiteSpec", "select_sql", "validate_frame"]
