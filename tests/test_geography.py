"""Constituency look-up: names, GSS codes, Welsh names; unknown names suggest the closest."""
import pytest
from conftest import read_csv

from briefpack.core.errors import InputError
from briefpack.places import geography, members


@pytest.mark.parametrize("query,gss", [
    ("Banbury", "E14001072"),
    ("banbury", "E14001072"),
    ("e14001072", "E14001072"),
    ("Ynys Mon", "W07000112"),          # accents do not matter
    ("Ynys Môn", "W07000112"),
    ("Montgomeryshire and Glyndwr", "W07000102"),
])
def test_resolve(query, gss):
    assert geography.resolve(query).gss_code == gss


def test_all_650_seats_have_unique_slugs():
    seats = geography.seats()
    assert len(seats) == 650
    assert len({s.slug for s in seats}) == 650
    assert all(s.slug and s.slug.replace("-", "").isalnum() for s in seats)


def test_unknown_name_suggests_closest():
    with pytest.raises(InputError) as err:
        geography.resolve("Banburry")
    assert "closest: Banbury" in str(err.value)


def test_split_seat_has_two_forces_with_shares():
    forces = geography.forces(geography.resolve("Hitchin"))
    assert len(forces) == 2
    assert forces[0].population_share >= forces[1].population_share
    assert abs(sum(f.population_share for f in forces) - 1) < 0.02


def test_member_is_the_sitting_mp_with_the_2024_result():
    mp = members.member(geography.resolve("Banbury"))
    current = next(r for r in read_csv("mps_current") if r["pcon_name"] == "Banbury")
    elected = next(r for r in read_csv("mps_elected_ge2024") if r["constituency_name"] == "Banbury")
    assert (mp.name, mp.party, mp.email) == (current["display_as"], current["party_text"], current["member_email"])
    assert mp.majority == int(elected["majority"]) and mp.result == elected["result_2024"]
