"""Constituencies, their MPs and their police force areas. GSS codes are the keys; names are labels."""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from . import data
from .errors import DataError, InputError, quote_input

_GSS = re.compile(r"^[ENSW]\d{8}$", re.IGNORECASE)
NATIONS = ("England", "Wales", "Scotland", "Northern Ireland")


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
    is_main: bool


WESTMINSTER, SCOTTISH = "westminster", "scottish"
PARLIAMENTS = (WESTMINSTER, SCOTTISH)


@dataclass(frozen=True)
class Seat:
    gss_code: str            # the key: a GSS code, or "SP<parlparse number>" for a Holyrood seat
    name: str
    name_cy: str
    nation: str
    region: str
    constituency_type: str
    three_code: str
    parliament: str = WESTMINSTER

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
    name: str
    party: str
    party_abbrev: str
    majority: int
    majority_pct: float
    result: str
    second_party: str
    as_of: str


@lru_cache(maxsize=4)
def _index(stamp) -> tuple:
    """(seats in name order, by GSS code, by folded English or Welsh name), built once per data version."""
    df = data.load(data.CONSTITUENCIES)
    all_seats = [Seat(r.gss_code, r.name, r.name_cy or "", r.nation, r.region, r.constituency_type, r.three_code)
                 for r in df.itertuples(index=False)]
    all_seats.sort(key=lambda s: _fold(s.name))
    by_gss = {s.gss_code: s for s in all_seats}
    by_name = {_fold(s.name_cy): s for s in all_seats if s.name_cy}
    by_name.update({_fold(s.name): s for s in all_seats})
    return all_seats, by_gss, by_name


def _seat_index() -> tuple:
    return _index(data.stamp(data.CONSTITUENCIES))


@lru_cache(maxsize=4)
def _holyrood_index(stamp) -> tuple:
    df = data.load(data.SCOTTISH_PARLIAMENT)
    df = df[df["type"] == "constituency"]
    all_seats = [Seat("SP" + r.parlparse_id.rsplit("/", 1)[-1], r.name, "", "Scotland", "Scotland",
                      (r.subtype or "").capitalize(), "", SCOTTISH) for r in df.itertuples(index=False)]
    all_seats.sort(key=lambda s: _fold(s.name))
    by_key = {s.gss_code: s for s in all_seats}
    by_name = {}
    for s, alts in zip(all_seats, (df.set_index("name").loc[[s.name for s in all_seats], "alt_names"])):
        for alt in filter(None, str(alts).split("|")):
            by_name[_fold(alt)] = s
    by_name.update({_fold(s.name): s for s in all_seats})
    return all_seats, by_key, by_name


def seats(parliament: str = WESTMINSTER) -> list[Seat]:
    """All constituencies of a parliament (650 Westminster, 73 Scottish Parliament), in name order."""
    if parliament == SCOTTISH:
        return list(_holyrood_index(data.stamp(data.SCOTTISH_PARLIAMENT))[0])
    return list(_seat_index()[0])


def resolve(query: str, parliament: str = WESTMINSTER) -> Seat:
    """Find a constituency by GSS code or by name (case, accents and '&'/'and' do not matter)."""
    text = str(query or "").strip()
    if parliament not in PARLIAMENTS:
        raise InputError(f"Unknown parliament {quote_input(parliament)}; use one of: {', '.join(PARLIAMENTS)}.")
    if parliament == SCOTTISH:
        return _resolve_holyrood(text)
    _, by_gss, by_name = _seat_index()
    if _GSS.match(text):
        if text.upper() in by_gss:
            return by_gss[text.upper()]
        raise InputError(
            f"No Westminster constituency has the GSS code {quote_input(text)}; "
            "use a 2024 code (E14…, W07…, S14…, N05…) or a name; `python build.py --list` lists them."
        )
    folded = _fold(text)
    if folded in by_name:
        return by_name[folded]
    hint = _hint(folded, by_name)
    raise InputError(
        f"Unknown constituency {quote_input(text)} ({hint}); "
        "give a name or GSS code from `python build.py --list`."
    )


