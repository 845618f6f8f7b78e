"""The error of a figure request that cannot be answered, with a message for the user."""

from __future__ import annotations


class FigureError(ValueError):
    """A period, offence, force or option the warehouse cannot answer, or an unreadable file."""
