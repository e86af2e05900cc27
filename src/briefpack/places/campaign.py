"""The campaign tracker: what each club has done with its MP, checked row by row on load.

``data/campaign/tracker.csv`` has one row per constituency a club has taken on. The schema
(types, date format, unique seats) is checked by :mod:`briefpack.data.catalogue`; this module adds the rules
between columns and gives each seat its status.
"""
from __future__ import annotations

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


def load(data_dir: Path | None = None) -> dict[str, Entry]:
    """The whole tracker, keyed by GSS code; raises DataError naming the first bad row."""
    record.table(TRACKER)
    return _tracker(data_dir)


def _tracker(data_dir: Path | None = None) -> dict[str, Entry]:
    folder = Path(data_dir) if data_dir else data.paths.data_dir()
    return _load(str(folder), data.stamp(TRACKER, folder))


@lru_cache(maxsize=4)
def _load(folder: str, stamp) -> dict[str, Entry]:
    df = data.read(TRACKER, Path(folder))
    path = f"data/{TRACKER}.csv"
    seats = {s.gss_code: s for s in geography.seats()}
    out = {}
    for i, r in enumerate(df.itertuples(index=False), start=2):
        if r.gss_code not in seats:
            raise DataError(f"{path} row {i}: {r.gss_code} is not a Westminster constituency code; "
                            "use a code from `python build.py list`.")
        d = {c: _date(getattr(r, c), i, c, path) for c in DATE_COLUMNS}
        met = bool(r.met) if r.met == r.met and r.met is not None else False
        problems = row_problems(d, met, r.reply_summary)
        if problems:
            raise DataError(f"{path} row {i} ({seats[r.gss_code].name}): {problems[0]}; correct the row.")
        out[r.gss_code] = Entry(r.gss_code, seats[r.gss_code].name, " ".join(r.club.split()), d["contact_made"],
                                d["meeting_date"], met, d["letter_to_home_secretary"], d["reply_received"],
                                d["press_release"], " ".join(str(r.reply_summary).split()))
    return out


def status_of(gss_code: str) -> Entry | None:
    """One seat's row of the tracker, if any (the briefing records that it read that seat's row)."""
    record.rows(TRACKER, "gss_code", [gss_code])
    return _tracker().get(gss_code)
