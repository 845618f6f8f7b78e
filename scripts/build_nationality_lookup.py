"""Write dbt_project/seeds/lookups/nationality_lookup.csv: raw nationality strings as forces record
them -> nationality, ISO 3166-1 alpha-3 code and nationality group.

Each country contributes its demonym, its short name and its alpha-3 code as raw strings (matched
lower-cased and trimmed). Codes are ISO 3166-1 alpha-3; EU/EEA membership is as at 2024 (EU 27 plus
Iceland, Liechtenstein, Norway) with Switzerland, as UK immigration statistics group them.
Edit the tables below, not the CSV.

    python scripts/build_nationality_lookup.py
"""

from __future__ import annotations

import csv
from pathlib import Path

OUT = (
    Path(__file__).resolve().parent.parent
    / "dbt_project"
    / "seeds"
    / "lookups"
    / "nationality_lookup.csv"
)

# (alpha-3, short name, demonym, EU/EEA or Switzerland), two a line: the formatter leaves the table
# as written.
# fmt: off
COUNTRIES = [
    ("AUT", "Austria", "Austrian", True), ("BEL", "Belgium", "Belgian", True),
    ("BGR", "Bulgaria", "Bulgarian", True), ("HRV", "Croatia", "Croatian", True),
    ("CYP", "Cyprus", "Cypriot", True), ("CZE", "Czechia", "Czech", True),
    ("DNK", "Denmark", "Danish", True), ("EST", "Estonia", "Estonian", True),
    ("FIN", "Finland", "Finnish", True), ("FRA", "France", "French", True),
    ("DEU", "Germany", "German", True), ("GRC", "Greece", "Greek", True),
    ("HUN", "Hungary", "Hungarian", True), ("IRL", "Ireland", "Irish", True),
    ("ITA", "Italy", "Italian", True), ("LVA", "Latvia", "Latvian", True),
    ("LTU", "Lithuania", "Lithuanian", True), ("LUX", "Luxembourg", "Luxembourgish", True),
    ("MLT", "Malta", "Maltese", True), ("NLD", "Netherlands", "Dutch", True),
    ("POL", "Poland", "Polish", True), ("PRT", "Portugal", "Portuguese", True),
    ("ROU", "Romania", "Romanian", True), ("SVK", "Slovakia", "Slovak", True),
    ("SVN", "Slovenia", "Slovenian", True), ("ESP", "Spain", "Spanish", True),
    ("SWE", "Sweden", "Swedish", True), ("ISL", "Iceland", "Icelandic", True),
    ("LIE", "Liechtenstein", "Liechtensteiner", True), ("NOR", "Norway", "Norwegian", True),
    ("CHE", "Switzerland", "Swiss", True),
    ("ALB", "Albania", "Albanian", False), ("AFG", "Afghanistan", "Afghan", False),
    ("DZA", "Algeria", "Algerian", False), ("AGO", "Angola", "Angolan", False),
    ("ARG", "Argentina", "Argentinian", False), ("AUS", "Australia", "Australian", False),
    ("BGD", "Bangladesh", "Bangladeshi", False), ("BRA", "Brazil", "Brazilian", False),
    ("CMR", "Cameroon", "Cameroonian", False), ("CAN", "Canada", "Canadian", False),
    ("CHN", "China", "Chinese", False), ("COL", "Colombia", "Colombian", False),
    ("COD", "Congo, Democratic Republic of the", "Congolese", False),
    ("EGY", "Egypt", "Egyptian", False), ("ERI", "Eritrea", "Eritrean", False),
    ("ETH", "Ethiopia", "Ethiopian", False), ("GMB", "Gambia", "Gambian", False),
    ("GHA", "Ghana", "Ghanaian", False), ("HKG", "Hong Kong", "Hong Konger", False),
    ("IND", "India", "Indian", False), ("IDN", "Indonesia", "Indonesian", False),
    ("IRN", "Iran", "Iranian", False), ("IRQ", "Iraq", "Iraqi", False),
    ("ISR", "Israel", "Israeli", False), ("JAM", "Jamaica", "Jamaican", False),
    ("JPN", "Japan", "Japanese", False), ("KEN", "Kenya", "Kenyan", False),
    ("XKX", "Kosovo", "Kosovan", False), ("KWT", "Kuwait", "Kuwaiti", False),
    ("LBN", "Lebanon", "Lebanese", False), ("LBY", "Libya", "Libyan", False),
    ("MYS", "Malaysia", "Malaysian", False), ("MEX", "Mexico", "Mexican", False),
    ("MDA", "Moldova", "Moldovan", False), ("MAR", "Morocco", "Moroccan", False),
    ("NPL", "Nepal", "Nepalese", False), ("NZL", "New Zealand", "New Zealander", False),
    ("NGA", "Nigeria", "Nigerian", False), ("MKD", "North Macedonia", "Macedonian", False),
    ("PAK", "Pakistan", "Pakistani", False), ("PHL", "Philippines", "Filipino", False),
    ("RUS", "Russia", "Russian", False), ("SAU", "Saudi Arabia", "Saudi", False),
    ("SRB", "Serbia", "Serbian", False), ("SLE", "Sierra Leone", "Sierra Leonean", False),
    ("SOM", "Somalia", "Somali", False), ("ZAF", "South Africa", "South African", False),
    ("LKA", "Sri Lanka", "Sri Lankan", False), ("SDN", "Sudan", "Sudanese", False),
    ("SYR", "Syria", "Syrian", False), ("THA", "Thailand", "Thai", False),
    ("TTO", "Trinidad and Tobago", "Trinidadian", False), ("TUR", "Turkey", "Turkish", False),
    ("UGA", "Uganda", "Ugandan", False), ("UKR", "Ukraine", "Ukrainian", False),
    ("USA", "United States", "American", False), ("VNM", "Vietnam", "Vietnamese", False),
    ("YEM", "Yemen", "Yemeni", False), ("ZWE", "Zimbabwe", "Zimbabwean", False),
]
# fmt: on
# XKX is the code the EU and UK use for Kosovo; it is a user-assigned code, not an official ISO one.

