"""Constituencies, their MPs and their police force areas. GSS codes are the keys; names are labels."""
from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from briefpack.core import paths
from briefpack.core.errors import DataError, InputError, quote_input
from briefpack.core.text import long_date
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
    gss_code: str            # the key: a GSS code, or "SP<parlparse number>" for a Holyrood seat
    name: str
    name_cy: str
    nation: str
    region: str
    constituency_type: str
    three_code: str
    parliament: str = WESTMINSTER
    boundaries: str = ""     # Scottish Parliament: the boundary set, "2011" or "2026"

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
# Two boundary sets: the 2011 list shipped in data/ (names only), and the 2026 list as a drop-in file
# data/campaign/scottish_parliament_2026.csv (code, name, region, member, party, as_of; schema in its
# sidecar and in data/README.md), used as soon as it is present.
HOLYROOD_2026 = "campaign/scottish_parliament_2026"
BOUNDARY_CHANGE = "May 2026"


def holyrood_2026_present() -> bool:
    """True once the 2026 constituency file has been dropped into data/campaign/."""
    return (paths.data_dir() / f"{HOLYROOD_2026}.csv").exists()


def holyrood_boundaries() -> str:
    """The Scottish Parliament boundary set in use: "2026" with the drop-in file, else "2011"."""
    return "2026" if holyrood_2026_present() else "2011"


def holyrood_row(seat: "Seat") -> tuple:
    """(table, column, value) of the row that describes a Scottish Parliament seat (and, in the 2026
    file, its member)."""
    if seat.boundaries == "2026":
        return HOLYROOD_2026, "code", seat.gss_code
    return data.SCOTTISH_PARLIAMENT, "name", seat.name


def holyrood_warning() -> str:
    """One line for the CLI while only the 2011 boundary set is available ("" once the 2026 file is in)."""
    if holyrood_2026_present():
        return ""
    return (f"Scottish Parliament constituencies are the 2011 boundary set; boundaries changed at the "
            f"{BOUNDARY_CHANGE} election. Add data/{HOLYROOD_2026}.csv (see data/README.md) to use the new ones.")


def _holyrood_stamp() -> tuple:
    return (data.stamp(HOLYROOD_2026),) if holyrood_2026_present() else \
        (data.stamp(data.SCOTTISH_PARLIAMENT),)


def _check_2026(df) -> None:
    """Checks beyond the schema: real dates, and a sidecar whose provenance has been filled in."""
    import datetime as dt

    m = data.meta(HOLYROOD_2026)
    for key in ("publisher", "dataset", "source_copy"):
        value = str(m.provenance.get(key) or "")
        if not value.strip() or value.strip().upper().startswith("FILL IN"):
            raise DataError(f"data/{HOLYROOD_2026}.meta.yml: provenance '{key}' is not filled in; say where the "
                            "constituency list and members come from (see data/README.md).")
    for i, r in enumerate(df.itertuples(index=False), start=2):
        try:
            dt.date.fromisoformat(r.as_of)
        except ValueError:
            raise DataError(f"data/{HOLYROOD_2026}.csv row {i}, column 'as_of': {r.as_of!r} is not a real date "
                            "(YYYY-MM-DD).") from None
        if r.party.strip() and not r.member.strip():
            raise DataError(f"data/{HOLYROOD_2026}.csv row {i}: a party is given but no member; leave both "
                            "empty for a vacant seat.")


