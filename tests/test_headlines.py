"""National figures to 2025: the headline totals, the release each comes from, and where they are printed.

Expected values are read from the CSVs with the standard library.
"""
from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from conftest import read_csv

from briefpack.data import catalogue as data
from briefpack.data import headlines, stats
from briefpack.render import charts
from briefpack.render.briefing import Briefing
from briefpack.words import figures

ANNEX_2025 = "end-of-year-summary-2025"
ANNEX_2024 = "end-of-year-summary-2024"


def headline_row(period, measure, url_part):
    return next(r for r in read_csv("nrm_headlines_2024_2025")
                if r["period"] == period and r["measure"] == measure and url_part in r["source_url"])


def table2_totals() -> dict:
    out = {}
    for r in read_csv("nrm_referrals_uk_quarterly_2009_2023"):
        if r["location_of_exploitation"] == "Total":
            out[int(r["year"])] = out.get(int(r["year"]), 0) + int(r["nrm_referrals"])
    return out


def test_the_2025_total_is_the_annex_figure_and_the_later_page_is_kept():
    row = headline_row("2025", "referrals_total", ANNEX_2025)
    h = headlines.latest("referrals_total")
    assert (h.period, h.value, h.published.isoformat()) == ("2025", int(row["value"]), row["published"])
    assert h.value == 23411 and h.release == "end-of-year summary 2025, annex"
    later = headline_row("2025", "referrals_total", "upcoming-changes")
    assert [(o.value, o.published.isoformat()) for o in h.others] == [(int(later["value"]), later["published"])]
    assert f"{h.value:,}" in h.quote and "highest ever" in h.quote


def test_2024_and_the_revised_2023():
    row = headline_row("2024", "referrals_total", ANNEX_2024)
    h = headlines.headline("2024", "referrals_total")
    assert h.value == int(row["value"]) == 19125 and h.published.isoformat() == "2025-03-06"
    revised = headlines.revised_total(2023)
    change = headline_row("2024", "referrals_total_change_vs_2023", ANNEX_2024)
    assert revised.value == int(row["value"]) - int(change["value"])
    assert f"{revised.value:,}" in row["quote"], "the annex states the revised 2023 total in words"
    assert revised.value != table2_totals()[2023], "the two releases differ for 2023"


def test_a_quarter_takes_the_latest_revision():
    q1 = [r for r in read_csv("nrm_headlines_2024_2025") if r["period"] == "2024Q1" and r["measure"] == "referrals_total"]
    latest = max(q1, key=lambda r: r["published"])
    h = headlines.headline("2024Q1", "referrals_total")
    assert h.value == int(latest["value"]) and {o.value for o in h.others} == {int(r["value"]) for r in q1} - {h.value}


def test_one_page_giving_two_numbers_is_refused():
    from briefpack.core.errors import DataError

    with pytest.raises(DataError, match="twice with different numbers"):
        headlines.headline("2024", "referrals_uk_nationals")


def test_referrals_by_year_joins_table_2_and_the_headlines():
    by_year = headlines.referrals_by_year(data.load(data.NRM_UK)).set_index("year")
    t2 = table2_totals()
    for year, total in t2.items():
        assert by_year.loc[year, "total"] == total and by_year.loc[year, "split"]
    for year, url in ((2024, ANNEX_2024), (2025, ANNEX_2025)):
        assert by_year.loc[year, "total"] == int(headline_row(str(year), "referrals_total", url)["value"])
        assert not by_year.loc[year, "split"] and by_year.loc[year, "Children"] == 0
    assert list(by_year.index) == list(range(2009, 2026))


def test_the_chart_marks_the_years_without_an_age_split():
    by_year = headlines.referrals_by_year(data.load(data.NRM_UK))
    chart = charts.uk_trend(by_year, "source")
    totals = [f"{int(headline_row(str(y), 'referrals_total', url)['value']):,}"
              for y, url in ((2024, ANNEX_2024), (2025, ANNEX_2025))]
    assert f"2024 and 2025 are shown as totals only ({totals[0]}, {totals[1]})" in chart.alt_text
    assert "the data this briefing uses has no split by age" in chart.alt_text   # issue 14: later releases split them
    assert charts.WORDS("uk_trend", "total_only") in chart.svg and "total" in chart.svg
    assert "2025" in chart.svg


def test_period_in_words():
    police = data.load(data.NRM_POLICE)
    assert stats.period_label(police) == "2022 Q2 to 2023 Q4"
    assert stats.period_words(police) == "the seven quarters from April 2022 to December 2023"
    assert stats.period_words("2022 Q2 to 2023 Q4") == stats.period_words(police), "a label or its table"


def test_figures_name_their_release_and_period():
    b = Briefing.prepare("Banbury")
    trend = figures.FIGURES["uk_referrals_trend"](b)
    latest = int(headline_row("2025", "referrals_total", ANNEX_2025)["value"])
    assert trend.value == f"{latest:,}" and "2025" in trend.period and "end-of-year summary 2025, annex" in trend.source
    dtn = figures.FIGURES["dtn_reports"](b)
    assert dtn.value == f"{int(headline_row('2025', 'dtn_reports', ANNEX_2025)['value']):,}" and dtn.period == "2025"
    for key in ("force_referrals", "force_child_referrals", "force_criminal_exploitation", "police_share_uk"):
        fig = figures.FIGURES[key](b)
        assert fig.period == "2022 Q2 to 2023 Q4", key
        assert figures.shown(fig).period == "2022 Q2 to 2023 Q4 (the seven quarters from April 2022 to December 2023)"


@pytest.mark.e2e
def test_banbury_why_it_matters_leads_with_2025(built):
    page = BeautifulSoup((built / "banbury.html").read_text(encoding="utf-8"), "lxml")
    latest = headline_row("2025", "referrals_total", ANNEX_2025)
    previous = headline_row("2024", "referrals_total", ANNEX_2024)
    lead = page.select_one("p.lead:has([data-figure=uk-total])")
    assert lead.get_text(" ").startswith("In 2025,")
    assert page.select_one('[data-figure="uk-total"]').get_text() == f"{int(latest['value']):,}"
    assert page.select_one('[data-figure="uk-previous"]').get_text() == f"{int(previous['value']):,}"
    assert page.select_one('[data-figure="uk-change"]').get_text() == f"{int(latest['value']) - int(previous['value']):,}"
    source = page.select_one('[data-source="uk-total"]').get_text(" ")
    assert "end-of-year summary 2025, annex (published 19 February 2026)" in source
    assert "end-of-year summary 2024, annex (published 6 March 2025)" in source
    assert "gives 23,407 for 2025" in source, "the other release's figure is printed with its release"
    text = " ".join(page.get_text(" ").split())
    assert "later revised the 2023 total to 16,990" in text and "17,004" in text
    # Police-force figures say their period in words next to them.
    area = page.select_one("section.force").get_text(" ")
    assert "Over the seven quarters from April 2022 to December 2023" in " ".join(area.split())
    for box in page.select(".figure-box"):
        words = " ".join(box.get_text(" ").split())
        if "Table 13" in words or "Tables 11-14" in words:
            assert "2022 Q2 to 2023 Q4 (the seven quarters from April 2022 to December 2023)" in words
    chart = next(f for f in page.select("figure.chart") if "each year, UK" in f.figcaption.get_text())
    assert "totals only" in chart.select_one("[role=img]")["aria-label"]
    assert re.search(r"2025: end-of-year summary 2025, annex", chart.select_one(".source").get_text())
