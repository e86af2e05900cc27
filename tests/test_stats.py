"""Statistics against the source tables, computed here independently with the csv module."""
import pytest
from conftest import read_csv

from briefpack.data import catalogue as data
from briefpack.data import stats

FORCES = ["Thames Valley Police", "Police Scotland", "North Wales Police", "Metropolitan Police Service"]


def police_rows(force, exploitation="Total", age="Total", gender="Total"):
    out = []
    for r in read_csv("nrm_referrals_by_police_force_first_responder_2022q2_2023q4"):
        if r["police_first_responder"] != force or r["gender"] != gender:
            continue
        if (exploitation is None) != (r["exploitation_type"] != "Total") and exploitation is None:
            continue
        if exploitation is not None and r["exploitation_type"] != exploitation:
            continue
        if age is None and r["age_at_exploitation"] == "Total":
            continue
        if age is not None and r["age_at_exploitation"] != age:
            continue
        out.append(r)
    return out


def test_uk_yearly_totals_match_published():
    by_year = stats.uk_referrals_by_year(data.load(data.NRM_UK)).set_index("year")
    assert by_year.loc[2023, "total"] == 17004      # the Home Office's published 2023 figure
    assert by_year.loc[2022, "total"] == 16921
    assert by_year.loc[2009, "quarters"] == 3        # the NRM began in April 2009
    rows = read_csv("nrm_referrals_uk_quarterly_2009_2023")
    children = sum(int(r["nrm_referrals"]) for r in rows if r["year"] == "2023"
                   and r["location_of_exploitation"] == "Total" and r["age_at_exploitation"] == "Child (17 or under)")
    assert by_year.loc[2023, "Children"] == children


@pytest.mark.parametrize("force", FORCES)
def test_force_total_and_age_split_add_up(force):
    police = data.load(data.NRM_POLICE)
    total = sum(int(r["people"]) for r in police_rows(force))
    assert stats.force_total(police, force) == total > 0
    ages = stats.force_by_age(police, force)
    by_age = sum(int(r["people"]) for r in police_rows(force, exploitation=None, age=None))
    assert sum(ages.values()) == by_age == total, "ages summed over exploitation types equal the force total"
    by_type = stats.force_by_type(police, force)
    assert int(by_type.sum()) == total


def test_nationalities_exclude_total_and_small_counts():
    nat = data.load(data.NRM_POLICE_NATIONALITY)
    top = stats.force_top_nationalities(nat, "Thames Valley Police")
    assert "Total" not in set(top.nationality)
    assert (top.people >= stats.NATIONALITY_MIN_COUNT).all()
    assert list(top.people) == sorted(top.people, reverse=True)
    uk = sum(int(r["people"]) for r in read_csv("nrm_referrals_police_first_responder_by_nationality_2022q2_2023q4")
             if r["police_first_responder"] == "Thames Valley Police" and r["nationality"] == "UK")
    assert int(top.set_index("nationality").loc["UK", "people"]) == uk


def test_fair_comparison_shares():
    police = data.load(data.NRM_POLICE)
    pops = stats.force_populations(data.load(data.SEAT_COUNCILS), data.load(data.COUNCIL_FORCES))
    assert abs(pops.sum() - sum(float(r["overlap_pop"]) for r in read_csv("constituency_to_lad23_overlap"))) < 1
    fair = stats.fair_comparison(police, pops, "Metropolitan Police Service")
    assert 0 < fair["referral_share"] < 1 and 0.1 < fair["population_share"] < 0.2
    assert fair["police_total"] == stats.force_total(police, "Police total")


def test_decisions_and_dtn():
    cg = stats.decisions(data.load(data.NRM_CONCLUSIVE))
    row = next(r for r in read_csv("nrm_conclusive_grounds_decisions_quarterly_2014_2023")
               if r["Year"] == "2023" and r["Quarter"] == "Total")
    assert cg["year"] == 2023 and cg["total"] == int(row["Total"])
    assert cg["positive"] + cg["negative"] == cg["total"]
    dtn = stats.dtn_year(data.load(data.DTN))
    row = next(r for r in read_csv("duty_to_notify_reports_quarterly_2015_2023") if r["year"] == "2023"
               and r["quarter"] == "Total")
    assert dtn == {"year": 2023, "reports": int(row["dtn_reports"])}


def test_police_total_breakdowns_sum_the_forces():
    """'Police total' rows have no breakdown; by type, all forces together equal the published total."""
    police = data.load(data.NRM_POLICE)
    published = sum(int(r["people"]) for r in police_rows("Police total"))
    assert stats.force_total(police, stats.POLICE_TOTAL) == published
    assert int(stats.force_by_type(police, stats.POLICE_TOTAL).sum()) == published
    assert sum(stats.force_by_age(police, stats.POLICE_TOTAL).values()) == published
