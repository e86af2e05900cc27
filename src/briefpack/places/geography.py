"""Constituencies, their MPs and their police force areas. GSS codes are the keys; names are labels."""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from briefpack.core.errors import InputError, listing, quote_input
from briefpack.data import catalogue as data
from briefpack.data import record

_GSS = re.compile(r"^[ENSW]\d{8}$", re.IGNORECASE)


def _fold(text: str) -> str:
    """Lower-case, accents removed, '&' as 'and', punctuation as spaces: for name matching."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    text = text.lower().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def slugify(name: str) -> str:
    """A file name for a constituency: 'Ynys Môn' -> 'ynys-mon'."""
    return _fold(name).replace(" ", "-")


@dataclass(frozen=True)
class Force:
    name: str            # as the Home Office NRM tables write it (the join key)
    area: str            # police force area name
    pfa_code: str        # PFA23CD, empty for Police Scotland and PSNI
    population_share: float
    area_share: float


WESTMINSTER, SCOTTISH = "westminster", "scottish"
PARLIAMENTS = (WESTMINSTER, SCOTTISH)


@dataclass(frozen=True)
class Seat:
    gss_code: str            # the key: a GSS code (S16... for a Scottish Parliament seat of 2026)
    name: str
    name_cy: str
    nation: str
    region: str
    constituency_type: str
    three_code: str
    parliament: str = WESTMINSTER
    boundaries: str = ""     # Scottish Parliament: the boundary set, "2026"

    @property
    def slug(self) -> str:
        return slugify(self.name) if self.parliament == WESTMINSTER else "msp-" + slugify(self.name)

    @property
    def member_title(self) -> str:
        return "MP" if self.parliament == WESTMINSTER else "MSP"

    @property
    def member_role(self) -> str:
        return "Member of Parliament" if self.parliament == WESTMINSTER else "Member of the Scottish Parliament"


@dataclass(frozen=True)
class Member:
    """The member for a seat. For Westminster (see :mod:`briefpack.places.members`): the sitting MP and party,
    ``as_of`` the printable date that holds for this seat ("27 June 2026"), and the 2024 result."""
    name: str                # as the source writes it (may carry an honorific); "" if vacant or unknown
    party: str
    party_abbrev: str        # the party's 2024 code (data/parties.csv), "" if none
    majority: int            # majority, result and second_party: the 4 July 2024 general election
    majority_pct: float
    result: str
    second_party: str
    as_of: str
    email: str = ""
    source: str = ""         # where name and party come from, for the page
    overridden: bool = False  # a local correction (data/campaign/member_overrides.csv) wins
    vacant: bool = False
    since_2024: object = None  # members.Since2024 when the member or party differs from July 2024


@lru_cache(maxsize=4)
def _index(stamp) -> tuple:
    """(seats in name order, by GSS code, by folded English or Welsh name), built once per data version."""
    df = data.read(data.CONSTITUENCIES)
    all_seats = [Seat(r.gss_code, r.name, r.name_cy or "", r.nation, r.region, r.constituency_type, r.three_code)
                 for r in df.itertuples(index=False)]
    all_seats.sort(key=lambda s: _fold(s.name))
    by_gss = {s.gss_code: s for s in all_seats}
    by_name = {_fold(s.name_cy): s for s in all_seats if s.name_cy}
    by_name.update({_fold(s.name): s for s in all_seats})
    return all_seats, by_gss, by_name


def _seat_index() -> tuple:
    return _index(data.stamp(data.CONSTITUENCIES))


# --- Scottish Parliament -------------------------------------------------------------------------
# The 73 constituencies drawn for the election of May 2026 (data/scottish_parliament_2026_constituencies.csv,
# Democracy Club). The 2011 set is kept only to recognise its names: a name that no longer exists gets
# the nearest 2026 names. Members (constituency and list) are in briefpack.places.msps.
BOUNDARY_CHANGE = "May 2026"


def holyrood_row(seat: "Seat") -> tuple:
    """(table, column, value) of the row that describes a Scottish Parliament seat."""
    return data.SCOTTISH_PARLIAMENT, "code", seat.gss_code


@lru_cache(maxsize=4)
def _holyrood_index(stamp) -> tuple:
    """(seats in name order, by GSS code, by folded name, {folded region name: region})."""
    df = data.read(data.SCOTTISH_PARLIAMENT)
    all_seats = [Seat(r.code, " ".join(r.name.split()), "", "Scotland", " ".join(r.region.split()), "", "",
                      SCOTTISH, "2026") for r in df.itertuples(index=False)]
    all_seats.sort(key=lambda s: _fold(s.name))
    regions_ = {_fold(s.region): s.region for s in all_seats}
    return all_seats, {s.gss_code: s for s in all_seats}, {_fold(s.name): s for s in all_seats}, regions_


def _holyrood() -> tuple:
    return _holyrood_index(data.stamp(data.SCOTTISH_PARLIAMENT))


@lru_cache(maxsize=2)
def _retired_names(stamp) -> dict:
    """{folded name or alternative name: name} of the 2011 constituencies (asked only for a name the 2026
    set does not have)."""
    df = data.read(data.SCOTTISH_PARLIAMENT_2011)
    out = {}
    for r in df[df["type"] == "constituency"].itertuples(index=False):
        for name in [r.name] + [a for a in str(r.alt_names or "").split("|") if a]:
            out[_fold(name)] = r.name
    return out


def regions() -> list[str]:
    """The eight electoral regions of the Scottish Parliament, in name order."""
    return sorted({s.region for s in _holyrood()[0]})


def find_region(query: str) -> str | None:
    """The Scottish Parliament region ``query`` names, as the data writes it (case, accents, spacing and
    '&'/'and' do not matter), or None."""
    return _holyrood()[3].get(_fold(query or ""))


def resolve_region(query: str) -> str:
    """The Scottish Parliament region named by ``query`` (:func:`find_region`); else an InputError that
    lists the regions."""
    found = find_region(query)
    if found is None:
        raise InputError(f"Unknown Scottish Parliament region {quote_input(str(query or '').strip())}; the regions "
                         f"are: {', '.join(regions())}.")
    return found


def seats(parliament: str = WESTMINSTER) -> list[Seat]:
    """All constituencies of a parliament (650 Westminster, 73 Scottish Parliament), in name order."""
    if parliament == SCOTTISH:
        return list(_holyrood()[0])
    return list(_seat_index()[0])


def resolve(query: str, parliament: str = WESTMINSTER) -> Seat:
    """Find a constituency by GSS code or by name (case, accents and '&'/'and' do not matter); the
    briefing being built records that it read the seat's row."""
    seat = _resolve(query, parliament)
    if seat.parliament == SCOTTISH:
        table, column, value = holyrood_row(seat)
        record.rows(table, column, [value])
    else:
        record.rows(data.CONSTITUENCIES, "gss_code", [seat.gss_code])
    return seat


