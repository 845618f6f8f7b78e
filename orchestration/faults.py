"""Fault injection for the crash-safety tests: with WAREHOUSE_FAULT_AT=<stage> set, a refresh kills
its own process with SIGKILL on reaching that stage (parse, dbt, checks, publish). Unset in normal
use, when it does nothing."""

from __future__ import annotations

import os
import signal

FAULT_ENV = "WAREHOUSE_FAULT_AT"
STAGES = ("parse", "dbt", "checks", "publish")


def maybe_crash(stage: str) -> None:
    if os.environ.get(FAULT_ENV) == stage:
        os.killpg(os.getpgid(0), signal.SIGKILL)
