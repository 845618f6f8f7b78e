"""SQL kept in `.sql` files beside the module that runs it, read once per process."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def read_sql(package: str, name: str) -> str:
    """The text of `<name>.sql` in the folder of `package` (pass `__package__` from beside it)."""
    return (files(package) / f"{name}.sql").read_text(encoding="utf-8")
