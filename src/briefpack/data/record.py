"""What a briefing read, recorded where it was read.

Every read of a data table is noted here, in the kernel that runs the notebook, by package code and
researchers' own cells alike: :func:`briefpack.data.catalogue.load` notes a whole table, :func:`briefpack.data.catalogue.select`
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


def current() -> Reads:
    """The briefing's record so far."""
    return _frames[0]


def tables_read() -> list[str]:
    """The tables read so far, in the order first read."""
    return list(_frames[0].tables)


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


def keep_sources(render) -> None:
    """Keep how to render the sources section again at the end of the build (see
    :func:`briefpack.data.used.sources_section`)."""
    global _sources
    _sources = render


def kept_sources():
    return _sources


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
