"""One writer at a time per warehouse: an OS file lock beside the published file, taken by every
writer (`warehouse refresh`, `warehouse rollback`, `warehouse dbt`, and each Dagster run for its
whole length, defs/resources.py `WriterLock`), so a crashed writer never leaves it held.

While held, the lock file says who holds it (pid, command, start time) for the message a second
writer gets, and a random token: dbt's `on-run-start` hook (dbt_project/macros/writer_lock.sql)
reads the file and refuses to write a warehouse's build database unless the process that started
dbt handed it that token (WRITER_TOKEN_ENV). The holder clears the file when it lets go.

Within one process the lock is re-entrant: the `warehouse refresh` command holds it, and the
Dagster run it executes in that process takes it again for the run.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import secrets
import shlex
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

# The variable through which a lock holder gives the dbt it starts the lock's token.
WRITER_TOKEN_ENV = "WAREHOUSE_WRITER_TOKEN"


class RefreshBusy(RuntimeError):
    """Another writer of the same warehouse holds the lock."""


@dataclass(frozen=True)
class Holder:
    pid: int
    command: str
    started: str  # ISO time, local
    token: str

    def describe(self) -> str:
        return f"pid {self.pid}, `{self.command}`, since {self.started}"


@dataclass
class _Held:
    holder: Holder
    depth: int


_held: dict[Path, _Held] = {}  # the locks this process holds


def lock_path(published: Path) -> Path:
    return published.parent / f".refresh-{published.stem}.lock"


def _key(published: Path) -> Path:
    return lock_path(published).absolute()


def _read_holder(text: str) -> Holder | None:
    try:
        data = json.loads(text)
        return Holder(int(data["pid"]), str(data["command"]), str(data["started"]), data["token"])
    except (ValueError, KeyError, TypeError):
        return None


def holder(published: Path) -> Holder | None:
    """Who holds the lock of `published` now, or None when nobody does."""
    held = _held.get(_key(published))
    if held is not None:
        return held.holder
    path = lock_path(published)
    try:
        fh = path.open("r")
    except FileNotFoundError:
        return None
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(fh.read()) or Holder(0, "unknown", "unknown", "")
        fcntl.flock(fh, fcntl.LOCK_UN)
        return None


def token_held(published: Path) -> str:
    """The token of the lock this process holds on `published` (for the dbt it starts)."""
    held = _held.get(_key(published))
    if held is None:
        raise RuntimeError(f"this process does not hold the writer lock of {published}")
    return held.holder.token


def this_command() -> str:
    return shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "python"


def _busy(published: Path, fh) -> RefreshBusy:
    fh.seek(0)
    found = _read_holder(fh.read())
    who = found.describe() if found else "a process that has not said who it is yet"
    return RefreshBusy(
        f"another refresh of {published} is running ({who}); wait for it or pass --wait SECONDS"
    )


@contextmanager
def refresh_lock(
    published: Path, wait_seconds: float = 0, command: str | None = None
) -> Iterator[Holder]:
    """Hold the writer lock of `published` (waiting up to `wait_seconds`), or raise RefreshBusy
    naming the holder."""
    key = _key(published)
    held = _held.get(key)
    if held is not None:  # this process holds it already
        held.depth += 1
        try:
            yield held.holder
        finally:
            held.depth -= 1
        return
    path = lock_path(published)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as fh:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _busy(published, fh) from None
                time.sleep(0.5)
        me = Holder(
            pid=os.getpid(),
            command=command or this_command(),
            started=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            token=secrets.token_hex(16),
        )
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(asdict(me)))
        fh.flush()
        _held[key] = _Held(me, 1)
        try:
            yield me
        finally:
            del _held[key]
            # Clear the holder (and its token) before letting go: a stale token opens nothing.
            fh.seek(0)
            fh.truncate()
            fh.flush()
            fcntl.flock(fh, fcntl.LOCK_UN)
