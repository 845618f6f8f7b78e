"""`warehouse check` for the Home Office datasets: each dataset folder read exactly as a refresh
reads it (manifest, rows classified, totals checked, offence headings mapped), every problem one
line naming the dataset, file, sheet, row and column, as for force returns. Nothing is written."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from orchestration.lib.settings import ReadLimits
from orchestration.lib.sources.force_returns.check import Problem
from orchestration.lib.sources.force_returns.manifest import ManifestError
from orchestration.lib.sources.force_returns.readers import DEFAULT_LIMITS, ReadError
from orchestration.lib.sources.home_office.load import dataset_folders
from orchestration.lib.sources.home_office.manifest import MANIFEST_NAME
from orchestration.lib.sources.home_office.read import guarded, read_dataset

NOUN = "Home Office dataset"


def check_home_office(root: Path, limits: ReadLimits = DEFAULT_LIMITS) -> list[Problem]:
    """Every problem of every dataset under `root`, dataset by dataset (none when it is absent)."""
    problems: list[Problem] = []
    owners: dict[str, str] = {}
    for folder in dataset_folders(root):
        name = folder.name
        try:
            parsed = guarded(partial(read_dataset, folder, limits), folder)()
        except ManifestError as exc:
            problems += [Problem(name, p, file=MANIFEST_NAME, noun=NOUN) for p in exc.problems]
            continue
        except ReadError as exc:
            problems.append(
                Problem(name, exc.detail, exc.file, exc.sheet, exc.row, exc.column, noun=NOUN)
            )
            continue
        except OSError as exc:
            problems.append(Problem(name, str(exc), noun=NOUN))
            continue
        dataset_id = parsed.manifest.dataset_id
        owner = owners.setdefault(dataset_id, name)
        if owner != name:
            problems.append(
                Problem(
                    name,
                    f"key dataset_id: {dataset_id!r} is already used by folder {owner!r}",
                    file=MANIFEST_NAME,
                    noun=NOUN,
                )
            )
    return problems
