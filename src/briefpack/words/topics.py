"""The topics of topic briefings: one per campaign concern and per theme (see
:mod:`briefpack.render.topic_briefing` for the pages). Words come from ``content/topics/<key>.yml`` (one file per topic, named by its key); every chart and
figure from ``data/``.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from briefpack.core import paths
from briefpack.core.errors import DataError, InputError, quote_input
from briefpack.data import catalogue as data
from briefpack.words import content

TYPES = ("Sexual", "Labour", "Criminal", "Domestic")
KINDS = ("concern", "theme")                 # one of the campaign's concerns, or a theme across them
AGE_FOCUS = ("all", "children", "adults")    # whose line the age chart draws in front
_REQUIRED = ("key", "title", "kind", "summary", "why", "exploitation_types", "age_focus", "recommendations")


def topic_keys() -> tuple:
    """Every topic: the concerns' topics in Key Card order, then the themes by key."""
    return tuple(_all_topics(_stamps()))


def topic(key: str) -> dict:
    """The checked content of ``content/topics/<key>.yml``."""
    return _all_topics(_stamps())[key]


def _stamps() -> tuple:
    folder = paths.content_dir()
    return content.stamps(*content.files("topics"), folder / "sources.yml", *content.files("concerns"))


@lru_cache(maxsize=4)
def _all_topics(key: tuple) -> dict:
    concerns = content.concern_keys()
    found = {Path(p).stem: _topic(Path(p), concerns) for p, _ in key if Path(p).parent.name == "topics"}
    if not found:
        raise DataError("content/topics/ has no topic files (<key>.yml); restore them from git.")
    rank = {k: i for i, k in enumerate(concerns)}
    return dict(sorted(found.items(), key=lambda kv: (kv[1]["kind"] == "theme", rank.get(kv[0], 0), kv[0])))


def _topic(path: Path, concerns: tuple) -> dict:
    key, where = path.stem, f"content/topics/{path.name}"
    doc = data.read_yaml(path, where)
    missing = [k for k in _REQUIRED if k not in (doc or {})]
    if missing:
        raise DataError(f"{where}: missing field(s) {missing}; see content/topics/README.md.")
    if doc["key"] != key:
        raise DataError(f"{where}: its 'key' field must be {key!r}, the file's name.")
    if doc["kind"] not in KINDS:
        raise DataError(f"{where}: kind must be concern or theme.")
    if (doc["kind"] == "concern") != (key in concerns):
        raise DataError(f"{where}: kind is {doc['kind']}, but {key!r} {'is not' if key not in concerns else 'is'} "
                        "a concern in content/concerns/; a concern's topic has its key and kind concern.")
    bad = [t for t in doc["exploitation_types"] or [] if t not in TYPES]
    if bad:
        raise DataError(f"{where}: exploitation_types has {bad}; use any of {list(TYPES)}.")
    if doc["age_focus"] not in AGE_FOCUS:
        raise DataError(f"{where}: age_focus must be all, children or adults.")
    ids = set(content.sources())
    for i, rec in enumerate(doc["recommendations"] or [], start=1):
        if not rec.get("text") or rec.get("source") not in ids:
            raise DataError(f"{where}: recommendation {i} needs text and a source id from content/sources.yml.")
    quote = doc.get("quote")
    if quote and (not quote.get("text") or quote.get("source") not in ids):
        raise DataError(f"{where}: the quote needs text and a source id from content/sources.yml.")
    return doc


def parse_topics(value) -> list[str]:
    """Topic keys from 'a,b' or a list, or 'all'."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    keys = [str(k).strip().lower().replace("-", "_") for k in items if str(k).strip()]
    known = topic_keys()
    if keys == ["all"]:
        return list(known)
    for k in keys:
        if k not in known:
            raise InputError(f"Unknown topic {quote_input(k)}; choose from: {', '.join(known)} (or all).")
    if not keys:
        raise InputError(f"Name a topic: one of {', '.join(known)} (or all).")
    return list(dict.fromkeys(keys))
