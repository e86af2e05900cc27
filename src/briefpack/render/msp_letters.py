"""Letters to the list MSPs of a Scottish Parliament region (``--list-msps``; the web page's option).

A campaigner in Scotland has eight MSPs. With the option, the briefing's letter section holds the
constituency MSP's letter and one more for each of the region's seven list MSPs: the same letter
(the same concerns, figures, asks and closing), each addressed to its member at The Scottish
Parliament, Edinburgh EH99 1SP, with its own salutation, and with an opening and a meeting paragraph
written for a regional member (``content/letter.yml``, ``list_msps``). Each list MSP of a region gets
a different opening. The letters are printed one to a page after the briefing, and the ``.docx``
holds all eight, each starting on a new page.

The notebook shows the list letters as JSON under :data:`LIST_LETTERS_MIME` beside the constituency
letter (:data:`briefpack.render.letters.LETTER_MIME`); the build reads both (:func:`letters_from_notebook`)
and writes one Word file (:func:`letters_docx`).
"""
from __future__ import annotations

import copy
import dataclasses
import io

from briefpack.core.errors import DataError
from briefpack.places.msps import LIST_SEATS
from briefpack.render.letters import (
    Letter,
    _fixed_zip_times,
    _pick,
    salutation,
    to_docx,
    voice,
    wording,
)
from briefpack.render.sections import Section, long_date, render
from briefpack.words import powers

LIST_LETTERS_MIME = "application/vnd.briefpack.list-letters+json"


def _words() -> dict:
    w = wording().get("list_msps") or {}
    openings = w.get("openings") or []
    if len(openings) < LIST_SEATS or not w.get("meeting") or not w.get("meeting_request"):
        raise DataError(f"content/letter.yml: 'list_msps' needs at least {LIST_SEATS} openings (one for each list MSP "
                        "of a region, so that no two open alike), a 'meeting' and a 'meeting_request'.")
    return w


def list_letters(b, letter: Letter) -> list[Letter]:
    """One letter for each list MSP of the seat's region, made from the constituency letter ``letter``."""
    w = _words()
    keys = ",".join(c.key for c in b.concerns)
    seat = b.seat
    values = {"constituency": seat.name, "region": seat.region, "club": b.club,
              "concern_list": powers.join_names(c.phrase for c in b.concerns),
              "constituency_msp": b.member.name or f"the {seat.member_role} for {seat.name}",
              "meeting_date": long_date(b.meeting_date)}
    values.update(voice(b.club))
    openings = w["openings"]
    start = openings.index(_pick(openings, seat.gss_code, keys, "list opening"))
    meeting_at = 2 if b.personal_note else 1      # the opening, the sender's own paragraph, the meeting
    address = list(wording()["addresses"]["scottish"])
    out = []
    for i, msp in enumerate(b.regional):
        paragraphs = list(letter.paragraphs)
        paragraphs[0] = powers.fill(openings[(start + i) % len(openings)], values)
        paragraphs[meeting_at] = powers.fill(w["meeting"] if b.meeting_date else w["meeting_request"], values)
        note = powers.fill(wording()["member_note"]["scottish"], {"as_of": msp.as_of}) if msp.as_of else ""
        out.append(dataclasses.replace(letter, recipient=[f"{msp.name} MSP", *address],
                                       salutation=salutation(msp.name), paragraphs=paragraphs, member_note=note))
    return out


def with_list_letters(b, letter: Letter, section: Section) -> Section:
    """The letter section with the list MSPs' letters after it, each on its own page."""
    others = list_letters(b, letter)
    html = [section.html] + [render("letter.html.j2", letter=o, b=b, notes_heading=wording()["notes_heading"],
                                    addressee=f"{msp.name} MSP ({b.seat.region} region)").html
                             for o, msp in zip(others, b.regional)]
    return Section("\n".join(html), {**section.extra, LIST_LETTERS_MIME: [o.to_json() for o in others]})


def letters_from_notebook(nb) -> list[dict]:
    """The list MSPs' letters a briefing notebook displayed (none without the option)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            found = out.get("data", {}).get(LIST_LETTERS_MIME)
            if found:
                return list(found)
    return []


def letters_docx(letters: list[dict]) -> bytes:
    """One editable Word file with every letter, each starting on a new page and numbering its concerns
    from 1 (each letter is :func:`briefpack.render.letters.to_docx`'s, so the words are the same)."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    master = Document(io.BytesIO(to_docx(letters[0])))
    body = master.element.body
    end = body.find(qn("w:sectPr"))
    list_style = master.styles["List Number"].style_id
    for letter in letters[1:]:
        num_id = _restarted_list(master)
        first = True
        for el in Document(io.BytesIO(to_docx(letter))).element.body.iterchildren():
            if el.tag == qn("w:sectPr"):
                continue
            el = copy.deepcopy(el)
            if el.tag == qn("w:p"):
                p_pr = el.get_or_add_pPr()
                if first:
                    p_pr.append(OxmlElement("w:pageBreakBefore"))
                    first = False
                if p_pr.pStyle is not None and p_pr.pStyle.val == list_style:
                    num_pr = p_pr.get_or_add_numPr()
                    num_pr.get_or_add_ilvl().val = 0
                    num_pr.get_or_add_numId().val = num_id
            end.addprevious(el)
    buf = io.BytesIO()
    master.save(buf)
    return _fixed_zip_times(buf.getvalue())


def _restarted_list(doc) -> int:
    """A new numbering instance of the 'List Number' style's list that starts again at 1."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    style_num = doc.styles["List Number"].element.pPr.numPr.numId.val
    numbering = doc.part.numbering_part.element
    nums = numbering.findall(qn("w:num"))
    abstract = next(n for n in nums if int(n.get(qn("w:numId"))) == style_num).find(qn("w:abstractNumId")).get(qn("w:val"))
    new_id = max(int(n.get(qn("w:numId"))) for n in nums) + 1
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(new_id))
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), abstract)
    num.append(ref)
    override = OxmlElement("w:lvlOverride")
    override.set(qn("w:ilvl"), "0")
    start = OxmlElement("w:startOverride")
    start.set(qn("w:val"), "1")
    override.append(start)
    num.append(override)
    numbering.append(num)
    return new_id
