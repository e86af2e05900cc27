"""The letter to the member: built in the notebook from the same data as the briefing, shown as the
briefing's last page, and written as an editable ``.docx`` beside it.

The notebook displays the letter as HTML and, in the same output, as JSON under
:data:`LETTER_MIME`; the build reads that JSON from the executed notebook and renders the
``.docx``, so the Word letter and the printed one are the same letter, word for word
(:func:`letter_lines` is that wording, in reading order).

The words are in ``content/letter.yml`` (openings, leads, closings, the voice) and ``content/powers.yml``
(one sentence per concern for the seat's nation). The opening and the closing are chosen from the variants
by a hash of the seat and the chosen concerns: the same inputs always give the same letter, and letters
from different seats read differently.

One page: a three-concern letter is about 350 words; each concern gives one figure with its period in
words, and the figures' sources are numbered notes below the signature (the briefing is the enclosure).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from briefpack.core import paths
from briefpack.core.errors import DataError, InputError, quote_input
from briefpack.core.text import force_in_text, long_date
from briefpack.data import catalogue as data
from briefpack.data.catalogue import read_yaml
from briefpack.data.stats import period_words
from briefpack.request.inputs import FIELDS
from briefpack.words import powers
from briefpack.words.content import concern_keys, stamps
from briefpack.words.figures import FIGURES

LETTER_MIME = "application/vnd.briefpack.letter+json"
PERSONAL_NOTE_MAX = FIELDS["personal_note"].max_length   # characters: a paragraph, not a page
_POSTCODE = re.compile(r"\b(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})\b", re.IGNORECASE)


@dataclass
class Letter:
    sender: list            # lines: the sender's name, club, address with postcode (or what to write there)
    date: str               # "" leaves a line to write the date by hand
    recipient: list         # lines: name and title, address
    salutation: str
    subject: str
    paragraphs: list        # the opening, the sender's own paragraph (if any), the meeting, the concerns' intro
    concerns: list = field(default_factory=list)   # [{"title", "text"}], one numbered paragraph each
    closing_paragraphs: list = field(default_factory=list)
    closing: str = "Yours sincerely,"
    signature: list = field(default_factory=list)
    notes: list = field(default_factory=list)   # "1. <source>, <period>.": the figures' sources, below the signature
    enclosure: str = ""     # the briefing, enclosed
    member_note: str = ""   # where the member's name comes from: printed beside the letter, not in it
    notes_heading: str = ""  # the heading of the notes ("" : content/letter.yml's notes_heading)

    def to_json(self) -> dict:
        return asdict(self)


# --- wording --------------------------------------------------------------------------------------

@lru_cache(maxsize=2)
def _wording(key: tuple) -> dict:
    doc = read_yaml(Path(key[0][0]), "content/letter.yml")
    needed = ("voice", "campaign", "subject", "openings", "meeting", "meeting_request", "leads",
              "alternative_figures", "closings", "closing", "notes_heading", "enclosure", "sender_name_missing",
              "sender_address_missing", "member_note", "addresses")
    missing = [k for k in needed if not doc.get(k)]
    if missing:
        raise DataError(f"content/letter.yml: missing field(s) {missing}.")
    if set(doc["voice"]) != {"we", "i"}:
        raise DataError("content/letter.yml: 'voice' needs exactly two entries, 'we' and 'i'.")
    for i, text in enumerate(doc["openings"], start=1):
        if "{constituency}" not in text:
            raise DataError(f"content/letter.yml: opening {i} must name {{constituency}}, so that no two seats "
                            "share an opening.")
    for i, text in enumerate(doc["closings"], start=1):
        if not isinstance(text, str) or "{recipients}" not in text or "{constituency}" not in text:
            raise DataError(f"content/letter.yml: closing {i} must be one paragraph naming {{recipients}} and "
                            "{constituency}.")
    for name in ("meeting", "meeting_request"):
        if "{constituency}" not in doc[name]:
            raise DataError(f"content/letter.yml: '{name}' must name {{constituency}}, so that no two seats share "
                            "a paragraph.")

    for name in ("leads", "alternative_figures"):
        missing = [k for k in concern_keys() if not doc[name].get(k)]
        if missing:
            raise DataError(f"content/letter.yml: {name} has no entry for {missing}.")

    for key, names in doc["alternative_figures"].items():
        unknown = [k for k in names or () if k not in FIGURES]
        if unknown:
            raise DataError(f"content/letter.yml: alternative_figures.{key} names unknown figure(s) {unknown}; "
                            f"use keys of src/briefpack/figures.py ({sorted(FIGURES)}).")
    for key, text in doc["leads"].items():
        if "{constituency}" not in text:
            raise DataError(f"content/letter.yml: the heading (leads) for {key} must name {{constituency}}, so that "
                            "no two seats share a paragraph.")
    return doc


def wording() -> dict:
    """The checked ``content/letter.yml``, read again when it changes."""

    return _wording(stamps(paths.content_dir() / "letter.yml"))


def _pick(options: list, *key) -> object:
    """One of ``options``, chosen by a stable hash of ``key`` (not random: same key, same choice)."""
    digest = hashlib.sha256("|".join(map(str, key)).encode("utf-8")).hexdigest()
    return options[int(digest, 16) % len(options)]


def voice(club: str, voices: dict | None = None) -> dict:
    """The letter's voice: 'we' for a club, 'I' for a single constituent (``voices``: a letter.yml's
    ``voice`` mapping; default this campaign's content/letter.yml)."""
    chosen = (voices or wording()["voice"])["we" if club else "i"]
    return {k: str(v or "").replace("{club}", club) for k, v in chosen.items()}


