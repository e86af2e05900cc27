"""What a briefing used of what it read, and the sources section rendered from the whole record.

:mod:`briefpack.data.record` notes every read and knows nothing of tables; this module asks the catalogue
which reads gave the briefing something, and renders the sources section from them at the end of a
build (the worker's hidden last cell calls :func:`emit`).
"""
from __future__ import annotations

from briefpack.core.html import Section
from briefpack.data import catalogue as data
from briefpack.data import record

# The hidden last cell the worker adds to the notebook it runs (the exporter removes it).
EMIT_SOURCE = "import briefpack.data.used\nbriefpack.data.used.emit()"


def tables_used() -> list[str]:
    """The tables read so far that gave the briefing something (for the sources section): a table read
    whole, or read for keys of which at least one has rows (a seat with no row in the tracker, say,
    read the tracker, which the manifest must know, but used nothing from it)."""
    used = []
    for name, keys in record.current().tables.items():
        if record.WHOLE not in keys and not any(value in _values(name, column, data.stamp(name)) for column, value in keys):
            continue
        used.append(name)
    return used


_VALUES: dict = {}


def _values(name: str, column: str, stamp) -> frozenset:
    """The values (as text) of one column of a table, kept while the file is unchanged."""
    key = (name, column)
    hit = _VALUES.get(key)
    if hit is None or hit[0] != stamp:
        hit = _VALUES[key] = (stamp, frozenset(data.read(name)[column].astype(str)))
    return hit[1]


# --- the sources section, rendered again from the whole record -----------------------------------

def sources_section(render):
    """Show the sources section now (``render()`` -> Section) and keep ``render`` to show it again,
    from the whole record, at the end of the build: a cell further down (the letter, a researcher's
    chart) may read a table this cell has not seen yet."""
    record.keep_sources(render)
    section = render()
    section.extra[record.SOURCES_MIME] = {"tables": tables_used()}
    return section


def emit():
    """The record, and the sources section rendered from all of it (displayed by the hidden last cell)."""
    render = record.kept_sources()
    html = render().html if render is not None else ""
    return Section(html, {record.MIME: record.snapshot(), record.SOURCES_MIME: {"tables": tables_used()}})
