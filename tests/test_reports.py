"""Clubs report back; coordinators see the campaign (issue 17).

Every database test runs on SQLite (a file in the test's folder) and on a real PostgreSQL given by
``BRIEFPACK_TEST_POSTGRES_URL`` (``.ci/run`` starts one with scripts/test_postgres.sh). Without that
URL the PostgreSQL half skips, except under CI (``BRIEFPACK_CI=1``), where it fails instead.

The app is served by Hypercorn (as `build.py serve` ships it) on 127.0.0.1 with test_web's stand-in for the build workers (the
reports do not build anything); the kill -9 test runs it in a process of its own; the browser tests
drive Debian's Chromium through Playwright.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import http.client
import http.cookiejar
import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
from argon2 import PasswordHasher
from bs4 import BeautifulSoup
from conftest import ROOT
from databases import PASSWORD, add_coordinator, served, stored_hash
from sqlalchemy import text
from test_web import StandInPool, axe_violations, browser, free_port, post_form  # noqa: F401 (browser: a fixture)

from briefpack.app import reports_web, store
from briefpack.core.errors import InputError
from briefpack.places import geography
from briefpack.request import inputs

SAMPLE = ROOT / "tests" / "fixtures" / "tracker_sample.csv"
BANBURY = geography.resolve("Banbury")


# --- an HTTP client with cookies ------------------------------------------------------------------------

class Client:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, path: str, body: bytes | None = None, headers: dict | None = None):
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(req, timeout=60) as r:
                return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
        except urllib.error.HTTPError as e:
            return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()

    def get(self, path: str):
        return self.request(path)

    def token(self, path: str) -> str:
        status, _, body = self.get(path)
        assert status == 200, body[:500]
        return BeautifulSoup(body, "lxml").find("input", {"name": "csrf_token"})["value"]

    def post(self, path: str, fields: dict, files: dict | None = None, headers: dict | None = None):
        boundary = uuid.uuid4().hex
        parts = []
        for k, v in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
        for k, (name, data) in (files or {}).items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{name}"\r\n'
                         f'Content-Type: application/octet-stream\r\n\r\n'.encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}", **(headers or {})})

    def sign_in(self, name: str = "ann", password: str = PASSWORD):
        token = self.token("/coordinators/sign-in")
        return self.request("/coordinators/sign-in", urlencode({"csrf_token": token, "username": name,
                                                                 "password": password}).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})


def report_fields(**changes) -> dict:
    return {"club": "Soroptimist International Banbury", "parliament": "westminster", "constituency": "Banbury",
            "contact_made": "2026-06-20", "meeting_date": "2026-08-28", "met": "yes", **changes}


def a_pdf() -> bytes:
    from pypdf import PdfWriter

    out = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Reply from the Home Office"})
    writer.write(out)
    return out.getvalue()


def new_report(client: Client, files: dict | None = None, **changes) -> str:
    token = client.token("/report")
    status, headers, body = client.post("/report", {"csrf_token": token, **report_fields(**changes)}, files)
    assert status == 303, body.decode()[:2000]
    found = re.fullmatch(r"/report/([A-Za-z0-9_-]+)\?saved=1", headers["location"])
    assert found, headers["location"]
    return found.group(1)


def send_a_meeting(page, seat: str) -> None:
    """In a browser on the report form (club and choice of seat given): name ``seat``, a meeting requested,
    held and met, send, and wait for the saved report's page."""
    page.fill("#constituency", seat)
    page.fill("#contact_made", "2026-06-20")
    page.fill("#meeting_date", "2026-08-28")
    page.check("#met")
    page.click("#report-button")
    page.locator("#private-link").wait_for()
    assert "Your report is saved" in page.text_content("#notice")


# --- the tracker CSV ------------------------------------------------------------------------------------

def rows(text_: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text_)))


