"""Great Expectations Data Docs from the validation results of one refresh.

Each asset check stores its suite's ``ExpectationSuiteValidationResult`` as JSON (``save_result``)
in a folder of the run; once the warehouse is published, ``publish_data_docs`` renders them all as
one GX file-system Data Docs site (index, one page per validation and per suite) and swaps it into
place. The site is written into a hidden sibling folder first and renamed over the old one, so a
reader never opens a half-written site and only the latest refresh's results are shown.

Rendering uses a fresh ephemeral context per call: its in-memory validation results and
expectations stores hold only this refresh's results and suites, and nothing outlives the call.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from expectations._gx import gx as _gx
from expectations.runner import _LOCK, SuiteOutcome
from expectations.suites import SUITES
from orchestration.lib import atomic

SITE_NAME = "warehouse"
_STAGING_PREFIX = ".gx-"  # hidden siblings of the site folder: new sites and replaced ones


def save_result(outcome: SuiteOutcome, folder: Path, run_name: str) -> Path:
    """Write one suite's validation result to ``<folder>/<suite>.json`` (atomically), stamped
    with the run it belongs to so Data Docs show the run name and time."""
    if not outcome.result:
        raise ValueError(f"no GX result kept for suite {outcome.suite!r}")
    data = dict(outcome.result)
    meta = dict(data.get("meta") or {})
    meta["run_id"] = {
        "run_name": run_name,
        "run_time": meta.get("validation_time") or datetime.now(UTC).isoformat(),
    }
    data["meta"] = meta
    target = folder / f"{outcome.suite}.json"
    atomic.write_text(target, json.dumps(data, indent=1, sort_keys=True))
    return target


def load_results(folder: Path) -> list[dict[str, Any]]:
    """The stored results in ``folder`` (one per registered suite), in suite order."""
    if not folder.is_dir():
        return []
    found = [folder / f"{name}.json" for name in SUITES]
    return [json.loads(p.read_text()) for p in found if p.is_file()]


def _site_config(base_directory: Path) -> dict[str, Any]:
    return {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(base_directory),
        },
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }


def render_data_docs(results: Iterable[dict[str, Any]], site_dir: Path) -> Path:
    """Render validation results (``ExpectationSuiteValidationResult.to_json_dict()`` dicts) and
    the suites they ran as a Data Docs site in ``site_dir``. Returns the index page."""
    results = list(results)
    gx = _gx()
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResultSchema,
    )
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    schema = ExpectationSuiteValidationResultSchema()
    with _LOCK:
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        # Only this site: the ephemeral context's default site points at a throwaway folder.
        context.variables.data_docs_sites = {SITE_NAME: _site_config(site_dir)}
        suites_added: set[str] = set()
        for data in results:
            result = schema.load(data)
            run = result.meta.get("run_id") or {}
            key = ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite_name),
                run_id=RunIdentifier(run_name=run.get("run_name"), run_time=run.get("run_time")),
                batch_identifier=result.asset_name or result.suite_name,
            )
            context.validation_results_store.set(key, result)
            if result.suite_name in SUITES and result.suite_name not in suites_added:
                context.suites.add(SUITES[result.suite_name].build())
                suites_added.add(result.suite_name)
        context.build_data_docs(site_names=[SITE_NAME])
    index = site_dir / "index.html"
    if not index.is_file():
        raise RuntimeError(f"Great Expectations wrote no Data Docs index in {site_dir}")
    _add_summary(index, results)
    return index


_SUMMARY_ANCHOR = '<div id="section-1-content-block-2"'


def _summary_html(site_dir: Path, results: Iterable[dict[str, Any]]) -> str:
    """A plain table of this refresh's validations, linked to their pages. GX builds its own index
    table with scripts from CDNs, so without a network the index would otherwise look empty."""
    rows = []
    for data in results:
        suite = str(data["suite_name"])
        meta = data.get("meta") or {}
        stats = data.get("statistics") or {}
        pages = sorted((site_dir / "validations" / suite).rglob("*.html"))
        status = "Passed" if data.get("success") else "FAILED"
        link = (
            f'<a href="{html.escape(pages[0].relative_to(site_dir).as_posix())}">{status}</a>'
            if pages
            else status
        )
        asset = (meta.get("active_batch_definition") or {}).get("data_asset_name") or ""
        rows.append(
            "<tr>"
            f'<td><a href="expectations/{html.escape(suite)}.html">{html.escape(suite)}</a></td>'
            f"<td>{html.escape(str(asset))}</td>"
            f"<td>{html.escape(str(meta.get('rows_validated', '')))}</td>"
            f"<td>{stats.get('successful_expectations', '')} of "
            f"{stats.get('evaluated_expectations', '')}</td>"
            f"<td>{link}</td>"
            "</tr>"
        )
    return (
        '<div id="warehouse-validation-summary" class="col-12 mb-3">'
        "<h4>Validation results of this refresh</h4>"
        '<table class="table table-sm table-bordered">'
        "<thead><tr><th>Expectation suite</th><th>Data asset</th><th>Rows validated</th>"
        "<th>Expectations met</th><th>Result</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>\n"
    )


def _add_summary(index: Path, results: Iterable[dict[str, Any]]) -> None:
    page = index.read_text()
    summary = _summary_html(index.parent, results)
    if _SUMMARY_ANCHOR in page:
        page = page.replace(_SUMMARY_ANCHOR, summary + _SUMMARY_ANCHOR, 1)
    else:  # another GX template: at the end of the page
        page = page.replace("</body>", summary + "</body>", 1)
    index.write_text(page)


def _clear_leftovers(docs_dir: Path) -> None:
    """Sites of an earlier publish that crashed before its rename, or old sites not yet removed."""
    for leftover in docs_dir.parent.glob(f"{_STAGING_PREFIX}*"):
        shutil.rmtree(leftover, ignore_errors=True)


def publish_data_docs(results: list[dict[str, Any]], docs_dir: Path) -> Path:
    """Render ``results`` into a hidden sibling of ``docs_dir``, then swap it in: the old site is
    renamed aside and removed, so readers see the old site or the new one, never a partial one."""
    docs_dir.parent.mkdir(parents=True, exist_ok=True)
    _clear_leftovers(docs_dir)
    staging = docs_dir.parent / f"{_STAGING_PREFIX}{uuid.uuid4().hex}"
    try:
        render_data_docs(results, staging)
        old = docs_dir.parent / f"{_STAGING_PREFIX}old-{uuid.uuid4().hex}"
        if docs_dir.exists():
            os.rename(docs_dir, old)
        os.rename(staging, docs_dir)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return docs_dir / "index.html"