# --- salutation -----------------------------------------------------------------------------------

_PREFIXES = ("the", "rt", "right", "hon", "honourable", "rt.hon")
_POSTNOMINALS = {"mp", "msp", "ms p", "kc", "qc", "obe", "mbe", "cbe", "kbe", "dbe", "pc", "frs", "ma", "phd"}


def salutation(name: str, fallback: str = "Sir or Madam") -> str:
    """'Dear <name>,' with the member's name as UK Parliament displays it (the Members API's 'display as',
    ``display_as`` in data/mps_current.csv), for every member alike: 'Dear Sean Woodcock,', 'Dear Mr
    Tanmanjeet Singh Dhesi,', 'Dear Sir Keir Starmer,'. One rule, because the data gives a courtesy title
    (Mr, Dr, Dame...) only for the members who display one, so 'Dear Mr Dhesi' would sit beside 'Dear Sean
    Woodcock'. A name typed with its style ('Rt Hon ... KC MP', an MSP's 'MSP') loses the style, which
    'display as' never carries.
    """
    words = " ".join(str(name or "").replace(",", " ").split()).split()
    while words and words[0].lower().rstrip(".") in _PREFIXES:
        words = words[1:]
    while len(words) > 1 and words[-1].lower().rstrip(".") in _POSTNOMINALS:
        words = words[:-1]
    if not words:
        return f"Dear {fallback},"
    return f"Dear {' '.join(words)},"


# --- figures with their period and source ----------------------------------------------------------

def figure_sentence(fig) -> str:
    """The figure's sentence with its period in words (unless the sentence already gives its years); its
    source goes in a note (:func:`figure_note`)."""
    text = fig.text.strip().rstrip(".")
    years = re.findall(r"\b(?:19|20)\d\d\b", fig.period)
    quarters = re.search(r"\bQ[1-4]\b", fig.period)
    if years and not quarters and all(y in text for y in years):
        return f"{text}."

    words = period_words(fig.period)
    joiner = "over " if words.startswith("the ") else ""
    return f"{text}, {joiner}{words}."


def figure_note(fig) -> str:
    """The figure's source and period, for the numbered note below the signature."""
    return f"{fig.source.rstrip('.')}, {fig.period}."


_SUPERSCRIPT = str.maketrans("0123456789", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def note_mark(number: int) -> str:
    """A note's number as superscript characters ('¹'): the same in the printed letter, the .docx and a
    copy by hand."""
    return str(number).translate(_SUPERSCRIPT)


_NRM = re.compile(r"\bNRM\b(?! and Duty to Notify statistics)")   # not in the title of the statistics


def _spell_out_nrm(paragraphs: list[str]) -> list[str]:
    """Spell out 'NRM' the first time the letter refers to the National Referral Mechanism."""
    out, done = [], False
    for p in paragraphs:
        if not done:
            full, short = p.find("National Referral Mechanism"), _NRM.search(p)
            if full >= 0 and (not short or full < short.start()):
                p = p.replace("National Referral Mechanism", "National Referral Mechanism (NRM)", 1)
                p = p.replace("(NRM) (NRM)", "(NRM)")
                done = True
            elif short:
                p = p[:short.start()] + "National Referral Mechanism (NRM)" + p[short.end():]
                done = True
        out.append(p)
    return out


# --- the sender -----------------------------------------------------------------------------------

def has_postcode(lines) -> bool:
    return any(_POSTCODE.search(str(line)) for line in lines)


def sender_warnings(sender_name: str, address_lines) -> list[str]:
    """One line for the CLI when the letter lacks what shows it is from a constituent (a warning, not an error)."""
    missing = []
    if not str(sender_name or "").strip():
        missing.append("no sender name (--sender-name)")
    if not has_postcode(address_lines or ()):
        missing.append('no address with a postcode (--address "1 High St, Banbury, OX16 5AA")')
    if not missing:
        return []
    return [f"the letter has {' and '.join(missing)}: it leaves a space to write them in by hand; the member's "
            "office needs them to confirm that the letter is from a constituent."]


def read_personal_note(path) -> str:
    """The text of ``--personal-note-file``: UTF-8, at most a few times the length allowed for the note."""
    limit = PERSONAL_NOTE_MAX * 4
    try:
        with open(Path(path), "rb") as fh:
            raw = fh.read(limit + 1)
    except FileNotFoundError:
        raise InputError(f"The personal note file {quote_input(path)} does not exist; give the path of a text file.") from None
    except (IsADirectoryError, PermissionError, OSError):
        raise InputError(f"The personal note file {quote_input(path)} cannot be read; give the path of a text file.") from None
    if len(raw) > limit:
        raise InputError(f"The personal note file {quote_input(path)} is too long; keep the note to one paragraph "
                         f"(under {PERSONAL_NOTE_MAX} characters).")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"The personal note file {quote_input(path)} is not UTF-8 text; save it as plain text "
                         "(UTF-8).") from None


