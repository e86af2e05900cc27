"""The campaign tracker: what each club has done with its MP or MSP, checked row by row on load.

``data/campaign/tracker.csv`` has one row per report: in the original nine columns, one row per Westminster
constituency a club has taken on; in the full layout (the campaign database's export, :mod:`briefpack.app.store`)
every report, on Westminster and Scottish Parliament seats. The schema (types, date format) is checked by
:mod:`briefpack.data.catalogue`; this module adds the seats, the rules between columns, no report or seat twice,
and gives each seat its status (the progress report counts the Westminster seats).
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from briefpack.core.errors import DataError
from briefpack.data import catalogue as data
from briefpack.data import record
from briefpack.places import geography

TRACKER = "campaign/tracker"
STATUSES = ("no contact", "contact made", "meeting arranged", "met", "wrote to ministers", "reply received")
# letter_to_home_secretary keeps the name of the Call to Action's step; it is the date the MP wrote to the
# ministers the briefing asked them to write to, which differ by nation (content/powers.yml, write_to).
DATE_COLUMNS = ("contact_made", "meeting_date", "letter_to_home_secretary", "reply_received", "press_release")
# Follow-up rules (stated on the progress report): how long before a step is overdue.
CHASE_LETTER_DAYS = 21      # after the meeting, the MP's letter to ministers
CHASE_REPLY_DAYS = 42       # after the MP's letter, the ministers' reply


@dataclass(frozen=True)
class Entry:
    gss_code: str
    name: str
    club: str
    contact_made: dt.date | None
    meeting_date: dt.date | None
    met: bool
    letter: dt.date | None
    reply: dt.date | None
    press_release: dt.date | None
    reply_summary: str

    @property
    def status(self) -> str:
        if self.reply:
            return "reply received"
        if self.letter:
            return "wrote to ministers"
        if self.met:
            return "met"
        if self.meeting_date:
            return "meeting arranged"
        if self.contact_made:
            return "contact made"
        return "no contact"

    def overdue(self, as_of: dt.date, member: str = "MP") -> str:
        """The follow-up that is overdue on ``as_of``, or ''; ``member``: "MP", or "MSP" for a Scottish Parliament seat."""
        if self.met and not self.letter and self.meeting_date and (as_of - self.meeting_date).days > CHASE_LETTER_DAYS:
            return f"chase the {member}'s letter to ministers (met {self.meeting_date:%d %b %Y})"
        if self.letter and not self.reply and (as_of - self.letter).days > CHASE_REPLY_DAYS:
            return f"chase the reply from ministers ({member} wrote {self.letter:%d %b %Y})"
        if self.meeting_date and not self.met and self.meeting_date < as_of:
            return f"record whether the meeting of {self.meeting_date:%d %b %Y} took place"
        return ""


def _date(value: str, row: int, column: str, path: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DataError(f"{path} row {row}, column '{column}': {value!r} is not a real date; write YYYY-MM-DD.") from None


def row_problems(d: dict, met: bool, reply_summary: str) -> list[str]:
    """The contradictions in one row (``d``: the DATE_COLUMNS as dates or None), first one first.
    The campaign database (:mod:`briefpack.app.store`) checks a club's report by the same rules."""
    problems = []
    if met and not d["meeting_date"]:
        problems.append("'met' is True but there is no meeting_date")
    if d["letter_to_home_secretary"] and not met:
        problems.append("a letter to ministers is recorded but the meeting is not marked as met")
    if d["reply_received"] and not d["letter_to_home_secretary"]:
        problems.append("a reply is recorded but no letter to ministers")
    if reply_summary and not d["reply_received"]:
        problems.append("a reply summary is given but no reply_received date")
    order = [("contact_made", "meeting_date"), ("meeting_date", "letter_to_home_secretary"),
             ("letter_to_home_secretary", "reply_received")]
    for early, late in order:
        if d[early] and d[late] and d[late] < d[early]:
            problems.append(f"{late} ({d[late]}) is before {early} ({d[early]})")
    return problems


# --- the two layouts of the file -------------------------------------------------------------------
# The original nine columns: one row per Westminster constituency (today's hand-kept trackers). The full
# layout, written by ``build.py db --export-tracker``: every report in the campaign database, with the
# columns below (any of the added ones may be left out of a file; see data/campaign/tracker.meta.yml).
ORIGINAL_COLUMNS = ("gss_code", "club", "contact_made", "meeting_date", "met", "letter_to_home_secretary",
                    "reply_received", "press_release", "reply_summary")
FULL_COLUMNS = ("report", "parliament", "seat_type", "gss_code", "seat", "club", "contact_name", "contact_email",
                "agreed_to_act", "contact_made", "meeting_date", "met", "letter_to_home_secretary", "reply_received",
                "press_release", "reply_summary", "source", "updated")
CONTACT_COLUMNS = ("contact_name", "contact_email")     # personal data
CONSTITUENCY, REGION = "constituency", "region"
ROW_DATES = ("agreed_to_act",) + DATE_COLUMNS


