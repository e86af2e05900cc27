"""Errors a user can act on.

Every error raised on purpose by briefpack is a :class:`BriefpackError`. Its message is one line
that says what went wrong and what to do about it; the CLI prints it without a traceback.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Said:
    """Words of a message that only the command line says (``cli``), with what a page says instead
    (``page``, often nothing). ``key`` lets a page word a part its own way
    (:meth:`InputError.worded`): ``option`` for " (--club)", ``listing`` for the pointer to
    ``python build.py list``."""

    cli: str
    page: str = ""
    key: str = ""


def option(name: str) -> Said:
    """A command-line option named in a message, " (--club)": a page has fields, not options."""
    return Said(f" ({name})", "", "option")


def listing(cli: str) -> Said:
    """The end of a message that points to the command line's list of seats ("; `python build.py list`
    lists them."); a page says "." unless it words it itself (``worded(listing=...)``)."""
    return Said(cli, ".", "listing")


class InputError(BriefpackError):
    """A parameter given by the user is not valid (unknown constituency, concern, date...).

    ``field`` names the parameter (``club``, ``meeting_date``, ...: the names in
    :data:`briefpack.request.inputs.FIELDS`) so that a web form can show the message next to its field;
    it is None when the error is not about one parameter.

    The message is text, or parts: text and :class:`Said` (words only the command line says).
    ``str(error)`` is the command line's line ("The club name (--club) contains ..."); :attr:`plain`
    and :meth:`worded` are a page's ("The club name contains ...").
    """

    def __init__(self, message, field: str | None = None):
        self.field = field
        self.parts = tuple(message) if isinstance(message, (tuple, list)) else (str(message),)
        super().__init__("".join(p.cli if isinstance(p, Said) else str(p) for p in self.parts))

    def worded(self, **words: str) -> str:
        """The message as a page says it: no command-line words; a part whose key is in ``words``
        (``listing="; search for the seat..."``) in those words."""
        text = "".join(words.get(p.key, p.page) if isinstance(p, Said) else str(p) for p in self.parts)
        return " ".join(text.split())

    @property
    def plain(self) -> str:
        """The message without the command line's words (options, ``python build.py list``)."""
        return self.worded()

    def __reduce__(self):  # keep the field and the parts when the error crosses a process boundary
        return (type(self), (self.parts, self.field))


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