# --- the letter -----------------------------------------------------------------------------------

def letter_ends(b, postal, w) -> tuple[str, list, list, list]:
    """(salutation, recipient lines, sender lines, signature lines) of a letter from briefing ``b`` (its
    seat, member, sender's name, club and address) to the member at ``postal`` (address lines); ``w``: the
    letter's words for what the sender has not given (``sender_name_missing``, ``sender_address_missing``)."""
    seat, member = b.seat, b.member
    if member.name:
        greeting = salutation(member.name)
        recipient = [f"{member.name} {seat.member_title}"]
    else:
        greeting = f"Dear {seat.member_role} for {seat.name},"
        recipient = [f"The {seat.member_role} for {seat.name}"]
    recipient += list(postal)
    address = list(b.sender_address)
    if address and not has_postcode(address):
        address.append(w["sender_address_missing"])
    club = [b.club] if b.club else []
    sender = [b.sender_name or w["sender_name_missing"]] + club + (address or [w["sender_address_missing"]])
    signature = [b.sender_name or w["sender_name_missing"]] + club
    return greeting, recipient, sender, signature


def _force_phrase(b) -> str:
    force = b.main_force
    scope = "" if len(b.forces) == 1 else ("most of " if force.population_share >= 0.5 else "part of ")
    return f"{force_in_text(force.name)}, the police force for {scope}{b.seat.name}"


def build_letter(b) -> Letter:
    """The letter for briefing ``b``: its concerns, in order, each with the seat's own figure."""

    w = wording()
    seat, member = b.seat, b.member
    asks = b.asks   # the briefing's asks: the same bodies, for its police force and council(s)
    keys = ",".join(c.key for c in b.concerns)
    values = {"constituency": seat.name, "nation": seat.nation, "club": b.club, "member_title": seat.member_title,
              "member_role": seat.member_role, "force_phrase": _force_phrase(b),
              "force": powers.force_in_text(b.main_force.name), "campaign": w["campaign"],
              "concern_list": powers.join_names(c.phrase for c in b.concerns),
              "recipients": powers.join_names(powers.recipients(asks)),
              "meeting_date": long_date(b.meeting_date)}
    values.update(voice(b.club))

    def fill(text: str) -> str:
        return powers.fill(text, values)

    figs = b.figures
    local = any(f.table == data.NRM_POLICE for f in figs)   # a figure for the seat's own police force
    openings = [o for o in w["openings"] if "{force_phrase}" not in o or local]
    paragraphs = [fill(_pick(openings, seat.gss_code, keys, "opening")),
                  fill(w["meeting"] if b.meeting_date else w["meeting_request"])]
    notes, texts = [], []
    for c, fig, ask in zip(b.concerns, figs, asks):
        note = figure_note(fig)
        if note not in notes:
            notes.append(note)
        mark = note_mark(notes.index(note) + 1)
        texts.append(" ".join(f"{figure_sentence(fig)}{mark} {fill(ask.letter)}".split()))
    closing_paragraphs = [fill(_pick(w["closings"], seat.gss_code, keys, "closing"))]
    # The NRM is spelled out at its first mention.
    spelled = _spell_out_nrm(paragraphs + texts + closing_paragraphs)
    n, m = len(paragraphs), len(texts)
    paragraphs, texts, closing_paragraphs = spelled[:n], spelled[n:n + m], spelled[n + m:]
    if b.personal_note:   # the sender's own paragraph, as written, after the opening
        paragraphs.insert(1, b.personal_note)
    items = [{"title": fill(w["leads"][c.key]).rstrip("."), "text": t} for c, t in zip(b.concerns, texts)]

    greeting, recipient, sender, signature = letter_ends(b, w["addresses"][seat.parliament], w)
    note = ""
    if member.name and member.as_of:
        note = powers.fill(w["member_note"][seat.parliament], {"as_of": member.as_of, "name": member.name})
    return Letter(sender=sender, date=long_date(b.letter_date),
                  recipient=recipient, salutation=greeting, subject=fill(w["subject"]), paragraphs=paragraphs,
                  concerns=items, closing_paragraphs=closing_paragraphs, closing=w["closing"],
                  signature=signature, notes=[f"{i}. {text}" for i, text in enumerate(notes, start=1)],
                  enclosure=fill(w["enclosure"]), member_note=note)


