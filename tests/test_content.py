"""Content files: all seven concerns, valid references, jurisdiction, and no invented numbers."""
import re

import pytest

from briefpack import content, figures
from briefpack.errors import InputError

PROSE = ("title", "summary", "problem", "ask", "question", "dated_note")
# Numbers allowed in prose: years and the names of Acts ("Modern Slavery Act 2015").
NUMBER = re.compile(r"\d+(?:[,.]\d+)*")


def test_seven_concerns_in_key_card_order():
    concerns = content.concerns()
    assert list(concerns) == list(content.CONCERN_KEYS)
    for c in concerns.values():
        assert c.figure in figures.FIGURES
        assert c.sources


def test_legislation_is_england_and_wales_only():
    leg = content.concerns()["legislation"]
    assert set(leg.applies_to) == {"England", "Wales"}
    assert "Scotland" in leg.elsewhere["Scotland"] and "Northern Ireland" in leg.elsewhere["Northern Ireland"]
    assert not leg.applies("Scotland") and leg.applies("Wales")
    assert content.concerns()["commissioner"].applies("Northern Ireland")


@pytest.mark.parametrize("key", content.CONCERN_KEYS)
def test_prose_has_no_statistics(key):
    c = content.concerns()[key]
    for field in PROSE:
        text = getattr(c, field)
        for number in NUMBER.findall(text):
            assert re.fullmatch(r"(19|20)\d\d", number), f"{key}.{field} has the number {number!r}: figures come from data/"


def test_quotes_are_exact_words_of_their_source():
    from pathlib import Path

    seeds = " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in
                     (Path(__file__).resolve().parents[2] / "shared" / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("the seed documents are not beside this checkout")
    for c in content.concerns().values():
        if c.quote:
            assert " ".join(c.quote["text"].split()) in seeds, f"{c.key}: the quote is not in the seeds"


@pytest.mark.parametrize("value,error", [
    ("training,kittens", "Unknown concern 'kittens'"),
    ("training", "Choose 2-3 concerns"),
    ("data,training,policing,children", "Choose 2-3 concerns"),
])
def test_concern_choice_is_checked(value, error):
    with pytest.raises(InputError) as err:
        content.parse_concerns(value)
    assert error in str(err.value)


def test_default_and_duplicates():
    assert content.parse_concerns("") == list(content.DEFAULT_CONCERNS)
    assert content.parse_concerns("Training, children,training") == ["training", "children"]