def test_csv_round_trip_changes_nothing(db, db_url, tmp_path):
    """The original nine columns (tests/test_tracker_csv.py: the full layout, both ways)."""
    assert store.import_csv(db, SAMPLE) == len(rows(SAMPLE.read_text(encoding="utf-8")))
    exported = store.export_csv(db, "original")
    assert rows(exported) == rows(SAMPLE.read_text(encoding="utf-8")), "the same rows, columns and order"
    again = tmp_path / "again.csv"
    again.write_text(exported, encoding="utf-8")
    assert store.import_csv(db, again) == len(rows(exported))
    assert store.export_csv(db, "original") == exported, "importing the export again changes nothing, byte for byte"
    assert db.count() == len(rows(exported)), "a second import updates the imported rows, adds none"
    shipped = ROOT / "data" / "campaign" / "tracker.csv"
    empty = store.Store(f"sqlite:///{tmp_path / 'empty.sqlite3'}", tmp_path / "empty-uploads")
    store.import_csv(empty, shipped)
    assert store.export_csv(empty, "original") == shipped.read_text(encoding="utf-8")


def test_a_bad_tracker_row_is_refused_whole(db, tmp_path):
    bad = tmp_path / "bad.csv"
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    bad.write_text("\n".join(lines[:2] + ["E14001289,Club,2026-06-25,2026-06-01,True,,,,"]) + "\n", encoding="utf-8")
    with pytest.raises(Exception, match="row 3.*before contact_made"):
        store.import_csv(db, bad)
    assert db.count() == 0, "one transaction: nothing of the file is kept"


def test_the_progress_report_reads_the_database(db):
    from briefpack.render.report import ProgressReport

    store.import_csv(db, SAMPLE)
    report = ProgressReport(dt.date(2026, 12, 31), db.entries())
    statuses = report.rows.set_index("gss_code").status
    for row in rows(SAMPLE.read_text(encoding="utf-8")):
        assert statuses[row["gss_code"]] == db.entries()[row["gss_code"]].status != "no contact"


# --- a club's report ----------------------------------------------------------------------------------------

def test_a_club_reports_and_updates_by_its_private_link(server, tmp_path):
    client = Client(server)
    pdf = a_pdf()
    token = new_report(client, {"reply_file": ("reply.pdf", pdf)}, letter_to_home_secretary="2026-09-10",
                       reply_received="2026-10-15", contact_name="Ann Example", contact_email="ann@example.org")
    status, _, body = client.get(f"/report/{token}")
    assert status == 200
    page = BeautifulSoup(body, "lxml")
    assert page.find("input", {"name": "club"})["value"] == "Soroptimist International Banbury"
    assert page.find("input", {"name": "reply_received"})["value"] == "2026-10-15"
    [report] = store.default().reports()
    assert report.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr([getattr(report, c.key) for c in store.Report.__table__.columns])
    [upload] = report.files
    assert (tmp_path / "uploads" / upload.stored_name).read_bytes() == pdf
    assert upload.stored_name != "reply.pdf" and upload.media_type == "application/pdf"

    # an update from the page as shown, then one from a page shown before it: refused, not lost
    version = page.find("input", {"name": "version"})["value"]
    csrf = page.find("input", {"name": "csrf_token"})["value"]
    first = client.post(f"/report/{token}", {"csrf_token": csrf, "version": version,
                                             **report_fields(press_release="2026-10-20",
                                                             letter_to_home_secretary="2026-09-10",
                                                             reply_received="2026-10-15")})
    assert first[0] == 303
    second = client.post(f"/report/{token}", {"csrf_token": csrf, "version": version,
                                              **report_fields(club="Someone else")})
    assert second[0] == 409
    assert "changed by someone else" in second[2].decode()
    [report] = store.default().reports()
    assert report.club == "Soroptimist International Banbury" and report.press_release == dt.date(2026, 10, 20)
    assert client.get("/report/not-a-real-token")[0] == 404


