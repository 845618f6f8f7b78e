"""Ctrl-C (SIGINT) and SIGTERM stop a command cleanly: the command unwinds (locks released,
nothing half-published, see publication/publish.py) and exits 128 + the signal's number (130,
143) with one line, not a traceback.

Dagster replaces both handlers while it executes a run (SIGTERM is mapped to its SIGINT handler,
which forgets the number), so which signal arrived is read from a wakeup pipe, written by Python's
C-level handler for every signal whatever Python handler is installed."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class SignalLog:
    def __init__(self, read_fd: int) -> None:
        self._fd = read_fd
        self._seen: list[int] = []

    def first(self) -> int | None:
        """The first stop signal received so far, or None."""
        try:
            while chunk := os.read(self._fd, 512):
                self._seen += [n for n in chunk if n in STOP_SIGNALS]
        except BlockingIOError:
            pass
        return self._seen[0] if self._seen else None


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def exit_code(signum: int) -> int:
    return 128 + signum


@contextmanager
def stop_signals_recorded() -> Iterator[SignalLog]:
    """SIGTERM raises KeyboardInterrupt as SIGINT does, and both are recorded. Main thread only."""
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    os.set_blocking(write_fd, False)
    previous_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    previous = {s: signal.signal(s, _interrupt) for s in STOP_SIGNALS}
    try:
        yield SignalLog(read_fd)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        signal.set_wakeup_fd(previous_fd)
        os.close(read_fd)
        os.close(write_fd)
