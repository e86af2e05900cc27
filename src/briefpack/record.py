"""What a briefing read, recorded where it was read.

Every read of a data table is noted here, in the kernel that runs the notebook, by package code and
researchers' own cells alike: :func:`briefpack.data.load` notes a whole table, :func:`briefpack.data.select`
the rows of some keys, and look-ups that serve one row from a cached index (a seat's member, its
police forces) note that row. At the end of a build the worker runs one more, hidden, cell that
displays the record (:data:`MIME`) with the sources section rendered from all of it, the way the
letter travels; the manifest keeps the record, and the next build checks exactly those inputs.

Nothing is predicted. A briefing's outputs are a function of its notebook, the code and content,
its parameters and the data it read; while none of those changes it would read the same rows again,
so the record of its last build is the list of what can make it out of date (as make and ninja
record the headers a compilation opened).

Caches: a function cached across briefings (in a warm kernel) would read its tables only the first
time; :func:`memo` caches a function together with what it read, and notes those reads again on
every hit.
"""
from __future__ import annotations

from collections import OrderedDict
from contextlib import contextmanager
from functools import wraps

WHOLE = "*"
MIME = "application/vnd.briefpack.reads+json"
SOURCES_MIME = "application/vnd.briefpack.sources+json"
TAG = "briefpack-record"
# The hidden last cell the worker adds to the notebook it runs (the exporter removes it).
EMIT_SOURCE = "import briefpack.record\nbriefpack.record.emit()"


class Reads:
    """Tables read: {table: set of (column, value) keys, or WHOLE}."""

    def __init__(self):
        self.tables: dict[str, set] = {}

    def add(self, name: str, key) -> None:
        self.tables.setdefault(name, set()).add(key)

    def merge(self, other: "Reads") -> None:
        for name, keys in other.tables.items():
            self.tables.setdefault(name, set()).update(keys)

    def to_json(self) -> dict:
        return {name: [WHOLE] if WHOLE in keys else sorted([list(k) for k in keys])
                for name, keys in sorted(self.tables.items())}


_frames: list[Reads] = [Reads()]      # the briefing's record, then any captures under way
_sources = None                       # how to render the sources section again (see sources_section)


def start() -> None:
    """A new briefing begins: forget what was read (called when the warm kernel is reset)."""
    global _sources
    _frames[:] = [Reads()]
    _sources = None


def _note(name: str, key) -> None:
    for frame in _frames:
        frame.add(name, key)


def table(name: str) -> None:
    _note(name, WHOLE)


def rows(name: str, column: str, values) -> None:
    for value in values:
        _note(name, (column, str(value)))


def tables_read() -> list[str]:
    """The tables read so far, in the order first read."""
    return list(_frames[0].tables)


def tables_used() -> list[str]:
    """The tables read so far that gave the briefing something (for the sources section): a table read
    whole, or read for keys of which at least one has rows (a seat with no row in the tracker, say,
    read the tracker, which the manifest must know, but used nothing from it)."""
    from . import data

    used = []
    for name, keys in _frames[0].tables.items():
        if WHOLE not in keys and not any(value in _values(name, column, data.stamp(name)) for column, value in keys):
            continue
        used.append(name)
    return used


_VALUES: dict = {}


def _values(name: str, column: str, stamp) -> frozenset:
    """The values (as text) of one column of a table, kept while the file is unchanged."""
    from . import data

    key = (name, column)
    hit = _VALUES.get(key)
    if hit is None or hit[0] != stamp:
        hit = _VALUES[key] = (stamp, frozenset(data.read(name)[column].astype(str)))
    return hit[1]


def snapshot() -> dict:
    """The record as JSON-ready data: {table: ["*"] or [[column, value], ...]}."""
    return _frames[0].to_json()


@contextmanager
def capture():
    """Collect the reads made inside the block (they are noted in the briefing's record as usual)."""
    frame = Reads()
    _frames.append(frame)
    try:
        yield frame
    finally:
        _frames.remove(frame)


def replay(reads: Reads) -> None:
    for frame in _frames:
        frame.merge(reads)


def memo(maxsize: int = 8):
    """Like ``functools.lru_cache`` for functions of hashable arguments that read data: a cache hit
    notes again what the first call read."""

    def decorate(fn):
        cache: OrderedDict = OrderedDict()

        @wraps(fn)
        def cached(*args):
            hit = cache.get(args)
            if hit is not None:
                cache.move_to_end(args)
                replay(hit[1])
                return hit[0]
            with capture() as reads:
                result = fn(*args)
            cache[args] = (result, reads)
            while len(cache) > maxsize:
                cache.popitem(last=False)
            return result

        cached.cache_clear = cache.clear
        return cached

    return decorate


# --- the sources section, rendered again from the whole record -----------------------------------

def sources_section(render):
    """Show the sources section now (``render()`` -> Section) and keep ``render`` to show it again,
    from the whole record, at the end of the build: a cell further down (the letter, a researcher's
    chart) may read a table this cell has not seen yet."""
    global _sources
    _sources = render
    section = render()
    section.extra[SOURCES_MIME] = {"tables": tables_used()}
    return section


def emit():
    """The record, and the sources section rendered from all of it (displayed by the hidden last cell)."""
    from .sections import Section

    html = _sources().html if _sources is not None else ""
    return Section(html, {MIME: snapshot(), SOURCES_MIME: {"tables": tables_used()}})


def from_notebook(nb) -> dict | None:
    """Take the record out of an executed notebook and put the final sources section in place of the
    one shown where the sources cell ran. Returns the record, or None if the notebook has none."""
    found = final = None
    for cell in nb.cells:
        if TAG in cell.get("metadata", {}).get("tags", []):
            for out in cell.get("outputs", []):
                if MIME in out.get("data", {}):
                    found, final = out["data"][MIME], out["data"]
    if found is None:
        return None
    if final.get("text/html"):
        for cell in nb.cells:
            if TAG in cell.get("metadata", {}).get("tags", []):
                continue
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if SOURCES_MIME in data:
                    data["text/html"], data[SOURCES_MIME] = final["text/html"], final[SOURCES_MIME]
    return found
