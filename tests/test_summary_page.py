"""A brief a Member reads in two minutes (issue 14): page 1 is a summary (seat and member as at, the
member's contact page, three figures with their periods, the asks and who holds each power, the club and
the meeting date), in the HTML and on the PDF's first page; the body's citations are numbered notes
linked both ways to the sources page."""
from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from conftest import read_csv, run_build
from pypdf import PdfReader

from briefpack.data import stats
from briefpack.render.briefing import Briefing

pytestmark = pytest.mark.e2e

CLUB = "Soroptimist International Summary"
DATE_WORDS = "4 December 2026"


def first_seat(nation: str) -> dict:
    seat = sorted((r for r in read_csv("westminster_constituencies_2024") if r["nation"] == nation),
                  key=lambda r: r["name"])[0]
    [mp] = [r for r in read_csv("mps_current") if r["pcon_code"] == seat["gss_code"]]
    return {"name": seat["name"], "code": seat["gss_code"], "mp": mp}


CASES = [(first_seat("England"), "training,children,policing"),
         (first_seat("Northern Ireland"), "training,legislation,aftercare")]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("summary")
    for seat, concerns in CASES:
        proc = run_build("--constituency", seat["code"], "--concerns", concerns, "--club", CLUB,
                         "--meeting-date", "2026-12-04", "--out", str(out), "--jobs", "1", "--formats", "html,pdf")
        assert proc.returncode == 0, proc.stderr
    return out


def flat(text: str) -> str:
    return " ".join(text.split())


def expected(seat, concerns):
    """What the summary must say, from the data (member, id) and from the briefing's own figures."""
    b = Briefing.prepare(seat["code"], concerns.split(","), club=CLUB, meeting_date="2026-12-04")
    return b, seat["mp"]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_summary_in_the_html(built, case):
    seat, concerns = CASES[case]
    b, mp = expected(seat, concerns)
    page = BeautifulSoup((built / f"{b.seat.slug}.html").read_text(encoding="utf-8"), "lxml")
    cover = page.select_one("header.cover")
    text = flat(cover.get_text(" "))
    assert seat["name"] in text and mp["display_as"] in text and f"as at {b.member.as_of}" in text
    # printed, not linked: a briefing links to nothing outside itself (it opens offline)
    contact = flat(cover.select_one("td.mp-contact").get_text())
    assert contact.endswith(f"https://members.parliament.uk/member/{mp['member_id']}/contact"), contact
    assert CLUB in text and DATE_WORDS in text
    rows = cover.select("section.brief table.summary-concerns tbody tr")
    assert len(rows) == len(b.concerns) == 3
    for row, fig, ask in zip(rows, b.figures, b.asks):
        figure = flat(row.select_one(".summary-figure").get_text())
        assert fig.value in figure
        period = stats.period_words(fig.period)
        assert period in figure or all(y in figure for y in re.findall(r"\d{4}", fig.period)), figure
        bodies = flat(row.select_one(".summary-bodies").get_text(" ")).lower()
        for body in ask.bodies:
            assert body.name.lower() in bodies
    asks = [flat(li.get_text()) for li in cover.select("ul.summary-asks li")]
    assert asks and any("press release" in a for a in asks)


@pytest.mark.parametrize("case", range(len(CASES)))
def test_summary_is_the_pdfs_first_page(built, case):
    seat, concerns = CASES[case]
    b, mp = expected(seat, concerns)
    pages = [flat(p.extract_text() or "") for p in PdfReader(str(built / f"{b.seat.slug}.pdf")).pages]
    first = pages[0]
    for item in (seat["name"], mp["display_as"], f"as at {b.member.as_of}", CLUB, DATE_WORDS, "In brief",
                 f"members.parliament.uk/member/{mp['member_id']}/contact"):
        assert item in first, f"{item!r} is not on page 1"
    for fig, ask in zip(b.figures, b.asks):
        assert fig.value in first
        if " Q" in fig.period:
            assert stats.period_words(fig.period) in first
        for body in ask.bodies:
            assert flat(body.name).lower() in first.lower()
    assert "Why it matters now" not in first, "page 1 is the summary alone"
    assert pages[1].startswith("Why it matters now")


@pytest.mark.parametrize("case", range(len(CASES)))
def test_citations_are_numbered_notes_linked_both_ways(built, case):
    seat, concerns = CASES[case]
    b, _ = expected(seat, concerns)
    page = BeautifulSoup((built / f"{b.seat.slug}.html").read_text(encoding="utf-8"), "lxml")
    notes = page.select("ol.notes > li")
    assert notes, "the sources page lists the notes"
    assert [li["id"] for li in notes] == [f"note-{i}" for i in range(1, len(notes) + 1)]
    marks = page.select("sup.note-ref a")
    assert len(marks) >= len(notes)
    ids = {a["id"] for a in marks}
    for a in marks:
        target = page.select_one(a["href"])
        assert target is not None and target.name == "li" and target.find_parent("ol", class_="notes")
        assert any(back["href"] == f"#{a['id']}" for back in target.select("a.note-back")), "and back"
    for li in notes:
        backs = li.select("a.note-back")
        assert backs and all(back["href"][1:] in ids for back in backs)
        assert "Home Office" in li.get_text() or "mySociety" in li.get_text()
    # the text reads as prose: no '(source: ...)' and no 'Source:' line outside the charts and the notes
    for p in page.select("p"):
        if p.find_parent("figure") or p.find_parent("ol", class_="notes") or p.find_parent(class_="letter"):
            continue
        assert "(source:" not in p.get_text() and not p.get_text().startswith("Source"), p.get_text()[:120]
    # every figure in a concern's box keeps its period in the sentence
    for box, fig in zip(page.select(".figure-box"), b.figures):
        text = flat(box.get_text(" "))
        if " Q" in fig.period:
            assert stats.period_words(fig.period) in text
        else:
            assert all(y in text for y in re.findall(r"\d{4}", fig.period)), text


def test_pdf_notes_link_both_ways(built):
    seat, concerns = CASES[0]
    b, _ = expected(seat, concerns)
    reader = PdfReader(str(built / f"{b.seat.slug}.pdf"))
    dests = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                dests.append(str(annot["/Dest"]))
    named = set(reader.named_destinations)
    to_notes = [d for d in dests if d.startswith("/note-")]
    back = [d for d in dests if d.startswith("/ref-")]
    assert to_notes and back, "the printed marks and notes are links too"
    assert all(d.lstrip("/") in named or d in named for d in to_notes + back)
