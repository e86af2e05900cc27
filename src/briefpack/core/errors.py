"""Errors a user can act on.

Every error raised on purpose by briefpack is a :class:`BriefpackError`. Its message is one line
that says what went wrong and what to do about it; the CLI prints it without a traceback.
"""
from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def quote_input(value: object, limit: int = 60) -> str:
    """Quote a user's value for an error message: one line, no control characters, bounded."""
    text = _CONTROL.sub(" ", str(value)).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)


class BriefpackError(Exception):
    """An error the user can fix. ``str(error)`` is a single line."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


class InputError(BriefpackError):
    """A parameter given by the user is not valid (unknown constituency, concern, date...).

    ``field`` names the parameter (``club``, ``meeting_date``, ...: the names in
    :data:`briefpack.request.inputs.FIELDS`) so that a web form can show the message next to its field;
    it is None when the error is not about one parameter.
    """

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(message)

    def __reduce__(self):  # keep the field when the error crosses a process boundary
        return (type(self), (str(self), self.field))


class DataError(BriefpackError):
    """A data or content file is missing or does not match its schema."""


class ExecutionError(BriefpackError):
    """A notebook cell failed while building a briefing; ``notebook`` is the executed notebook, if any."""

    def __init__(self, message: str, cell: int | None = None, notebook=None):
        self.cell = cell
        self.notebook = notebook
        super().__init__(message)


class ExportError(BriefpackError):
    """HTML or PDF export failed (e.g. Chromium is missing)."""
