"""One writer at a time per warehouse file: an OS file lock beside it, so a crashed refresh never
leaves it held. The lock file names the holder's pid for the message a second writer gets."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class RefreshBusy(RuntimeError):
    """Another refresh of the same warehouse is running."""


@contextmanager
def refresh_lock(published: Path, wait_seconds: float = 0) -> Iterator[None]:
    published.parent.mkdir(parents=True, exist_ok=True)
    path = published.parent / f".refresh-{published.stem}.lock"
    with path.open("a+") as fh:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "unknown"
                    raise RefreshBusy(
                        f"another refresh of {published} is running (pid {holder}); "
                        "wait for it or pass --wait SECONDS"
                    ) from None
                time.sleep(0.5)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
