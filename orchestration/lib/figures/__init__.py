"""Figures as people quote them, from the published warehouse (plain Python, no Dagster):
`open_warehouse(path).figure(period=..., offence=..., by=..., force=..., nationality=...)`.
See warehouse.py; the methodology is the marts' (measures.py)."""

from orchestration.lib.figures.errors import FigureError
from orchestration.lib.figures.periods import Period, parse_period
from orchestration.lib.figures.warehouse import (
    COLUMNS,
    FLAGS,
    FigureRequest,
    Offence,
    Warehouse,
    open_warehouse,
)

__all__ = [
    "COLUMNS",
    "FLAGS",
    "FigureError",
    "FigureRequest",
    "Offence",
    "Period",
    "Warehouse",
    "open_warehouse",
    "parse_period",
]
