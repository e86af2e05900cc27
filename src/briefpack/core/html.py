"""A piece of HTML shown as a cell's output: the one type every layer that displays something returns."""
from __future__ import annotations


class Section:
    """HTML shown as a cell's output (Jupyter calls ``_repr_mimebundle_``), with optional extra data."""

    def __init__(self, html: str, extra: dict | None = None):
        self.html = html
        self.extra = extra or {}

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/html": self.html, **self.extra}

    def __str__(self) -> str:
        return self.html
