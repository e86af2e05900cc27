"""Sitting Westminster members: who holds each seat now, as at which date, and what changed since 2024.

Where each part comes from (every file is validated against its sidecar when read):

- ``data/mps_current.csv``: the sitting MP, party and parliamentary email (UK Parliament Members
  API, via the Department for Education's mp-lookup); ``build.py refresh-members`` replaces it
  (:mod:`briefpack.app.refresh`);
- ``data/mp_changes.csv``: the change log, seat by seat, dated when the members file first showed
  each change; a refresh adds its rows;
- ``data/mp_change_notes.csv``: by-elections and corrections compiled by hand, for what the log
  cannot tell (a by-election before the log began; log rows that repaired the source file);
- ``data/parties.csv``: each party name and its 2024 code, so "Labour (Co-op)" is Labour;
- ``data/mps_elected_ge2024.csv``: who won in July 2024, and the 2024 result;
- ``data/campaign/member_overrides.csv``: coordinators' corrections, which win over the snapshot.

A new member is known only from a by-election note or a log row "new member" that is not a
correction. Names are never compared: 14 seats show the same person as in 2024 under another form
of name ("Tan Dhesi" / "Mr Tanmanjeet Singh Dhesi").

Each seat carries its own "as at" date: the date of the first members file brought in (the
sidecar's ``as_at``), or the date of a later refresh that changed the seat. So a refresh that
changes one seat changes that seat's inputs only, and only its briefing is rebuilt.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from briefpack.core.errors import DataError
from briefpack.core.text import long_date
from briefpack.data import catalogue as data
from briefpack.data import record
from briefpack.places import geography, msps

OVERRIDES = "campaign/member_overrides"
# Every table a Westminster member is made from (their file times key the cache below).
TABLES = (data.MPS_CURRENT, data.MPS, data.MP_CHANGES, data.MP_CHANGE_NOTES, data.PARTIES, OVERRIDES)
VACANT = "Vacant"
NO_EMAIL = ("No email found", "NA")
SOURCE = "UK Parliament Members API, via the Department for Education's mp-lookup"
CURRENT_FILE = f"data/{data.MPS_CURRENT}.csv"


@dataclass(frozen=True)
class Since2024:
    """How a seat's member differs from the general election of 4 July 2024 (words in cover.html.j2)."""
    kind: str            # "by-election", "party change", "vacant" or "corrected" (a local correction)
    name_2024: str       # who won the seat in July 2024, and for which party (2024 results file)
    party_2024: str
    party_now: str

    @property
    def party_now_article(self) -> str:
        return "an" if self.party_now[:1].upper() in "AEIOU" else "a"


def is_vacant(display_as: str, party_text: str) -> bool:
    """A seat is vacant only where the members file says so, in both name and party."""
    return display_as == VACANT and party_text == VACANT


def party_codes() -> dict:
    """{party name as the Members API writes it: its 2024 party code, or ''} from data/parties.csv."""
    return _party_codes(data.stamp(data.PARTIES))


@lru_cache(maxsize=4)
def _party_codes(stamp) -> dict:
    return {r.party: r.party_2024 for r in data.read(data.PARTIES).itertuples(index=False)}


def check_members(df, shown_as: str = CURRENT_FILE) -> None:
    """Rules beyond the sidecar's schema: the same 650 seats as the constituency table, a vacancy
    only where both name and party say 'Vacant', a member id for every member (each once), and
    every party in data/parties.csv. Raises a one-line DataError."""
    seats = {s.gss_code for s in geography.seats()}
    codes = set(df.pcon_code)
    if codes != seats:
        extra, missing = sorted(codes - seats), sorted(seats - codes)
        what = f"codes not in the constituency table: {', '.join(extra[:3])}" if extra else \
            f"no row for {', '.join(missing[:3])}"
        raise DataError(f"{shown_as}: not the 650 Westminster constituencies of 2024 ({what}).")
    parties = party_codes()
    seen: dict = {}
    for i, r in enumerate(df.itertuples(index=False), start=2):
        where = f"{shown_as} row {i} ({r.pcon_name})"
        if VACANT in (r.display_as, r.party_text) and not is_vacant(r.display_as, r.party_text):
            raise DataError(f"{where}: a vacant seat must say 'Vacant' as both name and party; "
                            f"found {r.display_as!r}, {r.party_text!r}.")
        if is_vacant(r.display_as, r.party_text):
            continue
        if not r.member_id.isdigit():
            raise DataError(f"{where}: {r.display_as!r} has no member id; only a vacant seat may lack one.")
        if r.member_id in seen:
            raise DataError(f"{where}: member id {r.member_id} is also the member for {seen[r.member_id]}.")
        seen[r.member_id] = r.pcon_name
        if r.party_text not in parties:
            raise DataError(f"{where}: party {r.party_text!r} is not in data/{data.PARTIES}.csv; add it there "
                            "(with its 2024 code if it is a party of 2024 under a new name) and try again.")


