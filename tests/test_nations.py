"""Right for every nation: the asks go to the bodies that hold the power where the seat is, with the
law that applies there, and none of the wrong ones; a Scottish Parliament seat of 2026 with its MSP."""
from __future__ import annotations

import re
import shutil
import unicodedata

import docx
import pytest
from bs4 import BeautifulSoup
from conftest import read_csv, run_build
from pypdf import PdfReader

from briefpack.core.errors import DataError
from briefpack.words import content, powers

# Bodies and laws that hold the power in each place, and those that must never be named there.
RIGHT = {
    "England": ["the Home Secretary", "Police and Crime Commissioner", "Modern Slavery Act 2015",
                "the Secretary of State for Education"],
    "Wales": ["the Home Secretary", "Police and Crime Commissioner", "Modern Slavery Act 2015", "Welsh Government"],
    "Scotland": ["Scottish Government", "Scottish Police Authority", "Police Scotland",
                 "Human Trafficking and Exploitation (Scotland) Act 2015"],
    "Northern Ireland": ["Department of Justice in Northern Ireland", "Northern Ireland Policing Board",
                         "Health and Social Care Trust", "Police Service of Northern Ireland",
                         "Human Trafficking and Exploitation (Criminal Justice and Support for Victims) Act (Northern Ireland) 2015"],
    "Scottish Parliament": ["Scottish Government", "Scottish Police Authority", "Police Scotland",
                            "Human Trafficking and Exploitation (Scotland) Act 2015"],
}
SCOTTISH_BODIES = ["Scottish Government", "Scottish Police Authority", "Scottish Ministers",
                   "Human Trafficking and Exploitation (Scotland)"]
NI_BODIES = ["Northern Ireland Policing Board", "Department of Justice in Northern Ireland", "Northern Ireland Executive",
             "Health and Social Care Trust", "(Northern Ireland) 2015"]
WRONG_BODIES = {
    "England": SCOTTISH_BODIES + NI_BODIES + ["Welsh Government", "Education Secretary"],
    "Wales": SCOTTISH_BODIES + NI_BODIES + ["Education Secretary", "children's social care in England"],
    "Scotland": NI_BODIES + ["Police and Crime Commissioner", "Welsh Government", "Education Secretary",
                             "children's social care in England"],
    "Northern Ireland": SCOTTISH_BODIES + ["Police and Crime Commissioner", "Welsh Government", "Education Secretary",
                                           "children's social care in England", "ask the council"],
    "Scottish Parliament": NI_BODIES + ["Home Secretary", "Police and Crime Commissioner", "Welsh Government",
                                        "Education Secretary", "children's social care in England", "House of Commons"],
}
# The law that does not apply there (checked in the asks, questions, steps and letter: the briefing's
# history of the Key Card may still say the Modern Slavery Act 2015 was passed for England and Wales).
WRONG_LAW = {
    "England": ["Human Trafficking and Exploitation"],
    "Wales": ["Human Trafficking and Exploitation"],
    "Scotland": ["Modern Slavery Act 2015", "(Northern Ireland) 2015"],
    "Northern Ireland": ["Modern Slavery Act 2015", "(Scotland) Act 2015"],
    "Scottish Parliament": ["Modern Slavery Act 2015", "(Northern Ireland) 2015"],
}
FORCE = {"England": "Thames Valley Police", "Wales": "North Wales Police", "Scotland": "Police Scotland",
         "Northern Ireland": "Police Service of Northern Ireland", "Scottish Parliament": "Police Scotland"}
# A reserved matter: the NRM's decisions, immigration and asylum, the UK-wide Commissioner, cross-UK cases.
RESERVED = ("National Referral Mechanism", "immigration", "asylum", "Commissioner", "one part of the UK")


def texts_of(place: str, force: str | None = None) -> list[str]:
    out = []
    for key in content.concern_keys():
        ask = powers.powers().ask(key, place, force or FORCE[place])
        out += [ask.ask, ask.question, ask.letter]
    return out


@pytest.mark.parametrize("place", powers.PLACES)
def test_asks_name_the_right_bodies_and_law_and_none_of_the_wrong_ones(place):
    text = " ".join(texts_of(place))
    for right in RIGHT[place]:
        assert right in text, f"{place}: the asks should name {right}"
    for wrong in WRONG_BODIES[place] + WRONG_LAW[place]:
        assert wrong not in text, f"{place}: the asks name {wrong!r}"


