"""The Scottish Parliament as elected in May 2026: every constituency, its MSP and the region's seven list
MSPs, letters to all eight, a member the data lacks, the refresh and the retired 2011 names.

Expected members, parties and names are read from the data files, never typed."""
from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import http.server
import json
import re
import shutil
import threading
from urllib.parse import urlencode

import docx
import pytest
from bs4 import BeautifulSoup
from conftest import DATA, read_csv, run_build, run_cli, safe_yaml
from test_web import (
    StandInPool,
    axe_violations,
    browser,  # noqa: F401  (the Chromium fixture, for the accessibility test)
    fetch,
    in_process_server,
    post_form,
)

from briefpack.app import web
from briefpack.core.errors import DataError, InputError
from briefpack.places import geography, msps, postcodes
from briefpack.render import letters
from briefpack.render.briefing import Briefing
from briefpack.render.msp_letters import list_letters

SP = ("--parliament", "scottish")


def constituency_row(name: str) -> dict:
    return next(r for r in read_csv("msps_current") if r["constituency"] == name)


def list_rows(region: str) -> list[dict]:
    return [r for r in read_csv("msps_current") if not r["code"] and r["region"] == region]


def region_of(name: str) -> str:
    return next(r["region"] for r in read_csv("scottish_parliament_2026_constituencies") if r["name"] == name)


