"""A fixed tile grid of the 43 territorial forces, hand-placed roughly by geography.

A tile map gives every force the same area, so a small force's missing return is as visible as a
large one's; a real map would hide the City of London. Labels are constants, not data.
"""

from __future__ import annotations

# force_code (ONS police force area) -> (row, column, short label)
TILE_POSITIONS: dict[str, tuple[int, int, str]] = {
    "E23000007": (0, 4, "Northumbria"),
    "E23000002": (1, 3, "Cumbria"),
    "E23000008": (1, 4, "Durham"),
    "E23000013": (1, 5, "Cleveland"),
    "E23000003": (2, 3, "Lancashire"),
    "E23000009": (2, 4, "N Yorks"),
    "E23000012": (2, 5, "Humberside"),
    "E23000004": (3, 2, "Merseyside"),
    "E23000005": (3, 3, "Gtr Manch"),
    "E23000010": (3, 4, "W Yorks"),
    "E23000011": (3, 5, "S Yorks"),
    "E23000020": (3, 6, "Lincs"),
    "W15000001": (4, 1, "N Wales"),
    "E23000006": (4, 2, "Cheshire"),
    "E23000015": (4, 3, "Staffs"),
    "E23000018": (4, 4, "Derbys"),
    "E23000019": (4, 5, "Notts"),
    "E23000024": (4, 6, "Norfolk"),
    "W15000004": (5, 1, "Dyfed-Powys"),
    "E23000016": (5, 2, "W Mercia"),
    "E23000014": (5, 3, "W Mids"),
    "E23000021": (5, 4, "Leics"),
    "E23000022": (5, 5, "Northants"),
    "E23000023": (5, 6, "Cambs"),
    "E23000025": (5, 7, "Suffolk"),
    "W15000003": (6, 1, "S Wales"),
    "W15000002": (6, 2, "Gwent"),
    "E23000037": (6, 3, "Glos"),
    "E23000017": (6, 4, "Warks"),
    "E23000026": (6, 5, "Beds"),
    "E23000027": (6, 6, "Herts"),
    "E23000028": (6, 7, "Essex"),
    "E23000036": (7, 2, "Avon & Som"),
    "E23000038": (7, 3, "Wiltshire"),
    "E23000029": (7, 4, "Thames V"),
    "E23000001": (7, 5, "Met"),
    "E23000034": (7, 6, "City of Ldn"),
    "E23000032": (7, 7, "Kent"),
    "E23000035": (8, 1, "Devon & Corn"),
    "E23000039": (8, 2, "Dorset"),
    "E23000030": (8, 3, "Hampshire"),
    "E23000031": (8, 4, "Surrey"),
    "E23000033": (8, 5, "Sussex"),
}
FORCES_TOTAL = len(TILE_POSITIONS)
GRID_ROWS = 1 + max(r for r, _, _ in TILE_POSITIONS.values())
GRID_COLS = 1 + max(c for _, c, _ in TILE_POSITIONS.values())
