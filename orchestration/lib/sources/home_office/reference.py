"""The repository's reference seeds as the Home Office reader needs them: which names and codes are
forces and which are regions (to tell a region's sub-total row from a force of the same name), each
force's region and country (to check a table's totals), and the offence groups of the taxonomy
with the lookup of published headings to them.

The seeds are part of what a dataset is read with, so their fingerprint is part of the dataset's
(load.py): a changed seed reads every dataset again.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib import settings
from orchestration.lib.fingerprint import files_fingerprint

SEEDS = settings.DBT_PROJECT_DIR / "seeds"
FORCES_SEED = SEEDS / "reference" / "ref_forces.csv"
REGIONS_SEED = SEEDS / "reference" / "ref_regions.csv"
TAXONOMY_SEED = SEEDS / "reference" / "ref_offence_taxonomy.csv"
OFFENCE_LOOKUP = SEEDS / "lookups" / "offence_lookup.csv"
SEED_FILES = (FORCES_SEED, REGIONS_SEED, TAXONOMY_SEED, OFFENCE_LOOKUP)


def name_key(text: str) -> str:
    """A name as compared with the seeds: lower-cased, '&' read as 'and', spaces collapsed
    ('Devon and Cornwall' is the police force area 'Devon & Cornwall')."""
    return re.sub(r"\s+", " ", text.replace("&", " and ")).strip().lower()


def seed_name(path: Path) -> str:
    return str(path.relative_to(settings.REPO_ROOT))


@dataclass(frozen=True)
class Force:
    code: str
    name: str
    region_code: str
    country: str


@dataclass(frozen=True)
class Reference:
    forces: dict[str, Force]  # ONS code -> force
    force_names: dict[str, str]  # name_key of force or PFA name -> ONS code
    regions: dict[str, str]  # region code -> name
    region_names: dict[str, str]  # name_key -> region code
    offence_groups: frozenset[str]  # the taxonomy's offence groups
    offence_lookup: dict[str, str]  # published text, lower-cased -> offence group

    def force_code(self, value: str) -> str | None:
        """The force a cell names, by ONS code or by name."""
        code = value.strip().upper()
        return code if code in self.forces else self.force_names.get(name_key(value))

    def region_code(self, value: str) -> str | None:
        code = value.strip().upper()
        return code if code in self.regions else self.region_names.get(name_key(value))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@functools.cache
def reference() -> Reference:
    forces = {
        r["force_code"]: Force(r["force_code"], r["pfa_name"], r["region_code"], r["country"])
        for r in _rows(FORCES_SEED)
    }
    force_names = {}
    for r in _rows(FORCES_SEED):
        force_names[name_key(r["force_name"])] = r["force_code"]
        force_names[name_key(r["pfa_name"])] = r["force_code"]
    regions = {r["region_code"]: r["region_name"] for r in _rows(REGIONS_SEED)}
    return Reference(
        forces=forces,
        force_names=force_names,
        regions=regions,
        region_names={name_key(name): code for code, name in regions.items()},
        offence_groups=frozenset(r["offence_group"] for r in _rows(TAXONOMY_SEED)),
        offence_lookup={r["offence_raw"]: r["offence_group"] for r in _rows(OFFENCE_LOOKUP)},
    )


def seeds_fingerprint() -> str:
    """Changes when any seed the reader uses does."""
    return files_fingerprint(SEEDS, SEED_FILES)
