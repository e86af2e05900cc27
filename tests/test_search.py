"""Seat search: postcode, code, name (accents, '&'/'and', words inside names), member and council."""
from __future__ import annotations

import pytest
from conftest import long_date, read_csv, seat_as_at

from briefpack.places import geography, members, search

SEATS = read_csv("westminster_constituencies_2024")
BY_NAME = {r["name"]: r for r in SEATS}


def names(found):
    return [m.name for m in found.matches]


def test_postcode_finds_one_seat_with_its_member_to_confirm():
    found = search.find("ox16 5aa")
    assert names(found) == ["Banbury"]
    m = found.matches[0]
    assert (m.code, m.via, m.detail) == (BY_NAME["Banbury"]["gss_code"], "postcode", "OX16 5AA")
    member = members.member(geography.resolve("Banbury"))
    assert (m.member, m.party) == (member.name, member.party) and m.member
    expected = long_date(seat_as_at(BY_NAME["Banbury"]["gss_code"]))
    assert m.as_at == member.as_of == expected, "the date the member holds at travels with the match"
    assert "Check this is your constituency" in found.message


def test_northern_ireland_postcode_offers_the_name_search():
    found = search.find("BT1 1AA")
    assert found.matches == ()
    assert "Northern Ireland" in found.message and "by name" in found.message


def test_postcode_district_alone_asks_for_the_whole_postcode():
    found = search.find("OX16")
    assert found.matches == () and "whole postcode" in found.message


def test_gss_code():
    row = BY_NAME["Ynys Môn"]
    assert names(search.find(row["gss_code"].lower())) == ["Ynys Môn"]


@pytest.mark.parametrize("query", ["Ynys Mon", "ynys môn", "YNYS MON"])
def test_accents_and_case_do_not_matter(query):
    assert names(search.find(query))[0] == "Ynys Môn"


def test_welsh_name_finds_the_seat():
    row = next(r for r in SEATS if r["name_cy"] and r["name_cy"] != r["name"])
    assert row["name"] in names(search.find(row["name_cy"]))


def test_ampersand_and_and_are_the_same():
    row = next(r for r in SEATS if " and " in r["name"])
    assert names(search.find(row["name"].replace(" and ", " & ")))[0] == row["name"]


def test_words_inside_names_and_prefixes_as_one_types():
    ferry = [r["name"] for r in SEATS if "Ferry" in r["name"].split()]
    assert ferry and set(ferry) <= set(names(search.find("ferry")))
    assert "Banbury" in names(search.find("banb"))


def test_exact_name_comes_first():
    found = search.find("Belfast East")
    assert names(found)[0] == "Belfast East"
    assert found.matches[0].via == "name"


def test_member_name_finds_their_seat():
    seat = geography.resolve("Banbury")
    member = members.member(seat)
    surname = member.name.split()[-1]
    found = search.find(surname)
    hit = next(m for m in found.matches if m.code == seat.gss_code)
    assert hit.via == "member" and hit.detail == member.name


def test_council_finds_the_seats_it_overlaps():
    rows = read_csv("constituency_to_lad23_overlap")
    expected = {r["pcon24_name"] for r in rows if r["lad23_name"] == "Cherwell" and float(r["overlap_pop"]) > 0}
    found = search.find("Cherwell")
    assert set(names(found)) == expected and len(expected) >= 2
    assert all(m.via == "council" and m.detail == "Cherwell" for m in found.matches)


def test_council_official_name_and_a_county_word():
    assert "Banbury" in names(search.find("Cherwell District Council"))
    oxon = {r["pcon24_name"] for r in read_csv("constituency_to_lad23_overlap")
            if "Oxfordshire" in r["lad23_name"] and float(r["overlap_pop"]) > 0}
    assert oxon == set(names(search.find("oxfordshire")))


def test_limit_and_total():
    found = search.find("a", limit=5)
    assert len(found.matches) == 5 and found.total > 5


def test_nothing_found_says_what_to_try():
    found = search.find("zzqx")
    assert found.matches == () and "try a full postcode" in found.message


def test_empty_query():
    found = search.find("   ")
    assert found.matches == () and found.message


def test_hostile_text_is_quoted_not_interpreted():
    found = search.find("<script>alert(1)</script>")
    assert found.matches == () and "'<script>alert(1)</script>'" in found.message


def test_as_dict_has_the_api_fields():
    d = search.find("Banbury").as_dict()
    assert {"code", "name", "member", "party"} <= set(d["matches"][0])


def test_every_council_overlaps_a_seat():
    councils = search.councils()
    lads = {r["lad23_name"] for r in read_csv("constituency_to_lad23_overlap") if float(r["overlap_pop"]) > 0}
    assert {c[0] for c in councils} == lads


def test_index_page_embeds_postcode_ranges_and_councils(tmp_path):
    """The pack's index.html finds seats offline: the range table and the councils are in the page."""
    import json

    from bs4 import BeautifulSoup

    from briefpack.places import postcodes
    from briefpack.render import index

    seat = geography.resolve("Banbury")
    entries = [{"key": seat.gss_code, "slug": seat.slug, "name": seat.name, "region": seat.region,
                "mp": "x", "party": "y", "files": []}]
    soup = BeautifulSoup(index.write_index(tmp_path, entries).read_text(encoding="utf-8"), "html.parser")
    ranges = json.loads(soup.find("script", id="postcode-ranges").string)
    assert ranges == postcodes.compact_table()
    councils = dict(json.loads(soup.find("script", id="councils").string))
    rows = read_csv("constituency_to_lad23_overlap")
    assert set(councils["Cherwell"].split()) == {r["pcon24_code"] for r in rows
                                                if r["lad23_name"] == "Cherwell" and float(r["overlap_pop"]) > 0}
    assert soup.find(id="finder").has_attr("hidden"), "without JavaScript the search box is hidden; the list stays"
    assert soup.find("tr", attrs={"data-key": seat.gss_code})
    assert not soup.find("script", src=True), "no external script"
    assert "Contains OS data © Crown copyright" in soup.get_text()
