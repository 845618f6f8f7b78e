"""The one way to fingerprint content: sha256 of a file, and of a set of files named by their paths
relative to a root (so the fingerprint moves with the folder, and a renamed file changes it).

Returns and Home Office datasets (their folder), the dbt project (what decides how cells are
built and checked), the cell checks and the dbt docs page are all fingerprinted with these.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def files_fingerprint(
    root: Path,
    paths: Iterable[Path],
    digests: dict[Path, str] | None = None,
    seed: str = "",
) -> str:
    """sha256 over each path (relative to `root`, sorted) and its content's sha256. A symbolic
    link counts by where it points, never by what it points to, so nothing outside is read.
    `digests`, when given, receives each file's own sha256 by path, so it is not hashed again;
    `seed` folds in something that is not a file (another fingerprint, a version)."""
    digest = hashlib.sha256(seed.encode())
    for path in sorted(paths):
        name = path.relative_to(root).as_posix().encode()
        if path.is_symlink():
            digest.update(name + b"\0symlink:" + os.fsencode(os.readlink(path)) + b"\n")
        elif path.is_file():
            file_sha = sha256_of(path)
            if digests is not None:
                digests[path] = file_sha
            digest.update(name + b"\0" + file_sha.encode() + b"\n")
    return digest.hexdigest()


def folder_files(folder: Path) -> list[Path]:
    """Every file below a folder, and every link to a folder (counted by its target, not entered)."""
    entries: list[Path] = []
    for root, dirs, files in os.walk(folder):
        base = Path(root)
        entries += [base / name for name in files]
        entries += [base / name for name in dirs if (base / name).is_symlink()]
    return entries


def folder_fingerprint(folder: Path, digests: dict[Path, str] | None = None) -> str:
    """sha256 over everything in a folder (a return, a dataset): changes when anything in it does."""
    return files_fingerprint(folder, folder_files(folder), digests)


def link_fingerprint(link: Path) -> str:
    """A symbolic link by where it points (what it points to is not read)."""
    return hashlib.sha256(b"symlink:" + os.fsencode(os.readlink(link))).hexdigest()


def stat_fingerprint(folder: Path) -> str:
    """A cheap fingerprint that reads no content: each file's path, size and modification time.
    For noticing that something changed (the landing sensor), not for telling what."""
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()
