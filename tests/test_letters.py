"""The letter: salutations, figures with their period and source, openings that differ, one voice,
the constituent's own paragraph, the sender block, the closing asks, and the .docx word for word."""
from __future__ import annotations

import io
import re

import docx
import pytest
from conftest import read_csv

from briefpack.core.errors import InputError
from briefpack.data import stats
from briefpack.render import letters
from briefpack.render.briefing import Briefing
from briefpack.words import powers

POLICE = "nrm_referrals_by_police_force_first_responder_2022q2_2023q4"


@pytest.mark.parametrize("name,expected", [
    ("Rt Hon Sir Jeremy Wright KC MP", "Dear Sir Jeremy Wright,"),   # a style typed by hand is dropped
    ("Rt Hon Diane Abbott MP", "Dear Diane Abbott,"),
    ("Jane Doe MSP", "Dear Jane Doe,"),
    ("", "Dear Sir or Madam,"),
])
def test_salutation_drops_a_typed_style(name, expected):
    assert letters.salutation(name) == expected


def test_one_salutation_rule_for_all_650_members():
    """'Dear' and the name as UK Parliament displays it, for every sitting member (read from the data):
    never a courtesy title for some and a full name for others."""
    from briefpack.places import geography, members

    rows = read_csv("mps_current")
    assert len(rows) == 650
    forms = set()
    for r in rows:
        member = members.member(geography.resolve(r["pcon_code"]))
        if not member.name:      # a vacant seat: the letter greets the office
            continue
        greeting = letters.salutation(member.name)
        if not member.overridden:
            assert greeting == f"Dear {r['display_as']},", r
        words = greeting[len("Dear "):-1].split()
        forms.add("title" if len(words) == 2 and words[0] in ("Mr", "Mrs", "Ms", "Miss", "Dr") else "name")
    assert forms == {"name"}, "never 'Dear Mr Surname' beside 'Dear Firstname Surname'"


def police_quarters() -> list[tuple[int, int]]:
    """The (year, quarter) pairs of the police table, read independently of briefpack."""
    return sorted({(int(r["year"]), int(r["quarter"][1])) for r in read_csv(POLICE) if r["quarter"] != "Total"})


def test_period_words_counts_the_quarters():
    quarters = police_quarters()
    (y1, q1), (y2, q2) = quarters[0], quarters[-1]
    label = f"{y1} Q{q1} to {y2} Q{q2}"
    words = stats.period_words(label)
    number = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
              "twelve"][len(quarters) - 1]
    start = ["January", "April", "July", "October"][q1 - 1]
    end = ["March", "June", "September", "December"][q2 - 1]
    assert words == f"the {number} quarters from {start} {y1} to {end} {y2}"
    assert stats.period_words("2023") == "in 2023"
    assert stats.period_words("2023 Q1 to 2023 Q1") == "the quarter from January 2023 to March 2023"


def prepare(seat, concerns="training,children,policing", **kw):
    return Briefing.prepare(seat, concerns, **kw)


def letter_of(seat, concerns="training,children,policing", **kw) -> dict:
    return letters.build_letter(prepare(seat, concerns, **kw)).to_json()


SEATS = ["Banbury", "Ynys Môn", "Aberdeen North", "Belfast East"]


@pytest.mark.parametrize("seat", SEATS)
@pytest.mark.parametrize("concerns", ["data,training,policing", "legislation,aftercare,children",
                                      "commissioner,policing,children"])
def test_every_letter_figure_has_its_period_and_source(seat, concerns):
    quarters = police_quarters()
    (y1, q1), (y2, q2) = quarters[0], quarters[-1]
    police_period = stats.period_words(f"{y1} Q{q1} to {y2} Q{q2}")
    letter = letter_of(seat, concerns)
    assert letter["notes"], "the figures' sources are numbered notes below the signature"
    for item in letter["concerns"]:
        text = item["text"]
        [mark] = re.findall(r"[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]+", text)
        number = int(mark.translate(str.maketrans("\u00b9\u00b2\u00b3", "123")))
        assert letter["notes"][number - 1].startswith(f"{number}. Home Office"), letter["notes"]
        assert "(source:" not in text, "no citation in the prose"
        # each paragraph names a year
        assert re.search(r"\b(19|20)\d\d\b", text), text
        if "first responder" in text or "referred by" in text or "Police forces made" in text:
            assert police_period in text, f"police figures cover {police_period}: {text}"


def test_openings_differ_between_seats_with_the_same_concerns():
    seats = ["Banbury", "Henley and Thame", "Witney", "Hitchin", "Aldershot", "Ynys Môn", "Aberdeen North",
             "Belfast East"]
    openings, shapes = [], set()
    for seat in seats:
        b = prepare(seat)
        opening = letters.build_letter(b).paragraphs[0]
        openings.append(opening)
        shapes.add(opening.replace(b.seat.name, "SEAT").replace(b.main_force.name, "FORCE"))
    assert len(set(openings)) == len(seats), "no two seats share an opening paragraph"
    assert len(shapes) >= 3, "the openings differ in wording, not only in the seat's name"


def test_openings_and_closings_follow_the_concerns():
    a = letters.build_letter(prepare("Banbury", "training,children,policing"))
    b = letters.build_letter(prepare("Banbury", "data,legislation,commissioner"))
    assert a.paragraphs[0] != b.paragraphs[0]
    assert "better data" in b.paragraphs[0] and "training for frontline staff" in a.paragraphs[0]
    assert a.closing_paragraphs != b.closing_paragraphs or a.concerns != b.concerns


