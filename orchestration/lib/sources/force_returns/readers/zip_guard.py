"""Refuse an XLSX or ODS file (a zip archive) that is not safely a zip archive, before anything
unzips it for real.

A zip bomb of a few kilobytes can declare, or secretly hold, gigabytes. So the archive's
directory must declare no more unzipped bytes than the limit, no large member may be compressed
beyond MAX_ZIP_RATIO, and every member is inflated once, in bounded chunks, to check that it holds
exactly the bytes its directory declares: what passes can then be unzipped by calamine and by
the sheet-extent measures (xlsx.py, ods.py) without surprises.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

from orchestration.lib.sources.force_returns.readers.grid import ReadError
from orchestration.lib.sources.force_returns.readers.limits import Limits

# A zip member larger than ZIP_RATIO_FROM_BYTES unzipped may expand at most MAX_ZIP_RATIO times
# (spreadsheet XML compresses 5-30:1; deflate's ceiling is about 1030:1).
MAX_ZIP_RATIO = 200
ZIP_RATIO_FROM_BYTES = 1024 * 1024
ZIP_SUFFIXES = {".xlsx", ".xlsm", ".ods"}
# How much of a zip member is read or inflated at a time (here and in the sheet-extent measures).
CHUNK_BYTES = 1 << 20


def _zip_error(name: str, detail: str) -> ReadError:
    return ReadError.at(f"not a readable spreadsheet: {detail}", file=name)


def check_zip(path: Path, name: str, limits: Limits) -> None:
    """An XLSX or ODS file is a zip archive: refuse one that is not, is truncated, declares more
    unzipped bytes than the limit, has a large member compressed beyond MAX_ZIP_RATIO, or has a
    member that inflates to more (or less) than its directory declares."""
    kind = path.suffix.lower().lstrip(".").upper()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        with path.open("rb") as fh:
            head = fh.read(4)
        if head == b"PK\x03\x04":
            raise _zip_error(
                name,
                f"the file is truncated or damaged: it starts as a zip archive (as every {kind} "
                f"file is) but its zip directory is missing or broken ({exc})",
            ) from exc
        raise _zip_error(
            name,
            f"the file is not a zip archive, as every {kind} file is (is it another kind of file "
            "with the wrong extension?)",
        ) from exc
    with archive, path.open("rb") as fh:
        infos = archive.infolist()
        declared = sum(info.file_size for info in infos)
        if declared > limits.max_unzipped_bytes:
            raise _zip_error(
                name,
                f"it declares {declared:,} bytes unzipped, over the limit of "
                f"{limits.max_unzipped_bytes:,} bytes ({limits.unzipped_from}); a zip bomb?",
            )
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size >= ZIP_RATIO_FROM_BYTES and ratio > MAX_ZIP_RATIO:
                raise _zip_error(
                    name,
                    f"zip member {info.filename!r} expands {ratio:,.0f}:1 ({info.compress_size:,} "
                    f"to {info.file_size:,} bytes), above the limit of {MAX_ZIP_RATIO}:1; a zip bomb?",
                )
        for info in infos:
            _verify_member(fh, info, name)


def _verify_member(fh: io.BufferedReader, info: zipfile.ZipInfo, name: str) -> None:
    """Inflate one member in bounded chunks, checking it holds exactly the bytes it declares."""
    member = repr(info.filename)
    if info.flag_bits & 0x1:
        raise _zip_error(name, f"zip member {member} is encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _zip_error(
            name,
            f"zip member {member} uses compression method {info.compress_type}; expected "
            "deflate or none, as spreadsheet programs write",
        )
    fh.seek(info.header_offset)
    header = fh.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise _zip_error(name, f"zip member {member} is damaged (no local header)")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    remaining, produced = info.compress_size, 0
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    pending = b""
    try:
        while True:
            if not pending:
                if remaining <= 0:
                    break
                pending = fh.read(min(CHUNK_BYTES, remaining))
                if not pending:
                    break
                remaining -= len(pending)
            if inflater is None:
                produced += len(pending)
                pending = b""
            else:
                produced += len(inflater.decompress(pending, CHUNK_BYTES))
                pending = inflater.unconsumed_tail
            if produced > info.file_size:
                raise _zip_error(
                    name,
                    f"zip member {member} inflates to more than the {info.file_size:,} bytes its "
                    "zip directory declares; a zip bomb?",
                )
            if inflater is not None and inflater.eof:
                break
        if inflater is not None:
            produced += len(inflater.flush())
    except zlib.error as exc:
        raise _zip_error(name, f"zip member {member} is damaged ({exc})") from exc
    if produced != info.file_size or (inflater is not None and not inflater.eof):
        raise _zip_error(
            name,
            f"zip member {member} is damaged or truncated: it holds {produced:,} bytes, its zip "
            f"directory declares {info.file_size:,}",
        )
