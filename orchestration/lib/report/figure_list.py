"""The figure list a report answers (data/figures.yml by default): a YAML list of claims, each the
text as it would be quoted and the request that reproduces it, with exactly the parameters of
`Warehouse.figure` (period, offence, by or force, nationality, ratio) and nothing else.

    - claim: "Arrests for child sexual offences in 2023-24, by nationality"
      period: 2023-24
      offence: child_sexual
      nationality: split

A malformed file (not YAML, an unknown key, a value of the wrong kind, a missing claim, a period
that is no period) is a FigureListError naming the file, the entry and the key: it stops the
report. Whether the warehouse holds the months, the offence or the force asked for is the
warehouse's question, answered per claim (claims.py), never here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from orchestration.lib.figures import FigureError, parse_period
from orchestration.lib.figures.warehouse import NATIONALITY_CHOICES
from orchestration.lib.report.errors import ReportError

CLAIM_SHOWN = 60  # characters of a claim quoted in an error


class FigureListError(ReportError):
    """The figure list cannot be read as a list of figure requests; one line says where and why."""


def _names(value: Any, what: str) -> Any:
    """A name or a list of names, as Warehouse.figure takes them (a string may list several,
    comma-separated); anything else is refused here with one message rather than pydantic's two
    (one per member of the union)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    raise ValueError(f"expected {what} or a list of them, got {value!r}")


class FigureEntry(BaseModel):
    """One claim of the list and the figure request behind it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    claim: str
    period: str
    offence: str | None = None
    by: Literal["national", "region", "force"] | None = None
    force: str | list[str] | None = None
    nationality: str | list[str] = "all"
    ratio: bool = False

    @field_validator("claim")
    @classmethod
    def _claim_has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("expected the claim's text as it would be quoted")
        return value.strip()

    @field_validator("period", "offence", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        # YAML reads `2024` as a number and `2024-03-01` as a date; a Home Office code may be
        # all digits. Each is meant as text.
        if isinstance(value, bool):
            return value
        if isinstance(value, int | dt.date):
            return str(value)
        return value

    @field_validator("period")
    @classmethod
    def _period_parses(cls, value: str) -> str:
        try:
            parse_period(value)
        except FigureError as exc:
            raise ValueError(str(exc)) from exc
        return value

    @field_validator("force", mode="before")
    @classmethod
    def _forces(cls, value: Any) -> Any:
        return _names(value, "a force (ONS code or name)")

    @field_validator("nationality", mode="before")
    @classmethod
    def _nationalities(cls, value: Any) -> Any:
        names = _names(value, "a nationality")
        asked = [names] if isinstance(names, str) else names
        for part in (p.strip() for item in asked for p in item.split(",")):
            if part not in NATIONALITY_CHOICES:
                raise ValueError(
                    f"{part!r} is not a nationality; use one of "
                    + ", ".join(f"'{c}'" for c in NATIONALITY_CHOICES)
                )
        return names

    @model_validator(mode="after")
    def _one_kind_of_area(self) -> FigureEntry:
        if self.force and self.by not in (None, "force"):
            raise ValueError(f"force gives one row per force: drop by: {self.by}")
        return self

    def request(self) -> dict[str, Any]:
        """The keyword arguments of Warehouse.figure / figure_rows."""
        return self.model_dump(exclude={"claim"})


KEYS = tuple(FigureEntry.model_fields)


def _describe(err: dict[str, Any]) -> str:
    key = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"key {key!r}: unknown key; expected one of {', '.join(KEYS)}"
    if err["type"] == "missing":
        return f"key {key!r}: required key is missing"
    message = str(err["msg"]).removeprefix("Value error, ")
    return f"key {key!r}: {message}" if key else message


def _entry_name(index: int, item: object) -> str:
    claim = item.get("claim") if isinstance(item, dict) else None
    if not isinstance(claim, str) or not claim.strip():
        return f"entry {index} (no claim)"
    claim = claim.strip()
    shown = claim if len(claim) <= CLAIM_SHOWN else claim[: CLAIM_SHOWN - 1] + "…"
    return f"entry {index} ({shown!r})"


def load_figure_list(path: Path) -> list[FigureEntry]:
    """The entries of the figure list at `path`, in order; FigureListError if it is malformed.
    Entries are numbered from 1 in errors, as a reader counts them in the file."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FigureListError(
            f"figure list {path} does not exist; give another with --figures PATH"
        ) from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = " ".join(str(exc).split())  # YAML errors span lines; the message is one
        raise FigureListError(f"figure list {path}: cannot read as YAML: {reason}") from exc
    if document is None:
        return []
    if not isinstance(document, list):
        raise FigureListError(
            f"figure list {path}: expected a list of figure requests at the top level, each a "
            f"mapping with {', '.join(KEYS)}"
        )
    entries, problems = [], []
    for index, item in enumerate(document, start=1):
        if not isinstance(item, dict):
            problems.append(
                f"{_entry_name(index, item)}: expected a mapping with {', '.join(KEYS)}"
            )
            continue
        try:
            entries.append(FigureEntry.model_validate(item))
        except ValidationError as exc:
            problems += [
                f"{_entry_name(index, item)}: {_describe(dict(err))}" for err in exc.errors()
            ]
    if problems:
        raise FigureListError(f"figure list {path}: {'; '.join(problems)}")
    return entries