# --- reading --------------------------------------------------------------------------------------

def base_date() -> dt.date:
    """The date of the first members file brought in: a seat unchanged since then is 'as at' it."""
    text = str(data.meta(data.MPS_CURRENT).provenance.get("as_at", ""))
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DataError(f"data/{data.MPS_CURRENT}.meta.yml: provenance.as_at {text!r} is not a date "
                        "(YYYY-MM-DD); restore it from git.") from None


def snapshot() -> dict:
    """The copy of the members file in use: {'as_at': date, 'source': text} (written by a refresh)."""
    doc = data.read_yaml(data.meta(data.MPS_CURRENT).csv.with_suffix(".meta.yml"),
                         f"data/{data.MPS_CURRENT}.meta.yml")
    snap = doc.get("snapshot") or {}
    try:
        as_at = dt.date.fromisoformat(str(snap.get("as_at", "")))
    except ValueError:
        raise DataError(f"data/{data.MPS_CURRENT}.meta.yml: snapshot.as_at is missing or not a date; "
                        "restore it from git or refresh the members.") from None
    return {"as_at": as_at, "source": str(snap.get("source", ""))}


def _stamps() -> tuple:
    return tuple(data.stamp(t) for t in TABLES)


@lru_cache(maxsize=2)
def _state(stamps) -> dict:
    current = data.read(data.MPS_CURRENT)
    check_members(current)
    elected = {r.gss_code: r for r in data.read(data.MPS).itertuples(index=False)}
    notes = data.read(data.MP_CHANGE_NOTES)
    known = {s.gss_code for s in geography.seats()}
    for i, r in enumerate(notes.itertuples(index=False), start=2):
        if r.gss_code not in known:
            raise DataError(f"data/{data.MP_CHANGE_NOTES}.csv row {i}: {r.gss_code} is not a Westminster "
                            "constituency code; use one from `python build.py list`.")
    by_elections = set(notes.gss_code[notes.kind == "by-election"])
    corrections = set(zip(notes.gss_code[notes.kind == "correction"], notes.file_changed[notes.kind == "correction"]))
    log = data.read(data.MP_CHANGES)
    new_members = {g for g, day, kind in zip(log.gss_code, log.file_changed, log.kind)
                   if kind == "new member" and (g, day) not in corrections}
    last_change = log.groupby("gss_code")["file_changed"].max().to_dict()
    return {"current": {r.pcon_code: r for r in current.itertuples(index=False)}, "elected": elected,
            "new_member": by_elections | new_members, "last_change": last_change, "base": base_date(),
            "overrides": _overrides(), "parties": party_codes()}


def overrides() -> dict:
    """{gss code: correction} from data/campaign/member_overrides.csv, each row checked."""
    return _state(_stamps())["overrides"]


def _overrides() -> dict:
    df = data.read(OVERRIDES)
    shown = f"data/{OVERRIDES}.csv"
    by_gss = {s.gss_code: s for s in geography.seats()}
    by_name = {s.name: s for s in geography.seats()}
    parties = party_codes()
    out = {}
    for i, r in enumerate(df.itertuples(index=False), start=2):
        seat = by_gss.get(r.seat) or by_name.get(r.seat)
        if seat is None:
            raise DataError(f"{shown} row {i}: seat {r.seat!r} is not a Westminster constituency; write its GSS "
                            "code or its name exactly as `python build.py list` shows it.")
        if seat.gss_code in out:
            raise DataError(f"{shown} row {i}: {seat.name} already has a correction; keep one row per seat.")
        try:
            day = dt.date.fromisoformat(r.date)
        except ValueError:
            raise DataError(f"{shown} row {i}: date {r.date!r} is not a real date (YYYY-MM-DD).") from None
        vacant = r.member == VACANT
        if not vacant and r.party not in parties:
            raise DataError(f"{shown} row {i}: party {r.party!r} is not in data/{data.PARTIES}.csv; write it as "
                            "it is written there (e.g. 'Labour (Co-op)') or add it.")
        if vacant and r.party not in ("", VACANT):
            raise DataError(f"{shown} row {i}: a vacant seat has no party; leave party empty.")
        out[seat.gss_code] = {"member": "" if vacant else r.member, "party": "" if vacant else r.party,
                              "email": r.email, "date": day, "source": r.source, "vacant": vacant}
    return out


