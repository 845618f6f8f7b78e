"""The one atomic write: a file is written under a temporary name beside its target and renamed
onto it, so a reader sees the old file or the new one, never half of one, and a crash leaves at
most a hidden `.<name>.<random>.tmp` behind (never the target changed)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TMP_SUFFIX = ".tmp"


def leftovers(target: Path) -> list[Path]:
    """Temporary files of writes to `target` that crashed before their rename."""
    return sorted(target.parent.glob(f".{target.name}.*{TMP_SUFFIX}"))


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside `target` to write; renamed onto `target` when the block ends
    without an error, removed when it raises."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{uuid.uuid4().hex}{TMP_SUFFIX}"
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def copy_file(source: Path, target: Path) -> None:
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)
