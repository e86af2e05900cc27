"""The letter to the member: built in the notebook from the same data as the briefing, shown as the
briefing's last page, and written as an editable ``.docx`` beside it.

The notebook displays the letter as HTML and, in the same output, as JSON under
:data:`LETTER_MIME`; the build reads that JSON from the executed notebook and renders the
``.docx``, so the Word letter and the printed one are the same letter.
"""
from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from . import paths
from .errors import DataError

LETTER_MIME = "application/vnd.briefpack.letter+json"


@dataclass
class Letter:
    sender: list            # lines: club / campaigner, address
    date: str               # "" leaves a line to write the date by hand
    recipient: list         # lines: name and title, address
    salutation: str
    subject: str
    paragraphs: list        # plain text
    concerns: list = field(default_factory=list)   # [{"title", "text", "figure", "source", "ask"}]
    closing_paragraphs: list = field(default_factory=list)
    closing: str = "Yours sincerely,"
    signature: str = ""
    note: str = ""

    def to_json(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=2)
def _wording(folder: str) -> dict:
    from pathlib import Path

    from .data import read_yaml

    doc = read_yaml(Path(folder) / "letter.yml", "content/letter.yml")
    needed = ("subject", "opening", "opening_no_club", "meeting", "meeting_request", "concerns_intro",
              "closing_ask", "closing", "addresses")
    missing = [k for k in needed if not doc.get(k)]
    if missing:
        raise DataError(f"content/letter.yml: missing field(s) {missing}.")
    return doc


def wording() -> dict:
    return _wording(str(paths.content_dir()))


def _fill(text: str, values: dict) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return " ".join(text.split())


def build_letter(b) -> Letter:
    """The letter for briefing ``b``: its concerns, in order, each with the seat's own figure."""
    from . import figures

    w = wording()
    seat, member = b.seat, b.member
    values = {"constituency": seat.name, "club": b.club, "addressee": b.addressee,
              "member_role": seat.member_role,
              "meeting_date": f"{b.meeting_date.day} {b.meeting_date:%B %Y}" if b.meeting_date else ""}
    paragraphs = [_fill(w["opening"] if b.club else w["opening_no_club"], values),
                  _fill(w["meeting"] if b.meeting_date else w["meeting_request"], values),
                  _fill(w["concerns_intro"], values)]
    items = []
    for c in b.concerns:
        fig = figures.FIGURES[c.figure_for(seat.nation)](b)
        ask = c.ask if c.applies(seat.nation) else c.elsewhere.get(seat.nation, "")
        items.append({"title": c.title, "text": c.summary, "figure": fig.text,
                      "source": f"{fig.source}, {fig.period}", "ask": " ".join(ask.split())})
    if member.name:
        salutation = f"Dear {member.name},"
        recipient = [f"{member.name} {seat.member_title}"]
    else:
        salutation = f"Dear {seat.member_role} for {seat.name},"
        recipient = [f"The {seat.member_role} for {seat.name}"]
    recipient += list(w["addresses"][seat.parliament])
    sender = [line for line in (b.club, *b.sender_address) if line] or ["Your name", "Your address and postcode"]
    return Letter(sender=sender, date=f"{b.letter_date.day} {b.letter_date:%B %Y}" if b.letter_date else "",
                  recipient=recipient, salutation=salutation, subject=_fill(w["subject"], values),
                  paragraphs=paragraphs, concerns=items, closing_paragraphs=[_fill(w["closing_ask"], values)],
                  closing=w["closing"], signature=b.club or "", note=" ".join(w.get("sources_note", "").split()))


def to_docx(letter: dict) -> bytes:
    """An editable Word letter (python-docx) from the letter JSON."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    doc.core_properties.title = letter["subject"]
    doc.core_properties.author = letter["signature"] or "briefpack"
    for line in letter["sender"]:
        p = doc.add_paragraph(line)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.space_after = Pt(0)
    date = doc.add_paragraph(letter["date"] or "Date: ....................")
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
        p.add_run(item["title"] + ". ").bold = True
        p.add_run(f"{item['text']} {item['figure']} {item['ask']}")
    for text in letter["closing_paragraphs"]:
        doc.add_paragraph(text)
    doc.add_paragraph(letter["closing"])
    doc.add_paragraph("\n\n" + (letter["signature"] or ""))
    if letter.get("note"):
        note = doc.add_paragraph(letter["note"])
        for run in note.runs:
            run.font.size = Pt(8)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def letter_from_notebook(nb) -> dict | None:
    """The letter JSON a briefing notebook displayed, if any."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if LETTER_MIME in data:
                return data[LETTER_MIME]
    return None
