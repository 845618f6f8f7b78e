"""The one error the report raises, importable without pandas or plotly."""


class ReportError(Exception):
    """The warehouse cannot be reported on; the message says what to do."""