def _resolve(query: str, parliament: str) -> Seat:
    text = str(query or "").strip()
    if parliament not in PARLIAMENTS:
        raise InputError(f"Unknown parliament {quote_input(parliament)}; use one of: {', '.join(PARLIAMENTS)}.")
    if parliament == SCOTTISH:
        return _resolve_holyrood(text)
    _, by_gss, by_name = _seat_index()
    if _GSS.match(text):
        if text.upper() in by_gss:
            return by_gss[text.upper()]
        raise InputError((
            f"No Westminster constituency has the GSS code {quote_input(text)}; "
            "use a 2024 code (E14…, W07…, S14…, N05…) or a name", listing("; `python build.py list` lists them.")
        ))
    folded = _fold(text)
    if folded in by_name:
        return by_name[folded]
    hint = _hint(folded, by_name)
    raise InputError((
        f"Unknown constituency {quote_input(text)} ({hint})",
        listing("; give a name or GSS code from `python build.py list`.")
    ))


def _resolve_holyrood(text: str) -> Seat:
    _, by_key, by_name, _ = _holyrood()
    if text.upper() in by_key:
        return by_key[text.upper()]
    folded = _fold(text)
    if folded in by_name:
        return by_name[folded]
    retired = _retired_names(data.stamp(data.SCOTTISH_PARLIAMENT_2011)).get(folded)
    if retired:
        nearest = _nearest(folded, by_name)
        raise InputError(f"{quote_input(retired)} was a Scottish Parliament constituency until the {BOUNDARY_CHANGE} "
                         f"election; the nearest 2026 name{'s' if len(nearest) > 1 else ''}: "
                         f"{'; '.join(s.name for s in nearest)}. "
                         "`python build.py list --parliament scottish` lists them all.")
    hint = _hint(folded, by_name)
    raise InputError((f"Unknown Scottish Parliament constituency {quote_input(text)} ({hint})",
                      listing("; `python build.py list --parliament scottish` lists them.")))


