"""The coordinators' live progress on Scottish Parliament seats: counts by region and a grid by region.

The expected constituencies and regions are read here from the data files with the csv module (not
through briefpack), so new data never breaks a test and the package's own reading is checked. The
database tests reuse tests/test_reports.py's fixtures (SQLite, and PostgreSQL when
``BRIEFPACK_TEST_POSTGRES_URL`` is set); the browser test drives Debian's Chromium through Playwright
and checks the page with axe-core, as tests/test_web.py does.
"""
from __future__ import annotations

import csv
import datetime as dt
from collections import Counter

import pytest
from bs4 import BeautifulSoup
from conftest import DATA
from databases import PASSWORD, add_coordinator
from test_reports import send_a_meeting
from test_web import axe_violations, browser  # noqa: F401 (browser: a fixture)

from briefpack.places import campaign, geography
from briefpack.render import charts, holyrood_progress
from briefpack.render.holyrood_progress import HolyroodProgress


def constituencies() -> list[dict]:
    with open(DATA / "scottish_parliament_2026_constituencies.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def regions_of_list_members() -> set[str]:
    with open(DATA / "scottish_parliament_2026_regional_members.csv", newline="", encoding="utf-8") as fh:
        return {" ".join(r["region"].split()) for r in csv.DictReader(fh)}


def values(seat_code: str, **changes) -> dict:
    """A report's values as the form's checks give them to the store."""
    return {"parliament": geography.SCOTTISH, "gss_code": seat_code, "club": "Soroptimist International Test",
            "contact_name": "", "contact_email": "", "reply_summary": "", "met": False, "agreed_to_act": None,
            "contact_made": None, "meeting_date": None, "letter_to_home_secretary": None, "reply_received": None,
            "press_release": None, **changes}


# --- the layout ---------------------------------------------------------------------------------------------

def test_every_constituency_and_region_gets_exactly_one_tile_in_its_region():
    rows = constituencies()
    regions = holyrood_progress.layout()
    expected_regions = {" ".join(r["region"].split()) for r in rows}
    assert expected_regions == regions_of_list_members(), "the list members' regions are the constituencies' regions"
    names = [r.name for r in regions]
    assert Counter(names) == Counter(expected_regions), "each region exactly once, as a row of the grid"
    assert names == sorted(names), "regions in name order"
    tiles = {}
    for region in regions:
        assert region.tiles, f"{region.name} has no tile"
        for t in region.tiles:
            assert t.gss_code not in tiles, f"{t.gss_code} has two tiles"
            tiles[t.gss_code] = (region.name, t)
    assert set(tiles) == {r["code"] for r in rows}, "every constituency of the data has a tile, and nothing else"
    for r in rows:
        region, tile = tiles[r["code"]]
        assert region == tile.region == " ".join(r["region"].split()), f"{r['name']} is in the row of its region"
        assert tile.name == " ".join(r["name"].split())
        assert tile.status == "no contact"
    for region in regions:
        in_order = [t.name for t in region.tiles]
        assert in_order == sorted(in_order, key=str.casefold), f"{region.name}: tiles in alphabetical order"


def test_the_stages_are_the_hex_maps_colours_with_readable_text():
    stages = holyrood_progress.stages()
    assert [(s["status"], s["fill"]) for s in stages] == list(charts.STATUS_COLOURS.items())
    assert [s["status"] for s in stages] == list(campaign.STATUSES)
    css = holyrood_progress.stage_css()
    for s in stages:
        assert holyrood_progress.contrast(s["fill"], s["text"]) >= 4.5, s   # WCAG AA for the tile's text
        assert f".{s['css']} {{ background: {s['fill']}; color: {s['text']}; }}" in css


# --- drawn from the database -----------------------------------------------------------------------------------

def test_the_grid_and_counts_read_the_database(db):  # noqa: F811 (the fixture)
    rows = constituencies()
    first, other = rows[0], rows[-1]
    westminster = geography.seats()[0]
    # two clubs on one seat: the most advanced report counts; a Westminster report is not in this section
    db.create(values(first["code"], contact_made=dt.date(2026, 6, 1)))
    db.create(values(first["code"], contact_made=dt.date(2026, 6, 1), meeting_date=dt.date(2026, 7, 1), met=True,
                     letter_to_home_secretary=dt.date(2026, 7, 20)))
    db.create(values(other["code"], contact_made=dt.date(2026, 6, 1), meeting_date=dt.date(2026, 12, 20)))
    db.create(values(westminster.gss_code, parliament=geography.WESTMINSTER, contact_made=dt.date(2026, 6, 1)))

    entries = holyrood_progress.entries_of(db.reports())
    assert set(entries) == {first["code"], other["code"]}
    progress = HolyroodProgress(dt.date(2026, 12, 2), entries)
    page = BeautifulSoup(progress.section().html, "lxml")
    tile = page.select_one(f'li.tile[data-code="{first["code"]}"]')
    assert tile["data-status"] == "wrote to ministers" and "stage-wrote-to-ministers" in tile["class"]
    assert tile["data-region"] == " ".join(first["region"].split())
    assert "wrote to ministers" in tile.get_text(), "the stage is in words too, not colour alone"
    assert page.select_one(f'li.tile[data-code="{other["code"]}"]')["data-status"] == "meeting arranged"
    assert len(page.select("li.tile")) == len(rows)
    assert page.select_one(f'li.tile[data-code="{westminster.gss_code}"]') is None

    counts = progress.counts().set_index("region")
    for region in {" ".join(r["region"].split()) for r in rows}:
        assert counts.loc[region, "seats"] == sum(" ".join(r["region"].split()) == region for r in rows)
    total = page.select_one("#sp-counts tr.total")
    assert total.select_one('[data-status="wrote to ministers"]').get_text() == "1"
    assert total.select_one('[data-status="meeting arranged"]').get_text() == "1"
    assert total.select_one('[data-status="no contact"]').get_text() == str(len(rows) - 2)
    assert charts.WORDS("holyrood_grid", "note") in page.get_text(" ", strip=True).replace("  ", " ")
    assert "1 wrote to ministers" in page.select_one("#sp-grid-description").get_text()
    # the letter was written on 20 July: the reply is overdue by the tracker's rule, said of the MSP
    overdue = page.select_one("table.overdue").get_text(" ")
    assert " ".join(first["name"].split()) in overdue and "MSP wrote" in overdue


def test_an_overdue_chase_names_the_msp():
    e = campaign.Entry("S16000000", "A seat", "A club", None, dt.date(2026, 7, 1), True, None, None, None, "")
    as_of = dt.date(2026, 7, 1) + dt.timedelta(days=campaign.CHASE_LETTER_DAYS + 1)
    assert e.overdue(as_of, "MSP") == "chase the MSP's letter to ministers (met 01 Jul 2026)"
    assert e.overdue(as_of) == "chase the MP's letter to ministers (met 01 Jul 2026)"


# --- in a real browser -------------------------------------------------------------------------------------------

@pytest.mark.e2e
@pytest.mark.browser
def test_browser_a_club_reports_a_scottish_seat_and_the_coordinator_sees_its_tile_change(server, browser):  # noqa: F811
    seat = constituencies()[len(constituencies()) // 2]          # a constituency from the data
    name, region = " ".join(seat["name"].split()), " ".join(seat["region"].split())
    add_coordinator()
    coordinator = browser.new_context(base_url=server, locale="en-GB", bypass_csp=True)   # bypass_csp: to inject axe
    club = browser.new_context(base_url=server, locale="en-GB")
    try:
        page = coordinator.new_page()
        page.goto("/coordinators/")
        page.fill("#username", "ann")
        page.fill("#password", PASSWORD)
        page.click("#signin-button")
        page.wait_for_load_state()
        tile = page.locator(f'#sp-grid li.tile[data-code="{seat["code"]}"]')
        tile.wait_for()
        assert tile.get_attribute("data-status") == "no contact"
        assert page.locator("#hex-map svg").count() == 1, "the Westminster hex map is still there"
        grid_note = page.text_content("#sp-grid-note")
        assert "not a map" in grid_note
        assert axe_violations(page) == []

        c = club.new_page()
        c.goto("/report")
        c.fill("#club", "Soroptimist International Test")
        c.check("#parliament-scottish")
        send_a_meeting(c, name)

        page.reload()
        tile.wait_for()
        assert tile.get_attribute("data-status") == "met"
        assert tile.get_attribute("data-region") == region
        assert "stage-met" in tile.get_attribute("class")
        words = " ".join(tile.inner_text().split())          # as a screen reader reads the tile
        assert words.startswith(name) and words.endswith(": met"), words
        section = page.locator("#sp-grid .grid-region", has=page.locator(f'li.tile[data-code="{seat["code"]}"]'))
        assert section.locator("h4").inner_text().startswith(region)
        assert "contact made in 1 of" in section.locator("h4").inner_text()
        assert page.text_content("#sp-counts tr.total [data-status=met]") == "1"
        fill = page.evaluate("e => getComputedStyle(e).backgroundColor", tile.element_handle())
        r, g, b = (int(charts.STATUS_COLOURS["met"][i:i + 2], 16) for i in (1, 3, 5))
        assert fill == f"rgb({r}, {g}, {b})", "the hex map's colour for the stage"
        assert axe_violations(page) == []
        page.set_viewport_size({"width": 390, "height": 844})        # a phone: nothing wider than the page
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert axe_violations(page) == []
    finally:
        coordinator.close()
        club.close()
