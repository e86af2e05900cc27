"""A club reports on a Scottish Parliament region (its seven list MSPs) from the web form.

The regions are read here from the data files with the csv module (not through briefpack), so new data
never breaks a test and the package's own reading is checked. Every database test runs on SQLite and on
PostgreSQL (tests/databases.py's fixtures); the app is served as tests/test_reports.py serves it and
driven with its client; the browser test drives Debian's Chromium and checks the pages with axe-core.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from bs4 import BeautifulSoup
from conftest import DATA
from databases import add_coordinator
from test_reports import Client, a_pdf, new_report, report_fields, send_a_meeting
from test_web import axe_violations, browser  # noqa: F401 (browser: a fixture)

from briefpack.app import store
from briefpack.core.errors import DataError
from briefpack.places import campaign, geography
from briefpack.render import holyrood_progress
from briefpack.render.holyrood_progress import HolyroodProgress

REGION_CHOICE = "scottish-region"     # the form's third choice (the radio's value)


def regions() -> list[str]:
    """The regions of the list MSPs' file, in the file's order, each once."""
    with open(DATA / "scottish_parliament_2026_regional_members.csv", newline="", encoding="utf-8") as fh:
        return list(dict.fromkeys(" ".join(r["region"].split()) for r in csv.DictReader(fh)))


def constituency_regions() -> set[str]:
    with open(DATA / "scottish_parliament_2026_constituencies.csv", newline="", encoding="utf-8") as fh:
        return {" ".join(r["region"].split()) for r in csv.DictReader(fh)}


def as_typed(name: str) -> str:
    """A region's name as a club might type it: another case, spaces around and between its words."""
    return "  " + "   ".join(name.swapcase().split()) + " "


def region_report(client: Client, region: str, **changes) -> str:
    return new_report(client, parliament=REGION_CHOICE, constituency=as_typed(region),
                      club="Soroptimist International Region Test", **changes)