def _nearest(folded: str, by_name: dict) -> list:
    """The 2026 seats that share the most words with a retired name ('Glasgow Kelvin' -> 'Glasgow Kelvin
    and Maryhill'); when none shares a word, the usual suggestions."""
    words = {w for w in folded.split() if w not in _STOP_WORDS}
    shared = {seat: len(words.intersection(name.split())) for name, seat in by_name.items()}
    best = max(shared.values(), default=0)
    if not best:
        return _suggest(folded, by_name, SUGGESTIONS)[0]
    return sorted((s for s, n in shared.items() if n == best), key=lambda s: _fold(s.name))[:SUGGESTIONS]


# --- suggestions for a name that matches no seat ------------------------------------------------

SUGGESTIONS = 10    # seats named in an error message (Birmingham has 9)
_STOP_WORDS = frozenset({"a", "and", "in", "of", "on", "the", "upon", "with"})


def _suggest(folded: str, by_name: dict, limit: int) -> tuple[list[Seat], int]:
    """Ranked: names holding the query's words as whole words (most words first, then names that start
    with the query), then words that start with or contain them; only when none do, close spellings
    of the whole name and of its words (difflib)."""
    words = [w for w in folded.split() if w not in _STOP_WORDS] or folded.split()
    best: dict = {}

    def add(seat: Seat, rank: tuple) -> None:
        if seat not in best or rank < best[seat]:
            best[seat] = rank

    for name, seat in by_name.items():
        name_words = name.split()
        whole = sum(w in name_words for w in words)
        part = sum(any(n.startswith(w) or (len(w) >= 4 and w in n) for n in name_words) for w in words if len(w) >= 3)
        if whole or part:
            add(seat, (0 if whole else 1, -whole, -part, not name.startswith(folded), 0, _fold(seat.name)))
    if not best and folded:
        for i, name in enumerate(difflib.get_close_matches(folded, list(by_name), n=limit, cutoff=0.6)):
            add(by_name[name], (2, 0, 0, False, i, ""))
        vocabulary = {n for name in by_name for n in name.split()}
        near = {c for w in words for c in difflib.get_close_matches(w, vocabulary, n=3, cutoff=0.8)}
        for name, seat in by_name.items():
            hits = len(near.intersection(name.split()))
            if hits:
                add(seat, (3, -hits, 0, False, 0, _fold(seat.name)))
    ranked = sorted(best, key=best.get)
    return ranked[:limit], max(0, len(ranked) - limit)


def _hint(folded: str, by_name: dict) -> str:
    seats_, more = _suggest(folded, by_name, SUGGESTIONS)
    if not seats_:
        return "no close name"
    return f"closest: {', '.join(s.name for s in seats_)}" + (f" and {more} more" if more else "")


POLICE_SCOTLAND = Force("Police Scotland", "Scotland (Police Scotland)", "", 1.0, 1.0)


@lru_cache(maxsize=4)
def _forces(stamp) -> dict:
    df = data.read(data.SEAT_FORCES).sort_values(["pcon24_code", "share_of_constituency_pop"],
                                                  ascending=[True, False], kind="stable")
    out: dict = {}
    for r in df.itertuples(index=False):
        out.setdefault(r.pcon24_code, []).append(
            Force(r.nrm_police_first_responder_name, r.pfa_name, r.pfa_code or "", float(r.share_of_constituency_pop),
                  float(r.share_of_constituency_area)))
    return out


def forces(seat: Seat) -> list[Force]:
    """The police force area(s) covering a seat, largest population share first."""
    if seat.parliament == SCOTTISH:
        return [POLICE_SCOTLAND]
    found = _forces(data.stamp(data.SEAT_FORCES)).get(seat.gss_code)
    record.rows(data.SEAT_FORCES, "pcon24_code", [seat.gss_code])
    if not found:
        raise InputError(f"{seat.name} ({seat.gss_code}) has no police force in data/{data.SEAT_FORCES}.csv; add its row.")
    return list(found)