@lru_cache(maxsize=4)
def _holyrood_index(stamp) -> tuple:
    """(seats in name order, by key, by folded name, {seat name: (member, party, as_of)})."""
    if stamp and stamp[0][1] == HOLYROOD_2026:
        df = data.read(HOLYROOD_2026)
        _check_2026(df)
        all_seats = [Seat(r.code, " ".join(r.name.split()), "", "Scotland", " ".join(r.region.split()), "", "",
                          SCOTTISH, "2026") for r in df.itertuples(index=False)]
        members = {" ".join(r.name.split()): (" ".join(r.member.split()), " ".join(r.party.split()), r.as_of)
                   for r in df.itertuples(index=False)}
        alts = {}
    else:
        df = data.read(data.SCOTTISH_PARLIAMENT)
        df = df[df["type"] == "constituency"]
        all_seats = [Seat("SP" + r.parlparse_id.rsplit("/", 1)[-1], r.name, "", "Scotland", "Scotland",
                          (r.subtype or "").capitalize(), "", SCOTTISH, "2011") for r in df.itertuples(index=False)]
        members = None
        alts = dict(zip(df.name, df.alt_names))
    all_seats.sort(key=lambda s: _fold(s.name))
    by_key = {s.gss_code: s for s in all_seats}
    by_name = {}
    for s in all_seats:
        for alt in filter(None, str(alts.get(s.name, "")).split("|")):
            by_name[_fold(alt)] = s
    by_name.update({_fold(s.name): s for s in all_seats})
    return all_seats, by_key, by_name, members


def seats(parliament: str = WESTMINSTER) -> list[Seat]:
    """All constituencies of a parliament (650 Westminster, 73 Scottish Parliament), in name order."""
    if parliament == SCOTTISH:
        return list(_holyrood_index(_holyrood_stamp())[0])
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
        raise InputError(
            f"No Westminster constituency has the GSS code {quote_input(text)}; "
            "use a 2024 code (E14…, W07…, S14…, N05…) or a name; `python build.py list` lists them."
        )
    folded = _fold(text)
    if folded in by_name:
        return by_name[folded]
    hint = _hint(folded, by_name)
    raise InputError(
        f"Unknown constituency {quote_input(text)} ({hint}); "
        "give a name or GSS code from `python build.py list`."
    )


def _resolve_holyrood(text: str) -> Seat:
    _, by_key, by_name, _ = _holyrood_index(_holyrood_stamp())
    if text.upper() in by_key:
        return by_key[text.upper()]
    folded = _fold(text)
    if folded in by_name:
        return by_name[folded]
    hint = _hint(folded, by_name)
    raise InputError(f"Unknown Scottish Parliament constituency {quote_input(text)} ({hint}); "
                     "`python build.py list --parliament scottish` lists them.")


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


def msp(seat: Seat, name: str = "") -> Member:
    """The MSP of a Scottish Parliament seat, as :func:`briefpack.places.members.member` describes."""
    if seat.boundaries == "2026":
        listed = _holyrood_index(_holyrood_stamp())[3].get(seat.name, ("", "", ""))
        listed_name, listed_party, as_of = listed
        where = (f"as listed in data/{HOLYROOD_2026}.csv, as at {long_date(dt.date.fromisoformat(as_of))}") if listed_name else ""
    else:
        by_seat = _msps(data.stamp(data.MSPS), _holyrood_stamp())
        listed_name, listed_party, written = by_seat.get(seat.name, ("", "", ""))
        # the row the campaigner wrote for this seat, keyed as written (a name or an alternative
        # name); with no row, the whole list, since a row added later may name the seat either way
        if written:
            record.rows(data.MSPS, "constituency", [written])
        else:
            record.table(data.MSPS)
        where = "as given by the campaign (data/campaign/msps.csv), not from an official list" if listed_name else ""
    if name and name != listed_name:
        listed_name, listed_party, where = name, "", "as given by the campaign (--msp), not from an official list"
    return Member(listed_name, listed_party, "", 0, 0.0, "", "", where)


@lru_cache(maxsize=4)
def _msps(stamp, holyrood_stamp) -> dict:
    """{seat name: (MSP name, party, the constituency as written in the file)}."""
    df = data.read(data.MSPS)
    _, _, by_name, _ = _holyrood_index(holyrood_stamp)
    out = {}
    for i, r in enumerate(df.itertuples(index=False), start=2):
        seat = by_name.get(_fold(r.constituency))
        if seat is None:
            raise DataError(f"data/{data.MSPS}.csv row {i}: {r.constituency!r} is not a Scottish Parliament "
                            "constituency; use a name from `python build.py list --parliament scottish`.")
        out[seat.name] = (" ".join(r.msp_name.split()), " ".join(r.party.split()), r.constituency)
    return out