def page_of(client: Client, token: str) -> BeautifulSoup:
    status, _, body = client.get(f"/report/{token}")
    assert status == 200, body[:500]
    return BeautifulSoup(body, "lxml")


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def write_tracker(path, row: dict) -> None:
    """A tracker CSV of one row, in the full layout (the columns ``row`` leaves out, empty)."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, campaign.FULL_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerow({c: "" for c in campaign.FULL_COLUMNS} | row)


STORED = ("parliament", "gss_code", "region", "club", "contact_name", "contact_email", "met", "reply_summary",
          *store.STAGES)


def stored(report: store.Report) -> dict:
    return {k: getattr(report, k) for k in STORED}


def test_the_data_has_the_regions_the_tests_read():
    assert regions() and set(regions()) == constituency_regions()
    assert sorted(regions()) == geography.regions()


# --- a club's report on a region ------------------------------------------------------------------------

def test_a_club_reports_on_a_region_and_updates_it_by_its_link(server):
    region = regions()[0]
    client = Client(server)
    token = region_report(client, region)
    [report] = store.default().reports()
    assert (report.parliament, report.region, report.gss_code) == (geography.SCOTTISH, region, "")
    assert report.source == "club" and report.met and report.meeting_date == dt.date(2026, 8, 28)

    page = page_of(client, token)
    assert page.h1.get_text(" ", strip=True) == f"Your report on {region} (region)"
    assert page.find("input", {"name": "constituency"})["value"] == region, "the region, as the data writes it"
    checked = page.select('input[name="parliament"][checked]')
    assert [r["value"] for r in checked] == [REGION_CHOICE], "the page keeps the region choice"

    # an update from the page as shown keeps it a report on the region
    csrf = page.find("input", {"name": "csrf_token"})["value"]
    version = page.find("input", {"name": "version"})["value"]
    fields = {f["name"]: f.get("value", "") for f in page.select("#report-form input[name]")
              if f.get("type") not in ("radio", "checkbox", "file", "hidden")}
    fields.update(parliament=REGION_CHOICE, met="yes", letter_to_home_secretary="2026-09-10")
    status, headers, body = client.post(f"/report/{token}", {"csrf_token": csrf, "version": version, **fields})
    assert status == 303, body.decode()[:2000]
    [updated] = store.default().reports()
    assert updated.id == report.id and updated.version > report.version
    assert (updated.parliament, updated.region, updated.gss_code) == (geography.SCOTTISH, region, "")
    assert updated.letter_to_home_secretary == dt.date(2026, 9, 10)
    assert page_of(client, token).h1.get_text(" ", strip=True) == f"Your report on {region} (region)"


def test_a_report_moved_from_a_region_to_a_constituency_loses_the_region(server):
    region, seat = regions()[-1], geography.seats(geography.SCOTTISH)[0]
    client = Client(server)
    token = region_report(client, region)
    page = page_of(client, token)
    csrf = page.find("input", {"name": "csrf_token"})["value"]
    version = page.find("input", {"name": "version"})["value"]
    status, _, body = client.post(f"/report/{token}", {"csrf_token": csrf, "version": version,
                                                       **report_fields(parliament="scottish", constituency=seat.name)})
    assert status == 303, body.decode()[:2000]
    [report] = store.default().reports()
    assert (report.parliament, report.region, report.gss_code) == (geography.SCOTTISH, "", seat.gss_code)


@pytest.mark.parametrize("typed", ["Nowhere Region", ""])
def test_a_wrong_region_is_refused_with_one_message_naming_the_regions(server, typed):
    client = Client(server)
    token = client.token("/report")
    status, _, body = client.post("/report", {"csrf_token": token,
                                              **report_fields(parliament=REGION_CHOICE, constituency=typed)})
    assert status == 400
    page = BeautifulSoup(body, "lxml")
    summary = page.select(".error-summary li")
    assert len(summary) == 1 and summary[0].a["href"] == "#constituency"
    message = page.find(id="constituency-error").get_text(" ", strip=True)
    assert summary[0].get_text(" ", strip=True) in message
    for region in regions():
        assert region in message, f"{region} is named among the valid regions"
    if typed:
        assert repr(typed) in message
    assert "(--" not in message and "build.py" not in message
    field = page.find(id="constituency")
    assert "constituency-error" in field["aria-describedby"].split() and field["aria-invalid"] == "true"
    assert [r["value"] for r in page.select('input[name="parliament"][checked]')] == [REGION_CHOICE]
    assert store.default().count() == 0, "nothing stored"


def test_a_constituency_name_is_not_a_region(server):
    """A constituency's name under the region choice is refused (its region is named instead by the club)."""
    seat = geography.seats(geography.SCOTTISH)[0]
    client = Client(server)
    token = client.token("/report")
    status, _, body = client.post("/report", {"csrf_token": token, **report_fields(parliament=REGION_CHOICE,
                                                                                   constituency=seat.name)})
    assert status == 400 and store.default().count() == 0
    assert regions()[0] in BeautifulSoup(body, "lxml").find(id="constituency-error").get_text()


def test_the_form_names_the_three_choices_and_a_hint_for_each(server):
    status, _, body = Client(server).get("/report")
    page = BeautifulSoup(body, "lxml")
    fieldset = page.find("input", {"value": REGION_CHOICE}).find_parent("fieldset")
    assert fieldset.legend.get_text(strip=True)
    assert [r["value"] for r in fieldset.select('input[type="radio"][name="parliament"]')] == \
        ["westminster", "scottish", REGION_CHOICE]
    for radio in fieldset.select('input[type="radio"]'):
        assert page.find("label", {"for": radio["id"]}).get_text(strip=True)
    assert "region" in page.find("label", {"for": "parliament-scottish-region"}).get_text()
    assert page.find("label", {"for": "constituency"}).get_text(strip=True) == "Constituency or region"
    hint = page.find(id="constituency-hint").get_text(" ", strip=True)
    assert "constituency-hint" in page.find(id="constituency")["aria-describedby"].split()
    example = re.search(r"for a region, its name, e\.g\. ([^.;]+)", hint)
    assert example and example.group(1) in regions(), "the hint's example region is one of the data's"


