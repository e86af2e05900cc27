"""Members of the Scottish Parliament: each constituency's MSP and the seven list MSPs of its region.

A campaigner in Scotland has eight MSPs: one for the constituency and seven for the electoral region.
Where each part comes from (every file is validated against its sidecar when read):

- ``data/msps_current.csv``: who sits now, one row per MSP (73 constituency rows, 7 list rows for
  each of the 8 regions), each with the date it holds at; made from the results of 7 May 2026
  (Democracy Club) and replaced by ``build.py refresh-msps`` (:mod:`briefpack.app.msps_refresh`);
- ``data/campaign/msp_overrides.csv``: coordinators' corrections (a member the data lacks, a
  by-election) and the form of name a member is known by ("known as"), each with its source; they
  win over the file, and the letter's salutation uses the name known as.

A member the data lacks (Orkney Islands: its party is known, its member could not be sourced) is not
guessed: the briefing addresses "the Member of the Scottish Parliament for Orkney Islands", the
command line warns in one line, and ``--msp NAME`` (or an override row) names them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from briefpack.core.errors import DataError
from briefpack.core.text import long_date
from briefpack.data import catalogue as data
from briefpack.data import record
from briefpack.places import geography

LIST_SEATS = 7          # list MSPs per region
CONSTITUENCIES = 73
REGIONS = 8
CURRENT_FILE = f"data/{data.MSPS_CURRENT}.csv"
OVERRIDES_FILE = f"data/{data.MSP_OVERRIDES}.csv"
SOURCE = "Democracy Club"


@dataclass(frozen=True)
class Msp:
    """One MSP as a briefing prints them."""
    name: str             # as printed and used in the salutation: the name known as, if recorded
    party: str
    region: str
    constituency: str     # "" for a list MSP
    as_of: str            # "8 May 2026"
    ballot_name: str = ""  # as the data writes it (the ballot paper), when different from name
    correction: str = ""   # a local correction: "recorded by the campaign on <date> (<source>)"

    @property
    def kind(self) -> str:
        return "constituency" if self.constituency else "list"


def _norm(text) -> str:
    return " ".join(str(text or "").split())


def check(df, shown: str = CURRENT_FILE) -> None:
    """Rules beyond the sidecar's schema: the 73 constituencies with their own codes, names and regions,
    each once; seven list rows for each of the eight regions; no member twice; a party for every member.
    Raises a one-line DataError naming ``shown`` and the row."""
    seats = {s.gss_code: s for s in geography.seats(geography.SCOTTISH)}
    regions = set(geography.regions())
    seen_codes: dict = {}
    seen_members: dict = {}
    per_region = {r: 0 for r in regions}
    for i, r in enumerate(df.itertuples(index=False), start=2):
        code, name, region, member_, party = (_norm(r.code), _norm(r.constituency), _norm(r.region),
                                              _norm(r.member), _norm(r.party))
        where = f"{shown} row {i}"
        if region not in regions:
            raise DataError(f"{where}: {region!r} is not one of the 8 regions ({', '.join(sorted(regions))}).")
        if code or name:
            seat = seats.get(code)
            if seat is None:
                raise DataError(f"{where}: {code or '(no code)'} is not the code of a Scottish Parliament "
                                "constituency of 2026; see `python build.py list --parliament scottish`.")
            if name != seat.name:
                raise DataError(f"{where}: {code} is {seat.name}, not {name!r}.")
            if region != seat.region:
                raise DataError(f"{where}: {seat.name} is in the region {seat.region}, not {region}.")
            if code in seen_codes:
                raise DataError(f"{where}: {seat.name} is listed twice (also row {seen_codes[code]}).")
            seen_codes[code] = i
        else:
            per_region[region] += 1
        if member_:
            if not party:
                raise DataError(f"{where}: {member_} has no party; give the party (or 'Independent').")
            key = geography._fold(member_)
            if key in seen_members:
                raise DataError(f"{where}: {member_} is also the member in row {seen_members[key]}; "
                                "no member sits twice.")
            seen_members[key] = i
    missing = [s.name for c, s in seats.items() if c not in seen_codes]
    if missing:
        raise DataError(f"{shown}: no row for {', '.join(missing[:3])}{' and more' if len(missing) > 3 else ''}; "
                        f"every one of the {CONSTITUENCIES} constituencies needs its row.")
    wrong = {r: n for r, n in per_region.items() if n != LIST_SEATS}
    if wrong:
        region, n = sorted(wrong.items())[0]
        raise DataError(f"{shown}: the region {region} has {n} list MSP{'s' if n != 1 else ''}; each of the "
                        f"{REGIONS} regions has {LIST_SEATS}.")


def _stamps() -> tuple:
    return tuple(data.stamp(n) for n in (data.MSPS_CURRENT, data.MSP_OVERRIDES, data.SCOTTISH_PARLIAMENT))


@lru_cache(maxsize=2)
def _state(stamps) -> dict:
    df = data.read(data.MSPS_CURRENT)
    check(df)
    by_code, by_region = {}, {}
    for r in df.itertuples(index=False):
        row = {"member": _norm(r.member), "party": _norm(r.party), "region": _norm(r.region),
               "constituency": _norm(r.constituency), "as_of": dt.date.fromisoformat(r.as_of)}
        if r.code:
            by_code[r.code] = row
        else:
            by_region.setdefault(row["region"], []).append(row)
    return {"by_code": by_code, "by_region": by_region, "overrides": _overrides(by_code, by_region)}


def _overrides(by_code: dict, by_region: dict) -> dict:
    """{(seat code or region, folded member or ''): correction}, each row checked."""
    df = data.read(data.MSP_OVERRIDES)
    seats = geography.seats(geography.SCOTTISH)
    by_name = {geography._fold(s.name): s for s in seats} | {s.gss_code: s for s in seats}
    out = {}
    for i, r in enumerate(df.itertuples(index=False), start=2):
        where = f"{OVERRIDES_FILE} row {i}"
        seat = by_name.get(r.seat.strip().upper()) or by_name.get(geography._fold(r.seat))
        region = geography.find_region(r.seat)
        try:
            day = dt.date.fromisoformat(r.date)
        except ValueError:
            raise DataError(f"{where}: date {r.date!r} is not a real date (YYYY-MM-DD).") from None
        fix = {"member": _norm(r.member), "known_as": _norm(r.known_as), "party": _norm(r.party), "date": day,
               "source": _norm(r.source)}
        if seat is not None:
            key = (seat.gss_code, "")
        elif region is not None:
            names = {geography._fold(m["member"]) for m in by_region.get(region, [])}
            if geography._fold(fix["member"]) not in names:
                raise DataError(f"{where}: {fix['member']!r} is not a list MSP of {region} in {CURRENT_FILE}; "
                                "write the name as that file does (a new list MSP comes with --refresh-msps).")
            key = (region, geography._fold(fix["member"]))
        else:
            raise DataError(f"{where}: {r.seat!r} is neither a Scottish Parliament constituency nor a region; "
                            "write a name from `python build.py list --parliament scottish` or a region.")
        if key in out:
            raise DataError(f"{where}: {r.seat} {fix['member']} already has a row; keep one row per member.")
        out[key] = fix
    return out


def _apply(row: dict, fix: dict | None, constituency: str) -> Msp:
    as_of = long_date(row["as_of"])
    if not fix:
        return Msp(row["member"], row["party"], row["region"], constituency, as_of)
    replaced = geography._fold(fix["member"]) != geography._fold(row["member"])
    ballot = fix["member"] if replaced else row["member"]
    party = fix["party"] or (row["party"] if not replaced or not row["member"] else "")
    name = fix["known_as"] or ballot
    note = f"recorded by the campaign, {long_date(fix['date'])} ({fix['source']})"
    return Msp(name, party, row["region"], constituency, long_date(fix["date"]) if replaced or fix["party"] else as_of,
               ballot if ballot != name else "", note)


def constituency_msp(seat: geography.Seat) -> Msp:
    """The constituency's MSP (``name`` is "" when the data has none); the briefing records the rows it read."""
    st = _state(_stamps())
    record.rows(data.MSPS_CURRENT, "code", [seat.gss_code])
    record.rows(data.MSP_OVERRIDES, "seat", [seat.name, seat.gss_code])
    row = st["by_code"][seat.gss_code]
    return _apply(row, st["overrides"].get((seat.gss_code, "")), seat.name)