# A spreadsheet runs a cell that starts with one of these as a formula. Clubs write some of the text (club,
# contact, reply summary) with no account, so the export writes such a value with a "'" in front (which
# spreadsheets show as text) and reading takes it off again: a round trip gives back the same value.
FORMULA_STARTS = "=+-@"
TEXT_COLUMNS = ("club", "contact_name", "contact_email", "reply_summary")


def _formula_like(value: str) -> bool:
    first, after_quotes = value[:1], value.lstrip("'")[:1]
    return bool(first) and first in FORMULA_STARTS + "'" and bool(after_quotes) and after_quotes in FORMULA_STARTS


def spreadsheet_safe(value: str) -> str:
    """``value`` as the CSV writes it: a "'" in front of a value a spreadsheet would run as a formula."""
    return "'" + value if _formula_like(value) else value


def as_written(value: str) -> str:
    """A value of the CSV as it was before :func:`spreadsheet_safe`."""
    return value[1:] if value.startswith("'") and _formula_like(value[1:]) else value


@dataclass(frozen=True)
class Row:
    """One row of the tracker file (one report), checked; ``line`` is its line in the file."""
    line: int
    report: str              # the report's reference in the database, '' for a new row or the original layout
    parliament: str          # geography.WESTMINSTER or SCOTTISH
    seat_type: str           # CONSTITUENCY or REGION (a Scottish Parliament region's list MSPs)
    gss_code: str            # '' for a region
    seat: str                # the constituency's or region's name, as the data writes it
    club: str
    contact_name: str
    contact_email: str
    dates: dict              # ROW_DATES -> date or None
    met: bool
    reply_summary: str
    source: str              # '' when the file does not say
    updated: dt.datetime | None

    @property
    def key(self) -> tuple[str, str, str]:
        """(parliament, GSS code, region): the seat."""
        return self.parliament, self.gss_code, self.seat if self.seat_type == REGION else ""

    def entry(self) -> Entry:
        d = self.dates
        return Entry(self.gss_code, self.seat, self.club, d["contact_made"], d["meeting_date"], self.met,
                     d["letter_to_home_secretary"], d["reply_received"], d["press_release"], self.reply_summary)


