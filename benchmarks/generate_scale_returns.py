"""Generate SYNTHETIC force returns at a chosen size, for the scale benchmarks (benchmarks/run.py).

Every figure written here is invented (fixed seed, reproducible); every manifest says
`data_origin: synthetic`, every reference starts `SYNTHETIC-BENCH-` and every file is named
`synthetic_arrests.csv`. Nothing here is police data. The output goes OUTSIDE the repository
(default /tmp/frw-bench/<size>/landing), in the same manifest format as data/landing/ (CSV, long
layout: one row per count cell), one return per force × financial year, return_id
`<force_id>-fy2019-20`.

    python benchmarks/generate_scale_returns.py --cells 1e6 [--out DIR] [--seeds DIR] [--seed N]

How the size is reached (the parser knows month, offence, nationality and count; nothing else):

    cells = forces × financial years × 12 months × offence groups × nationality strings × segments

* forces: codes from seeds/reference/ref_forces.csv (1 to 43, a seeded spread over regions);
* financial years: 1 to 10, the latest ending fy2023-24;
* offence groups: one description per group of seeds/lookups/offence_lookup.csv (the one equal to
  the group's name where the lookup has it), read at generation time;
* nationality strings: taken from seeds/lookups/nationality_lookup.csv, read at generation time,
  at least one per nationality group; several raw strings of one group (`uk`, `british`, `gbr`)
  in one return are separate cells that the models sum at the nationality-group grain;
* segments: only when the lookup has too few nationality strings for the size asked — each
  month × offence × nationality is then repeated for sex × age band, in `Sex` and `Age band`
  columns the manifest does not map (so the parser ignores them and the models sum the cells).

Forces grow first (to 43), then years (to 10), then nationality strings, then segments. The exact
number of cells written is printed and stored in <out>/../generation.json.

Counts: Poisson draws around a synthetic arrest rate of 1.2 % of the force's mid-2021 population
a year, split over offence groups by fixed shares and over nationality groups 80 / 14 / 6 %
(british / non_british / unknown), each group's share spread over its strings by 1/rank. Counts
of 1 to 4 are written as the suppression marker `*` (declared in the manifest as 1..4).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml

REPO = Path(__file__).resolve().parent.parent
SEED = 20261125
LAST_FY_START = 2023  # fy2023-24, the sample's year
MAX_FORCES = 43
MAX_YEARS = 10
FILE_NAME = "synthetic_arrests.csv"
ARREST_RATE = 0.012  # synthetic: arrests a year per resident
NATIONALITY_GROUP_SHARE = {"british": 0.80, "non_british": 0.14, "unknown": 0.06}
# Synthetic shares by offence group (a rough shape, not a statistic); unknown groups get the mean.
OFFENCE_SHARE = {
    "Violence against the person": 0.38,
    "Sexual offences": 0.05,
    "Robbery": 0.03,
    "Theft offences": 0.14,
    "Criminal damage and arson": 0.06,
    "Drug offences": 0.10,
    "Possession of weapons offences": 0.03,
    "Public order offences": 0.07,
    "Miscellaneous crimes against society": 0.04,
    "Fraud offences": 0.02,
    "Summary non-motoring": 0.05,
    "Summary motoring": 0.03,
}
SEXES = ["Male", "Female", "Not recorded"]
AGE_BANDS = ["10-17", "18-20", "21-24", "25-29", "30-39", "40-49", "50-59", "60+"]
MAX_SEGMENTS = len(SEXES) * len(AGE_BANDS)


@dataclass(frozen=True)
class Plan:
    requested: int
    forces: int
    years: int
    offences: int
    nationalities: int
    segments: int
    seed: int

    @property
    def cells_per_return(self) -> int:
        return 12 * self.offences * self.nationalities * self.segments

    @property
    def cells(self) -> int:
        return self.forces * self.years * self.cells_per_return


def parse_size(text: str) -> int:
    """'1e6' or '250000' -> int."""
    return int(round(float(text)))


def size_label(text: str) -> str:
    return (
        text if not text.replace(".", "").isdigit() else f"{parse_size(text):.0e}".replace("+0", "")
    )


@dataclass(frozen=True)
class Seeds:
    forces: list[dict]  # ref_forces rows: force_code, force_id, region_code
    population: dict[str, int]  # force_code -> mid-year population ('all')
    offences: list[tuple[str, str]]  # (description to write, offence group)
    nationalities: list[tuple[str, str]]  # (raw string, nationality group), selection order
    digest: str  # sha256 over the seed files read


def read_seeds(seeds_dir: Path, seed: int = SEED) -> Seeds:
    """Read whatever the seed CSVs hold now (they are being extended): forces, population,
    one description per offence group, and every nationality string in a seeded order that puts
    one string of each nationality group first."""
    files = [
        seeds_dir / "reference" / "ref_forces.csv",
        seeds_dir / "reference" / "ref_force_population.csv",
        seeds_dir / "lookups" / "offence_lookup.csv",
        seeds_dir / "lookups" / "nationality_lookup.csv",
    ]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    con = duckdb.connect()

    def rows(sql: str, path: Path) -> list[tuple]:
        return con.execute(
            sql.replace("$path", "'" + str(path).replace("'", "''") + "'")
        ).fetchall()

    forces = [
        {"force_code": c, "force_id": i, "region_code": r}
        for c, i, r in rows(
            "select force_code, force_id, region_code from read_csv($path, all_varchar=true) "
            "order by force_code",
            files[0],
        )
    ]
    population = dict(
        rows(
            "select force_code, cast(population as bigint) from read_csv($path, all_varchar=true) "
            "where population_group = 'all' and lower(is_missing) <> 'true'",
            files[1],
        )
    )
    offences = []
    for raw_list, group in rows(
        "select list(offence_raw order by offence_raw), offence_group "
        "from read_csv($path, all_varchar=true) where offence_group is not null "
        "group by offence_group order by offence_group",
        files[2],
    ):
        # Write the group's own name where the lookup maps it (as forces answering by group do).
        offences.append((group if group.lower() in raw_list else raw_list[0], group))
    nat_rows = rows(
        "select nationality_raw, nationality_group from read_csv($path, all_varchar=true) "
        "where nationality_group is not null order by nationality_raw",
        files[3],
    )
    order = np.random.default_rng(seed).permutation(len(nat_rows))
    shuffled = [nat_rows[i] for i in order]
    firsts, rest, seen = [], [], set()
    for raw, group in shuffled:
        (rest if group in seen else firsts).append((raw, group))
        seen.add(group)
    return Seeds(forces, population, offences, firsts + rest, digest)


def plan(requested: int, seeds: Seeds, seed: int = SEED) -> Plan:
    """Forces first, then years, then nationality strings, then segments."""
    n_off = len(seeds.offences)
    k_all = len(seeds.nationalities)
    n_groups = len({g for _, g in seeds.nationalities})
    k0 = min(k_all, max(13, n_groups))  # the original lookup's 13 strings
    unit = 12 * n_off * k0
    max_fy = min(MAX_FORCES, len(seeds.forces)) * MAX_YEARS
    if requested <= max_fy * unit:
        fy = max(1, round(requested / unit))
        years = math.ceil(fy / MAX_FORCES)
        forces = min(MAX_FORCES, max(1, round(fy / years)))
        return Plan(requested, forces, years, n_off, k0, 1, seed)
    forces, years = min(MAX_FORCES, len(seeds.forces)), MAX_YEARS
    k = round(requested / (forces * years * 12 * n_off))
    if k <= k_all:
        return Plan(requested, forces, years, n_off, k, 1, seed)
    unit = 12 * n_off * k_all
    segments = min(MAX_SEGMENTS, max(1, round(requested / (forces * years * unit))))
    if abs(forces * years * unit * segments / requested - 1) > 0.05:
        # Too coarse with every force and year: one segment more, over fewer force-years.
        segments = min(MAX_SEGMENTS, math.ceil(requested / (forces * years * unit)))
        fy = min(forces * years, max(1, round(requested / (unit * segments))))
        years = math.ceil(fy / forces)
        forces = min(forces, max(1, round(fy / years)))
    return Plan(requested, forces, years, n_off, k_all, segments, seed)


def fy_label(start_year: int) -> str:
    return f"fy{start_year}-{(start_year + 1) % 100:02d}"


def _segments(n: int) -> list[tuple[str, str]]:
    if n == 1:
        return [("All", "All ages")]
    return [(s, a) for s in SEXES for a in AGE_BANDS][:n]


class ReturnWriter:
    """Draws and writes returns for one plan; vectorised per return (no per-cell Python)."""

    def __init__(self, p: Plan, seeds: Seeds):
        self.p, self.seeds = p, seeds
        off = seeds.offences[: p.offences]
        nat = seeds.nationalities[: p.nationalities]
        mean_share = float(np.mean(list(OFFENCE_SHARE.values())))
        w_off = np.array([OFFENCE_SHARE.get(g, mean_share) for _, g in off])
        self.w_off = w_off / w_off.sum()
        w_nat = np.zeros(len(nat))
        groups = [g for _, g in nat]
        for group in set(groups):
            idx = [i for i, g in enumerate(groups) if g == group]
            rank = 1.0 / np.arange(1, len(idx) + 1)
            w_nat[idx] = NATIONALITY_GROUP_SHARE.get(group, 0.02) * rank / rank.sum()
        self.w_nat = w_nat / w_nat.sum()
        self.seasonal = 1 + 0.08 * np.cos(np.arange(12) / 12 * 2 * np.pi)  # Apr..Mar
        self.seasonal /= self.seasonal.mean()
        self.off_text = pa.array([d for d, _ in off], pa.string())
        self.nat_text = pa.array([r for r, _ in nat], pa.string())
        segs = _segments(p.segments)
        self.sex_text = pa.array([s for s, _ in segs], pa.string())
        self.age_text = pa.array([a for _, a in segs], pa.string())
        rng = np.random.default_rng(p.seed)
        order = rng.permutation(len(seeds.forces))  # a spread over regions, not the first codes
        self.forces = [seeds.forces[i] for i in sorted(order[: p.forces])]
        self.fy_starts = list(range(LAST_FY_START - p.years + 1, LAST_FY_START + 1))

    def returns(self) -> list[tuple[dict, int]]:
        return [(f, y) for f in self.forces for y in self.fy_starts]

    def write(self, landing: Path, force: dict, fy_start: int) -> tuple[str, int]:
        p = self.p
        return_id = f"{force['force_id']}-{fy_label(fy_start)}"
        folder = landing / return_id
        folder.mkdir(parents=True, exist_ok=True)
        months = [f"{fy_start + (m >= 9)}-{(m + 3) % 12 + 1:02d}" for m in range(12)]  # Apr..Mar
        population = self.seeds.population.get(force["force_code"], 100_000)
        shape = (12, p.offences, p.nationalities, p.segments)
        mean = (
            population
            * ARREST_RATE
            / 12
            / p.segments
            * self.seasonal[:, None, None, None]
            * self.w_off[None, :, None, None]
            * self.w_nat[None, None, :, None]
        )
        digest = int(hashlib.sha256(return_id.encode()).hexdigest()[:8], 16)
        rng = np.random.default_rng([p.seed, digest])
        counts = rng.poisson(np.broadcast_to(mean, shape)).ravel()
        i_month, i_off, i_nat, i_seg = (a.ravel() for a in np.indices(shape))
        count_text = pc.cast(pa.array(counts), pa.string())
        suppressed = pa.array((counts >= 1) & (counts <= 4))
        table = pa.table(
            {
                "Month": pa.array(months, pa.string()).take(pa.array(i_month)),
                "Offence Group": self.off_text.take(pa.array(i_off)),
                "Nationality": self.nat_text.take(pa.array(i_nat)),
                "Sex": self.sex_text.take(pa.array(i_seg)),
                "Age band": self.age_text.take(pa.array(i_seg)),
                "Arrests": pc.if_else(suppressed, "*", count_text),
            }
        )
        if p.segments == 1:  # no segment columns unless the size needs them
            table = table.drop_columns(["Sex", "Age band"])
        con = duckdb.connect()
        con.register("t", table)
        con.execute(f"copy t to '{folder / FILE_NAME}' (format csv, header true)")
        con.close()
        manifest = {
            "return_id": return_id,
            "force": force["force_code"],
            "reference": f"SYNTHETIC-BENCH-{return_id.upper()}",
            "received": f"{fy_start + 1}-05-15",
            "period": {"start": f"{fy_start}-04", "end": f"{fy_start + 1}-03"},
            "data_origin": "synthetic",
            "notes": (
                "SYNTHETIC benchmark data generated by benchmarks/generate_scale_returns.py "
                f"(seed {p.seed}); not real police data."
            ),
            "files": [
                {
                    "path": FILE_NAME,
                    "layout": "long",
                    "columns": {
                        "month": "Month",
                        "offence": "Offence Group",
                        "nationality": "Nationality",
                        "count": "Arrests",
                    },
                    "month_format": "%Y-%m",
                    "suppression": {"markers": ["*"], "lower": 1, "upper": 4},
                }
            ],
        }
        header = (
            "# SYNTHETIC benchmark return generated by benchmarks/generate_scale_returns.py; "
            "not real police data.\n"
        )
        (folder / "manifest.yml").write_text(
            header + yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8"
        )
        return return_id, table.num_rows


def generate(requested: int, out: Path, seeds_dir: Path, seed: int = SEED) -> dict:
    """Write the landing folder; returns the generation record (also written beside it)."""
    seeds = read_seeds(seeds_dir, seed)
    p = plan(requested, seeds, seed)
    record_path = out.parent / "generation.json"
    record = {
        **asdict(p),
        "cells": p.cells,
        "returns": p.forces * p.years,
        "seeds_dir": str(seeds_dir),
        "seeds_sha256": seeds.digest,
        "synthetic": True,
    }
    if record_path.exists() and out.is_dir():
        old = json.loads(record_path.read_text())
        if {k: old.get(k) for k in record if k != "seconds"} == record:
            return old  # same plan and same seeds: the files are already there
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    started = time.perf_counter()
    writer = ReturnWriter(p, seeds)
    written = sum(writer.write(out, f, y)[1] for f, y in writer.returns())
    assert written == p.cells, (written, p.cells)
    record["seconds"] = round(time.perf_counter() - started, 1)
    (out.parent / "SYNTHETIC.txt").write_text(
        "Everything under this folder is SYNTHETIC benchmark data generated by "
        "benchmarks/generate_scale_returns.py (fixed seed). It is not police data.\n"
    )
    record_path.write_text(json.dumps(record, indent=2))
    return record


def write_extra_return(landing: Path, requested: int, seeds_dir: Path, seed: int = SEED) -> str:
    """One more return, shaped like the others, for a force-year not yet present (the first
    force's fy2024-25): what a new return landing looks like to an incremental refresh."""
    seeds = read_seeds(seeds_dir, seed)
    writer = ReturnWriter(plan(requested, seeds, seed), seeds)
    return_id, _ = writer.write(landing, writer.forces[0], LAST_FY_START + 1)
    return return_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", default="1e4", help="approximate number of count cells")
    parser.add_argument("--out", help="landing folder (default /tmp/frw-bench/<size>/landing)")
    parser.add_argument("--seeds", default=str(REPO / "dbt_project" / "seeds"))
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    out = Path(args.out or f"/tmp/frw-bench/{size_label(args.cells)}/landing")
    record = generate(parse_size(args.cells), out, Path(args.seeds), args.seed)
    print(
        f"SYNTHETIC returns: {record['cells']:,} cells in {record['returns']} returns "
        f"({record['forces']} forces × {record['years']} years × 12 months × "
        f"{record['offences']} offence groups × {record['nationalities']} nationality strings × "
        f"{record['segments']} segments) -> {out}"
    )


if __name__ == "__main__":
    main()
