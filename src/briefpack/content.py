"""Editable content: the areas of concern, the seed documents they draw on, the meeting asks, and the
sentences code fills with numbers (:class:`Words`: ``figures.yml``, ``charts.yml``).

Content is data (YAML in ``content/``), validated here; researchers edit it without touching code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import paths
from .errors import DataError, InputError, quote_input

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


# --- reading: every cache below is keyed by the modification times of the files it read -------------

def stamps(*files) -> tuple:
    """A key for a cache of what was made from ``files``: it changes when any of them changes (its time
    and size, as the data caches), so an edit shows on the next call in the same process (a notebook
    in Jupyter, a warm kernel)."""
    from .data import _stamp

    return tuple((str(f), _stamp(Path(f))) for f in files)


def _read(path) -> dict:
    from .data import read_yaml

    path = Path(path)
    return read_yaml(path, f"content/{path.relative_to(paths.content_dir()).as_posix()}"
                     if path.is_relative_to(paths.content_dir()) else path.name)


def files(folder: str) -> list[Path]:
    """The YAML files of a folder of ``content/`` (``concerns``, ``topics``): one per key, named by it."""
    return sorted((paths.content_dir() / folder).glob("*.yml"))


# --- concerns ------------------------------------------------------------------------------------

_REQUIRED = ("key", "order", "title", "phrase", "summary", "problem", "figure", "sources")


def _concern(doc: dict, name: str, source_ids: set) -> Concern:
    from .figures import FIGURES

    missing = [k for k in _REQUIRED if not doc.get(k)]
    if missing:
        raise DataError(f"content/concerns/{name}: missing field(s) {missing}; see content/README.md.")
    for fkey in (doc["figure"], doc.get("figure_scotland")):
        if fkey and fkey not in FIGURES:
            raise DataError(f"content/concerns/{name}: figure {fkey!r} is unknown; use one of {sorted(FIGURES)}.")
    sources = tuple(doc["sources"])
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
    from .errors import BriefpackError

    try:
        return ", ".join(listing())
    except BriefpackError as exc:
        return f"(the list cannot be read now: {exc})".replace("%", "%%")   # argparse formats help with %


# --- sentences with placeholders -------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")


def placeholders(text: str) -> list[str]:
    return _PLACEHOLDER.findall(text)


def fill(text: str, values: dict) -> str:
    """Replace ``{name}`` with ``values[name]``, and ``{Name}`` with it capitalised; others stay as they are."""
    def sub(m):
        key = m.group(1)
        if key in values:
            return values[key]
        low = key[:1].lower() + key[1:]
        if key[:1].isupper() and low in values:
            value = values[low]
            return value[:1].upper() + value[1:]
        return m.group(0)

    return " ".join(_PLACEHOLDER.sub(sub, text).split())


class Words:
    """The sentences of one file of ``content/`` that code fills in with numbers it computed.

    ``spec`` says what the file must hold: ``{key: {field: placeholders}}``. Each text may use only its
    field's placeholders (``{force}``, or ``{Force}`` at the start of a sentence), so a number can never
    be written into the prose, only put in its place; a missing key or field, an unknown key or an
    unknown placeholder stops with one line naming the file and the key. The file is read again when
    it changes (by its modification time), so a notebook shows an edit on its next run.
    """

    def __init__(self, filename: str, spec: dict):
        self.filename = filename
        self.spec = {key: {field: tuple(names) for field, names in fields.items()} for key, fields in spec.items()}
        self._cache: tuple = (None, None)

    def doc(self) -> dict:
        path = paths.content_dir() / self.filename
        key = stamps(path)
        if self._cache[0] != key:
            self._cache = (key, self._check(_read(path)))
        return self._cache[1]

    def _check(self, doc: dict) -> dict:
        where = f"content/{self.filename}"
        unknown = [k for k in doc if k not in self.spec]
        if unknown:
            raise DataError(f"{where}: unknown key {unknown[0]!r}; the keys are {', '.join(self.spec)}.")
        out = {}
        for key, fields in self.spec.items():
            entry = doc.get(key)
            if not isinstance(entry, dict):
                raise DataError(f"{where}: missing key {key!r} (with {', '.join(fields)}); see content/README.md.")
            extra = [f for f in entry if f not in fields and f != "claims"]   # claims: see briefpack.claims
            if extra:
                raise DataError(f"{where}: {key}.{extra[0]} is not a field of {key}; its fields are "
                                f"{', '.join(fields)}.")
            out[key] = {}
            for field, names in fields.items():
                text = entry.get(field)
                if not isinstance(text, str) or not text.strip():
                    raise DataError(f"{where}: missing {key}.{field} (a sentence); see content/README.md.")
                for name in placeholders(text):
                    if name not in names and (name[:1].lower() + name[1:]) not in names:
                        allowed = ", ".join("{" + n + "}" for n in names) or "none"
                        raise DataError(f"{where}: {key}.{field} has an unknown placeholder {{{name}}}; "
                                        f"it can use {allowed}.")
                out[key][field] = " ".join(text.split())
        return out

    def __call__(self, key: str, field: str, **values) -> str:
        """The text of ``key.field`` with its placeholders filled in."""
        return fill(self.doc()[key][field], {k: str(v) for k, v in values.items()})


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
