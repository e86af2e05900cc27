"""Every user-given value is checked by briefpack.request.inputs: unit tests per rule, then the same rules
through the command line (one line `error: ...`, exit 2, nothing written to --out)."""
from __future__ import annotations

import datetime as dt
import pickle
import re
import unicodedata

import pytest
from conftest import read_csv, run_build
from pypdf import PdfReader

from briefpack.core.errors import InputError
from briefpack.places import geography
from briefpack.request import inputs

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
        "\u200e", "\u200f", "\u061c"]
TODAY = dt.date(2026, 11, 23)


def refused(call, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as err:
        call(*args, **kwargs)
    assert "\n" not in str(err.value)
    return err.value


# --- errors carry their field -----------------------------------------------------------------------

def test_input_error_names_its_field_and_keeps_it_across_processes():
    err = InputError("The club name (--club) is bad.", "club")
    assert err.field == "club" and str(err) == "The club name (--club) is bad."
    again = pickle.loads(pickle.dumps(err))
    assert again.field == "club" and str(again) == str(err)
    assert InputError("no field").field is None


def test_errors_from_lookups_get_their_field():
    assert refused(inputs.constituency, "Nowhere At All").field == "constituency"
    assert refused(inputs.concerns, "training,kittens").field == "concerns"
    assert refused(inputs.topics, "kittens").field == "topic"
    assert refused(inputs.constituency, "Banbury", "house of lords").field == "parliament"


# --- control characters -----------------------------------------------------------------------------

@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b"])
def test_control_characters_are_refused_naming_the_option(char):
    err = refused(inputs.text, f"Soroptimists{char}Banbury", "club")
    assert err.field == "club"
    assert str(err) == f"The club name (--club) contains a control character (U+{ord(char):04X}); remove it."


def test_bytes_that_are_not_utf8_are_refused():
    # What Python makes of an invalid byte on a command line (surrogateescape).
    err = refused(inputs.text, "Caf\udce9", "member_name")
    assert "member's name (--msp)" in str(err) and "U+DCE9" in str(err) and "not UTF-8" in str(err)


def test_tabs_and_line_breaks_are_whitespace():
    assert inputs.text(" Soroptimists\tInternational\r\nBanbury \u2028 ", "club") == "Soroptimists International Banbury"


# --- bidi controls, invisible characters, NFC ---------------------------------------------------------

@pytest.mark.parametrize("char", BIDI)
def test_bidi_controls_are_removed(char):
    assert inputs.text(f"Soroptimists {char}Banbury{char}", "club") == "Soroptimists Banbury"


def test_right_to_left_names_keep_their_letters_and_joiners():
    arabic = "\u0646\u0627\u062f\u064a \u0627\u0644\u0633\u0648\u0631\u0648\u0628\u062a\u064a\u0645\u0633\u062a"
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # a zero-width non-joiner inside a word
    devanagari = "\u0915\u094d\u200d\u0937"                         # a zero-width joiner inside a conjunct
    wales = "\U0001F3F4\U000E0067\U000E0062\U000E0077\U000E006C\U000E0073\U000E007F"  # tag characters
    for name in (arabic, persian, devanagari, f"Soroptimist International Cymru {wales}", "Comann nam Ban\u00ad"):
        assert inputs.text(name, "club") == name
    assert inputs.text(f"\u202b{arabic}\u202c", "club") == arabic


def test_byte_order_marks_and_deprecated_format_controls_are_removed():
    assert inputs.text("\ufeffBanbury\u206a Club\ufff9", "club") == "Banbury Club"


def test_text_is_normalised_to_nfc_not_nfkc():
    decomposed = "Ynys Mo\u0302n Soroptimists"
    assert unicodedata.is_normalized("NFD", decomposed)
    assert inputs.text(decomposed, "club") == "Ynys M\u00f4n Soroptimists"
    assert inputs.text("\uff33oroptimists \ufb01ne", "club") == "\uff33oroptimists \ufb01ne", "no compatibility folding"


# --- lengths --------------------------------------------------------------------------------------------

def test_length_limits_are_counted_after_cleaning():
    limit = inputs.FIELDS["club"].max_length
    assert inputs.text("x" * limit, "club") == "x" * limit
    assert inputs.text("x" * limit + "\u202e" * 10 + "  ", "club") == "x" * limit
    err = refused(inputs.text, "x" * (limit + 1), "club")
    assert str(err) == f"The club name (--club) is {limit + 1} characters long; keep it to {limit} or fewer."
    huge = refused(inputs.text, "x" * 10_000_000, "club")
    assert "10000000 characters" in str(huge)


# --- the sender's address ---------------------------------------------------------------------------------

def test_address_lines():
    assert inputs.address("1 High St, Banbury; OX16 5AA") == ("1 High St", "Banbury", "OX16 5AA")
    assert inputs.address("1 High St\nBanbury\r\n\nOX16 5AA\n") == ("1 High St", "Banbury", "OX16 5AA")
    assert inputs.address(["1 High St", " Banbury ", ""]) == ("1 High St", "Banbury")
    assert inputs.address("") == () and inputs.address(None) == ()
    six = ", ".join(f"line {i}" for i in range(inputs.ADDRESS_LINES))
    assert len(inputs.address(six)) == inputs.ADDRESS_LINES


def test_address_has_a_line_limit():
    err = refused(inputs.address, ",".join(["x"] * 500))
    assert err.field == "address"
    assert str(err).startswith(f"The sender's address (--address) has 500 lines; give at most {inputs.ADDRESS_LINES}")


def test_each_address_line_is_checked():
    limit = inputs.FIELDS["address"].max_length
    err = refused(inputs.address, f"1 High St, {'x' * (limit + 1)}")
    assert str(err) == (f"Line 2 of the sender's address (--address) is {limit + 1} characters long; "
                        f"keep it to {limit} or fewer.")
    assert "Line 1 of the sender's address (--address) contains a control character (U+0007)" in \
        str(refused(inputs.address, "1 High\x07 St, Banbury"))
    assert inputs.address("\u202e1 High St, Banbury") == ("1 High St", "Banbury")


# --- dates ------------------------------------------------------------------------------------------------------

def test_iso_dates():
    assert inputs.date("2026-12-04", "meeting_date", TODAY) == dt.date(2026, 12, 4)
    assert inputs.date(" 2026-12-04 ", "meeting_date", TODAY) == dt.date(2026, 12, 4)
    assert inputs.date(dt.datetime(2026, 12, 4, 10, 30), "meeting_date", TODAY) == dt.date(2026, 12, 4)
    assert inputs.date("", "meeting_date") is None and inputs.date(None, "letter_date") is None


@pytest.mark.parametrize("written", ["20261204", "2026-W49-5", "2026-12-4", "04/12/2026", "2026-12-04T10:00",
                                     "\uff12\uff10\uff12\uff16-12-04", "next tuesday"])
def test_only_yyyy_mm_dd_is_a_date(written):
    if written in ("20261204", "2026-W49-5"):
        assert dt.date.fromisoformat(written) == dt.date(2026, 12, 4), "Python 3.11 reads these as dates; we do not"
    err = refused(inputs.date, written, "meeting_date", TODAY)
    assert err.field == "meeting_date"
    assert str(err).startswith("The meeting date (--meeting-date) ") and "is not written as YYYY-MM-DD" in str(err)


def test_a_date_must_exist():
    err = refused(inputs.date, "2026-02-30", "letter_date", TODAY)
    assert str(err).startswith("The letter date (--letter-date) 2026-02-30 is not a real date")


def test_dates_within_range():
    earliest, latest = inputs.date_range(TODAY)
    assert earliest == dt.date(2024, 7, 4) and latest == dt.date(2029, 11, 23)
    assert inputs.date(earliest.isoformat(), "meeting_date", TODAY) == earliest
    assert inputs.date(latest.isoformat(), "meeting_date", TODAY) == latest
    before = refused(inputs.date, "2024-07-03", "meeting_date", TODAY)
    assert str(before) == ("The meeting date (--meeting-date) 2024-07-03 is before the general election of "
                           "4 July 2024; give a date from 2024-07-04 to 2029-11-23.")
    after = refused(inputs.date, (latest + dt.timedelta(days=1)), "letter_date", TODAY)
    assert str(after) == ("The letter date (--letter-date) 2029-11-24 is more than 3 years ahead; "
                          "give a date from 2024-07-04 to 2029-11-23.")
    assert inputs.date_range(dt.date(2028, 2, 29))[1] == dt.date(2031, 2, 28)


# --- the old names and the mapping interface ------------------------------------------------------------------

def test_fields_are_found_by_name_or_by_label():
    assert inputs.text("  Soroptimists \u202eBanbury ", "club name") == "Soroptimists Banbury"
    assert "(--club)" in str(refused(inputs.text, "a\x07", "club name"))
    assert inputs.date("2026-12-04", "meeting_date") == dt.date(2026, 12, 4)
    assert "(--as-of)" in str(refused(inputs.date, "20261204", "report date"))


def test_a_form_gets_every_problem_by_field():
    values = {"constituency": "Banbury", "club": "a\x07", "meeting_date": "20261204", "address": "x," * 10,
              "concerns": "training,children"}
    problems = inputs.problems(values)
    assert set(problems) == {"club", "meeting_date", "address"}
    assert problems["club"].startswith("The club name (--club)")
    with pytest.raises(InputError) as err:
        inputs.clean(values)
    assert err.value.field == "club"
    good = inputs.clean({"constituency": "ynys mon", "concerns": ["data", "training"], "club": "Soroptimists\t"})
    assert good["constituency"].gss_code == "W07000112"
    assert good["concerns"] == ["data", "training"] and good["club"] == "Soroptimists"
    assert refused(inputs.clean, {"colour": "red"}).field == "colour"


# --- suggestions for names that match no seat --------------------------------------------------------------------

def _seats_with_word(word: str, rows: list[dict], columns=("name", "name_cy")) -> set[str]:
    pattern = re.compile(rf"(?<![A-Za-z]){word}(?![A-Za-z])", re.IGNORECASE)
    return {r["name"] for r in rows if any(pattern.search(r.get(c) or "") for c in columns)}


def _hint(query: str, parliament: str = "westminster") -> list[str]:
    message = str(refused(geography.resolve, query, parliament))
    listed = re.search(r"\(closest: (.*?)\);", message).group(1)
    return re.sub(r" and \d+ more$", "", listed).split(", ")


def test_richmond_suggests_both_richmond_seats():
    expected = _seats_with_word("Richmond", read_csv("westminster_constituencies_2024"))
    assert expected == {"Richmond and Northallerton", "Richmond Park"}
    assert set(_hint("Richmond")) == expected


def test_newcastle_suggests_every_newcastle_seat():
    expected = _seats_with_word("Newcastle", read_csv("westminster_constituencies_2024"))
    assert len(expected) > 3, "more than three seats share the word"
    assert set(_hint("Newcastle")) == expected
    assert set(_hint("newcastle upon tyne")[:3]) == _seats_with_word("Newcastle upon Tyne",
                                                                      read_csv("westminster_constituencies_2024"))


def test_whole_word_matches_come_first():
    rows = read_csv("westminster_constituencies_2024")
    whole = _seats_with_word("Hull", rows)
    listed = _hint("Hull")
    assert set(listed[:len(whole)]) == whole
    assert any("Solihull" in name for name in listed[len(whole):]), "then words that contain it"


def test_many_matches_are_counted():
    rows = read_csv("westminster_constituencies_2024")
    matching = {r["name"] for r in rows if "north" in (r["name"] + " " + r["name_cy"]).lower()}
    message = str(refused(geography.resolve, "North"))
    listed = _hint("North")
    assert len(listed) == geography.SUGGESTIONS and set(listed) <= _seats_with_word("North", rows)
    assert f" and {len(matching) - geography.SUGGESTIONS} more);" in message


def test_typos_and_welsh_names_still_suggest():
    assert _hint("Banburry")[0] == "Banbury"
    assert set(_hint("Richmund")) == {"Richmond and Northallerton", "Richmond Park"}
    assert set(_hint("Caerdydd")) == _seats_with_word("Caerdydd", read_csv("westminster_constituencies_2024"))
    assert "no close name" in str(refused(geography.resolve, "zzzz"))


def test_scottish_parliament_suggestions():
    rows = read_csv("scottish_parliament_2026_constituencies")
    expected = _seats_with_word("Glasgow", rows, columns=("name",))
    assert len(expected) > 3
    assert set(_hint("Glasgow", "scottish")) == expected


# --- the same rules through the command line ----------------------------------------------------------------------

def assert_refused(tmp_path, args, message):
    out = tmp_path / "out"
    proc = run_build(*args, "--out", str(out), "--jobs", "1")
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith("error: ") and message in lines[0], lines[0]
    assert not out.exists(), "nothing is written to --out"
    return lines[0]


BANBURY = ("--constituency", "Banbury")


@pytest.mark.e2e
@pytest.mark.parametrize("args,message", [
    (BANBURY + ("--club", "Soroptimists\x07Banbury"),
     "error: The club name (--club) contains a control character (U+0007); remove it."),
    (BANBURY + ("--address", "1 High St\x1b[2J, Banbury"),
     "Line 1 of the sender's address (--address) contains a control character (U+001B)"),
    (("--parliament", "scottish", "--constituency", "Aberdeen Central", "--msp", "Jane\x7fDoe"),
     "The member's name (--msp) contains a control character (U+007F)"),
    (BANBURY + ("--concerns", "training,\x9bchildren"), "The list of concerns (--concerns) contains"),
    (("--constituency", "Banbury\x01"), "The constituency (--constituency) contains a control character (U+0001)"),
    (BANBURY + ("--club", "Caf\udce9 Club"), "The club name (--club) contains a character that is not UTF-8 text "
                                            "(U+DCE9); remove it."),
], ids=["club", "address", "msp", "concerns", "constituency", "not-utf8"])
def test_cli_refuses_control_characters(tmp_path, args, message):
    assert_refused(tmp_path, args, message)


@pytest.mark.e2e
def test_cli_refuses_a_long_club_name(tmp_path):
    limit = inputs.FIELDS["club"].max_length
    assert_refused(tmp_path, BANBURY + ("--club", "S" * (limit + 5)),
                   f"The club name (--club) is {limit + 5} characters long; keep it to {limit} or fewer.")


@pytest.mark.e2e
def test_cli_refuses_500_address_lines(tmp_path):
    assert_refused(tmp_path, BANBURY + ("--address", ", ".join(f"line {i}" for i in range(500))),
                   f"The sender's address (--address) has 500 lines; give at most {inputs.ADDRESS_LINES}")


@pytest.mark.e2e
@pytest.mark.parametrize("option,written", [("--meeting-date", "20261204"), ("--meeting-date", "2026-W49-5"),
                                            ("--letter-date", "2026-12-4")])
def test_cli_dates_are_yyyy_mm_dd(tmp_path, option, written):
    label = {"--meeting-date": "meeting date", "--letter-date": "letter date"}[option]
    assert_refused(tmp_path, BANBURY + (option, written),
                   f"The {label} ({option}) '{written}' is not written as YYYY-MM-DD; write e.g. 2026-12-04.")


@pytest.mark.e2e
@pytest.mark.parametrize("written,why", [("2023-11-01", "is before the general election of 4 July 2024"),
                                         ("2099-12-04", "is more than 3 years ahead")])
def test_cli_dates_within_range(tmp_path, written, why):
    earliest, latest = inputs.date_range()
    assert_refused(tmp_path, BANBURY + ("--meeting-date", written),
                   f"The meeting date (--meeting-date) {written} {why}; give a date from {earliest} to {latest}.")


@pytest.mark.e2e
def test_cli_progress_report_date(tmp_path):
    assert_refused(tmp_path, ("--progress", "--as-of", "2026-W48-1"), "The report date (--as-of) '2026-W48-1'")


@pytest.mark.e2e
@pytest.mark.parametrize("query,word", [("Richmond", "Richmond"), ("Newcastle", "Newcastle")])
def test_cli_suggests_seats_sharing_a_word(tmp_path, query, word):
    line = assert_refused(tmp_path, ("--constituency", query), f"error: Unknown constituency '{query}' (closest: ")
    listed = set(re.search(r"\(closest: (.*?)\);", line).group(1).split(", "))
    assert listed == _seats_with_word(word, read_csv("westminster_constituencies_2024"))


@pytest.mark.e2e
def test_cli_bidi_overrides_cannot_reorder_the_pdf(tmp_path):
    """A right-to-left override in --club prints in logical order; accents are composed (NFC) and a
    zero-width joiner is kept."""
    club = "Soroptimists \u202eof Banbury\u202c and Ynys Mo\u0302n \u0915\u094d\u200d\u0937"
    proc = run_build(*BANBURY, "--club", club, "--formats", "html,pdf", "--out", str(tmp_path), "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "banbury.html").read_text(encoding="utf-8")
    assert not any(c in html for c in BIDI), "no bidi control reaches the page"
    assert "Soroptimists of Banbury and Ynys M\u00f4n \u0915\u094d\u200d\u0937" in html, "NFC, joiner kept"
    text = " ".join(page.extract_text() for page in PdfReader(str(tmp_path / "banbury.pdf")).pages)
    text = " ".join(text.split())
    assert "Soroptimists of Banbury and Ynys M\u00f4n" in text
    assert "yrubnaB fo" not in text, "nothing printed backwards"
    letter = text[text.index("Dear "):]   # the letter's opening names the club
    assert "members of Soroptimists of Banbury and Ynys M\u00f4n" in letter, "the letter's sentence in order"