def page(path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def text(el) -> str:
    return " ".join(el.get_text(" ").split())


# --- the data ---------------------------------------------------------------------------------------

def test_members_file_is_the_election_results():
    """msps_current.csv, as shipped, holds exactly the declared winners and list members."""
    seats = {r["code"]: r for r in read_csv("scottish_parliament_2026_constituencies")}
    listed = read_csv("scottish_parliament_2026_regional_members")
    rows = read_csv("msps_current")
    by_code = {r["code"]: r for r in rows if r["code"]}
    assert set(by_code) == set(seats) and len(seats) == 73
    for code, r in by_code.items():
        s = seats[code]
        assert (r["constituency"], r["region"], r["member"], r["party"], r["as_of"]) == \
            (s["name"], s["region"], s["member"], s["party"], s["as_of"])
    regional = sorted((r["region"], r["member"], r["party"]) for r in rows if not r["code"])
    assert regional == sorted((r["region"], r["member"], r["party"]) for r in listed)
    counts = {}
    for region, _, _ in regional:
        counts[region] = counts.get(region, 0) + 1
    assert len(counts) == 8 and set(counts.values()) == {7}


def test_seats_are_the_2026_constituencies():
    seats = geography.seats("scottish")
    rows = read_csv("scottish_parliament_2026_constituencies")
    assert {(s.gss_code, s.name, s.region) for s in seats} == {(r["code"], r["name"], r["region"]) for r in rows}


def test_a_2011_only_name_gets_the_nearest_2026_names():
    old = {r["name"] for r in read_csv("scottish_parliament_constituencies_regions_2011_boundaries")
           if r["type"] == "constituency"}
    new = {r["name"] for r in read_csv("scottish_parliament_2026_constituencies")}
    assert "Glasgow Kelvin" in old and "Glasgow Kelvin" not in new
    expected = sorted(n for n in new if {"glasgow", "kelvin"} <= set(n.lower().split()))
    proc = run_cli(*SP, "-c", "Glasgow Kelvin", "--out", "/nonexistent/never-written")
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2 and len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: 'Glasgow Kelvin' was a Scottish Parliament constituency until the May 2026")
    assert lines[0].split("nearest 2026 name")[1].split(":", 1)[1].split(".")[0].strip().split("; ") == expected


def test_an_unknown_name_still_gets_close_names():
    with pytest.raises(InputError) as err:
        geography.resolve("Glasgo Southside", "scottish")
    assert "Glasgow Southside" in str(err.value) and "\n" not in str(err.value)


# --- overrides: corrections and "known as" names --------------------------------------------------------

def test_known_as_name_is_printed_and_used_in_the_salutation(data_copy):
    seat = "Aberdeen Deeside and North Kincardine"
    ballot = constituency_row(seat)["member"]
    first, last = ballot.split()[0], ballot.split()[-1]
    known = f"{first} {last}"
    assert known != ballot, "the test needs a member whose ballot name has a middle name"
    region = region_of(seat)
    listed = next(r["member"] for r in list_rows(region) if len(r["member"].split()) > 2)
    listed_known = f"{listed.split()[0]} {listed.split()[-1]}"
    (data_copy / "campaign" / "msp_overrides.csv").write_text(
        "seat,member,known_as,party,date,source\n"
        f"{seat},{ballot},{known},,2026-06-01,Test source A\n"
        f"{region},{listed},{listed_known},,2026-06-01,Test source B\n", encoding="utf-8")
    b = Briefing.prepare(seat, parliament="scottish", list_msps=True)
    assert b.member.name == known and b.member.party == constituency_row(seat)["party"]
    letter = letters.build_letter(b)
    assert letter.salutation == f"Dear {known}," and letter.recipient[0] == f"{known} MSP"
    others = list_letters(b, letter)
    assert f"Dear {listed_known}," in [o.salutation for o in others]


def test_a_correction_names_a_member_the_data_lacks(data_copy):
    row = next(r for r in read_csv("msps_current") if r["code"] and not r["member"])
    (data_copy / "campaign" / "msp_overrides.csv").write_text(
        "seat,member,known_as,party,date,source\n"
        f"{row['code']},A. N. Example,,,2026-06-01,Test: a returning officer's declaration\n", encoding="utf-8")
    seat = geography.resolve(row["constituency"], "scottish")
    m = msps.member(seat)
    assert m.name == "A. N. Example" and m.party == row["party"] and m.overridden
    assert "Test: a returning officer's declaration" in m.source
    assert msps.missing_warning(seat) == ""


def test_an_override_for_an_unknown_list_member_is_refused(data_copy):
    region = region_of("Glasgow Southside")
    (data_copy / "campaign" / "msp_overrides.csv").write_text(
        f"seat,member,known_as,party,date,source\n{region},Nobody Here,N. Here,,2026-06-01,Test\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        msps.list_msps(geography.resolve("Glasgow Southside", "scottish"))
    assert "msp_overrides.csv row 2" in str(err.value) and "\n" not in str(err.value)


# --- --refresh-msps ----------------------------------------------------------------------------------

def refresh_file(tmp_path, change) -> str:
    rows = read_csv("msps_current")
    rows = change(rows)
    path = tmp_path / "msps_new.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["code", "constituency", "region", "member", "party", "as_of"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def _drop_one_list_member(rows):
    region = region_of("Glasgow Southside")
    victim = next(i for i, r in enumerate(rows) if not r["code"] and r["region"] == region)
    return rows[:victim] + rows[victim + 1:]


def _member_twice(rows):
    first = next(r for r in rows if r["code"] and r["member"])
    other = next(r for r in rows if not r["code"])
    other["member"] = first["member"]
    return rows


@pytest.mark.parametrize("change,message", [
    (_drop_one_list_member, "has 6 list MSPs; each of the 8 regions has 7"),
    (_member_twice, "no member sits twice"),
    (lambda rows: [r for r in rows if r["constituency"] != "Glasgow Southside"], "no row for Glasgow Southside"),
], ids=["region-of-six", "member-twice", "constituency-missing"])
def test_refresh_refuses_a_bad_file_and_changes_nothing(tmp_path, change, message):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    before = {p.name: p.read_bytes() for p in data.glob("msps_current.*")}
    proc = run_cli("--refresh-msps", refresh_file(tmp_path, change), env={"BRIEFPACK_DATA": str(data)})
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2 and len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: local file msps_new.csv") and message in lines[0], lines[0]
    assert "Nothing in data/ was changed" in lines[0]
    assert {p.name: p.read_bytes() for p in data.glob("msps_current.*")} == before


def test_refresh_brings_in_a_new_member_and_prints_it(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    seat = "Glasgow Southside"
    old = constituency_row(seat)

    def by_election(rows):
        for r in rows:
            if r["constituency"] == seat:
                r.update(member="A. N. Example", party="Test Party", as_of="")
        return rows

    proc = run_cli("--refresh-msps", refresh_file(tmp_path, by_election), "--as-of", "2026-11-20",
                     env={"BRIEFPACK_DATA": str(data)})
    assert proc.returncode == 0, proc.stderr
    assert (f"{seat} ({old['code']}): new member: A. N. Example (Test Party); was {old['member']} "
            f"({old['party']})") in proc.stdout
    with open(data / "msps_current.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    mine = next(r for r in rows if r["constituency"] == seat)
    assert (mine["member"], mine["as_of"]) == ("A. N. Example", "2026-11-20")
    unchanged = {r["member"]: r["as_of"] for r in read_csv("msps_current") if r["member"] and r["constituency"] != seat}
    assert {r["member"]: r["as_of"] for r in rows if r["member"] in unchanged} == unchanged, "others keep their date"
    again = run_cli("--refresh-msps", str(data / "msps_current.csv"), env={"BRIEFPACK_DATA": str(data)})
    assert again.returncode == 0 and "no change" in again.stdout, again.stderr


# --- briefings and letters (end to end) ----------------------------------------------------------------

@pytest.mark.e2e
def test_glasgow_southside_names_its_msp_the_seven_list_msps_and_writes_eight_letters(tmp_path):
    seat = "Glasgow Southside"
    proc = run_build(*SP, "-c", seat, "--list-msps", "--meeting-date", "2026-12-04", "--formats", "html,docx",
                     "--out", str(tmp_path), "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    row, region = constituency_row(seat), region_of(seat)
    regional = list_rows(region)
    assert len(regional) == 7
    doc = page(tmp_path / "msp-glasgow-southside.html")
    cover = doc.select_one("header.cover")
    member = text(cover.select_one("td.member"))
    assert cover.select_one(".mp-name").get_text() == row["member"] and row["party"] in member
    as_at = dt.date.fromisoformat(row["as_of"])
    assert f"as at {as_at.day} {as_at:%B %Y}; check for changes since" in member
    items = [text(li) for li in cover.select("td.list-msps li")]
    assert items == [f"{r['member']} , {r['party']}" for r in regional]
    # eight letters, each to a different member, at the Parliament, each with its own opening
    sections = doc.select("section.letter")
    recipients = [text(s.select_one(".letter-recipient")) for s in sections]
    names = [row["member"]] + [r["member"] for r in regional]
    assert recipients == [f"{n} MSP The Scottish Parliament Edinburgh EH99 1SP" for n in names]
    openings = [text(s.select(".letter-body > p")[2]) for s in sections]
    assert len(set(openings)) == 8, openings
    assert all(region in o for o in openings[1:]), "a list MSP's letter names the region they represent"
    assert all(f"meeting {row['member']}" in text(s.select(".letter-body > p")[3]) for s in sections[1:])
    word = docx.Document(str(tmp_path / "msp-glasgow-southside-letter.docx"))
    paras = [p.text for p in word.paragraphs]
    assert [p for p in paras if p.startswith("Dear ")] == [letters.salutation(n) for n in names]
    assert sum(p == "The Scottish Parliament" for p in paras) == 8
    breaks = [p for p in word.paragraphs if p._p.pPr is not None and p._p.pPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pageBreakBefore") is not None]
    assert len(breaks) == 7, "each list MSP's letter starts on a new page"
    printed = []
    for body in doc.select(".letter-body"):
        for el in body.select(".line, p, li"):
            if el.name == "p" and el.select(".line"):
                continue
            printed.append(" ".join(el.get_text(" ").split()))
    assert [p for p in printed if p] == [" ".join(p.split()) for p in paras if p.strip()], \
        "the Word file holds the eight printed letters, word for word"
    sources = text(doc)
    assert "Democracy Club" in sources and "CC BY-SA" in sources and "build.py refresh-msps" in sources
    msp_rows = [text(tr) for tr in doc.select("table.sources tbody tr") if "Scottish Parliament" in text(tr)]
    assert msp_rows and all("Democracy Club" in r and "mySociety" not in r for r in msp_rows), msp_rows


@pytest.mark.e2e
def test_aberdeen_central_names_its_msp_and_orkney_builds_with_a_warning_and_takes_msp(tmp_path):
    proc = run_build(*SP, "-c", "Aberdeen Central", "-c", "Orkney Islands", "--formats", "html",
                     "--sender-name", "Jane Smith", "--address", "1 High Street, Kirkwall, KW15 1AA",
                     "--out", str(tmp_path), "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    aberdeen = page(tmp_path / "msp-aberdeen-central.html")
    assert aberdeen.select_one(".mp-name").get_text() == constituency_row("Aberdeen Central")["member"]
    orkney_row = constituency_row("Orkney Islands")
    assert orkney_row["member"] == "", "Orkney's member is not in the data"
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "Orkney Islands" in warnings[0] and "--msp" in warnings[0], proc.stderr
    orkney = page(tmp_path / "msp-orkney-islands.html")
    assert "the Member of the Scottish Parliament for Orkney Islands" in text(orkney.select_one("header.cover"))
    assert orkney_row["party"] in text(orkney.select_one("header.cover"))
    assert text(orkney.select_one(".letter-body")).count("Dear Member of the Scottish Parliament for Orkney Islands,") == 1
    body = text(orkney)
    assert "Police Scotland" in body and "Scottish Police Authority" in body and "Home Secretary" not in body
    named = run_build(*SP, "-c", "Orkney Islands", "--msp", "A. N. Example", "--formats", "html",
                      "--sender-name", "Jane Smith", "--address", "1 High Street, Kirkwall, KW15 1AA",
                      "--out", str(tmp_path / "named"), "--jobs", "1")
    assert named.returncode == 0 and "warning:" not in named.stderr, named.stderr
    doc = page(tmp_path / "named" / "msp-orkney-islands.html")
    assert doc.select_one(".mp-name").get_text() == "A. N. Example"
    assert "Dear A. N. Example," in text(doc.select_one(".letter-body"))


@pytest.mark.e2e
def test_all_73_scottish_parliament_briefings_with_letters_and_their_index(tmp_path):
    proc = run_build("--all", *SP, "--formats", "html,docx", "--out", str(tmp_path), "--jobs", "2",
                     timeout=1800)
    assert proc.returncode == 0, proc.stderr[-2000:]
    seats = read_csv("scottish_parliament_2026_constituencies")
    for s in seats:
        slug = "msp-" + re.sub(r"[^a-z0-9]+", "-", s["name"].lower()).strip("-")
        assert (tmp_path / f"{slug}.html").exists() and (tmp_path / f"{slug}-letter.docx").exists(), slug
    assert "73 built" in proc.stdout
    missing = [s["name"] for s in seats if not constituency_row(s["name"])["member"]]
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning:") and "--msp" in line]
    assert len(warnings) == len(missing) and all(any(n in w for w in warnings) for n in missing)
    index = page(tmp_path / "index.html")
    rows = index.select("#seats tbody tr")
    assert len(rows) == 73
    glasgow = next(r for r in rows if r["data-key"] == constituency_row("Glasgow Southside")["code"])
    cells = [text(td) for td in glasgow.select("td")]
    assert region_of("Glasgow Southside") in cells[1]
    assert constituency_row("Glasgow Southside")["member"] in cells[2]
    for r in list_rows(region_of("Glasgow Southside")):
        assert r["member"] in cells[2]
        assert r["member"].lower() in glasgow["data-search"]
    assert "Democracy Club" in text(index.select_one(".msp-footer"))
    assert "glasgow southside" in glasgow["data-search"] and region_of("Glasgow Southside").lower() in glasgow["data-search"]


# --- the web page and API (the app served in-process, with the stand-in workers of test_web) ------------

@pytest.fixture(scope="module")
def sp_server(tmp_path_factory):
    cache = tmp_path_factory.mktemp("sp-cache")
    pool = StandInPool(max_waiting=4)
    settings = web.Settings(cache_parent=str(cache), pack_dir="-", max_body=16 * 1024, body_seconds=2)
    with in_process_server(settings, pool) as (url, app):
        yield url, pool


def scottish_postcode() -> str:
    """A postcode the data places in a Westminster seat in Scotland (from the look-up itself)."""
    for pc in ("G41 1AA", "EH1 1YZ", "AB10 1AB", "KW15 1AA", "IV1 1AA"):
        try:
            if postcodes.constituency_code(postcodes.normalise(pc)).startswith("S14"):
                return pc
        except InputError:
            continue
    pytest.skip("no Scottish postcode of the list is in the look-up")


def test_web_finds_scottish_seats_by_name_region_and_member(sp_server):
    url, _ = sp_server
    seat, row = "Glasgow Southside", constituency_row("Glasgow Southside")
    region = row["region"]
    by_name = fetch(url + "/api/scottish/constituencies?" + urlencode({"q": seat})).json()
    first = by_name["matches"][0]
    assert (first["code"], first["name"], first["member"], first["party"]) == (row["code"], seat, row["member"], row["party"])
    assert [m["name"] for m in first["list_members"]] == [r["member"] for r in list_rows(region)]
    by_region = fetch(url + "/api/scottish/constituencies?" + urlencode({"q": region})).json()
    expected = {r["name"] for r in read_csv("scottish_parliament_2026_constituencies") if r["region"] == region}
    assert {m["name"] for m in by_region["matches"]} >= expected
    listed = list_rows(region)[0]["member"]
    by_list_member = fetch(url + "/api/scottish/constituencies?" + urlencode({"q": listed})).json()
    assert {m["name"] for m in by_list_member["matches"]} == expected
    by_member = fetch(url + "/api/scottish/constituencies?" + urlencode({"q": row["member"]})).json()
    assert by_member["matches"][0]["name"] == seat
    page = fetch(url + "/scottish?" + urlencode({"seat": row["code"]})).soup()
    assert row["member"] in page.find(id="sp-seat-summary").get_text()
    assert [li.get_text() for li in page.select("#sp-list-members li")] == \
        [f"{r['member']} ({r['party']})" for r in list_rows(region)]
    assert page.find("input", attrs={"name": "list_msps"}) is not None
    for field in page.select("main input:not([type=hidden]), main textarea"):
        assert page.find("label", attrs={"for": field["id"]}), f"{field['id']} has a label"
    assert page.find("html")["lang"] == "en-GB"


def test_web_scottish_postcode_says_there_is_no_lookup_and_lists_every_constituency(sp_server):
    url, _ = sp_server
    pc = scottish_postcode()
    page = fetch(url + "/scottish?" + urlencode({"q": pc})).soup()
    note = page.find(id="sp-match-note").get_text()
    assert "no postcode look-up for Scottish Parliament constituencies" in note and "do not guess" in note
    assert not page.select("#sp-matches ul.matches li"), "no constituency is guessed from the postcode"
    assert page.find(id="sp-all").has_attr("open")
    listed = [a.get_text() for a in page.select("#sp-all a")]
    assert sorted(listed) == sorted(r["name"] for r in read_csv("scottish_parliament_2026_constituencies"))
    api = fetch(url + "/api/scottish/constituencies?" + urlencode({"q": pc})).json()
    assert api["matches"] == [] and sum(len(r["names"]) for r in api["constituencies"]) == 73
    main = fetch(url + "/?" + urlencode({"q": pc})).soup()
    assert main.select_one(".scottish-note a")["href"].endswith("/scottish")


def test_web_makes_a_scottish_briefing_with_list_letters(sp_server):
    url, pool = sp_server
    row = constituency_row("Glasgow Southside")
    reply = fetch(url + "/api/scottish/briefings",
                  json.dumps({"constituency": row["code"], "concerns": ["training", "children"],
                              "list_msps": True}).encode(), {"Content-Type": "application/json"})
    assert reply.status == 200, reply.text
    doc = reply.json()
    assert doc["constituency"]["member"] == row["member"] and doc["list_msps"] is True
    params = dict(pool.jobs[-1].parameters)
    assert params["parliament"] == "scottish" and params["list_msps"] is True
    bad = fetch(url + "/api/scottish/briefings", json.dumps({"constituency": "Glasgow Kelvin"}).encode(),
                {"Content-Type": "application/json"})
    assert bad.status == 400 and "Glasgow Kelvin and Maryhill" in bad.json()["error"]
    form = post_form(url + "/scottish/briefings", {"constituency": row["code"], "concerns": ["training", "children"],
                                                   "list_msps": "1"}, follow=False)
    assert form.status == 303
    orkney = constituency_row("Orkney Islands")
    post_form(url + "/scottish/briefings", {"constituency": orkney["code"], "concerns": ["training", "children"],
                                            "msp": "A. N. Example"}, follow=False)
    assert dict(pool.jobs[-1].parameters)["member_name"] == "A. N. Example"


@pytest.mark.e2e
@pytest.mark.browser
def test_scottish_page_has_no_accessibility_violations(sp_server, request):
    browser = request.getfixturevalue("browser")  # noqa: F811  (the fixture, asked for by name)
    url, _ = sp_server
    row = constituency_row("Glasgow Southside")
    context = browser.new_context(base_url=url, bypass_csp=True)   # to inject axe-core
    page = context.new_page()
    page.goto("/scottish")
    assert axe_violations(page) == []
    page.goto("/scottish?q=" + scottish_postcode().replace(" ", "+"))
    assert axe_violations(page) == [], "the page for a Scottish postcode, with every constituency listed"
    page.goto(f"/scottish?q=Glasgow&seat={row['code']}")
    assert axe_violations(page) == []
    page.check("#sp-concerns-training")
    page.click("#sp-form")
    page.locator("#sp-concerns-error").wait_for(state="visible")
    assert axe_violations(page) == [], "the page with an error"
    for link in page.locator(".error-summary a").all():
        assert page.locator(link.get_attribute("href")).count() == 1, "each error links to its field"
    context.close()


@pytest.mark.parametrize("args,message", [
    (("--all", "--list-msps"), "add --parliament scottish"),
    (("--all", *SP, "--msp", "A. N. Example"), "give it with a single --constituency"),
    ((*SP, "-c", "Orkney Islands", "-c", "Aberdeen Central", "--msp", "A. N. Example"), "a single --constituency"),
], ids=["list-msps-westminster", "msp-with-all", "msp-with-two-seats"])
def test_scottish_options_are_refused_where_they_cannot_apply(tmp_path, args, message):
    proc = run_cli(*args, "--out", str(tmp_path / "out"))
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2 and len(lines) == 1 and message in lines[0], proc.stderr
    assert not (tmp_path / "out").exists()


def test_refresh_from_an_address(tmp_path):
    """The download path, offline: a web server of the test's own on 127.0.0.1."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    www = tmp_path / "www"
    www.mkdir()
    region = region_of("Glasgow Southside")
    leaving = list_rows(region)[0]

    def replace_list_member(rows):
        for r in rows:
            if not r["code"] and r["member"] == leaving["member"]:
                r.update(member="A. N. Example", as_of="")
        return rows

    shutil.copy(refresh_file(tmp_path, replace_list_member), www / "msps.csv")
    (www / "page.html").write_text("<!doctype html><title>Not a CSV</title>", encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(www)))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        before = (data / "msps_current.csv").read_bytes()
        for bad in ("missing.csv", "page.html"):
            proc = run_cli("--refresh-msps", f"{base}/{bad}", env={"BRIEFPACK_DATA": str(data)})
            assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
            assert "Nothing in data/ was changed" in proc.stderr
            assert (data / "msps_current.csv").read_bytes() == before
        proc = run_cli("--refresh-msps", f"{base}/msps.csv", "--as-of", "2026-11-20", env={"BRIEFPACK_DATA": str(data)})
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert f"{region} region: new list MSP: A. N. Example ({leaving['party']})" in lines
    assert f"{region} region: no longer a list MSP: {leaving['member']} ({leaving['party']})" in lines
    meta = safe_yaml((data / "msps_current.meta.yml").read_text(encoding="utf-8"))
    assert meta["provenance"]["sha256"] == hashlib.sha256((data / "msps_current.csv").read_bytes()).hexdigest()


def test_list_letters_keep_the_senders_note_and_ask_for_their_own_meeting():
    note = "Our club has worked with survivors for ten years."
    b = Briefing.prepare("Glasgow Southside", ["training", "children"], club="Test Club", meeting_date="2026-12-04",
                         parliament="scottish", personal_note=note, list_msps=True)
    letter = letters.build_letter(b)
    others = list_letters(b, letter)
    assert [o.recipient[0] for o in others] == [f"{m.name} MSP" for m in b.regional]
    words = letters.wording()["list_msps"]
    for o in others:
        assert o.paragraphs[1] == note, "the sender's own paragraph follows the opening"
        assert f"meeting {b.member.name}" in o.paragraphs[2] and "4 December 2026" in o.paragraphs[2]
        assert o.concerns == letter.concerns and o.closing_paragraphs == letter.closing_paragraphs
    assert len({o.paragraphs[0] for o in others}) == len(others) <= len(words["openings"])