# --- the coordinators, the tracker CSV and the progress -------------------------------------------------------

def test_the_coordinators_see_the_region_report_as_an_imported_one(server, tmp_path):
    region = regions()[1]
    club = Client(server)
    region_report(club, region, letter_to_home_secretary="2026-09-10", contact_name="Ann Example",
                  contact_email="ann@example.org", files={"letter_file": ("letter.pdf", a_pdf())})
    add_coordinator()
    coordinator = Client(server)
    assert coordinator.sign_in()[0] == 303
    status, _, body = coordinator.get("/coordinators/")
    assert status == 200
    page = BeautifulSoup(body, "lxml")
    assert f"{region} (region)" in page.select_one("#reports").get_text(" "), "named as a region in the list"
    row = page.select_one(f'#sp-counts tr[data-region="{region}"]')
    assert row.select_one("td[data-list-msps]")["data-list-msps"] == "wrote to ministers"
    others = page.select('#sp-counts tr[data-region] td[data-list-msps="no contact"]')
    assert len(others) == len(regions()) - 1
    assert page.select_one('[data-figure="sp-regions"]').get_text() == "1"
    assert page.select_one('[data-figure="sp-contacted"]').get_text() == "0", "no constituency is counted"
    link = page.select_one("#reports a[download]")
    status, headers, _ = coordinator.get(link["href"])
    assert status == 200 and 'filename="-' not in headers["content-disposition"], headers["content-disposition"]

    status, _, body = coordinator.get("/coordinators/tracker.csv")
    assert status == 200
    exported = body.decode("utf-8")
    [row] = csv_rows(exported)
    assert (row["parliament"], row["seat_type"], row["gss_code"], row["seat"]) == \
        (geography.SCOTTISH, campaign.REGION, "", region)

    # export, import into a fresh database, export again: the same bytes, the same stored fields
    path = tmp_path / "tracker.csv"
    path.write_text(exported, encoding="utf-8")
    fresh = store.Store(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", tmp_path / "fresh-uploads")
    try:
        assert store.import_csv(fresh, path) == 1
        assert store.export_csv(fresh) == exported, "a round trip changes nothing, byte for byte"
        [web_made] = store.default().reports()
        [imported] = fresh.reports()
        assert stored(imported) == stored(web_made)
        # a tracker row on the region written by hand (no report reference) is stored with the same fields
        write_tracker(path, {c: row[c] for c in campaign.FULL_COLUMNS if c not in ("report", "source", "updated")})
        hand_db = store.Store(f"sqlite:///{tmp_path / 'hand.sqlite3'}", tmp_path / "hand-uploads")
        try:
            store.import_csv(hand_db, path)
            [from_tracker] = hand_db.reports()
            assert from_tracker.source == "tracker"
            assert stored(from_tracker) == stored(web_made)
        finally:
            hand_db.close()
    finally:
        fresh.close()


def region_values(region: str, **changes) -> dict:
    """A region report's values as the form's checks give them to the store."""
    return {"parliament": geography.SCOTTISH, "gss_code": "", "region": region, "club": "A club",
            "contact_name": "", "contact_email": "", "reply_summary": "", "met": False, "agreed_to_act": None,
            "contact_made": None, "meeting_date": None, "letter_to_home_secretary": None, "reply_received": None,
            "press_release": None, **changes}


def test_a_region_report_counts_in_the_progress_for_its_region(db):
    first, last = regions()[0], regions()[-1]
    # two clubs on one region: the most advanced counts; another region is only asked for a meeting
    db.create(region_values(first, contact_made=dt.date(2026, 6, 1)))
    db.create(region_values(first, contact_made=dt.date(2026, 6, 1), meeting_date=dt.date(2026, 7, 1), met=True))
    db.create(region_values(last, contact_made=dt.date(2026, 6, 2)))
    reports = db.reports()
    assert holyrood_progress.entries_of(reports) == {}, "a region report is not a constituency's"
    progress = HolyroodProgress(dt.date(2026, 12, 2), holyrood_progress.entries_of(reports),
                                holyrood_progress.region_entries_of(reports))
    counts = progress.counts().set_index("region")
    assert counts.loc[first, "list_msps"] == "met"
    assert counts.loc[last, "list_msps"] == "contact made"
    for region in set(regions()) - {first, last}:
        assert counts.loc[region, "list_msps"] == "no contact"
    assert int(counts["no contact"].sum()) == int(counts["seats"].sum()), "no constituency is counted"
    assert progress.regions_contacted() == 2
    page = BeautifulSoup(progress.section().html, "lxml")
    assert page.select_one(f'#sp-counts tr[data-region="{first}"] [data-list-msps]').get_text(strip=True) == "Met"
    heading = next(h for h in page.select("#sp-grid h4") if h.get_text().startswith(first))
    assert "list MSPs: met" in heading.get_text()
    # met on 1 July and no letter after CHASE_LETTER_DAYS: the chase names the region
    assert f"{first} (region)" in page.select_one("table.overdue").get_text(" ")


def test_a_region_row_imported_from_the_tracker_counts_the_same(db, tmp_path):
    region = regions()[0]
    path = tmp_path / "tracker.csv"
    write_tracker(path, {"parliament": geography.SCOTTISH, "seat_type": campaign.REGION, "seat": region,
                         "club": "A club", "contact_made": "2026-06-01", "meeting_date": "2026-07-01", "met": "True"})
    store.import_csv(db, path)
    assert holyrood_progress.region_entries_of(db.reports())[region].status == "met"


def test_a_tracker_row_names_its_region_as_a_club_types_it(db, tmp_path):
    """The tracker CSV reads a region's name as the form does (case and spacing do not matter) and keeps
    it as the data writes it; a name that is no region is refused with the data's regions."""
    region = regions()[-1]
    path = tmp_path / "tracker.csv"
    write_tracker(path, {"parliament": geography.SCOTTISH, "seat_type": campaign.REGION, "seat": as_typed(region),
                         "club": "A club", "contact_made": "2026-06-01"})
    store.import_csv(db, path)
    [report] = db.reports()
    assert (report.region, report.gss_code) == (region, "")
    assert csv_rows(store.export_csv(db))[0]["seat"] == region
    write_tracker(path, {"parliament": geography.SCOTTISH, "seat_type": campaign.REGION, "seat": region + " North",
                         "club": "A club", "contact_made": "2026-06-01"})
    with pytest.raises(DataError) as caught:
        store.import_csv(db, path)
    assert "is not a Scottish Parliament region" in str(caught.value)
    assert all(r in str(caught.value) for r in regions())
    assert len(db.reports()) == 1, "nothing of the bad file is stored"


# --- in a real browser ----------------------------------------------------------------------------------

@pytest.mark.e2e
@pytest.mark.browser
def test_browser_a_club_reports_on_a_region(server, browser):  # noqa: F811  (the fixture)
    region = regions()[len(regions()) // 2]
    context = browser.new_context(base_url=server, locale="en-GB", bypass_csp=True)   # bypass_csp: to inject axe
    try:
        c = context.new_page()
        c.goto("/report")
        assert axe_violations(c) == []
        c.fill("#club", "Soroptimist International Region Test")
        c.check("#parliament-scottish-region")
        c.fill("#constituency", "Nowhere Region")
        c.click("#report-button")
        c.locator("#constituency-error").wait_for()
        assert region in c.text_content("#constituency-error")
        assert c.is_checked("#parliament-scottish-region"), "the choice is kept"
        assert axe_violations(c) == [], "the form with its error"

        send_a_meeting(c, as_typed(region))
        assert " ".join(c.text_content("h1").split()) == f"Your report on {region} (region)"
        assert c.input_value("#constituency") == region and c.is_checked("#parliament-scottish-region")
        assert axe_violations(c) == [], "the saved report's page"
    finally:
        context.close()
    [report] = store.default().reports()
    assert (report.parliament, report.region, report.gss_code) == (geography.SCOTTISH, region, "")
