"""Download the files a manifest names by `url:` into the return folder's cache, `.pulled/<name>`.

Standard library only (urllib). Each download has a timeout, a few retries with back-off for
transient failures (connection errors, timeouts, HTTP 408/429/5xx) and a size limit; its sha256,
ETag and Last-Modified are kept beside the file in `<name>.pull.json`. A file is fetched again with
If-None-Match / If-Modified-Since when the server gave those, so an unchanged file is not
transferred (HTTP 304); otherwise it is fetched and replaced only if its sha256 changed, so the
return's fingerprint (and so its re-parsing) changes only when its content does.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib import atomic
from orchestration.lib.fingerprint import sha256_of
from orchestration.lib.sources.force_returns.manifest import (
    MANIFEST_NAME,
    ManifestError,
    PullOptions,
    ReturnManifest,
    load_manifest,
)

META_SUFFIX = ".pull.json"
USER_AGENT = "force-returns-warehouse (returns pull)"
_CHUNK = 1 << 16
_RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


class PullError(RuntimeError):
    """A file that could not be downloaded, naming the file, its address and why."""

    def __init__(self, file: str, url: str, detail: str):
        self.file = file
        self.url = url
        self.detail = detail
        super().__init__(f"file {file}: cannot download {url}: {detail}")


class _Transient(Exception):
    """A failure worth retrying."""


@dataclass(frozen=True)
class PullResult:
    file: str
    url: str
    status: str  # "downloaded", "not modified" (HTTP 304) or "unchanged" (same sha256)
    sha256: str
    size: int

    @property
    def changed(self) -> bool:
        return self.status == "downloaded"


def _cached_meta(target: Path, url: str) -> dict:
    """What the last download recorded, if the cached file is still the one it recorded."""
    meta_path = target.with_name(target.name + META_SUFFIX)
    if not (target.is_file() and meta_path.is_file()):
        return {}
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if meta.get("url") != url or meta.get("sha256") != sha256_of(target):
        return {}
    return meta


def _write_meta(target: Path, meta: dict) -> None:
    meta_path = target.with_name(target.name + META_SUFFIX)
    text = json.dumps(meta, indent=2, sort_keys=True) + "\n"
    if not meta_path.is_file() or meta_path.read_text(encoding="utf-8") != text:
        atomic.write_text(meta_path, text)


def pull_file(
    url: str,
    target: Path,
    options: PullOptions | None = None,
    *,
    name: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> PullResult:
    """Bring `target` up to date with `url`; raises PullError naming the file and the reason."""
    options = options or PullOptions()
    name = name or target.name
    target.parent.mkdir(parents=True, exist_ok=True)
    meta = _cached_meta(target, url)
    headers = {"User-Agent": USER_AGENT}
    if meta.get("etag"):
        headers["If-None-Match"] = meta["etag"]
    if meta.get("last_modified"):
        headers["If-Modified-Since"] = meta["last_modified"]
    attempts = options.retries + 1
    last: Exception | None = None
    for attempt in range(attempts):
        if attempt:
            sleep(min(0.25 * 2**attempt, 5.0))
        try:
            return _fetch(url, target, options, headers, meta, name)
        except _Transient as exc:
            last = exc
    raise PullError(name, url, f"{last} (gave up after {attempts} attempt(s))")


def _fetch(
    url: str, target: Path, options: PullOptions, headers: dict, meta: dict, name: str
) -> PullResult:
    request = urllib.request.Request(url, headers=headers)
    tmp = target.with_name(f".{target.name}.part")
    deadline = time.monotonic() + options.timeout_seconds
    try:
        with urllib.request.urlopen(request, timeout=options.timeout_seconds) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > options.max_bytes:
                raise PullError(name, url, _too_big(int(length), options))
            digest, size = hashlib.sha256(), 0
            with tmp.open("wb") as out:
                while chunk := response.read(_CHUNK):
                    size += len(chunk)
                    if size > options.max_bytes:
                        raise PullError(name, url, _too_big(size, options, at_least=True))
                    if time.monotonic() > deadline:
                        raise _Transient(f"timed out after {options.timeout_seconds:g}s")
                    digest.update(chunk)
                    out.write(chunk)
            etag = response.headers.get("ETag")
            last_modified = response.headers.get("Last-Modified")
    except urllib.error.HTTPError as exc:
        tmp.unlink(missing_ok=True)
        if exc.code == 304 and meta:
            return PullResult(name, url, "not modified", meta["sha256"], int(meta.get("bytes", 0)))
        if exc.code in _RETRY_STATUS:
            raise _Transient(f"HTTP {exc.code} {exc.reason}") from exc
        raise PullError(name, url, f"HTTP {exc.code} {exc.reason}") from exc
    except TimeoutError as exc:
        tmp.unlink(missing_ok=True)
        raise _Transient(f"timed out after {options.timeout_seconds:g}s") from exc
    except urllib.error.URLError as exc:
        tmp.unlink(missing_ok=True)
        reason = exc.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            raise _Transient(f"timed out after {options.timeout_seconds:g}s") from exc
        raise _Transient(f"connection failed: {reason}") from exc
    except OSError as exc:  # connection reset and the like
        tmp.unlink(missing_ok=True)
        raise _Transient(f"connection failed: {exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sha = digest.hexdigest()
    new_meta = {
        "url": url,
        "sha256": sha,
        "bytes": size,
        "etag": etag,
        "last_modified": last_modified,
    }
    if target.is_file() and sha256_of(target) == sha:
        tmp.unlink(missing_ok=True)
        _write_meta(target, new_meta)
        return PullResult(name, url, "unchanged", sha, size)
    os.replace(tmp, target)
    _write_meta(target, new_meta)
    return PullResult(name, url, "downloaded", sha, size)


def _too_big(size: int, options: PullOptions, at_least: bool = False) -> str:
    more = "more than " if at_least else ""
    return (
        f"{more}{size:,} bytes exceeds the size limit of {options.max_bytes:,} bytes "
        "(raise pull.max_bytes in the manifest if the file is genuine)"
    )


def pull_return(folder: Path, manifest: ReturnManifest | None = None) -> list[PullResult]:
    """Download every `url:` file of one return into its cache. A manifest that cannot be read
    pulls nothing (parsing reports it)."""
    if manifest is None:
        try:
            manifest = load_manifest(folder / MANIFEST_NAME)
        except ManifestError:
            return []
    return [
        pull_file(spec.url, spec.local_path(folder), spec.pull, name=spec.source_name)
        for spec in manifest.files
        if spec.url is not None
    ]