@pytest.mark.parametrize("place", ["Scotland", "Northern Ireland"])
def test_devolved_nations_press_the_home_secretary_only_on_reserved_matters(place):
    for text in texts_of(place):
        for sentence in re.split(r"(?<=[.?:;])\s+", text):
            if "Home Secretary" in sentence:
                assert any(r in sentence for r in RESERVED), f"{place}: not a reserved matter: {sentence}"


def test_london_seats_name_the_mayor_who_oversees_the_met():
    ask = powers.powers().ask("policing", "England", "Metropolitan Police Service")
    assert "Mayor's Office for Policing and Crime" in ask.ask and "Police and Crime Commissioner" not in ask.ask
    assert "the Metropolitan Police Service" in ask.ask
    assert "police_oversight_2026" in ask.sources and "act_police_reform_2011" in ask.sources


def test_every_body_and_entry_carries_sources_that_exist():
    p = powers.powers()
    ids = set(content.sources())
    for body in list(p.bodies.values()) + list(p.laws.values()):
        assert body.sources and set(body.sources) <= ids, body
    for place in powers.PLACES:
        for key in content.concern_keys():
            ask = p.ask(key, place, FORCE[place])
            assert ask.write_to and ask.bodies and set(ask.sources) <= ids


def test_children_in_northern_ireland_are_the_trusts_not_the_council():
    ask = powers.powers().ask("children", "Northern Ireland", FORCE["Northern Ireland"])
    assert "Health and Social Care Trust" in ask.question
    assert all("council" not in text for text in texts_of("Northern Ireland"))


def test_a_broken_powers_file_fails_with_one_line(tmp_path, monkeypatch):
    folder = tmp_path / "content"
    shutil.copytree(content.__file__.rsplit("/src/", 1)[0] + "/content", folder)
    text = (folder / "powers.yml").read_text(encoding="utf-8")
    (folder / "powers.yml").write_text(text.replace("oversight: spa\n", "oversight: spaa\n", 1), encoding="utf-8")
    monkeypatch.setenv("BRIEFPACK_CONTENT", str(folder))
    with pytest.raises(DataError) as err:
        powers.powers()
    assert "content/powers.yml" in str(err.value) and "spaa" in str(err.value) and "\n" not in str(err.value)


# --- end to end: one seat per nation, and a Scottish Parliament seat ---------------------------------

CONCERNS = "legislation,policing,children"
WESTMINSTER = {"banbury": ("Banbury", "England"), "ynys-mon": ("Ynys Môn", "Wales"),
               "aberdeen-north": ("Aberdeen North", "Scotland"), "belfast-east": ("Belfast East", "Northern Ireland")}
NOTE = "I have volunteered with survivors for ten years.\nWhat I saw convinced me to write."