def list_msps(seat: geography.Seat) -> list[Msp]:
    """The seven list MSPs of the seat's region, in the data's order (party, then list position)."""
    st = _state(_stamps())
    record.rows(data.MSPS_CURRENT, "region", [seat.region])
    record.rows(data.MSP_OVERRIDES, "seat", [seat.region])
    return [_apply(row, st["overrides"].get((seat.region, geography._fold(row["member"]))), "")
            for row in st["by_region"][seat.region]]


def member(seat: geography.Seat, name: str = "") -> geography.Member:
    """The constituency MSP as a briefing's member: from the data (with its overrides), or ``name``
    (``--msp``), which wins. ``as_of`` is the words the page prints after the name."""
    msp = constituency_msp(seat)
    if name and name != msp.name:
        party = msp.party if not msp.name else ""     # the seat's declared party, when the data names no member
        return geography.Member(name, party, "", 0, 0.0, "", "", "",
                                source="the name as given by the campaign (--msp), not from the data; check it")
    if not msp.name:
        return geography.Member("", msp.party, "", 0, 0.0, "", "", msp.as_of, source="", vacant=False)
    source = f"a local correction {msp.correction}" if msp.correction else f"{SOURCE}, as elected on 7 May 2026"
    return geography.Member(msp.name, msp.party, "", 0, 0.0, "", "", msp.as_of, source=source,
                            overridden=bool(msp.correction))


def missing_warning(seat: geography.Seat, name: str = "") -> str:
    """One line for the command line when a constituency's MSP is not in the data and not given."""
    if name or constituency_msp(seat).name:
        return ""
    return (f"{seat.name}: the MSP's name is not in {CURRENT_FILE}, so the briefing and letter address the Member "
            f"of the Scottish Parliament for {seat.name}; give the name with --msp \"NAME\" (or add a row with its "
            f"source to {OVERRIDES_FILE}).")


def as_at() -> str:
    """The date of the members file as first brought in ("8 May 2026"), from its sidecar."""
    text = str(data.meta(data.MSPS_CURRENT).provenance.get("as_at", ""))
    try:
        return long_date(dt.date.fromisoformat(text))
    except ValueError:
        raise DataError(f"data/{data.MSPS_CURRENT}.meta.yml: provenance.as_at {text!r} is not a date "
                        "(YYYY-MM-DD); restore it from git.") from None