def _resolve_holyrood(text: str) -> Seat:
    _, by_key, by_name = _holyrood_index(data.stamp(data.SCOTTISH_PARLIAMENT))
    if text.upper() in by_key:
        return by_key[text.upper()]
    folded = _fold(text)
    if folded in by_name:
        return by_name[folded]
    hint = _hint(folded, by_name)
    raise InputError(f"Unknown Scottish Parliament constituency {quote_input(text)} ({hint}); "
                     "`python build.py --parliament scottish --list` lists them.")


# --- suggestions for a name that matches no seat ------------------------------------------------

SUGGESTIONS = 10    # seats named in an error message (Birmingham has 9)
_STOP_WORDS = frozenset({"a", "and", "in", "of", "on", "the", "upon", "with"})


def suggest(query: str, parliament: str = WESTMINSTER, limit: int = SUGGESTIONS) -> tuple[list[Seat], int]:
    """The seats a partial or mistyped name may mean, best first, and how many more matched."""
    index = _holyrood_index(data.stamp(data.SCOTTISH_PARLIAMENT)) if parliament == SCOTTISH else _seat_index()
    return _suggest(_fold(query), index[2], limit)


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


POLICE_SCOTLAND = Force("Police Scotland", "Scotland (Police Scotland)", "", 1.0, 1.0, True)


@lru_cache(maxsize=4)
def _forces(stamp) -> dict:
    df = data.load(data.SEAT_FORCES).sort_values(["pcon24_code", "share_of_constituency_pop"],
                                                  ascending=[True, False], kind="stable")
    out: dict = {}
    for r in df.itertuples(index=False):
        out.setdefault(r.pcon24_code, []).append(
            Force(r.nrm_police_first_responder_name, r.pfa_name, r.pfa_code or "", float(r.share_of_constituency_pop),
                  float(r.share_of_constituency_area), bool(r.is_main_force)))
    return out


def forces(seat: Seat) -> list[Force]:
    """The police force area(s) covering a seat, largest population share first."""
    if seat.parliament == SCOTTISH:
        return [POLICE_SCOTLAND]
    found = _forces(data.stamp(data.SEAT_FORCES)).get(seat.gss_code)
    if not found:
        raise InputError(f"{seat.name} ({seat.gss_code}) has no police force in data/{data.SEAT_FORCES}.csv; add its row.")
    return list(found)


@lru_cache(maxsize=4)
def _members(stamp) -> dict:
    df = data.load(data.MPS)
    return {r.gss_code: Member(str(r.mp_name), str(r.party_name), str(r.party_abbrev), int(r.majority),
                               float(r.majority_pct_of_valid), str(r.result_2024), str(r.second_party), str(r.as_of))
            for r in df.itertuples(index=False)}


def member(seat: Seat, name: str = "") -> Member:
    """The MP elected for the seat at the 4 July 2024 general election; for a Scottish Parliament
    seat, the MSP named by the campaigner (``name`` or data/campaign/msps.csv), if any."""
    if seat.parliament == SCOTTISH:
        listed_name, listed_party = msp_names().get(seat.name, ("", ""))
        if name and name != listed_name:
            listed_name, listed_party = name, ""
        return Member(listed_name, listed_party, "", 0, 0.0, "", "", "named by the campaigner" if listed_name else "")
    found = _members(data.stamp(data.MPS)).get(seat.gss_code)
    if found is None:
        raise InputError(f"{seat.name} ({seat.gss_code}) has no MP in data/{data.MPS}.csv; add its row.")
    return found


def msp_names() -> dict:
    """{Scottish Parliament constituency: (MSP name, party)} from data/campaign/msps.csv (filled in by campaigners)."""
    return _msps(data.stamp(data.MSPS))


@lru_cache(maxsize=4)
def _msps(stamp) -> dict:
    df = data.load(data.MSPS)
    _, _, by_name = _holyrood_index(data.stamp(data.SCOTTISH_PARLIAMENT))
    out = {}
    for i, r in enumerate(df.itertuples(index=False), start=2):
        seat = by_name.get(_fold(r.constituency))
        if seat is None:
            raise DataError(f"data/{data.MSPS}.csv row {i}: {r.constituency!r} is not a Scottish Parliament "
                            "constituency; use a name from `python build.py --parliament scottish --list`.")
        out[seat.name] = (" ".join(r.msp_name.split()), " ".join(r.party.split()))
    return out
