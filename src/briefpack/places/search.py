"""Find Westminster constituencies by postcode, GSS code, name, member or council.

One search box serves the web page, the JSON API and (through the same look-ups, embedded) the
pack's index page. Names match whatever their case, accents or '&'/'and', and by words: every
word typed must start a word of the name ("ferry" finds Arbroath and Broughty Ferry, "banb"
finds Banbury as the user types). A postcode finds exactly one seat, which the user confirms.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache

from briefpack.core.errors import InputError, quote_input
from briefpack.data import catalogue as data
from briefpack.places import geography, members, postcodes
from briefpack.places.members import TABLES

LIMIT = 20
OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")   # a postcode district alone, e.g. OX16
GSS = re.compile(r"^[ENSW]\d{8}$", re.IGNORECASE)

# How well a seat matches: the best reason wins; ties go by name.
EXACT_NAME, NAME_START, NAME_WORDS = 100, 90, 80
EXACT_MEMBER, MEMBER_WORDS = 70, 60
EXACT_COUNCIL, COUNCIL_WORDS = 55, 50


@dataclass(frozen=True)
class Match:
    code: str        # 2024 GSS code
    name: str
    member: str
    party: str
    nation: str
    region: str
    via: str         # what matched: postcode, code, name, member or council
    detail: str = ""  # the postcode or the council's name that matched
    as_at: str = ""   # the date the member and party hold at ("27 June 2026")

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Found:
    query: str
    matches: tuple
    total: int = 0        # matches before the limit
    message: str = ""     # what to tell the user (a postcode to confirm, nothing found, not covered)

    def as_dict(self) -> dict:
        return {"query": self.query, "matches": [m.as_dict() for m in self.matches], "total": self.total,
                "message": self.message}


fold = geography._fold  # case, accents, '&'/'and' and punctuation folded, as constituency names are resolved


def _words(text: str) -> tuple:
    return tuple(fold(text).split())


def _all_start(query: tuple, words: tuple) -> bool:
    return all(any(w.startswith(q) for w in words) for q in query)


@dataclass(frozen=True)
class _Entry:
    seat: geography.Seat
    names: tuple          # folded English (and Welsh) names
    name_words: tuple
    member: str
    party: str
    member_words: tuple
    as_at: str


def _members_stamp() -> tuple:
    """Changes when any member table changes (``members.member`` reads them: members.TABLES)."""

    return tuple(data.stamp(n) for n in TABLES)


@lru_cache(maxsize=2)
def _index(stamp) -> tuple:
    entries = []
    for seat in geography.seats():
        m = members.member(seat)
        names = tuple(n for n in (fold(seat.name), fold(seat.name_cy)) if n)
        entries.append(_Entry(seat, names, tuple(w for n in names for w in n.split()), m.name, m.party,
                               _words(m.name), m.as_of))
    return tuple(entries), {e.seat.gss_code: e for e in entries}


def _seat_index() -> tuple:
    return _index((data.stamp(data.CONSTITUENCIES),) + _members_stamp())


@lru_cache(maxsize=2)
def _councils(stamp) -> tuple:
    """((council name, official name, folded words, (GSS codes, most people in the council first)), ...)."""
    overlaps = data.load(data.SEAT_COUNCILS)
    overlaps = overlaps[overlaps["overlap_pop"] > 0].sort_values(["lad23_code", "overlap_pop"],
                                                                  ascending=[True, False], kind="stable")
    official = dict(zip(*(data.load(data.COUNCIL_FORCES)[c] for c in ("lad23_code", "council_official_name"))))
    out = []
    for code, rows in overlaps.groupby("lad23_code", sort=False):
        name = rows["lad23_name"].iloc[0]
        full = official.get(code, "") or ""
        out.append((name, full, _words(name) + _words(full), tuple(rows["pcon24_code"])))
    out.sort(key=lambda c: fold(c[0]))
    return tuple(out)


def councils() -> tuple:
    """Every local authority district with the constituencies it overlaps (by population)."""
    return _councils(data.stamp(data.SEAT_COUNCILS) + data.stamp(data.COUNCIL_FORCES))


def _match(entry: _Entry, via: str, detail: str = "") -> Match:
    s = entry.seat
    return Match(s.gss_code, s.name, entry.member, entry.party, s.nation, s.region, via, detail, entry.as_at)


def seat_match(code: str, via: str = "code", detail: str = "") -> Match:
    """The match for one seat by GSS code (KeyError if unknown)."""
    return _match(_seat_index()[1][code.upper()], via, detail)


def find(query, limit: int = LIMIT) -> Found:
    """Seats matching ``query``: a postcode, a GSS code, or words of a name, member or council."""
    text = " ".join(str(query or "").split())
    if not text:
        return Found("", (), 0, "Type a postcode, a constituency, an MP's name or a council.")
    if len(text) > 100:
        raise InputError(f"The search {quote_input(text)} is {len(text)} characters long; keep it under 100.")
    if postcodes.looks_like_postcode(text):
        return _by_postcode(text)
    if GSS.match(text):
        try:
            m = seat_match(text)
        except KeyError:
            return Found(text, (), 0, f"No Westminster constituency has the code {quote_input(text)}.")
        return Found(text, (m,), 1)
    scored = _by_words(_words(text))
    ranked = sorted(scored.values(), key=lambda sm: (-sm[0], fold(sm[1].name)))
    matches = tuple(m for _, m in ranked[:limit])
    message = ""
    if not matches:
        compact = text.replace(" ", "").upper()
        if compact.startswith("BT") and (OUTWARD.match(compact) or len(compact) <= 4):
            message = postcodes.NOT_COVERED.format(compact)
        elif OUTWARD.match(compact):
            message = f"Type your whole postcode, for example {postcodes.EXAMPLE}."
        else:
            message = (f"Nothing matches {quote_input(text)}; try a full postcode (for example {postcodes.EXAMPLE}), "
                       "a constituency, your MP's name or your council.")
    return Found(text, matches, len(ranked), message)


def _by_postcode(text: str) -> Found:
    pc = postcodes.normalise(text)
    try:
        code = postcodes.constituency_code(pc)
    except InputError as exc:
        return Found(pc, (), 0, str(exc))
    m = seat_match(code, "postcode", pc)
    return Found(pc, (m,), 1, f"{pc} is in {m.name}. Check this is your constituency and MP: the look-up covers "
                              "postcodes in use in 2024, and a mistyped postcode can still match a seat.")


def _by_words(query: tuple) -> dict:
    """{GSS code: (score, Match)} for names, members and councils whose words start with the query's words."""
    entries, by_code = _seat_index()
    joined = " ".join(query)
    scored: dict = {}

    def offer(score: int, entry: _Entry, via: str, detail: str = "") -> None:
        best = scored.get(entry.seat.gss_code)
        if best is None or score > best[0]:
            scored[entry.seat.gss_code] = (score, _match(entry, via, detail))

    for e in entries:
        if joined in e.names:
            offer(EXACT_NAME, e, "name")
        elif any(n.startswith(joined) for n in e.names):
            offer(NAME_START, e, "name")
        elif _all_start(query, e.name_words):
            offer(NAME_WORDS, e, "name")
        if e.member_words and _all_start(query, e.member_words):
            offer(EXACT_MEMBER if joined == " ".join(e.member_words) else MEMBER_WORDS, e, "member", e.member)
    for name, full, words, codes in councils():
        if not _all_start(query, words):
            continue
        score = EXACT_COUNCIL if joined in (fold(name), fold(full)) else COUNCIL_WORDS
        for code in codes:
            if code in by_code:
                offer(score, by_code[code], "council", name)
    return scored