def test_same_inputs_same_letter_and_same_docx_bytes():
    kw = dict(club="Soroptimist International Banbury", meeting_date="2026-12-04", sender_name="Jane Smith",
              sender_address="1 High St, Banbury, OX16 5AA", personal_note="I live here.")
    first, second = letter_of("Banbury", **kw), letter_of("Banbury", **kw)
    assert first == second
    assert letters.to_docx(first) == letters.to_docx(second), "the .docx is byte for byte the same"


FIRST_PERSON = re.compile(r"\b(I|my|me|I am)\b")
PLURAL = re.compile(r"\b(we|We|our|Our|us)\b")


@pytest.mark.parametrize("seat", SEATS)
def test_one_voice(seat):
    club = letter_of(seat, club="Soroptimist International X")
    alone = letter_of(seat)
    body = lambda l: l["paragraphs"] + [c["text"] for c in l["concerns"]] + l["closing_paragraphs"]
    for text in body(club):
        assert not FIRST_PERSON.search(text), f"a club's letter says 'we': {text}"
    for text in body(alone):
        assert not PLURAL.search(text), f"a constituent's own letter says 'I': {text}"


def test_personal_note_follows_the_opening_as_one_paragraph():
    note = "I have lived in Banbury for twenty years.\n\nLast year a neighbour was found in servitude."
    letter = letter_of("Banbury", personal_note=note)
    assert letter["paragraphs"][1] == " ".join(note.split()), "line breaks are joined into one paragraph"
    assert letter["paragraphs"][1] not in letter["paragraphs"][0]
    with pytest.raises(InputError) as err:
        prepare("Banbury", personal_note="x" * (letters.PERSONAL_NOTE_MAX + 1))
    assert "personal note" in str(err.value) and "\n" not in str(err.value)


def test_sender_block_asks_for_name_and_postcode():
    bare = letter_of("Banbury")
    assert bare["sender"][0] == "[Your name]" and "[Your address, with postcode]" in bare["sender"]
    no_postcode = letter_of("Banbury", sender_name="Jane Smith", sender_address="1 High St, Banbury")
    assert no_postcode["sender"][:3] == ["Jane Smith", "1 High St", "Banbury"]
    assert "[Your address, with postcode]" in no_postcode["sender"]
    full = letter_of("Banbury", sender_name="Jane Smith", sender_address="1 High St, Banbury, OX16 5AA",
                     club="Soroptimist International Banbury")
    assert full["sender"] == ["Jane Smith", "Soroptimist International Banbury", "1 High St", "Banbury", "OX16 5AA"]
    assert full["signature"] == ["Jane Smith", "Soroptimist International Banbury"]
    assert letters.sender_warnings("Jane Smith", ["1 High St", "OX16 5AA"]) == []
    [line] = letters.sender_warnings("", ["1 High St", "Banbury"])
    assert "sender name" in line and "postcode" in line and "\n" not in line
    [line] = letters.sender_warnings("Jane Smith", [])
    assert "postcode" in line and "sender name" not in line


@pytest.mark.parametrize("seat", SEATS)
def test_closing_asks_for_copies_and_names_who_to_write_to(seat):
    b = prepare(seat)
    letter = letters.build_letter(b)
    closing = " ".join(letter.closing_paragraphs)
    assert "copy of your letter and of the reply" in closing, "Call to Action steps 3-4"
    for name in powers.recipients(b.asks):
        assert name in closing
    assert "press release" in closing


@pytest.mark.parametrize("seat", SEATS)
def test_no_licence_line_in_the_letter(seat):
    lines = letters.letter_lines(letter_of(seat))
    for line in lines:
        assert "Licence" not in line and "OGL" not in line and "licensed" not in line


def test_docx_has_the_same_words_as_the_letter():
    letter = letter_of("Ynys Môn", "data,legislation,aftercare", personal_note="My own words.",
                       sender_name="Jane Smith", sender_address="1 Stryd Fawr, Llangefni, LL77 7TW")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(letters.to_docx(letter))).paragraphs if p.text.strip()]
    assert paragraphs == letters.letter_lines(letter)


def test_member_note_is_beside_not_in_the_letter():
    letter = letter_of("Banbury")
    assert "UK Parliament" in letter["member_note"]
    assert all("UK Parliament" not in line for line in letters.letter_lines(letter))


@pytest.mark.parametrize("text,expected", [
    ("17 were referred to the NRM in 2023.", "17 were referred to the National Referral Mechanism (NRM) in 2023."),
    ("adults who do not enter the National Referral Mechanism", "adults who do not enter the National Referral Mechanism (NRM)"),
    ("(source: Home Office, Modern Slavery: NRM and Duty to Notify statistics)",
     "(source: Home Office, Modern Slavery: NRM and Duty to Notify statistics)"),
])
def test_nrm_is_spelled_out_once_but_not_in_titles(text, expected):
    assert letters._spell_out_nrm([text, "the NRM again"])[0] == expected


def test_personal_note_file(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("Line one\nline two\n", encoding="utf-8")
    assert letters.read_personal_note(path) == "Line one\nline two\n"
    with pytest.raises(InputError, match="does not exist"):
        letters.read_personal_note(tmp_path / "missing.txt")
    path.write_bytes(b"\xff\xfe bad")
    with pytest.raises(InputError, match="not UTF-8"):
        letters.read_personal_note(path)
    path.write_text("x" * (letters.PERSONAL_NOTE_MAX * 4 + 1), encoding="utf-8")
    with pytest.raises(InputError, match="too long"):
        letters.read_personal_note(path)


def test_hostile_personal_note_is_text():
    hostile = "<script>alert(1)</script> & <b>bold</b>"
    section = prepare("Banbury", personal_note=hostile).letter()
    assert "<script>" not in section.html and "&lt;script&gt;alert(1)&lt;/script&gt;" in section.html
    from bs4 import BeautifulSoup

    assert hostile in BeautifulSoup(section.html, "lxml").select_one(".letter-body").get_text()
