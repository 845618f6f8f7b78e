"""Great Expectations suites as code for the warehouse, and the runner the asset checks call.

GX is imported lazily (by the suite builders and the runner's first validation), because
importing it takes seconds and the Dagster code location only needs the registry and
``select_sql`` to load. Analytics are switched off here, before anything can import GX.
"""

import os

os.environ["GX_ANALYTICS_ENABLED"] = "false"

from expectations.runner import SuiteOutcome, validate_frame  # noqa: E402
from expectations.suites import SUITES, SuiteSpec, select_sql  # noqa: E402

__all__ = ["SUITES", "SuiteOutcome", "SuiteSpec", "select_sql", "validate_frame"]