@pytest.fixture(scope="module")
def nations(tmp_path_factory):
    out = tmp_path_factory.mktemp("nations")
    args = []
    for name, _ in WESTMINSTER.values():
        args += ["-c", name]
    proc = run_build(*args, "--concerns", CONCERNS, "--personal-note", NOTE, "--sender-name", "Jane Smith",
                     "--address", "1 High Street, Anytown, AB1 2CD", "--out", str(out), "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert "warning:" not in proc.stderr, "name and postcode given: no warning"
    sp = run_build("--parliament", "scottish", "-c", "Aberdeen Central", "--concerns", CONCERNS, "--out", str(out),
                   "--jobs", "1")
    assert sp.returncode == 0, sp.stderr
    warnings = [line for line in sp.stderr.splitlines() if line.startswith("warning:")]
    assert not any("boundary set" in w for w in warnings), "the 2026 constituencies are the data: no warning"
    assert any("postcode" in w for w in warnings), "no sender given: the CLI warns"
    return out


def cases():
    return [(slug, place) for slug, (_, place) in WESTMINSTER.items()] + [("msp-aberdeen-central", "Scottish Parliament")]


def html_parts(out, slug) -> tuple[str, str]:
    """(the asks, questions, steps and letter as text; the whole page as text)."""
    page = BeautifulSoup((out / f"{slug}.html").read_text(encoding="utf-8"), "lxml")
    parts = page.select("p.ask, p.who, p.headline-ask, ul.asks, ol.questions, table.steps, .letter-body")
    return " ".join(" ".join(p.get_text(" ").split()) for p in parts), " ".join(page.get_text(" ").split())


def pdf_text(out, slug) -> str:
    reader = PdfReader(str(out / f"{slug}.pdf"))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def docx_text(out, slug) -> str:
    return " ".join(p.text for p in docx.Document(str(out / f"{slug}-letter.docx")).paragraphs)


def flat(text: str) -> str:
    """PDF text has ligatures and loses line ends: compare with ligatures unfolded, spaces and hyphens removed."""
    return re.sub(r"[\s\-‐]+", "", unicodedata.normalize("NFKC", text))


@pytest.mark.e2e
@pytest.mark.parametrize("slug,place", cases())
def test_each_nation_names_the_right_bodies_in_html_pdf_and_docx(nations, slug, place):
    asks, page = html_parts(nations, slug)
    documents = {"html": page, "pdf": pdf_text(nations, slug), "docx": docx_text(nations, slug)}
    for right in RIGHT[place]:
        assert right in asks, f"{slug}: {right} missing from the asks"
    for kind, text in documents.items():
        for wrong in WRONG_BODIES[place]:
            assert flat(wrong) not in flat(text), f"{slug} {kind}: names {wrong!r}"
    for wrong in WRONG_LAW[place]:
        assert wrong not in asks, f"{slug}: the asks cite {wrong!r}"
        assert flat(wrong) not in flat(documents["docx"]), f"{slug}: the letter cites {wrong!r}"
    law = powers.powers().law(place).name.removeprefix("the ")
    for kind, text in documents.items():
        assert flat(law) in flat(text), f"{slug} {kind}: the law that applies, {law}, is not named"


@pytest.mark.e2e
@pytest.mark.parametrize("slug,place", cases())
def test_meeting_page_asks_to_write_to_who_holds_the_power(nations, slug, place):
    page = BeautifulSoup((nations / f"{slug}.html").read_text(encoding="utf-8"), "lxml")
    b_asks = powers.asks(CONCERNS.split(","), place, FORCE[place])
    names = powers.recipients(b_asks)
    lead = page.select_one("p.headline-ask").get_text(" ")
    steps = page.select_one("table.steps").get_text(" ")
    for name in names:
        assert name in lead and name in steps
    if place == "Scottish Parliament":
        assert "Home Secretary" not in lead and "MSP's letter" in steps


@pytest.mark.e2e
def test_personal_note_in_pdf_letter_and_docx(nations):
    note = " ".join(NOTE.split())
    reader = PdfReader(str(nations / "banbury.pdf"))
    letter_pages = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages[-2:])
    assert flat(note) in flat(letter_pages)
    paragraphs = [p.text for p in docx.Document(str(nations / "banbury-letter.docx")).paragraphs]
    assert note in paragraphs
    opening = paragraphs.index(note) - 1
    assert "Banbury" in paragraphs[opening], "the note follows the opening"


@pytest.mark.e2e
@pytest.mark.parametrize("slug", ["banbury", "belfast-east", "msp-aberdeen-central"])
def test_printed_letter_and_docx_have_the_same_words(nations, slug):
    page = BeautifulSoup((nations / f"{slug}.html").read_text(encoding="utf-8"), "lxml")
    body = page.select_one(".letter-body")
    printed = []
    for el in body.select(".line, p, li"):
        if el.name == "p" and el.select(".line"):
            continue
        printed.append(" ".join(el.get_text(" ").split()))
    printed = [p for p in printed if p]
    words = [" ".join(p.text.split()) for p in docx.Document(str(nations / f"{slug}-letter.docx")).paragraphs
             if p.text.strip()]
    assert printed == words


@pytest.mark.e2e
def test_scottish_parliament_cover_says_which_boundaries_and_names_the_msp(nations):
    cover = BeautifulSoup((nations / "msp-aberdeen-central.html").read_text(encoding="utf-8"), "lxml")
    note = cover.select_one("p.boundaries").get_text(" ")
    assert "2026 boundary set" in note and "7 May 2026" in note
    row = next(r for r in read_csv("msps_current") if r["constituency"] == "Aberdeen Central")
    assert cover.select_one(".mp-name").get_text() == row["member"]


@pytest.mark.e2e
def test_personal_note_options_are_checked(tmp_path):
    both = run_build("-c", "Banbury", "--personal-note", "x", "--personal-note-file", str(tmp_path / "n.txt"),
                     "--out", str(tmp_path / "out"))
    missing = run_build("-c", "Banbury", "--personal-note-file", str(tmp_path / "none.txt"), "--out", str(tmp_path / "out"))
    for proc, expect in ((both, "not both"), (missing, "does not exist")):
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: ") and expect in lines[0]
    assert not (tmp_path / "out").exists()
