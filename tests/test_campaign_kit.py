"""The campaign kit: letters, the meeting page, the tracker, the progress report, accessibility."""
from __future__ import annotations

import re
import shutil

import docx
import pytest
from bs4 import BeautifulSoup
from conftest import DATA, ROOT, current_member, run_build
from pypdf import PdfReader

FIXTURE = ROOT / "tests" / "fixtures" / "tracker_sample.csv"


def letter_paragraphs(path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs if p.text.strip()]


def test_letters_differ_in_substance(built):
    a = letter_paragraphs(built / "banbury-letter.docx")
    b = letter_paragraphs(built / "ynys-mon-letter.docx")
    banbury, ynys_mon = current_member("Banbury")["display_as"], current_member("Ynys Môn")["display_as"]
    assert any(banbury in p for p in a)
    names = {"Banbury", "Ynys Môn", banbury, ynys_mon}

    def strip(ps):
        out = []
        for p in ps:
            for n in names:
                p = p.replace(n, "NAME")
            out.append(p)
        return out

    a_body, b_body = set(strip(a)), set(strip(b))
    differing = a_body ^ b_body
    assert len(differing) >= 6, "letters differ beyond the names: concerns and local figures"
    # Each letter quotes its own local figure.
    assert any("Thames Valley Police" in p for p in a)
    assert any("Duty to Notify" in p for p in b)


def test_letter_ends_the_pdf_on_its_own_pages(built):
    reader = PdfReader(str(built / "banbury.pdf"))
    pages = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
    member = current_member("Banbury")["display_as"]
    start = next(i for i, t in enumerate(pages) if f"Letter to {member}" in t)
    assert pages[start].startswith(f"Letter to {member} MP"), "the letter starts a new page"
    assert "Dear " in pages[start]
    assert "Yours sincerely" in pages[-1], "and ends the briefing"
    assert all("Sources and attributions" not in t for t in pages[start:])


def test_meeting_page_has_dated_follow_ups(built):
    page = BeautifulSoup((built / "banbury.html").read_text(encoding="utf-8"), "lxml")
    table = page.select_one("table.steps")
    assert "4 December 2026" in table.caption.get_text()
    dates = [td.get_text() for td in table.select("tbody td:nth-of-type(2)")]
    assert dates[0] == "6 December 2026", "2 days after the meeting"
    assert any("Home Secretary" in li.get_text() for li in page.select("ul.asks li"))
    assert "press release" in page.select_one("ul.asks").get_text()


def test_accessibility(built):
    html = (built / "banbury.html").read_text(encoding="utf-8")
    page = BeautifulSoup(html, "lxml")
    assert page.html["lang"] == "en-GB"
    levels = [int(h.name[1]) for h in page.find_all(re.compile(r"^h[1-6]$"))]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), f"headings skip a level: {levels}"
    for table in page.find_all("table"):
        assert table.caption and table.caption.get_text().strip(), "every table has a caption"
        assert table.find("th"), "and header cells"
    for fig in page.select("figure.chart"):
        assert fig.select_one("[role=img][aria-label]")
    def flat(items):
        for o in items:
            yield from (flat(o) if isinstance(o, list) else [o.title])

    titles = list(flat(PdfReader(str(built / "banbury.pdf")).outline))
    assert titles[0] == "Modern slavery in Banbury"
    assert "Why it matters now" in titles and "At the meeting" in titles, "the PDF has bookmarks"


@pytest.fixture
def tracker_data(tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    shutil.copy(FIXTURE, dest / "campaign" / "tracker.csv")
    return dest


def test_progress_report(tmp_path, tracker_data):
    out = tmp_path / "out"
    proc = run_build("--progress", "--as-of", "2026-11-23", "--out", str(out), env={"BRIEFPACK_DATA": str(tracker_data)})
    assert proc.returncode == 0, proc.stderr
    page = BeautifulSoup((out / "progress.html").read_text(encoding="utf-8"), "lxml")
    totals = {td["data-status"]: int(td.get_text()) for td in page.select("tr.total td[data-status]")}
    # tests/fixtures/tracker_sample.csv: Banbury replied, Hitchin wrote, Ynys Môn met, Aberdeen North and
    # Belfast East arranged, Aldershot contacted; the other 644 seats have no contact.
    assert totals == {"no contact": 644, "contact made": 1, "meeting arranged": 2, "met": 1,
                      "wrote to ministers": 1, "reply received": 1}
    assert len(page.select("figure.chart svg g.mark-symbol.role-mark > path")) == 650, "one hexagon per seat"
    assert "650" in page.select_one("figure.chart [role=img]")["aria-label"]
    overdue = page.select_one("table.overdue").get_text(" ")
    assert "Ynys Môn" in overdue and "Hitchin" in overdue and "Belfast East" in overdue
    assert "Banbury" not in overdue
    replies = page.get_text(" ")
    assert "training frontline staff" in replies and current_member("Banbury")["display_as"] in replies
    assert PdfReader(str(out / "progress.pdf")).pages


def test_briefing_shows_campaign_status(tmp_path, tracker_data):
    proc = run_build("-c", "Hitchin", "--formats", "html", "--out", str(tmp_path), "--jobs", "1",
                     env={"BRIEFPACK_DATA": str(tracker_data)})
    assert proc.returncode == 0, proc.stderr
    page = BeautifulSoup((tmp_path / "hitchin.html").read_text(encoding="utf-8"), "lxml")
    assert page.select_one(".campaign-status").get_text().startswith("Wrote to ministers")


@pytest.mark.parametrize("row,message", [
    ("E14999999,Club,2026-01-01,,,,,,", "row 2: E14999999 is not a Westminster constituency code"),
    ("E14001072,Club,2026-02-30,,,,,,", "row 2, column 'contact_made': '2026-02-30' is not a real date"),
    ("E14001072,Club,2026-03-01,2026-02-01,,,,,", "meeting_date (2026-02-01) is before contact_made (2026-03-01)"),
    ("E14001072,Club,,2026-02-01,,2026-03-01,,,", "the meeting is not marked as met"),
    ("E14001072,Club,,2026-02-01,True,,2026-04-01,,", "a reply is recorded but no letter"),
    ("E14001072,Club,,,True,,,,", "'met' is True but there is no meeting_date"),
])
def test_bad_tracker_rows_are_rejected(tmp_path, tracker_data, row, message):
    (tracker_data / "campaign" / "tracker.csv").write_text(
        FIXTURE.read_text(encoding="utf-8").splitlines()[0] + "\n" + row + "\n", encoding="utf-8")
    proc = run_build("--progress", "--out", str(tmp_path / "out"), env={"BRIEFPACK_DATA": str(tracker_data)})
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "tracker.csv" in lines[0], proc.stderr
    assert not (tmp_path / "out" / "progress.html").exists()


def test_index_links_each_briefing_and_its_letter(built):
    page = BeautifulSoup((built / "index.html").read_text(encoding="utf-8"), "lxml")
    rows = {tr.select_one("td").get_text(" ").split(" ")[0]: tr for tr in page.select("#seats tbody tr")}
    links = [a["href"] for a in rows["Banbury"].select("a")]
    assert links == ["banbury.html", "banbury.pdf", "banbury-letter.docx"]
    assert all((built / href).exists() for tr in rows.values() for href in (a["href"] for a in tr.select("a")))