def seat_date(gss_code: str) -> dt.date:
    """The date a seat's snapshot details hold at: the first file's date, or a later change's."""
    return _seat_date(_state(_stamps()), gss_code)


def _seat_date(st: dict, gss_code: str) -> dt.date:
    last = st["last_change"].get(gss_code)
    return max(st["base"], dt.date.fromisoformat(last)) if last else st["base"]


def sitting(seat: geography.Seat) -> geography.Member:
    """The sitting MP for a Westminster seat, with the date that holds and any change since 2024.
    The briefing being built records the rows it read: the seat's rows of each member table (a local
    correction may name the seat by code or by name) and the party list."""
    return _sitting(seat, _state(_stamps()))


def _sitting(seat: geography.Seat, st: dict) -> geography.Member:
    """:func:`sitting` from the members tables as read once (``st``: the files are looked at once per
    call of :func:`sitting`, or once for all 650 seats in :func:`all_sitting`)."""
    gss = seat.gss_code
    for table, column, values in ((data.MPS_CURRENT, "pcon_code", [gss]), (data.MPS, "gss_code", [gss]),
                                  (data.MP_CHANGES, "gss_code", [gss]), (data.MP_CHANGE_NOTES, "gss_code", [gss]),
                                  (OVERRIDES, "seat", [gss, seat.name])):
        record.rows(table, column, values)
    record.table(data.PARTIES)
    row, won = st["current"].get(seat.gss_code), st["elected"].get(seat.gss_code)
    if row is None or won is None:
        missing = CURRENT_FILE if row is None else f"data/{data.MPS}.csv"
        raise DataError(f"{seat.name} ({seat.gss_code}) has no row in {missing}; restore the file from git.")
    fix = st["overrides"].get(seat.gss_code)
    if fix:
        name, party, email, vacant = fix["member"], fix["party"], fix["email"], fix["vacant"]
        as_of, source = fix["date"], f"a local correction recorded by the campaign ({fix['source']})"
    else:
        vacant = is_vacant(row.display_as, row.party_text)
        name, party = ("", "") if vacant else (row.display_as, row.party_text)
        email = "" if vacant or row.member_email in NO_EMAIL else row.member_email
        as_of, source = _seat_date(st, seat.gss_code), SOURCE
    code = st["parties"].get(party, "")
    if vacant:
        kind = "vacant"
    elif fix:
        kind = "corrected"
    elif seat.gss_code in st["new_member"]:
        kind = "by-election"
    elif code != won.party_abbrev:
        kind = "party change"
    else:
        kind = ""
    since = Since2024(kind, won.mp_name, won.party_name, party) if kind else None
    return geography.Member(name, party, code, int(won.majority), float(won.majority_pct_of_valid),
                            str(won.result_2024), str(won.second_party), long_date(as_of), email=email,
                            source=source, overridden=bool(fix), vacant=vacant, since_2024=since)


def all_sitting() -> dict:
    """{gss code: Member} for the 650 Westminster seats."""
    st = _state(_stamps())
    return {s.gss_code: _sitting(s, st) for s in geography.seats()}


def member(seat: geography.Seat, name: str = "") -> geography.Member:
    """The sitting MP for a Westminster seat (:func:`sitting`); for a Scottish Parliament seat, its
    constituency MSP (:func:`briefpack.places.msps.member`: ``name`` given with --msp wins)."""
    if seat.parliament == geography.SCOTTISH:
        return msps.member(seat, name)
    return sitting(seat)


def addressee(seat: geography.Seat, m: geography.Member) -> str:
    """How to address a seat's member: 'Sean Woodcock MP', or their office when the name is not known."""
    if m.name:
        return f"{m.name} {seat.member_title}"
    return f"the {seat.member_role} for {seat.name}"
