"""Messages for people: one line per problem, whatever the text inside it holds.

A message can quote a file name, a cell or an error from a library; a newline or control
character inside would break the one-line rule or forge lines of the console summary, so it is
shown escaped (\\n, \\x1b), and a long one is cut with an ellipsis."""

from __future__ import annotations

MAX_MESSAGE = 400
MAX_VALUE = 60


def escaped(text: str) -> str:
    """`text` with every control character written as an escape, nothing else changed."""
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """A message on one line: surrounding blank lines dropped, inner line breaks escaped, cut to
    `limit` characters."""
    shown = escaped(text.strip())
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def value(raw: object, limit: int = MAX_VALUE) -> str:
    """A value quoted in a message: escaped, cut, and in quotes when it is text."""
    if raw is None:
        return "null"
    if isinstance(raw, str):
        return "'" + one_line(raw, limit) + "'"
    return one_line(str(raw), limit)
