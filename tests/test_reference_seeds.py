"""The reference seeds are what the checked-in script derives from the ONS files, and hold the 43
territorial forces. Reading ../shared/reference needs it present; a user's fresh clone has none.

The offence taxonomy and lookup are hand-built from the sources their rows name: every code the
lookup names is in the taxonomy, every flag that is true (or unknown) names its source, and the
flags are what those sources say (indecent-photograph codes of class 86, 'under 13' offences,
prostitution offences)."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest

from tests.conftest import REPO, SHARED_REFERENCE

SEEDS = REPO / "dbt_project" / "seeds" / "reference"
LOOKUPS = REPO / "dbt_project" / "seeds" / "lookups"
FLAGS = (
    "is_sexual_offence",
    "is_child_victim",
    "is_victim_under_13",
    "is_indecent_images_of_children",
    "is_prostitution_related",
)


def _rows(path):
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_seeds_hold_43_forces_in_10_regions():
    forces = _rows(SEEDS / "ref_forces.csv")
    assert len(forces) == 43
    assert len({f["force_code"] for f in forces}) == 43
    assert all(f["force_code"][:3] in ("E23", "W15") for f in forces)
    assert len(_rows(SEEDS / "ref_regions.csv")) == 10
    assert sum(f["region_name"] == "Wales" for f in forces) == 4


def test_population_rows_carry_source_and_period():
    rows = _rows(SEEDS / "ref_force_population.csv")
    assert all(r["source"] and r["reference_period"] for r in rows)
    missing = [r for r in rows if r["is_missing"] == "true"]
    assert all(r["population"] == "" for r in missing)  # a missing figure is never filled in


@pytest.mark.skipif(
    not SHARED_REFERENCE.is_dir(), reason="../shared/reference is not beside the repo"
)
def test_script_regenerates_the_committed_seeds(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "build_reference_seeds.py"),
            "--reference-dir",
            str(SHARED_REFERENCE),
            "--out-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for name in (
        "ref_forces.csv",
        "ref_regions.csv",
        "ref_force_population.csv",
        "ref_sources.csv",
    ):
        assert (tmp_path / name).read_bytes() == (SEEDS / name).read_bytes(), name


@pytest.mark.skipif(
    not SHARED_REFERENCE.is_dir(), reason="../shared/reference is not beside the repo"
)
def test_force_populations_sum_to_england_and_wales_mid_2021():
    # ONS mid-2021 estimate for England and Wales: 59,641,829 (MYE2 Persons, 'ENGLAND AND WALES').
    rows = _rows(SEEDS / "ref_force_population.csv")
    assert sum(int(r["population"]) for r in rows if r["population_group"] == "all") == 59_641_829


# --- offence taxonomy and lookup ---------------------------------------------------------------


@pytest.fixture(scope="module")
def taxonomy() -> dict[str, dict]:
    rows = _rows(SEEDS / "ref_offence_taxonomy.csv")
    codes = [r["offence_code"] for r in rows]
    assert len(codes) == len(set(codes)), "duplicate offence codes"
    return {r["offence_code"]: r for r in rows}


@pytest.fixture(scope="module")
def lookup() -> list[dict]:
    return _rows(LOOKUPS / "offence_lookup.csv")


def test_every_lookup_code_is_in_the_taxonomy_with_its_group(taxonomy, lookup):
    missing = sorted({r["offence_code"] for r in lookup if r["offence_code"]} - set(taxonomy))
    assert not missing, f"lookup codes not in ref_offence_taxonomy: {missing}"
    wrong = [
        (r["offence_raw"], r["offence_code"], r["offence_group"])
        for r in lookup
        if r["offence_code"] and r["offence_group"] != taxonomy[r["offence_code"]]["offence_group"]
    ]
    assert not wrong, f"lookup group differs from the code's group: {wrong}"
    groups = {t["offence_group"] for t in taxonomy.values()} | {"Summary motoring"}
    assert {r["offence_group"] for r in lookup} <= groups


def test_lookup_keys_are_unique_lower_case_and_trimmed(lookup):
    keys = [r["offence_raw"] for r in lookup]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    assert not repeated, f"repeated lookup keys: {repeated}"
    # The join is lower(trim(offence_raw)) = offence_raw: a key not in that form never matches.
    unjoinable = [k for k in keys if k != k.strip().lower() or not k]
    assert not unjoinable, f"keys not lower-cased and trimmed: {unjoinable}"


def test_each_code_maps_from_its_own_description(taxonomy, lookup):
    mapped = {r["offence_raw"]: r["offence_code"] for r in lookup}
    for code, row in taxonomy.items():
        if "+" not in code:
            assert mapped.get(row["offence"].strip().lower()) == code, code


def test_every_true_or_unknown_flag_names_its_source(taxonomy):
    unsourced = [
        (code, flag)
        for code, row in taxonomy.items()
        for flag in FLAGS
        if row[flag] in ("true", "") and not row[f"{flag}_source"].strip()
    ]
    assert not unsourced, f"flags without a source: {unsourced}"
    assert all(
        r["source"].strip() and r["source_url"].startswith("https://") for r in taxonomy.values()
    )
    # Only class 86 is unknown: its offences are indecent photographs of children and others.
    unknown = {(c, f) for c, r in taxonomy.items() for f in FLAGS if r[f] == ""}
    assert unknown == {("86", "is_indecent_images_of_children")}


def test_sexual_offence_is_the_sexual_offences_group(taxonomy):
    for code, row in taxonomy.items():
        assert (row["is_sexual_offence"] == "true") == (
            row["offence_group"] == "Sexual offences"
        ), code


def test_class_86_indecent_photographs_of_children_are_flagged(taxonomy):
    # Protection of Children Act 1978 s.1 (86/2) and Criminal Justice Act 1988 s.160 (86/10):
    # indecent photographs or pseudo-photographs of children. Prohibited images (86/15, Coroners
    # and Justice Act 2009 s.62) are non-photographic and are not indecent photographs.
    class_86 = {c: r for c, r in taxonomy.items() if c.startswith("86/") and "+" not in c}
    photographs = {
        c
        for c, r in class_86.items()
        if "indecent photograph" in r["offence"].lower() and "child" in r["offence"].lower()
    }
    assert photographs == {"86/2", "86/10"}
    flagged = {c for c, r in taxonomy.items() if r["is_indecent_images_of_children"] == "true"}
    assert flagged == photographs | {"86/2+86/10"}
    assert taxonomy["86/15"]["is_indecent_images_of_children"] == "false"
    statutes = {
        "86/2": "Protection of Children Act 1978 s.1",
        "86/10": "Criminal Justice Act 1988 s.160",
        "86/15": "Coroners and Justice Act 2009 s.62",
    }
    for code, statute in statutes.items():
        assert statute in taxonomy[code]["is_indecent_images_of_children_source"], code
    assert all(r["parent_code"] == "86" for r in class_86.values()) and len(class_86) == 17


def test_child_victim_ages_follow_the_descriptions(taxonomy):
    for code, row in taxonomy.items():
        text = row["offence"].lower()
        child, age = row["is_child_victim"], row["child_victim_age_under"]
        under_13 = row["is_victim_under_13"]
        if "under 13" in text:
            assert (child, age, under_13) == ("true", "13", "true"), code
        elif "under 16" in text:
            assert (child, age, under_13) == ("true", "16", "false"), code
        assert under_13 == "false" or (child == "true" and age == "13"), code
        assert age == "" or child == "true", code
    # Ages from a source on the victim, not from the description.
    for code, age in {"71": "18", "73": "18", "88A": "16", "71/17": "16", "74": "16"}.items():
        row = taxonomy[code]
        assert (row["is_child_victim"], row["child_victim_age_under"]) == ("true", age), code
    under_13 = {c for c, r in taxonomy.items() if r["is_victim_under_13"] == "true"}
    assert under_13 == {"17B", "19E", "19H", "20B", "21", "19E+19H", "17B+20B"}


def test_prostitution_flag_is_the_offences_naming_prostitution(taxonomy):
    naming = {c for c, r in taxonomy.items() if "prostitution" in r["offence"].lower()}
    flagged = {c for c, r in taxonomy.items() if r["is_prostitution_related"] == "true"}
    assert flagged == naming == {"24", "24/17", "24/18", "24/19", "27", "166/4", "165/3"}
    assert "Sexual Offences Act 2003 s.52" in taxonomy["24/17"]["is_prostitution_related_source"]
    assert "Sexual Offences Act 2003 s.53" in taxonomy["24/18"]["is_prostitution_related_source"]


def test_sub_codes_sit_in_their_class(taxonomy):
    for code, row in taxonomy.items():
        parent = row["parent_code"]
        if not parent:
            continue
        assert code.startswith(parent + "/") and parent in taxonomy, code
        for column in ("offence_group", "offence_category", "is_sexual_offence"):
            assert row[column] == taxonomy[parent][column], (code, column)


def test_composites_join_codes_that_agree_on_every_flag(taxonomy):
    composites = {c: r for c, r in taxonomy.items() if "+" in c}
    assert set(composites) == {"19E+19H", "19D+19G", "17B+20B", "86/2+86/10"}
    same = ("offence_group", "offence_category", "child_victim_age_under", *FLAGS)
    for code, row in composites.items():
        parts = code.split("+")
        assert len(parts) > 1 and all(p in taxonomy and "+" not in p for p in parts), code
        for column in same:
            assert {taxonomy[p][column] for p in parts} == {row[column]}, (code, column)


# Wordings forces use in FOI answers, with the code each must map to.
FORCE_WORDINGS = {
    "possession of indecent photograph of a child": "86/10",
    "possess indecent image of child": "86/10",
    "possession of indecent images of children": "86/10",
    "making indecent photographs of children": "86/2",
    "taking/making indecent images of children": "86/2",
    "take/make/distribute indecent photographs or pseudo-photographs of children": "86/2",
    "indecent images of children": "86/2+86/10",
    "possession of prohibited images of children": "86/15",
    "obscene publications etc": "86",
    "sexual activity involving a child under 13": "21",
    "sexual activity involving a child u13": "21",
    "rape of a child under 13": "19E+19H",
    "rape of a female child under 13": "19E",
    "rape of a male child u13": "19H",
    "sexual assault on a female child under 13": "20B",
    "sexual assault on a child under 13": "17B+20B",
    "sexual grooming": "88A",
    "sexual communication with a child": "71/17",
    "paying for sexual services of a child": "71",
    "exploitation of prostitution": "24",
    "causing or inciting prostitution for gain": "24/17",
    "controlling prostitution for gain": "24/18",
    "keeping a brothel used for prostitution": "24/19",
    "soliciting": "27",
    "kerb crawling": "27",
    "kerb-crawling": "27",
    "loitering or soliciting for the purposes of prostitution": "166/4",
    "exposure & voyeurism": "88E",
    "rape": "",
    "sexual offences": "",
}


def test_force_wordings_map_to_their_codes(lookup, taxonomy):
    mapped = {r["offence_raw"]: r["offence_code"] for r in lookup}
    wrong = {w: mapped.get(w) for w, code in FORCE_WORDINGS.items() if mapped.get(w, "?") != code}
    assert not wrong, wrong
    flag = lambda w, f: taxonomy[mapped[w]][f] == "true"  # noqa: E731
    assert flag("possess indecent image of child", "is_indecent_images_of_children")
    assert flag("rape of a child under 13", "is_victim_under_13")
    assert flag("kerb crawling", "is_prostitution_related")
    assert flag("paying for sexual services of a child", "is_child_victim")


def test_the_sample_returns_offences_all_map(lookup):
    # The committed sample (tests/data/sample_truth.csv is what its files were drawn from).
    keys = {r["offence_raw"] for r in lookup}
    offences = {
        r["offence_raw"].strip().lower()
        for r in _rows(REPO / "tests" / "data" / "sample_truth.csv")
    }
    assert offences and not offences - keys, sorted(offences - keys)
