"""Charts: the briefing theme that every chart gets (ours and researchers'), and what a topic's
``age_focus`` changes in its age chart. Values are checked against the CSV read with the csv module."""
from __future__ import annotations

import re
from collections import defaultdict

import altair as alt
import pandas as pd
import pytest
from conftest import read_csv

from briefpack.data import catalogue as data
from briefpack.data import stats
from briefpack.render import charts, display

OKABE_ITO = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"]


def fills(svg: str) -> list[str]:
    """The fill colours of the marks (bars, areas) in an SVG, in drawing order."""
    return re.findall(r'aria-roledescription="(?:bar|area)"[^>]*fill="(#[0-9a-f]{6})"', svg)


def test_a_chart_without_colours_of_its_own_is_drawn_in_the_briefing_style():
    """A researcher's plain `mark_bar()` and a chart coloured by a field, as the briefing draws them."""
    df = pd.DataFrame({"year": [2021, 2022, 2023], "referrals": [12700, 16921, 17004]})
    plain = display.chart_figure(alt.Chart(df).mark_bar().encode(x="year:O", y="referrals:Q").to_dict())
    assert set(fills(plain.html)) == {charts.PALETTE["accent"]}, "one colour: the campaign's purple"
    long = pd.DataFrame({"year": [2023] * 5, "group": list("abcde"), "referrals": [1, 2, 3, 4, 5]})
    coloured = alt.Chart(long).mark_bar().encode(x="group:N", y="referrals:Q", color="group:N")
    assert fills(charts.render_svg(coloured)) == OKABE_ITO[:5], "categories take the Okabe-Ito colours in order"


def test_the_theme_has_a_mark_colour_and_the_okabe_ito_palette():
    config = charts.theme_config()
    assert config["mark"]["color"] == charts.PALETTE["accent"]
    assert config["range"]["category"] == OKABE_ITO
    assert set(charts.TYPE_COLOURS.values()) - {"#999999"} <= set(OKABE_ITO)


def uk_full_years() -> dict[int, dict[str, int]]:
    """{year: {"Adults": n, "Children": n}} for full years, from the CSV (location 'Total' rows)."""
    ages = {"Adult (18 or over)": "Adults", "Child (17 or under)": "Children"}
    by_year, quarters = defaultdict(lambda: defaultdict(int)), defaultdict(set)
    for r in read_csv("nrm_referrals_uk_quarterly_2009_2023"):
        if r["location_of_exploitation"] == "Total":
            quarters[int(r["year"])].add(r["quarter"])
            if r["age_at_exploitation"] in ages:
                by_year[int(r["year"])][ages[r["age_at_exploitation"]]] += int(r["nrm_referrals"])
    return {y: dict(v) for y, v in sorted(by_year.items()) if len(quarters[y]) == 4}


def line_widths(svg: str) -> dict[str, str]:
    """{stroke colour: stroke width} of the chart's lines."""
    return dict(re.findall(r'aria-roledescription="line mark"[^>]*?stroke="(#[0-9a-f]{6})"[^>]*?stroke-width="([\d.]+)"',
                           svg))


@pytest.mark.parametrize("focus,lead,other", [("children", "Children", "Adults"), ("adults", "Adults", "Children")])
def test_age_focus_puts_its_group_in_front(focus, lead, other):
    years = uk_full_years()
    first, last = min(years), max(years)
    chart = charts.age_trend(stats.uk_referrals_by_year(data.load(data.NRM_UK)), focus, "source")
    assert chart.title == f"{lead} referred to the NRM each year, UK, with {other.lower()} for comparison"
    assert chart.alt_text.startswith(
        f"Line chart of UK NRM referrals per year by age at exploitation. Referrals of {lead.lower()} rose from "
        f"{years[first][lead]:,} in {first} to {years[last][lead]:,} in {last}; of {other.lower()} from "
        f"{years[first][other]:,} to {years[last][other]:,}.")
    assert chart.alt_text.endswith(f"The line for {lead.lower()} is drawn thick, the line for {other.lower()} "
                                   "thin and dashed.")
    widths = line_widths(chart.svg)
    assert float(widths[charts.PALETTE[lead]]) > float(widths[charts.PALETTE[other]])


def test_all_ages_draws_both_lines_alike():
    chart = charts.age_trend(stats.uk_referrals_by_year(data.load(data.NRM_UK)), "all", "source")
    assert chart.title == "Children and adults referred to the NRM each year, UK"
    widths = line_widths(chart.svg)
    assert widths[charts.PALETTE["Children"]] == widths[charts.PALETTE["Adults"]]
    assert "drawn thick" not in chart.alt_text
