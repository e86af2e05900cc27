"""Every value a user gives, checked in one place: the command line today, a web form and an API tomorrow.

Each parameter is a :class:`Field` with a name (``club``: the form field, the JSON key, the notebook
parameter), a label for sentences and its command-line option. A bad value raises
:class:`~briefpack.core.errors.InputError` with ``error.field`` set, so a form can show the message next
to its field, and its words in parts: the command line says ``str(error)``, "The club name (--club)
contains a control character (U+0007); remove it.", a page ``error.plain``, the same without "(--club)".

The rules for text (club, names, address lines, personal note):

- **Control characters are refused** (C0, DEL, C1, and lone surrogates, which is what bytes that
  are not UTF-8 become on a command line): they have no place in a printed name and can drive a
  terminal. Tabs and line breaks are whitespace: like every run of whitespace they become one space
  (in an address they separate lines).
- **Bidirectional controls are removed**, not isolated: U+202A-U+202E (embeddings, overrides),
  U+2066-U+2069 (isolates), U+200E/U+200F (marks) and U+061C. Isolating the value (``<bdi>``,
  FSI...PDI) would keep an override from spilling into the text around it, but an override inside
  the value would still print the value itself backwards, and the letter's .docx and the PDF's text
  layer do not honour HTML isolation. Names in Arabic or Hebrew need none of these characters: the
  Unicode bidirectional algorithm orders them from the letters themselves. Also removed: the
  deprecated format controls U+206A-U+206F, the byte order mark U+FEFF and the interlinear
  annotation marks U+FFF9-U+FFFB (invisible, and pasted in by accident).
- **Other invisible characters are kept**, because scripts need them: zero-width joiner and
  non-joiner (Persian, Arabic, Indic names; emoji), word joiner, soft hyphen, combining grapheme
  joiner, variation selectors and tag characters (the flags of Wales and Scotland are emoji tag
  sequences).
- **Unicode is normalised to NFC** (composed accents: "Ynys Môn" typed with a combining circumflex
  is stored as the same letters as a typed "ô"); compatibility forms are left alone (not NFKC).
- **Lengths are bounded** (characters after cleaning, see :data:`FIELDS`), and an address has at most
  :data:`ADDRESS_LINES` lines.

Dates are ISO ``YYYY-MM-DD`` only, from :data:`EARLIEST` (the general election of 4 July 2024) to
:data:`YEARS_AHEAD` years after today.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Mapping

from briefpack.core.errors import InputError, listing, option, quote_input
from briefpack.places import geography
from briefpack.places.geography import PARLIAMENTS, WESTMINSTER
from briefpack.words import content
from briefpack.words.topics import parse_topics


@dataclass(frozen=True)
class Field:
    """One parameter, defined once. The command line's options, the web form and JSON API, the
    notebook's parameters cell (checked against it by a test), the job's parameters and so the
    manifest are all derived from :data:`FIELDS`; adding a parameter is one entry here plus its use."""

    name: str            # the form field and JSON key (and the notebook parameter, unless ``parameter``)
    label: str           # how a sentence names it
    option: str          # the command-line option
    max_length: int = 0  # characters after cleaning (an address: per line); 0: no limit
    help: str = ""       # the command line's help and the form's hint
    default: object = ""  # the notebook's default (and the command line's)
    metavar: str | None = None
    parameter: str = ""  # the notebook's parameter name, when it differs from ``name`` (the API keeps its names)
    form_label: str = ""  # the web form's label ({member}: MP or MSP, {letter}: letter or letters, as the page says)
                          # a briefing's field with one is on the web form and in the JSON API
    only: str = ""        # the one parliament whose briefings take it (the form for the other has no such field)

    def __str__(self) -> str:
        return f"{self.label} ({self.option})"

    @property
    def named(self) -> tuple:
        """How a message names it: "club name" and, on the command line only, " (--club)"."""
        return (self.label, option(self.option))

    @property
    def notebook_name(self) -> str:
        return self.parameter or self.name


FIELDS = {f.name: f for f in (
    Field("constituency", "constituency", "--constituency", 100, "a constituency, by name or GSS code (repeat "
          "for several)", "Banbury", "NAME_OR_GSS", form_label="Constituency or postcode"),
    Field("concerns", "list of concerns", "--concerns", 200, "2-3 concern keys, comma-separated (the files of "
          "content/concerns/)", list(content.DEFAULT_CONCERNS), "KEYS", form_label="Choose 2 or 3 concerns to raise"),
    Field("club", "club name", "--club", 120, "the club or campaigner the briefing is from", "", "NAME",
          form_label="Your club or group"),
    Field("meeting_date", "meeting date", "--meeting-date", 40, "date of the meeting with the member", "",
          "YYYY-MM-DD", form_label="Date of your meeting with the {member} (optional)"),
    Field("parliament", "parliament", "--parliament", 20, "westminster (MPs, default) or scottish (the Scottish "
          "Parliament's constituencies and MSPs)", "westminster", "westminster|scottish"),
    Field("member_name", "member's name", "--msp", 80, "Scottish Parliament: the constituency MSP's name, for a "
          "member the data lacks (it wins over data/msps_current.csv)", "", "NAME",
          form_label="Your constituency MSP's name, if it is not shown above (optional)", only="scottish"),
    Field("address", "sender's address", "--address", 80, "the sender's address for the letter, lines separated "
          "by commas", "", "LINES", parameter="sender_address", form_label="Your address for the {letter} (optional)"),
    Field("letter_date", "letter date", "--letter-date", 40, "date on the letter (default: blank, to write by "
          "hand)", "", "YYYY-MM-DD"),
    Field("sender_name", "sender's name", "--sender-name", 80, "who signs the letter (with --address and its "
          "postcode: how the office knows you are a constituent)", "", "NAME", form_label="Your name (optional)"),
    Field("personal_note", "personal note", "--personal-note", 1200, "your own paragraph for the letter, after "
          "its opening (one paragraph; line breaks are joined)", "", "TEXT",
          form_label="A paragraph of your own for the {letter} (optional)"),
    Field("list_msps", "letters to list MSPs", "--list-msps", 0, "Scottish Parliament: also write a letter to "
          "each of the region's seven list MSPs", False, None, form_label="Also write to the region's seven list MSPs", only="scottish"),
    Field("as_of", "report date", "--as-of", 40, "the report's date (default: today)", "", "YYYY-MM-DD"),
    Field("topic", "topic", "--topic", 400, "a topic key (repeat for several), or all", "", "KEY"),
    # A club's report to the coordinators (briefpack.app.reports_web; in the tracker CSV's column words)
    Field("contact_name", "contact's name", "--contact-name", 80),
    Field("contact_email", "contact's email", "--contact-email", 120),
    Field("agreed_to_act", "date the club agreed to act", "--agreed-to-act", 40),
    Field("contact_made", "date the meeting was requested", "--contact-made", 40),
    Field("letter_to_home_secretary", "date of the member's letter to ministers", "--letter-to-ministers", 40),
    Field("reply_received", "date the reply was received", "--reply-received", 40),
    Field("press_release", "date of the press release", "--press-release", 40),
    Field("reply_summary", "summary of the reply", "--reply-summary", 1200),
)}
# A constituency briefing's parameters, in the notebook's order.
BRIEFING = ("constituency", "concerns", "club", "meeting_date", "parliament", "member_name", "address",
            "letter_date", "sender_name", "personal_note", "list_msps")
ADDRESS_LINES = 6


def form_fields(parliament: str = WESTMINSTER) -> tuple[str, ...]:
    """The fields a web form and the JSON API take for a briefing for ``parliament``, in the notebook's
    order: the briefing's fields with a ``form_label`` (the parliament is the page's own)."""
    return tuple(n for n in BRIEFING if FIELDS[n].form_label and FIELDS[n].only in ("", parliament))


EARLIEST = dt.date(2024, 7, 4)   # the general election: the Parliament these briefings are for began then
YEARS_AHEAD = 3                  # a meeting or letter further ahead is a typing mistake (2062 for 2026)

# Refused: C0 controls but tab and line breaks, DEL, C1 controls, lone surrogates, and the noncharacters
# U+FFFE and U+FFFF (not text: a PDF or Word file cannot hold them).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Removed: bidirectional controls, deprecated format controls, byte order mark, annotation marks.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_REMOVE = str.maketrans("", "", BIDI_CONTROLS + "\u206a\u206b\u206c\u206d\u206e\u206f\ufeff\ufff9\ufffa\ufffb")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ADDRESS_SEPARATORS = re.compile("[,;\n\r\u2028\u2029]")
_BY_LABEL = {f.label: f for f in FIELDS.values()}


def field(name: str) -> Field:
    """The :class:`Field` called ``name`` (or labelled so); any other name is described by its own words."""
    found = FIELDS.get(name) or _BY_LABEL.get(name)
    if found:
        return found
    key = "_".join(str(name).split()).replace("'", "")
    return Field(key, key.replace("_", " "), "--" + key.replace("_", "-"), 120)


@contextmanager
def about(name: str):
    """Errors raised inside (e.g. by ``geography.resolve``) are about field ``name`` unless they say otherwise."""
    try:
        yield
    except InputError as exc:
        if exc.field is None:
            exc.field = name
        raise


def _clean(value, f: Field, subject: tuple) -> str:
    raw = "" if value is None else str(value)
    if f.max_length and len(raw) > 16 * f.max_length:  # bound the work before looking at each character
        raise InputError((*subject, f" is {len(raw)} characters long; keep it to {f.max_length} or fewer."), f.name)
    bad = _CONTROL.search(raw)
    if bad:
        char = bad.group()
        kind = ("a character that is not UTF-8 text" if "\ud800" <= char <= "\udfff" else
                "a character that is not text" if char in "\ufffe\uffff" else "a control character")
        raise InputError((*subject, f" contains {kind} (U+{ord(char):04X}); remove it."), f.name)
    cleaned = " ".join(unicodedata.normalize("NFC", raw.translate(_REMOVE)).split())
    if f.max_length and len(cleaned) > f.max_length:
        raise InputError((*subject, f" is {len(cleaned)} characters long; keep it to {f.max_length} or fewer."), f.name)
    return cleaned


def text(value, name: str) -> str:
    """A free-text value on one line: control characters refused, bidi controls removed, NFC, bounded."""
    f = field(name)
    return _clean(value, f, ("The ", *f.named))


def address(value) -> tuple[str, ...]:
    """The sender's address: lines separated by commas, semicolons or line breaks (or a list of lines)."""
    f = FIELDS["address"]
    parts = [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value or "")]
    if sum(len(p) for p in parts) > 16 * ADDRESS_LINES * f.max_length:
        raise InputError(("The ", *f.named, f" is {sum(len(p) for p in parts)} characters long; give at most "
                          f"{ADDRESS_LINES} lines of up to {f.max_length} characters."), f.name)
    lines = [line for part in parts for line in _ADDRESS_SEPARATORS.split(part) if line.strip()]
    if len(lines) > ADDRESS_LINES:
        raise InputError(("The ", *f.named, f" has {len(lines)} lines; give at most {ADDRESS_LINES}, separated by "
                          "commas (e.g. \"1 High St, Banbury, OX16 5AA\")."), f.name)
    cleaned = (_clean(line, f, (f"Line {i} of the ", *f.named)) for i, line in enumerate(lines, start=1))
    return tuple(line for line in cleaned if line)


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def date_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The dates accepted for a meeting, a letter or a report: (earliest, latest)."""
    return EARLIEST, _years_after(today or dt.date.today(), YEARS_AHEAD)


def date(value, name: str, today: dt.date | None = None) -> dt.date | None:
    """A date written YYYY-MM-DD (or a ``datetime.date``), within :func:`date_range`; None when blank."""
    f = field(name)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        written = _clean(value, f, ("The ", *f.named))
        if not written:
            return None
        if not _ISO_DATE.fullmatch(written):
            raise InputError(("The ", *f.named, f" {quote_input(written)} is not written as YYYY-MM-DD; write e.g. "
                              "2026-12-04."), f.name)
        try:
            day = dt.date.fromisoformat(written)
        except ValueError:
            raise InputError(("The ", *f.named, f" {written} is not a real date (check the month and the day); "
                              "write YYYY-MM-DD, e.g. 2026-12-04."), f.name) from None
    earliest, latest = date_range(today)
    if day < earliest:
        raise InputError(("The ", *f.named, f" {day.isoformat()} is before the general election of 4 July 2024; "
                          f"give a date from {earliest.isoformat()} to {latest.isoformat()}."), f.name)
    if day > latest:
        raise InputError(("The ", *f.named, f" {day.isoformat()} is more than {YEARS_AHEAD} years ahead; "
                          f"give a date from {earliest.isoformat()} to {latest.isoformat()}."), f.name)
    return day


def flag(value, name: str) -> bool:
    """A yes/no parameter: a bool, or the words a form or a command line gives (on/true/yes/1, or blank)."""
    if isinstance(value, bool):
        return value
    written = text(value, name).lower()
    if written in ("", "0", "false", "no", "off"):
        return False
    if written in ("1", "true", "yes", "on"):
        return True
    raise InputError(("The ", *field(name).named, f" is {quote_input(written)}; give yes or no."), name)


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def email(value, name: str = "contact_email") -> str:
    """An email address (one @, a dot in the domain), or '' when blank."""
    f = field(name)
    written = _clean(value, f, ("The ", *f.named))
    if written and not _EMAIL.fullmatch(written):
        raise InputError(("The ", *f.named, f" {quote_input(written)} is not an email address; write e.g. "
                          "name@example.org."), f.name)
    return written




def which_parliament(value) -> str:
    key = text(value, "parliament").lower() or WESTMINSTER
    if key not in PARLIAMENTS:
        raise InputError(f"Unknown parliament {quote_input(key)}; use one of: {', '.join(PARLIAMENTS)}.", "parliament")
    return key


def constituency(value, parliament: str = "westminster"):
    """The :class:`~briefpack.places.geography.Seat` named by ``value`` (a name or a code)."""

    f = FIELDS["constituency"]
    name = text(value, f.name)
    if not name:
        raise InputError(("Say which constituency", option(f.option), ": a name or a GSS code",
                          listing("; `python build.py list` lists them.")), f.name)
    with about(f.name):
        return geography.resolve(name, which_parliament(parliament))


def region(value) -> str:
    """The Scottish Parliament region named by ``value`` (its list MSPs' seat), as the data writes it; asked
    for in the constituency's field, so an error is about that field."""
    f = FIELDS["constituency"]
    name = text(value, f.name)
    if not name:
        raise InputError(f"Say which Scottish Parliament region: one of {', '.join(geography.regions())}.", f.name)
    with about(f.name):
        return geography.resolve_region(name)


def concerns(value) -> list[str]:
    """2-3 concern keys from 'a,b,c' or a list (the default ones when blank)."""

    items = [text(v, "concerns") for v in value] if isinstance(value, (list, tuple)) else text(value, "concerns")
    with about("concerns"):
        return content.parse_concerns(items)


def topics(value) -> list[str]:
    """Topic keys from 'a,b', a list or 'all'."""

    items = [text(v, "topic") for v in value] if isinstance(value, (list, tuple)) else text(value, "topic")
    with about("topic"):
        return parse_topics(items)


# One checker per field, for callers holding a mapping of fields (a form, a JSON body).
CHECKS = {
    "constituency": lambda v, values: constituency(v, values.get("parliament") or "westminster"),
    "parliament": lambda v, values: which_parliament(v),
    "concerns": lambda v, values: concerns(v),
    "club": lambda v, values: text(v, "club"),
    "member_name": lambda v, values: text(v, "member_name"),
    "sender_name": lambda v, values: text(v, "sender_name"),
    "address": lambda v, values: address(v),
    "personal_note": lambda v, values: text(v, "personal_note"),
    "meeting_date": lambda v, values: date(v, "meeting_date"),
    "letter_date": lambda v, values: date(v, "letter_date"),
    "as_of": lambda v, values: date(v, "as_of"),
    "list_msps": lambda v, values: flag(v, "list_msps"),
    "topic": lambda v, values: topics(v),
    "contact_name": lambda v, values: text(v, "contact_name"),
    "contact_email": lambda v, values: email(v),
    "reply_summary": lambda v, values: text(v, "reply_summary"),
    **{name: (lambda n: lambda v, values: date(v, n))(name)
       for name in ("agreed_to_act", "contact_made", "letter_to_home_secretary", "reply_received", "press_release")},
}


def check(name: str, value, values: Mapping[str, object] | None = None):
    """One field checked and cleaned (``values``: the other fields, for the constituency's parliament)."""
    if name not in CHECKS:
        raise InputError(f"Unknown field {quote_input(name)}; the fields are: {', '.join(CHECKS)}.", name)
    return CHECKS[name](value, values or {})


def clean(values: Mapping[str, object]) -> dict:
    """Every field of ``values`` checked and cleaned; raises the first bad one's InputError."""
    return {k: check(k, v, values) for k, v in values.items()}


def briefing_defaults() -> dict:
    """{notebook parameter: default} of a constituency briefing (the notebook's parameters cell)."""
    return {FIELDS[n].notebook_name: FIELDS[n].default for n in BRIEFING}


def briefing_values(values: Mapping[str, object]) -> dict:
    """Values keyed by field name or notebook parameter name -> {field name: value}; unknown keys refused."""
    by_parameter = {FIELDS[n].notebook_name: n for n in BRIEFING}
    out = {}
    for key, value in values.items():
        name = key if key in BRIEFING else by_parameter.get(key)
        if name is None:
            raise InputError(f"Unknown parameter {quote_input(key)}; a briefing takes: {', '.join(BRIEFING)}.", key)
        out[name] = value
    return out


def errors(values: Mapping[str, object]) -> dict[str, InputError]:
    """{field: its InputError} for every bad field of ``values`` (a form shows each beside its field,
    worded for a page: ``error.plain``)."""
    out = {}
    for k, v in values.items():
        try:
            check(k, v, values)
        except InputError as exc:
            out.setdefault(exc.field or k, exc)
    return out


def problems(values: Mapping[str, object]) -> dict[str, str]:
    """{field: its one-line message, as the command line says it} for every bad field of ``values``."""
    return {k: str(exc) for k, exc in errors(values).items()}
