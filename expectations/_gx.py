"""The one place GX is imported, and only when a suite is built or run.

Importing GX takes seconds of pure-Python work, so nothing imports it at module level. A refresh
imports it in a background thread (``preload``) while the main thread only waits on the `dbt build`
subprocess; by the time the checks run, it is there. Started any earlier (e.g. when the
definitions load), the import competes with the main thread for the GIL and saves nothing:
measured, it delays loading the definitions by as much as it saves later.
"""

from __future__ import annotations

import sys
import threading
from types import ModuleType

_preload: threading.Thread | None = None
_preload_lock = threading.Lock()


def _import() -> ModuleType:
    # GX 1.24 sends no usage statistics (it has no analytics module), so nothing to switch off.
    import great_expectations

    return great_expectations


def gx() -> ModuleType:
    """The ``great_expectations`` module."""
    if _preload is not None:
        _preload.join()  # a background import in progress: wait rather than import beside it
    return _import()


def _import_quietly() -> None:
    try:
        _import()
    except Exception:  # noqa: BLE001 - gx() imports again in the caller and raises there
        pass


def preload() -> None:
    """Start importing GX in a background thread, once per process."""
    global _preload
    with _preload_lock:
        if _preload is None and "great_expectations" not in sys.modules:
            # Not a daemon: a process never exits in the middle of the import.
            _preload = threading.Thread(target=_import_quietly, name="gx-preload")
            _preload.start()