def alternative_figures() -> dict:
    """{concern: [figure keys]}: what a concern gives when its own figure is already given (letter.yml)."""
    return {k: list(v) for k, v in wording()["alternative_figures"].items()}


DATE_LINE = "Date: ...................."


def letter_lines(letter: dict) -> list[str]:
    """The letter's wording in reading order, one entry per line or paragraph: what both the printed
    letter and the .docx say (the member note, printed beside the letter, is not part of it)."""
    lines = list(letter["sender"]) + [letter["date"] or DATE_LINE] + list(letter["recipient"])
    lines += [letter["salutation"], letter["subject"], *letter["paragraphs"]]
    lines += [f"{c['title']}. {c['text']}" for c in letter["concerns"]]
    lines += [*letter["closing_paragraphs"], letter["closing"], *letter["signature"]]
    if letter.get("notes"):
        lines += [wording()["notes_heading"], *letter["notes"]]
    if letter.get("enclosure"):
        lines.append(letter["enclosure"])
    return lines


def body_words(letter: dict) -> int:
    """The words of the letter itself, from the salutation to the signature (not the addresses, the
    notes or the enclosure line): what a constituent copies out by hand."""
    lines = [letter["salutation"], letter["subject"], *letter["paragraphs"]]
    lines += [f"{c['title']}. {c['text']}" for c in letter["concerns"]]
    lines += [*letter["closing_paragraphs"], letter["closing"]]
    return sum(len(line.split()) for line in lines)


def to_docx(letter: dict) -> bytes:
    """An editable Word letter (python-docx) from the letter JSON: the same words as the printed letter."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = Document()
    for section in doc.sections:           # A4, as the printed letter (python-docx's template is US Letter)
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
        section.top_margin = section.bottom_margin = Mm(18)
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    style.paragraph_format.space_after = Pt(6)
    props = doc.core_properties
    props.title = letter["subject"]
    # No sender's name in the file's properties (a letter made on the web page is personal data; the
    # letter itself holds the name); python-docx's own default author is replaced too.
    props.author = props.last_modified_by = ""
    props.created = props.modified = _FIXED_TIME    # the same letter gives the same bytes
    props.revision = 1
    for line in letter["sender"]:
        p = doc.add_paragraph(line)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.space_after = Pt(0)
    date = doc.add_paragraph(letter["date"] or DATE_LINE)
    date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for line in letter["recipient"]:
        doc.add_paragraph(line).paragraph_format.space_after = Pt(0)
    doc.add_paragraph("")
    doc.add_paragraph(letter["salutation"])
    doc.add_paragraph().add_run(letter["subject"]).bold = True
    for text in letter["paragraphs"]:
        doc.add_paragraph(text)
    for item in letter["concerns"]:
        p = doc.add_paragraph(style="List Number")
        p.add_run(item["title"] + ".").bold = True
        p.add_run(" " + item["text"])
    for text in letter["closing_paragraphs"]:
        doc.add_paragraph(text)
    doc.add_paragraph(letter["closing"])
    doc.add_paragraph("")
    for line in letter["signature"]:
        doc.add_paragraph(line).paragraph_format.space_after = Pt(0)
    if letter.get("notes"):
        heading = doc.add_paragraph()
        heading.paragraph_format.space_before = Pt(12)
        heading.add_run(letter.get("notes_heading") or wording()["notes_heading"]).font.size = Pt(9)
        for line in letter["notes"]:
            p = doc.add_paragraph()
            p.paragraph_format.space_after = Pt(0)
            p.add_run(line).font.size = Pt(9)
    if letter.get("enclosure"):
        p = doc.add_paragraph()
        p.paragraph_format.space_before = Pt(6)
        p.add_run(letter["enclosure"]).font.size = Pt(9)
    buf = io.BytesIO()
    doc.save(buf)
    return _fixed_zip_times(buf.getvalue())


_FIXED_TIME = dt.datetime(2000, 1, 1)


def _fixed_zip_times(data: bytes) -> bytes:
    """The .docx with every zip entry dated 1980-01-01, so that identical letters are identical files."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def letter_from_notebook(nb) -> dict | None:
    """The letter JSON a briefing notebook displayed, if any."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if LETTER_MIME in data:
                return data[LETTER_MIME]
    return None
