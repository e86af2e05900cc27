"""Plain text helpers that every layer may use: counts, shares, dates, a force's name in a sentence.

No imports of our own: a date formatter is needed by the data layer (headlines) as much as by the
pages, so it lives at the bottom of the house.
"""
from __future__ import annotations


def n(x) -> str:
    """A count with thousands separators: 17004 -> '17,004'."""
    return f"{int(x):,}"


def pct(x: float) -> str:
    """A share as a whole percentage: 0.214 -> '21%'."""
    return f"{100 * x:.0f}%"


def sentence(text: str) -> str:
    """The text with its first letter in capitals."""
    return text[:1].upper() + text[1:]


def long_date(d) -> str:
    """'4 December 2026' ('' for no date)."""
    return f"{d.day} {d:%B %Y}" if d else ""


def force_in_text(force: str) -> str:
    """A police force's name as it reads in a sentence: 'Police Scotland', 'the Metropolitan Police Service'."""
    needs_the = ("Metropolitan Police", "Police Service of", "City of London Police", "British Transport Police")
    return f"the {force}" if force.startswith(needs_the) else force


def join_names(names) -> str:
    """'a', 'a and b', 'a, b and c'."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
