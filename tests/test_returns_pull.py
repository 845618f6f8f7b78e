"""Pulling files a manifest names by `url:`, against a local HTTP server this test starts on
127.0.0.1 (an ephemeral port; it stops when the test ends, or by itself after a minute)."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.lib.sources.force_returns.ingest import ingest_landing
from orchestration.lib.sources.force_returns.manifest import PullOptions
from orchestration.lib.sources.force_returns.parse import parse_return
from orchestration.lib.sources.force_returns.pull import (
    META_SUFFIX,
    PullError,
    pull_file,
    pull_return,
)

CSV = b"Month,Offence,Nationality,Arrests\n2023-04,Robbery,UK,12\n2023-04,Robbery,POLISH,*\n"


@dataclass
class Route:
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    send_length: bool = True
    fail_first: int = 0  # answer 503 to this many requests first


@dataclass
class ServerState:
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server API
        state: ServerState = self.server.state  # type: ignore[attr-defined]
        state.requests.append((self.path, dict(self.headers)))
        route = state.routes.get(self.path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        if route.fail_first > 0:
            route.fail_first -= 1
            self.send_error(503, "Service Unavailable")
            return
        if route.delay and state.release.wait(route.delay):
            return
        if (route.etag and self.headers.get("If-None-Match") == route.etag) or (
            route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified
        ):
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        if route.send_length:
            self.send_header("Content-Length", str(len(route.body)))
        if route.etag:
            self.send_header("ETag", route.etag)
        if route.last_modified:
            self.send_header("Last-Modified", route.last_modified)
        self.end_headers()
        self.wfile.write(route.body)

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture()
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    httpd.state = ServerState()  # type: ignore[attr-defined]
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    watchdog = threading.Timer(60, httpd.shutdown)  # bounded: stops itself if a test hangs
    watchdog.daemon = True
    watchdog.start()
    try:
        yield httpd
    finally:
        httpd.state.release.set()  # type: ignore[attr-defined]
        watchdog.cancel()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def url(httpd, path: str) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}{path}"


def test_download_records_sha256_and_parses(server, tmp_path):
    server.state.routes["/returns/arrests.csv"] = Route(CSV, etag='"v1"')
    folder = tmp_path / "cleveland-pulled"
    folder.mkdir()
    manifest = {
        "return_id": "cleveland-pulled",
        "force": "E23000013",
        "reference": "TEST",
        "received": "2024-05-15",
        "period": {"start": "2023-04", "end": "2023-04"},
        "data_origin": "synthetic",
        "files": [
            {
                "url": url(server, "/returns/arrests.csv"),
                "layout": "long",
                "columns": {
                    "month": "Month",
                    "offence": "Offence",
                    "nationality": "Nationality",
                    "count": "Arrests",
                },
                "suppression": {"markers": ["*"]},
            }
        ],
    }
    (folder / "manifest.yml").write_text(yaml.safe_dump(manifest), encoding="utf-8")

    (result,) = pull_return(folder)

    cached = folder / ".pulled" / "arrests.csv"
    assert result.status == "downloaded" and cached.read_bytes() == CSV
    assert (
        result.sha256
        == hashlib.sha256(CSV).hexdigest()
        == json.loads((folder / ".pulled" / f"arrests.csv{META_SUFFIX}").read_text())["sha256"]
    )
    parsed = parse_return(folder)
    assert [(c["count_raw"], c["source_file"]) for c in parsed.cells.to_pylist()] == [
        ("12", ".pulled/arrests.csv"),
        ("*", ".pulled/arrests.csv"),
    ]
    assert parsed.files[0]["source_url"] == manifest["files"][0]["url"]
    assert parsed.files[0]["file_sha256"] == result.sha256


def test_unchanged_file_with_etag_is_not_downloaded_again(server, tmp_path):
    server.state.routes["/a.csv"] = Route(
        CSV, etag='"v1"', last_modified="Wed, 15 May 2024 00:00:00 GMT"
    )
    target = tmp_path / ".pulled" / "a.csv"
    assert pull_file(url(server, "/a.csv"), target).status == "downloaded"
    mtime = target.stat().st_mtime_ns

    second = pull_file(url(server, "/a.csv"), target)

    assert second.status == "not modified" and not second.changed
    headers = server.state.requests[-1][1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Wed, 15 May 2024 00:00:00 GMT"
    assert target.stat().st_mtime_ns == mtime


def test_unchanged_file_without_validators_is_kept_by_sha256(server, tmp_path):
    server.state.routes["/a.csv"] = Route(CSV)
    target = tmp_path / ".pulled" / "a.csv"
    pull_file(url(server, "/a.csv"), target)
    mtime = target.stat().st_mtime_ns

    second = pull_file(url(server, "/a.csv"), target)

    assert second.status == "unchanged" and second.sha256 == hashlib.sha256(CSV).hexdigest()
    assert "If-None-Match" not in server.state.requests[-1][1]
    assert target.stat().st_mtime_ns == mtime


def test_changed_file_is_downloaded_again(server, tmp_path):
    server.state.routes["/a.csv"] = Route(CSV, etag='"v1"')
    target = tmp_path / ".pulled" / "a.csv"
    pull_file(url(server, "/a.csv"), target)
    changed = CSV.replace(b",12\n", b",13\n")
    server.state.routes["/a.csv"] = Route(changed, etag='"v2"')

    result = pull_file(url(server, "/a.csv"), target)

    assert result.status == "downloaded" and target.read_bytes() == changed
    assert result.sha256 == hashlib.sha256(changed).hexdigest()


@pytest.mark.parametrize("send_length", [True, False], ids=["content-length", "streamed"])
def test_size_limit_exceeded_is_a_clear_error_and_keeps_the_cached_copy(
    server, tmp_path, send_length
):
    server.state.routes["/a.csv"] = Route(CSV)
    target = tmp_path / ".pulled" / "a.csv"
    pull_file(url(server, "/a.csv"), target)
    server.state.routes["/a.csv"] = Route(CSV * 1000, send_length=send_length)

    with pytest.raises(PullError) as error:
        pull_file(url(server, "/a.csv"), target, PullOptions(max_bytes=1000))

    message = str(error.value)
    assert message.startswith(f"file a.csv: cannot download {url(server, '/a.csv')}: ")
    assert "exceeds the size limit of 1,000 bytes" in message and "pull.max_bytes" in message
    assert target.read_bytes() == CSV
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.csv", f"a.csv{META_SUFFIX}"]
    assert len(server.state.requests) == 2  # a size limit is not retried


def test_timeout_is_retried_then_reported(server, tmp_path):
    server.state.routes["/slow.csv"] = Route(CSV, delay=10)
    with pytest.raises(PullError) as error:
        pull_file(
            url(server, "/slow.csv"),
            tmp_path / "slow.csv",
            PullOptions(timeout_seconds=0.3, retries=1),
            sleep=lambda _: None,
        )
    assert "timed out after 0.3s (gave up after 2 attempt(s))" in str(error.value)
    assert len(server.state.requests) == 2
    assert not (tmp_path / "slow.csv").exists()


def test_server_error_is_retried_and_not_found_is_not(server, tmp_path):
    server.state.routes["/flaky.csv"] = Route(CSV, fail_first=2)
    result = pull_file(
        url(server, "/flaky.csv"),
        tmp_path / "flaky.csv",
        PullOptions(retries=2),
        sleep=lambda _: None,
    )
    assert result.status == "downloaded" and len(server.state.requests) == 3

    with pytest.raises(PullError, match="HTTP 404"):
        pull_file(
            url(server, "/missing.csv"),
            tmp_path / "missing.csv",
            PullOptions(retries=3),
            sleep=lambda _: None,
        )
    assert len(server.state.requests) == 4


def _pulled_return(landing: Path, address: str) -> Path:
    folder = landing / "gwent-pulled"
    folder.mkdir(parents=True)
    manifest = {
        "return_id": "gwent-pulled",
        "force": "Gwent Police",
        "reference": "TEST",
        "received": "2024-05-15",
        "period": {"start": "2023-04", "end": "2023-04"},
        "data_origin": "synthetic",
        "files": [
            {
                "url": address,
                "path": "gwent.csv",
                "layout": "long",
                "columns": {
                    "month": "Month",
                    "offence": "Offence",
                    "nationality": "Nationality",
                    "count": "Arrests",
                },
                "suppression": {"markers": ["*"]},
                "pull": {"timeout_seconds": 2, "retries": 0},
            }
        ],
    }
    (folder / "manifest.yml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    return folder


def test_ingest_pulls_before_parsing_and_reparses_only_when_content_changes(server, tmp_path):
    server.state.routes["/gwent"] = Route(CSV, etag='"v1"')
    landing = tmp_path / "landing"
    _pulled_return(landing, url(server, "/gwent"))
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        logs: list[str] = []
        first = ingest_landing(con, landing, log=logs.append)
        assert first.parsed == ["gwent-pulled"]
        assert any("pulled gwent-pulled/.pulled/gwent.csv: downloaded" in line for line in logs)
        assert con.execute("select source_file, source_url from raw.return_files").fetchall() == [
            (".pulled/gwent.csv", url(server, "/gwent"))
        ]

        assert ingest_landing(con, landing, log=logs.append).unchanged == ["gwent-pulled"]

        server.state.routes["/gwent"] = Route(CSV.replace(b",12\n", b",14\n"), etag='"v2"')
        assert ingest_landing(con, landing, log=logs.append).parsed == ["gwent-pulled"]
        assert con.execute(
            "select count_raw from raw.return_cells where nationality_raw = 'UK'"
        ).fetchall() == [("14",)]

        del server.state.routes["/gwent"]
        failed = ingest_landing(con, landing, log=logs.append)
        error = failed.quarantined["gwent-pulled"]
        assert error.startswith("return gwent-pulled: file .pulled/gwent.csv: cannot download ")
        assert "HTTP 404" in error
        # The last good load stays in use.
        assert con.execute("select count(*) from raw.return_cells").fetchone()[0] == 2
