"""The one place GX is imported: analytics off first, and only when a suite is built or run.

Importing GX takes seconds, so nothing imports it at module level.
"""

from __future__ import annotations

import os
from types import ModuleType


def gx() -> ModuleType:
    """The ``great_expectations`` module, imported with analytics disabled."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations

    return great_expectations