BRITISH = [
    "uk",
    "british",
    "british citizen",
    "british national",
    "gbr",
    "united kingdom",
    "great britain",
    "england",
    "english",
    "scotland",
    "scottish",
    "wales",
    "welsh",
    "northern ireland",
    "northern irish",
    "british overseas territories citizen",
]
UNKNOWN = [
    "not stated",
    "not known",
    "unknown",
    "not recorded",
    "refused",
    "n/k",
    "missing",
    "blank",
]
# Recorded as a nationality status without a country: non-British, outside the EU/EEA split.
OTHER_NON_BRITISH = {
    "stateless": "Stateless",
    "other foreign": "Other foreign national",
    "other foreign national": "Other foreign national",
    "foreign national": "Other foreign national",
    "other": "Other foreign national",
}
EU_GROUPINGS = {
    "other eu": "Other EU/EEA national",
    "eu national": "Other EU/EEA national",
    "other eea": "Other EU/EEA national",
}


def rows() -> list[dict[str, str]]:
    out: dict[str, dict[str, str]] = {}

    def add(raw: str, nationality: str, iso3: str, group: str, subgroup: str) -> None:
        key = raw.strip().lower()
        if key in out and out[key]["iso3"] != iso3:
            raise ValueError(f"{raw!r} maps to two countries")
        out[key] = {
            "nationality_raw": key,
            "nationality": nationality,
            "iso3": iso3,
            "nationality_group": group,
            "nationality_subgroup": subgroup,
        }

    for raw in BRITISH:
        add(raw, "British", "GBR", "british", "british")
    for iso3, name, demonym, eu in COUNTRIES:
        subgroup = "eu_eea" if eu else "other_non_british"
        for raw in (demonym, name, iso3):
            add(raw, demonym, iso3, "non_british", subgroup)
    for raw, label in OTHER_NON_BRITISH.items():
        add(raw, label, "", "non_british", "other_non_british")
    for raw, label in EU_GROUPINGS.items():
        add(raw, label, "", "non_british", "eu_eea")
    for raw in UNKNOWN:
        add(raw, "Not stated", "", "unknown", "unknown")
    return sorted(out.values(), key=lambda r: r["nationality_raw"])


def main() -> None:
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows()[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows())
    print(f"wrote {len(rows())} rows to {OUT}")


if __name__ == "__main__":
    main()
