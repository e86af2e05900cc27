"""Editable content: the areas of concern, the seed documents they draw on, the meeting asks, and the
sentences code fills with numbers (:class:`Words`: ``figures.yml``, ``charts.yml``).

Content is data (YAML in ``content/``), validated here; researchers edit it without touching code.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from briefpack.core import paths
from briefpack.core.errors import BriefpackError, DataError, InputError, quote_input
from briefpack.words.declared import declared
from briefpack.words.figures import FIGURES
from briefpack.words.sentences import Words, files, fill, placeholders, stamps  # noqa: F401  (content's public helpers)
from briefpack.words.sentences import read as _read

DEFAULT_CONCERNS = ("training", "children", "policing")
NATIONS = ("England", "Wales", "Scotland", "Northern Ireland")


@dataclass(frozen=True)
class Concern:
    key: str
    order: int
    title: str
    phrase: str            # the concern in a list of words ("better data"), for the letter
    summary: str
    problem: str
    figure: str
    figure_scotland: str | None
    sources: tuple
    quote: dict | None = None
    dated_note: str = ""

    def figure_for(self, nation: str) -> str:
        if nation in ("Scotland", "Northern Ireland") and self.figure_scotland:
            return self.figure_scotland
        return self.figure


# --- concerns ------------------------------------------------------------------------------------

_REQUIRED = ("key", "order", "title", "phrase", "summary", "problem", "figure")


def _concern(doc: dict, name: str, source_ids: set) -> Concern:
    missing = [k for k in _REQUIRED if not doc.get(k)] + (["sources"] if "sources" not in doc else [])
    if missing:
        raise DataError(f"content/concerns/{name}: missing field(s) {missing}; see content/README.md.")
    known = {*FIGURES, *declared()}    # figures computed by code (words/figures.py) or declared as data
    for fkey in (doc["figure"], doc.get("figure_scotland")):
        if fkey and fkey not in known:
            raise DataError(f"content/concerns/{name}: figure {fkey!r} is unknown; use one of {sorted(known)}.")
    sources = tuple(doc["sources"] or ())   # [] for a concern that cites no document
    unknown = [s for s in sources if s not in source_ids]
    quote = doc.get("quote") or None
    if quote:
        if not quote.get("text") or not quote.get("source"):
            raise DataError(f"content/concerns/{name}: a quote needs both 'text' and 'source'.")
        if quote["source"] not in source_ids:
            unknown.append(quote["source"])
    if unknown:
        raise DataError(f"content/concerns/{name}: unknown source id(s) {unknown}; add them to content/sources.yml.")
    try:
        order = int(doc["order"])
    except (TypeError, ValueError):
        raise DataError(f"content/concerns/{name}: 'order' must be a whole number (its place in the list).") from None
    return Concern(doc["key"], order, doc["title"].strip(), " ".join(doc["phrase"].split()),
                   doc["summary"].strip(), doc["problem"].strip(), doc["figure"], doc.get("figure_scotland"),
                   sources, quote, (doc.get("dated_note") or "").strip())


@lru_cache(maxsize=4)
def _all_concerns(key: tuple) -> dict:
    """``key``: the stamps of the concern files, then of sources.yml (see :func:`concerns`)."""
    ids = set(sources())
    out = {}
    for path, _ in key[:-1]:
        path = Path(path)
        doc = _read(path)
        if doc.get("key") != path.stem:
            raise DataError(f"content/concerns/{path.name}: its 'key' field must be {path.stem!r}, the file's name.")
        out[path.stem] = _concern(doc, path.name, ids)
    if not out:
        raise DataError("content/concerns/ has no concern files (<key>.yml); restore them from git.")
    orders = [c.order for c in out.values()]
    twice = sorted({o for o in orders if orders.count(o) > 1})
    if twice:
        raise DataError(f"content/concerns/: two concerns have 'order' {twice[0]}; give each its own place.")
    return dict(sorted(out.items(), key=lambda kv: kv[1].order))


def concerns() -> dict[str, Concern]:
    """Every concern of ``content/concerns/`` (one file each, named by its key), in Key Card order."""
    return _all_concerns(stamps(*files("concerns"), paths.content_dir() / "sources.yml"))


def concern_keys() -> tuple:
    """The concern keys, in Key Card order: the names of the files in ``content/concerns/``."""
    return tuple(concerns())


def sources() -> dict:
    """The documents the words draw on (``content/sources.yml``), by id."""
    path = paths.content_dir() / "sources.yml"
    return _sources(stamps(path))


@lru_cache(maxsize=4)
def _sources(key: tuple) -> dict:
    return _read(key[0][0])


def meeting() -> dict:
    path = paths.content_dir() / "meeting.yml"
    return _meeting(stamps(path))


@lru_cache(maxsize=4)
def _meeting(key: tuple) -> dict:
    doc = _read(key[0][0])
    for name in ("headline_ask", "asks", "follow_up"):
        if not doc.get(name):
            raise DataError(f"content/meeting.yml: missing field '{name}'; see content/README.md.")
    return doc


def keys_help(listing) -> str:
    """Keys for the command line's help, from ``listing()``; a short note if the content cannot be read
    (the help still prints; the build then stops with the content's own one-line error)."""
    try:
        return ", ".join(listing())
    except BriefpackError as exc:
        return f"(the list cannot be read now: {exc})".replace("%", "%%")   # argparse formats help with %


def parse_concerns(value) -> list[str]:
    """Concern keys from 'a,b,c' or a list; checks the keys and that 1-3 distinct ones are given."""
    if value is None or value == "" or value == []:
        value = list(DEFAULT_CONCERNS)
    items = value.split(",") if isinstance(value, str) else list(value)
    keys = [str(k).strip().lower() for k in items if str(k).strip()]
    known = concern_keys()
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise InputError(
            f"Unknown concern {quote_input(unknown[0])}; choose 2-3 of: {', '.join(known)}."
        )
    seen = list(dict.fromkeys(keys))
    if not 2 <= len(seen) <= 3:
        raise InputError(f"Choose 2-3 concerns (got {len(seen)}); the campaign asks for 2-3 of: {', '.join(known)}.")
    return seen