def header(path: Path) -> tuple[str, ...]:
    """The column names of a CSV file's first line (the file's layout: the columns it carries)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return tuple(next(csv.reader(fh), []))


def load(data_dir: Path | None = None) -> dict[str, Entry]:
    """The Westminster seats of the tracker, keyed by GSS code (the most advanced report where the file
    has several for one seat); raises DataError naming the first bad row."""
    record.table(TRACKER)
    return _tracker(data_dir)


def _tracker(data_dir: Path | None = None) -> dict[str, Entry]:
    folder = Path(data_dir) if data_dir else data.paths.data_dir()
    return _load(str(folder), data.stamp(TRACKER, folder))


@lru_cache(maxsize=4)
def _load(folder: str, stamp) -> dict[str, Entry]:
    return entries_of(rows(folder, stamp))


def entries_of(rows_) -> dict[str, Entry]:
    """{GSS code: Entry} of the Westminster rows of the file (:func:`most_advanced`)."""
    return most_advanced((r.gss_code, r.entry(), r.updated) for r in rows_ if r.parliament == geography.WESTMINSTER)


_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


def most_advanced(reports) -> dict[str, Entry]:
    """{GSS code: Entry} from ``reports`` ((GSS code, Entry, when it last changed or None), several per
    seat where several clubs reported one): the most advanced by status, then the latest; the first of
    equals."""
    best: dict[str, tuple] = {}
    for code, e, updated in reports:
        rank = (STATUSES.index(e.status), updated or _NEVER)
        if code not in best or rank > best[code][0]:
            best[code] = (rank, e)
    return {code: e for code, (_, e) in best.items()}


@lru_cache(maxsize=4)
def rows(folder: str, stamp) -> tuple[Row, ...]:
    """Every row of ``<folder>/campaign/tracker.csv``, checked; raises DataError naming the first bad row."""
    df = data.read(TRACKER, Path(folder))
    path = f"data/{TRACKER}.csv"
    west = {s.gss_code: s for s in geography.seats()}
    scot = {s.gss_code: s for s in geography.seats(geography.SCOTTISH)}
    out, refs, seats_ = [], {}, {}
    for i, r in enumerate(df.itertuples(index=False), start=2):
        where = f"{path} row {i}"
        parliament = r.parliament or geography.WESTMINSTER
        seat_type = r.seat_type or CONSTITUENCY
        code, name = r.gss_code, " ".join(str(r.seat).split())
        if seat_type == REGION:
            if parliament != geography.SCOTTISH:
                raise DataError(f"{where}: seat_type is region but parliament is {parliament}; only the Scottish "
                                "Parliament has regions: write parliament scottish or seat_type constituency.")
            if code:
                raise DataError(f"{where}: a region has no GSS code in the data, but the row gives {code}; leave "
                                "gss_code empty and name the region in seat.")
            found = geography.find_region(name)   # as the web form reads it: case and spacing do not matter
            if found is None:
                raise DataError(f"{where}: {name!r} is not a Scottish Parliament region; write one of: "
                                f"{', '.join(geography.regions())}.")
            name = found
        else:
            if not code:
                raise DataError(f"{where}: no gss_code; give the constituency's code (`python build.py list"
                                f"{' --parliament scottish' if parliament == geography.SCOTTISH else ''}`).")
            known, other = (west, scot) if parliament == geography.WESTMINSTER else (scot, west)
            if code not in known:
                if code in other:
                    raise DataError(f"{where}: {code} ({other[code].name}) is a "
                                    f"{'Scottish Parliament' if parliament == geography.WESTMINSTER else 'Westminster'} "
                                    f"constituency code but the row says parliament {parliament}; correct the "
                                    "parliament or the code.")
                raise DataError(f"{where}: {code} is not a "
                                f"{'Westminster' if parliament == geography.WESTMINSTER else '2026 Scottish Parliament'} "
                                f"constituency code; use a code from `python build.py list"
                                f"{' --parliament scottish' if parliament == geography.SCOTTISH else ''}`.")
            if name and geography.slugify(name) != geography.slugify(known[code].name):
                raise DataError(f"{where}: the seat {name!r} is not {code}, which is {known[code].name}; correct "
                                "the code or the name (or leave seat empty).")
            name = known[code].name
        d = {c: _date(getattr(r, c), i, c, path) for c in ROW_DATES}
        met = bool(r.met) if r.met == r.met and r.met is not None else False
        problems = row_problems(d, met, r.reply_summary)
        if d["agreed_to_act"] and d["contact_made"] and d["contact_made"] < d["agreed_to_act"]:
            problems.append(f"contact_made ({d['contact_made']}) is before agreed_to_act ({d['agreed_to_act']})")
        if problems:
            raise DataError(f"{where} ({name}): {problems[0]}; correct the row.")
        try:
            updated = dt.datetime.fromisoformat(r.updated) if r.updated else None
        except ValueError:
            raise DataError(f"{where}, column 'updated': {r.updated!r} is not a real time; write it as an export "
                            "does (e.g. 2026-12-02T09:30:00.000000+00:00) or leave it empty.") from None
        text = {c: as_written(" ".join(str(getattr(r, c)).split())) for c in TEXT_COLUMNS}
        row = Row(i, r.report, parliament, seat_type, code if seat_type == CONSTITUENCY else "", name, text["club"],
                  text["contact_name"], text["contact_email"], d, met, text["reply_summary"], r.source, updated)
        if row.report:
            if row.report in refs:
                raise DataError(f"{where}: report {row.report} is also on row {refs[row.report]}; keep one of the "
                                "two rows (a new row has an empty report column).")
            refs[row.report] = i
        elif row.key in seats_:
            raise DataError(f"{where}: a second row for {name} without a report reference (the first is row "
                            f"{seats_[row.key]}); merge the two rows, or keep the report column of an exported row.")
        else:
            seats_[row.key] = i
        out.append(row)
    return tuple(out)


def status_of(gss_code: str) -> Entry | None:
    """One seat's row of the tracker, if any (the briefing records that it read that seat's row)."""
    record.rows(TRACKER, "gss_code", [gss_code])
    return _tracker().get(gss_code)


def reported(reports, parliament: str) -> dict[str, Entry]:
    """{GSS code: Entry} of ``parliament``'s constituencies in ``reports`` (the campaign database's rows:
    each with ``parliament``, ``gss_code``, ``updated`` and ``entry(seat name)``), by :func:`most_advanced`."""
    names = {s.gss_code: s.name for s in geography.seats(parliament)}
    return most_advanced((r.gss_code, r.entry(names[r.gss_code]), r.updated) for r in reports
                         if r.parliament == parliament and r.gss_code in names)


def reported_regions(reports) -> dict[str, Entry]:
    """{region: Entry} of the Scottish Parliament regions whose list MSPs ``reports`` (the campaign database's
    rows, each with ``parliament``, ``region``, ``updated`` and ``entry(name)``) are on, by :func:`most_advanced`."""
    regions = set(geography.regions())
    return most_advanced((r.region, r.entry(r.region), r.updated) for r in reports
                         if r.parliament == geography.SCOTTISH and r.region in regions)


def overdue(entries: dict, as_of: dt.date, member: str = "MP") -> list[dict]:
    """The follow-ups overdue on ``as_of`` (:meth:`Entry.overdue`), by seat name: {name, club, reason}."""
    items = ({"name": e.name, "club": e.club, "reason": e.overdue(as_of, member)}
             for e in sorted(entries.values(), key=lambda e: e.name))
    return [i for i in items if i["reason"]]
