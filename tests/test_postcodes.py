"""The postcode look-up: the data's own checked examples, Northern Ireland, bad and made-up postcodes."""
from __future__ import annotations

import json

import pytest
from conftest import DATA, read_csv
from numpy import base_repr

from briefpack.core.errors import DataError, InputError
from briefpack.data import catalogue as data
from briefpack.places import postcodes

SEATS = {r["name"]: r["gss_code"] for r in read_csv("westminster_constituencies_2024")}

# The examples ../shared/data-sources/README.md says were checked on this copy of the table.
CHECKED = {
    "SW1A 0AA": "Cities of London and Westminster",
    "OX16 5AA": "Banbury",
    "LL77 7TW": "Ynys Môn",
    "HS1 2BB": "Na h-Eileanan an Iar",
    "ZE1 0AA": "Orkney and Shetland",
}


@pytest.mark.parametrize("postcode,seat", CHECKED.items())
def test_checked_examples(postcode, seat):
    assert postcodes.constituency_code(postcode) == SEATS[seat]


@pytest.mark.parametrize("written", ["ox16 5aa", "OX165AA", " OX16  5AA ", "Ox16\t5aA"])
def test_spacing_and_case_do_not_matter(written):
    assert postcodes.normalise(written) == "OX16 5AA"
    assert postcodes.constituency_code(written) == SEATS["Banbury"]


@pytest.mark.parametrize("text", ["", "hello", "OX16", "OX16 5A", "OX16 55A", "12345", "OX16 5AA 1", "Q<script>",
                                  "SW1A 0AAA"])
def test_malformed_postcodes_say_how_to_write_one(text):
    assert postcodes.normalise(text) is None
    with pytest.raises(InputError) as err:
        postcodes.constituency_code(text)
    message = str(err.value)
    assert "not a full UK postcode" in message and postcodes.EXAMPLE in message
    assert "\n" not in message


@pytest.mark.parametrize("postcode", ["BT1 1AA", "bt7 1nn", "BT93 8AD"])
def test_northern_ireland_is_not_covered(postcode):
    with pytest.raises(InputError, match="Northern Ireland postcodes .* Great Britain only"):
        postcodes.constituency_code(postcode)


def test_well_formed_postcode_that_does_not_exist_still_gets_a_seat():
    """The caveat the data comes with: ZZ99 9ZZ is not a postcode, yet it falls in the last range."""
    code = postcodes.constituency_code("ZZ99 9ZZ")
    assert code in SEATS.values()


def test_a_gap_in_the_table_says_so():
    """Before the first range start there is no constituency; the message says what to do."""
    ranges = data.load_json(postcodes.RANGES)
    first = ranges["postcode_keys"][0]
    pc = postcodes.normalise(base_repr(first - 1, 36))
    assert pc is not None, "the number just below the first range start reads as a postcode"
    with pytest.raises(InputError, match="No constituency is recorded"):
        postcodes.constituency_code(pc)



def test_lookup_names_and_codes_agree_with_the_constituency_file():
    lookup = json.loads((DATA / "postcodes" / "pcon_2024_lookup.json").read_text(encoding="utf-8"))
    rows = {r["gss_code"]: r for r in read_csv("westminster_constituencies_2024")}
    assert len(lookup) == 650, "There should be 650 constituencies"
    for short, entry in lookup.items():
        row = rows[entry["parlcon_2024_gss_code"]]
        assert row["name"] == entry["parlcon_2024_name"]
        assert row["mysociety_short_code"] == short


def test_every_great_britain_seat_has_postcodes_and_no_northern_irish_one_does():
    codes = set(postcodes.table().codes) - {None}
    gb = {r["gss_code"] for r in read_csv("westminster_constituencies_2024") if r["nation"] != "Northern Ireland"}
    assert codes == gb


@pytest.mark.parametrize("name", [postcodes.RANGES, postcodes.LOOKUP])
def test_sidecars_give_provenance_and_checksum(name):
    m = data.meta(name)
    assert data.file_sha256(DATA / f"{name}.json") == m.provenance["sha256"]
    for key in ("publisher", "dataset", "period", "licences", "attribution", "source_copy", "how_made", "caveats"):
        assert m.provenance.get(key), f"{name}: provenance needs {key}"
    assert m.schema.get("format") == "json"


def test_attribution_lines_of_the_licences():
    lines = " ".join(data.meta(postcodes.RANGES).provenance["attribution"])
    assert "mySociety" in lines and "CC BY 4.0" in lines
    for owner in ("Contains OS data © Crown copyright", "Contains Royal Mail data © Royal Mail copyright",
                  "Contains National Statistics data © Crown copyright"):
        assert owner in lines


@pytest.mark.parametrize("mutate,expect", [
    (lambda t: t[: len(t) // 2], "not valid JSON"),
    (lambda t: t.replace('"value_key": [', '"value_key": [1, ', 1), "'value_key' has 54077 entries, expected 54076"),
    (lambda t: t.replace("UKPARL.2025.BAN", "UKPARL.2025.XXX", 1), "'UKPARL.2025.XXX' is not in"),
    (lambda t: t.replace('"postcode_keys": [', '"postcode_keys": ["x", ', 1).replace(', 148261', '', 1),
     "'postcode_keys' entry 0 is 'x', expected an integer"),
])
def test_broken_range_file_fails_with_one_line(data_copy, mutate, expect):
    path = data_copy / "postcodes" / "pcon_2024_postcode_ranges.json"
    path.write_text(mutate(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(DataError) as err:
        postcodes.constituency_code("OX16 5AA")
    assert expect in str(err.value) and "\n" not in str(err.value)


def test_missing_lookup_file_says_to_restore_it(data_copy):
    (data_copy / "postcodes" / "pcon_2024_lookup.json").unlink()
    with pytest.raises(DataError, match="pcon_2024_lookup.json: file is missing"):
        postcodes.constituency_code("OX16 5AA")


_STARTS: dict = {}


def _decode_compact(compact: dict, postcode: str):
    """Read the embedded table the way the index page's script does (which sums the starts once, too)."""
    import bisect
    from itertools import accumulate

    if _STARTS.get("text") is not compact["starts"]:
        _STARTS.update(text=compact["starts"],
                       starts=list(accumulate(int(d, 36) for d in compact["starts"].split(","))))
    starts = _STARTS["starts"]
    i = bisect.bisect_right(starts, int(postcode.replace(" ", ""), 36)) - 1
    v = int(compact["values"][2 * i: 2 * i + 2], 36)
    return compact["codes"][v] if i >= 0 and v < len(compact["codes"]) else None


def test_compact_table_for_web_pages_gives_the_same_seats():
    compact = postcodes.compact_table()
    for postcode, seat in CHECKED.items():
        assert _decode_compact(compact, postcode) == SEATS[seat]
    table = postcodes.table()
    assert len(compact["values"]) == 2 * len(table.starts)
    for number in table.starts[::97]:
        assert _decode_compact(compact, base_repr(number, 36)) == table.code_at(number)
    assert set(compact["codes"]) == set(table.codes) - {None}