def test_a_scottish_parliament_seat_is_accepted(server):
    client = Client(server)
    seat = geography.seats(geography.SCOTTISH)[0]
    new_report(client, parliament="scottish", constituency=seat.name)
    [report] = store.default().reports()
    assert (report.parliament, report.gss_code) == (geography.SCOTTISH, seat.gss_code)


@pytest.mark.parametrize("changes, field", [
    ({"meeting_date": "2026-02-30"}, "meeting_date"),
    ({"club": "Club\x07"}, "club"),
    ({"constituency": "Nowhere At All"}, "constituency"),
    ({"contact_email": "not an address"}, "contact_email"),
    ({"met": "", "letter_to_home_secretary": "2026-09-10"}, "form"),
])
def test_every_field_is_checked_by_the_briefings_own_code(server, changes, field):
    client = Client(server)
    token = client.token("/report")
    status, _, body = client.post("/report", {"csrf_token": token, **report_fields(**changes)})
    assert status == 400
    shown = BeautifulSoup(body, "lxml").find(id=f"{field}-error").get_text(" ", strip=True)
    if field != "form":
        values = {"parliament": "westminster", field: changes[field]}
        with pytest.raises(InputError) as expected:
            inputs.check(field, changes[field], values)
        assert reports_web.for_page(expected.value) in shown
        assert "(--" not in shown
    assert store.default().count() == 0


def test_a_form_without_its_csrf_token_gets_403(server):
    client = Client(server)
    assert client.post("/report", report_fields())[0] == 403
    token = client.token("/report")
    assert client.post("/report", {"csrf_token": token[:-2] + "xx", **report_fields()})[0] == 403
    stranger = Client(server)   # the token without the browser's cookie
    assert stranger.post("/report", {"csrf_token": token, **report_fields()})[0] == 403
    other_site = client.post("/report", {"csrf_token": token, **report_fields()},
                             headers={"Origin": "https://attacker.example"})
    assert other_site[0] == 403
    assert client.request("/coordinators/sign-in", urlencode({"username": "ann", "password": "x"}).encode(),
                          {"Content-Type": "application/x-www-form-urlencoded"})[0] == 403
    assert store.default().count() == 0


def test_an_executable_renamed_pdf_is_refused(server, tmp_path):
    client = Client(server)
    token = client.token("/report")
    program = Path(sys.executable).resolve().read_bytes()[:200_000]
    status, _, body = client.post("/report", {"csrf_token": token, **report_fields()},
                                  {"reply_file": ("reply.pdf", program)})
    assert status == 400
    assert "is not a PDF, JPEG or PNG" in BeautifulSoup(body, "lxml").find(id="reply_file-error").get_text()
    assert store.default().count() == 0 and not any((tmp_path / "uploads").iterdir())


def test_a_file_over_10_mb_is_refused(server):
    client = Client(server)
    token = client.token("/report")
    big = a_pdf() + b"%" * (10 * 1024 * 1024)
    status, _, body = client.post("/report", {"csrf_token": token, **report_fields()},
                                  {"letter_file": ("letter.pdf", big)})
    assert status == 400 and "larger than 10 MB" in body.decode()
    assert store.default().count() == 0


def test_the_access_log_masks_private_links():
    from briefpack.app.webguard import loggable_path

    logged = loggable_path("/report/Abc_123-xyz")
    assert "Abc_123-xyz" not in logged and logged.startswith("/report/")


def test_reports_are_rate_limited_per_address(env, tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFPACK_REPORT_RATE", "3/minute")
    with served(tmp_path) as url:
        client = Client(url)
        for _ in range(3):
            new_report(client)
        token = client.token("/report")
        status, headers, _ = client.post("/report", {"csrf_token": token, **report_fields()})
        assert status == 429 and int(headers["retry-after"]) >= 1
    assert store.default().count() == 3


# --- coordinators ----------------------------------------------------------------------------------------

def test_signed_out_users_cannot_reach_coordinator_pages(server):
    client = Client(server)
    new_report(client, {"reply_file": ("reply.pdf", a_pdf())}, letter_to_home_secretary="2026-09-10",
               reply_received="2026-10-15")
    [upload] = store.default().reports()[0].files
    for path in ("/coordinators/", f"/coordinators/files/{upload.id}", "/coordinators/tracker.csv"):
        status, headers, body = client.get(path)
        assert status == 303 and headers["location"].endswith("/coordinators/sign-in"), path
        assert b"Soroptimist" not in body and b"%PDF" not in body


def test_a_coordinator_sees_reports_and_downloads_files_as_attachments(server):
    add_coordinator()
    club = Client(server)
    pdf = a_pdf()
    new_report(club, {"reply_file": ("reply.pdf", pdf)}, letter_to_home_secretary="2026-09-10",
               reply_received="2026-10-15", reply_summary="The minister replied.")
    coordinator = Client(server)
    status, headers, _ = coordinator.sign_in()
    assert status == 303 and headers["location"].endswith("/coordinators/")
    cookie = headers["set-cookie"].lower()
    assert cookie.startswith("briefpack_session=") and "httponly" in cookie and "samesite=strict" in cookie
    assert "secure" not in cookie, "over plain HTTP (loopback); Secure over HTTPS"
    status, headers, body = coordinator.get("/coordinators/")
    assert status == 200 and headers["cache-control"] == "no-store"
    page = BeautifulSoup(body, "lxml")
    assert "Soroptimist International Banbury" in page.find(id="replies").get_text()
    link = page.find(id="replies").find("a", attrs={"data-kind": "reply"})["href"]
    status, headers, data = coordinator.get(link)
    assert status == 200 and data == pdf
    assert headers["content-disposition"].startswith("attachment;")
    assert headers["content-type"] == "application/pdf" and headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in headers["content-security-policy"]
    status, headers, data = coordinator.get("/coordinators/tracker.csv")
    assert status == 200 and headers["content-disposition"].startswith("attachment")
    assert rows(data.decode())[0]["gss_code"] == BANBURY.gss_code
    copied = Client(server)            # someone who copied the session cookie
    for cookie in coordinator.jar:
        copied.jar.set_cookie(cookie)
    assert copied.get("/coordinators/")[0] == 200
    token = BeautifulSoup(coordinator.get("/coordinators/")[2], "lxml").find(
        "form", id="signout-form").find("input", {"name": "csrf_token"})["value"]
    assert coordinator.request("/coordinators/sign-out", urlencode({"csrf_token": token}).encode(),
                               {"Content-Type": "application/x-www-form-urlencoded"})[0] == 303
    assert coordinator.get("/coordinators/")[0] == 303, "signed out"
    assert copied.get("/coordinators/")[0] == 303, "signing out ends the copied session too"


def test_five_wrong_passwords_pause_sign_in(server):
    add_coordinator()
    client = Client(server)
    for _ in range(5):
        status, _, body = client.sign_in(password="wrong password")
        assert status == 401 and "do not match" in body.decode()
    status, _, body = client.sign_in()   # the right password, during the pause
    assert status == 401 and "paused after 5 wrong passwords" in body.decode()
    coordinator = store.default().coordinator("ann")
    assert coordinator.paused_until is not None


def test_a_hash_stored_with_weaker_parameters_is_replaced_at_the_right_sign_in(server):
    add_coordinator()
    client = Client(server)
    assert client.sign_in(password="wrong password")[0] == 401
    assert store.default().coordinator("ann").password_hash == stored_hash(), "a wrong password changes nothing"
    status, headers, _ = client.sign_in()
    assert status == 303 and headers["location"].endswith("/coordinators/")
    now = store.default().coordinator("ann").password_hash
    app_hasher = PasswordHasher()
    assert now != stored_hash() and not app_hasher.check_needs_rehash(now), "rehashed with the app's parameters"
    assert app_hasher.verify(now, PASSWORD)
    assert Client(server).sign_in()[0] == 303, "the new hash signs in"


def test_no_personal_data_or_private_link_in_the_log(server, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    client = Client(server)
    token = new_report(client, contact_name="Ann Example", contact_email="ann@example.org")
    client.get(f"/report/{token}")
    text_ = "\n".join(r.getMessage() for r in caplog.records)
    assert "report 1 made" in text_
    for secret in (token, "Ann Example", "ann@example.org", "Soroptimist"):
        assert secret not in text_


# --- retention, backup, nothing lost ---------------------------------------------------------------------

def test_purge_removes_old_uploads_and_contact_details(db):
    db.create({"parliament": "westminster", "gss_code": BANBURY.gss_code, "club": "Club",
               "contact_name": "Ann", "contact_email": "ann@example.org", "met": False,
               "reply_summary": ""}, [("reply", "application/pdf", a_pdf())])
    kept, _ = db.create({"parliament": "westminster", "gss_code": BANBURY.gss_code, "club": "Club 2",
                         "contact_name": "Bob", "met": False, "reply_summary": ""},
                        [("letter", "application/pdf", a_pdf())])
    later = store.utcnow() + dt.timedelta(days=400)
    with db.tx() as s:
        s.get(store.Report, kept.id).updated = later - dt.timedelta(days=1)
    assert db.purge(365, now=later) == (1, 1)
    old, new = db.reports()
    assert (old.contact_name, old.contact_email, old.files) == ("", "", [])
    assert new.contact_name == "Bob" and len(new.files) == 1
    assert sorted(p.name for p in db.upload_dir.iterdir()) == [new.files[0].stored_name]


def test_backup_while_reports_are_being_written(db, tmp_path):
    stop, twenty = threading.Event(), threading.Event()

    def write():
        made = 0
        while not stop.is_set():
            db.create({"parliament": "westminster", "gss_code": BANBURY.gss_code, "club": "Club", "met": False,
                       "reply_summary": ""})
            made += 1
            if made == 20:
                twenty.set()      # the backup starts while the writer goes on

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert twenty.wait(30), "twenty reports were not written in 30 s"
        target = db.backup(tmp_path / "backup" / ("campaign.sqlite3" if db.kind == "sqlite" else "campaign.dump"))
    finally:
        stop.set()
        writer.join(30)
    if db.kind == "sqlite":
        copy = sqlite3.connect(target)
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert 20 <= copy.execute("SELECT count(*) FROM reports").fetchone()[0] <= db.count()
        copy.close()
    else:
        listing = subprocess.run(["pg_restore", "--list", str(target)], capture_output=True, text=True)
        assert listing.returncode == 0 and "TABLE DATA public reports" in listing.stdout


SERVER = """
import asyncio, sys
sys.path.insert(0, {tests!r})
from hypercorn.asyncio import serve
from test_web import StandInPool
from briefpack.app import web
settings = web.Settings.from_env()
app = web.served_app(settings, pool=StandInPool())
asyncio.run(serve(app, web.hypercorn_config(settings, "127.0.0.1", {port})))
"""


@contextmanager
def server_process(tmp_path: Path, name: str, **env):
    """A server in a process of its own (``env``: settings besides this process's environment)."""
    port = free_port()
    log = open(tmp_path / f"{name}.log", "w")
    proc = subprocess.Popen([sys.executable, "-c", SERVER.format(tests=str(ROOT / "tests"), port=port)],
                            env={**os.environ, "BRIEFPACK_PACK_DIR": "-", "BRIEFPACK_REPORT_RATE": "100000/minute",
                                 "BRIEFPACK_CACHE_DIR": str(tmp_path / "cache"), **env},
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, (tmp_path / f"{name}.log").read_text()
            assert time.monotonic() < deadline, "the server did not start"
            try:
                if Client(url).get("/report")[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
        yield proc, url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
        log.close()


@pytest.mark.e2e
def test_kill_9_under_load_loses_no_acknowledged_report(env, tmp_path):
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def club(url):
        client = Client(url)
        while not stop.is_set():
            try:
                token = client.token("/report")
                status, headers, _ = client.post("/report", {"csrf_token": token, **report_fields()})
            except (OSError, http.client.HTTPException):
                return      # the server is gone (before an answer, or in the middle of one)
            if status == 303:
                with lock:
                    acknowledged.append(headers["location"].split("/")[2].split("?")[0])

    with server_process(tmp_path, "first") as (proc, url):
        threads = [threading.Thread(target=club, args=(url,)) for _ in range(8)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 120
        while len(acknowledged) < 60:
            assert time.monotonic() < deadline, "the reports were too slow"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
        stop.set()
        for t in threads:
            t.join(60)
    store.reset_default()
    with server_process(tmp_path, "second") as (proc, url):
        db = store.default()
        assert db.count() >= len(acknowledged)
        hashes = {r.token_hash for r in db.reports()}
        assert {hashlib.sha256(t.encode()).hexdigest() for t in acknowledged} <= hashes
        assert Client(url).get(f"/report/{acknowledged[-1]}")[0] == 200


# --- in a real browser ----------------------------------------------------------------------------------

def hex_counts(page) -> str:
    return page.text_content("#hex-map .chart-alt")


@pytest.mark.e2e
@pytest.mark.browser
def test_browser_club_reports_coordinator_sees_the_map_and_downloads_the_reply(server, browser, tmp_path):  # noqa: F811  (the fixture)
    add_coordinator()
    pdf_path = tmp_path / "reply.pdf"
    pdf_path.write_bytes(a_pdf())
    # bypass_csp: to inject axe-core, as test_web does
    coordinator = browser.new_context(base_url=server, accept_downloads=True, locale="en-GB", bypass_csp=True)
    club = browser.new_context(base_url=server, locale="en-GB", bypass_csp=True)
    try:
        page = coordinator.new_page()
        page.goto("/coordinators/")
        assert page.url.endswith("/coordinators/sign-in"), "signed out: sent to sign in"
        page.fill("#username", "ann")
        page.fill("#password", PASSWORD)
        page.click("#signin-button")
        page.wait_for_load_state()
        assert page.url.endswith("/coordinators/"), page.content()[:3000]
        page.locator("#hex-map").wait_for()
        before = hex_counts(page)
        assert "wrote to ministers" not in before

        # the club comes from its briefing's page (the link carries the seat) and reports
        c = club.new_page()
        c.goto(f"/report?seat={BANBURY.gss_code}")
        assert c.input_value("#constituency") == "Banbury"
        assert axe_violations(c) == []
        c.fill("#club", "Soroptimist International Banbury")
        c.fill("#contact_made", "2026-06-20")
        c.fill("#meeting_date", "2026-08-28")
        c.check("#met")
        c.fill("#letter_to_home_secretary", "2026-09-10")
        c.fill("#reply_received", "2026-10-15")
        c.set_input_files("#reply_file", str(pdf_path))
        c.click("#report-button")
        c.locator("#private-link").wait_for()
        assert "Your report is saved" in c.text_content("#notice")
        assert c.url.split("?")[0].endswith(c.get_attribute("#private-link", "href"))
        assert "The reply" in c.text_content("#files-sent")
        assert axe_violations(c) == []

        page.reload()
        after = hex_counts(page)
        assert after != before and "1 reply received" in after, after
        assert axe_violations(page) == []
        assert "Soroptimist International Banbury" in page.text_content("#replies")
        with page.expect_download() as download:
            page.click("#replies a[data-kind=reply]")
        saved = tmp_path / "downloaded.pdf"
        download.value.save_as(saved)
        assert saved.read_bytes() == pdf_path.read_bytes()

        page.click("#signout-button")
        page.goto("/coordinators/")
        assert page.url.endswith("/coordinators/sign-in")
    finally:
        coordinator.close()
        club.close()


@pytest.mark.e2e
@pytest.mark.browser
def test_browser_five_wrong_passwords_pause_sign_in(server, browser):  # noqa: F811  (the fixture)
    add_coordinator()
    context = browser.new_context(base_url=server, locale="en-GB")
    try:
        page = context.new_page()
        page.goto("/coordinators/sign-in")
        for _ in range(5):
            page.fill("#username", "ann")
            page.fill("#password", "not the password")
            page.click("#signin-button")
            assert "do not match" in page.text_content("#signin-error")
        page.fill("#username", "ann")
        page.fill("#password", PASSWORD)
        page.click("#signin-button")
        assert "paused" in page.text_content("#signin-error")
        page.goto("/coordinators/")
        assert page.url.endswith("/coordinators/sign-in")
    finally:
        context.close()


def test_a_briefings_page_links_to_its_report(server):
    client = Client(server)
    made = post_form(server + "/briefings", {"constituency": BANBURY.gss_code, "concerns": ["training", "children"],
                                              "club": "Soroptimist Banbury"}, follow=False)   # with the form's token
    assert made.status == 303
    result = BeautifulSoup(client.get(made.headers["location"])[2], "lxml")
    link = result.find(id="report-link").find("a")["href"]
    form = BeautifulSoup(client.get(link)[2], "lxml")
    assert form.find("input", {"name": "constituency"})["value"] == "Banbury"
    assert form.find("input", {"name": "club"})["value"] == "Soroptimist Banbury"


def test_the_migrations_make_the_models_schema(db):
    """Alembic's migrations and the SQLAlchemy models describe the same tables (no drift)."""
    from alembic.autogenerate import compare_metadata
    from alembic.config import Config
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(store.MIGRATIONS))
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == ScriptDirectory.from_config(cfg).get_current_head()
        assert compare_metadata(context, store.Base.metadata) == []


@pytest.mark.parametrize("scheme, secure", [("http", False), ("https", True)])
def test_the_session_cookie_is_secure_over_https(scheme, secure):
    import asyncio

    from starlette.requests import Request
    from starlette.responses import PlainTextResponse

    async def app(scope, receive, send):
        Request(scope, receive).session["coordinator"] = "ann"
        await PlainTextResponse("ok")(scope, receive, send)

    sent = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "scheme": scheme, "method": "GET", "path": "/", "root_path": "", "query_string": b"",
             "headers": [(b"host", b"127.0.0.1")], "server": ("127.0.0.1", 443 if secure else 80)}
    middleware = reports_web.Sessions(app, secret_key="k" * 32, max_age=3600)
    # in a thread of its own: Playwright's synchronous API keeps an event loop in this one
    runner = threading.Thread(target=lambda: asyncio.run(middleware(scope, receive, send)))
    runner.start()
    runner.join(30)
    cookie = dict(sent[0]["headers"])[b"set-cookie"].decode().lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert ("secure" in cookie.split("; ")) == secure


@contextmanager
def schema_of(db_url: str, revision: str):
    """A connection to a database brought only to migration ``revision`` (an older schema), in one
    transaction; the engine is disposed of after it."""
    from alembic import command
    from alembic.config import Config

    engine = store.make_engine(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(store.MIGRATIONS))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            yield conn
    finally:
        engine.dispose()


def test_an_older_database_is_upgraded_keeping_its_rows(db_url, tmp_path):
    """A database made by migration 0001 is brought to the newest schema on start, rows kept."""
    with schema_of(db_url, "0001") as conn:
        conn.execute(text("INSERT INTO coordinators (username, password_hash, failed_signins, created) "
                          "VALUES ('ann', 'x', 0, CURRENT_TIMESTAMP)"))
    db = store.Store(db_url, tmp_path / "uploads")
    try:
        c = db.coordinator("ann")
        assert c is not None and c.signed_out is None
    finally:
        db.close()
