"""The web server hardened (issue 17, points 9 and 6), each on 127.0.0.1 with bounded loops.

Fast tests run the app in this process with the HTTP server and settings `build.py serve` ships
(web.hypercorn_config) and the stand-in worker pool of test_web; ``e2e`` tests run the real server
with real warm workers (a killed browser, abandoned posts, the letter's file properties, the log).
"""
from __future__ import annotations

import io
import json
import logging
import os
import signal
import socket
import threading
import time
from pathlib import Path

import pytest
import test_web
from test_web import (
    BANBURY,
    StandInPool,
    assert_security_headers,
    briefing_request,
    fetch,
    form_token,
    in_process_server,
    post_form,
    real_server,
)

from briefpack.app import web, webguard
from briefpack.places import postcodes

browser = test_web.browser      # Chromium through Playwright, as test_web's browser tests have it

HEADER_SECONDS = web.Settings().header_seconds    # the deadline the project ships
FORM = briefing_request(club="Soroptimists")


def settings_for(tmp_path: Path, **changes) -> web.Settings:
    cache = tmp_path / "cache"
    cache.mkdir(exist_ok=True)
    return web.Settings(cache_parent=str(cache), pack_dir="-", body_seconds=2, **changes)


@pytest.fixture
def served(tmp_path):
    pool = StandInPool(max_waiting=4)
    with in_process_server(settings_for(tmp_path, per_client=100), pool) as (url, app):
        yield url, pool, app


def host_port(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


def raw_request(url: str, data: bytes, timeout: float = 30) -> bytes:
    """Send ``data`` as it is on a new connection and read the answer until the server closes it."""
    with socket.create_connection(host_port(url), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def status_and_headers(answer: bytes) -> tuple[int, dict]:
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(head[0].split()[1]), headers


def closed_by_server(sock: socket.socket) -> bool:
    """True once the server has closed this connection (a read gives end of file or a reset)."""
    sock.setblocking(False)
    try:
        return sock.recv(1024) == b""
    except BlockingIOError:
        return False
    except ConnectionError:
        return True
    finally:
        sock.setblocking(True)


# --- idle connections and slow headers ---------------------------------------------------------------

@pytest.mark.e2e  # a real server's time limits, waited for
def test_a_thousand_idle_connections_lock_nobody_out_and_are_closed_within_seconds(served):
    url, *_ = served
    idle = [socket.create_connection(host_port(url), timeout=10) for _ in range(1000)]
    try:
        opened = time.monotonic()
        for path in ("/healthz", "/api/constituencies?q=Banbury", "/"):
            reply = fetch(url + path, timeout=30)
            assert reply.status == 200, (path, reply.status)
        assert fetch(url + "/api/briefings", briefing_request()).status == 200
        deadline = opened + HEADER_SECONDS + 30
        open_ones = list(idle)
        while open_ones and time.monotonic() < deadline:
            open_ones = [s for s in open_ones if not closed_by_server(s)]
            time.sleep(0.2)
        assert not open_ones, f"{len(open_ones)} idle connections still open after {HEADER_SECONDS + 30:g} s"
    finally:
        for s in idle:
            s.close()


@pytest.mark.e2e  # a real server's time limits, waited for
def test_headers_sent_slowly_are_cut_off_and_others_are_served_meanwhile(served):
    url, *_ = served
    with socket.create_connection(host_port(url), timeout=10) as slow:
        slow.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started, lines, closed = time.monotonic(), 0, False
        for lines in range(1, 41):                  # one header line a second, 40 at most
            assert fetch(url + "/healthz", timeout=10).status == 200, "others are served meanwhile"
            try:
                slow.sendall(f"X-Slow-{lines}: still coming\r\n".encode())
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if closed_by_server(slow):
                closed = True
                break
            time.sleep(1)
        assert closed, f"a client sending a header line a second was still connected after {lines} lines"
        took = time.monotonic() - started
    assert took < HEADER_SECONDS + 10, f"closed after {took:.1f} s, later than the {HEADER_SECONDS:g} s deadline"


def test_the_header_deadline_is_the_servers_keep_alive_timeout():
    config = web.hypercorn_config(web.Settings(), "127.0.0.1", 8000)
    assert config.keep_alive_timeout == HEADER_SECONDS and config.include_server_header is False


# --- requests nobody honest sends --------------------------------------------------------------------

@pytest.mark.e2e  # a real server's time limits, waited for
def test_content_length_with_chunked_encoding_is_refused_with_headers(served):
    url, *_ = served
    body = json.dumps(briefing_request()).encode()
    answer = raw_request(url, b"POST /api/briefings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                              b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n"
                         % (len(body), len(body), body))
    status, headers = status_and_headers(answer)
    assert status == 400 and headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    answer = raw_request(url, b"POST /api/briefings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                              b"Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}")
    assert status_and_headers(answer)[0] == 400


def test_the_servers_own_400_carries_the_security_headers(served):
    url, *_ = served
    status, headers = status_and_headers(raw_request(url, b"NOT HTTP AT ALL\r\n\r\n"))
    assert status == 400
    for name, value in web.SECURITY_HEADERS.items():
        assert headers[name] == value, name


def test_the_apps_400_and_503_carry_the_security_headers(served):
    url, pool, _ = served
    assert_security_headers(fetch(url + "/api/briefings", b"[" * 1000 + b"]" * 1000,
                                  {"Content-Type": "application/json"}, "POST"))
    pool.gate.clear()
    try:
        answers = []
        threads = [threading.Thread(target=lambda: answers.append(fetch(url + "/api/briefings", briefing_request())))
                   for _ in range(pool.max_waiting + 1)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while len(pool.waiting) < pool.max_waiting and time.monotonic() < deadline:
            time.sleep(0.01)
        busy = fetch(url + "/api/briefings", briefing_request())
        assert busy.status == 503
        assert_security_headers(busy)
    finally:
        pool.gate.set()
        for t in threads:
            t.join(30)


def test_redirects_do_not_copy_the_host_header(served):
    url, *_ = served
    answer = raw_request(url, b"GET /pack HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
    status, headers = status_and_headers(answer)
    assert status == 308 and headers["location"] == "/pack/"
    answer = raw_request(url, b"GET /briefings/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
    status, headers = status_and_headers(answer)
    assert "location" not in headers and status in (404, 405)
    reply = post_form(url + "/briefings", FORM, follow=False)
    assert reply.status == 303 and reply.headers["location"].startswith("/briefings/")


# --- the form: token and origin ------------------------------------------------------------------------



def test_the_form_needs_its_token_and_cookie(served):
    from urllib.parse import urlencode

    url, *_ = served
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    no_token = fetch(url + "/briefings", urlencode(FORM, doseq=True), headers, "POST", follow=False)
    assert no_token.status == 403 and "send the form again" in no_token.text
    assert no_token.soup().find("input", attrs={"name": "club"})["value"] == "Soroptimists", "answers kept"
    token, cookie = form_token(url)
    no_cookie = fetch(url + "/briefings", urlencode({**FORM, "csrf_token": token}, doseq=True), headers, "POST",
                      follow=False)
    assert no_cookie.status == 403
    _, other_cookie = form_token(url)
    wrong_cookie = fetch(url + "/briefings", urlencode({**FORM, "csrf_token": token}, doseq=True),
                         {**headers, "Cookie": other_cookie}, "POST", follow=False)
    assert wrong_cookie.status == 403
    good = fetch(url + "/briefings", urlencode({**FORM, "csrf_token": token}, doseq=True),
                 {**headers, "Cookie": cookie}, "POST", follow=False)
    assert good.status == 303


def test_a_browsers_own_form_post_with_a_null_origin_is_accepted(served):
    """Chromium sends ``Origin: null`` for a form on a page with ``Referrer-Policy: no-referrer``."""
    from urllib.parse import urlencode

    url, *_ = served
    token, cookie = form_token(url)
    reply = fetch(url + "/briefings", urlencode({**FORM, "csrf_token": token}, doseq=True),
                  {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "Origin": "null",
                   "Sec-Fetch-Site": "same-origin"}, "POST", follow=False)
    assert reply.status == 303


def test_the_form_cookie_is_strict_and_http_only(served):
    url, *_ = served
    cookie = fetch(url + "/").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie


@pytest.mark.parametrize("header", [{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                                    {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
                                    {"Origin": "http://127.0.0.1", "Sec-Fetch-Site": "same-site"}])
def test_a_post_from_another_site_is_refused(served, header):
    from urllib.parse import urlencode

    url, *_ = served
    token, cookie = form_token(url)
    reply = fetch(url + "/briefings", urlencode({**FORM, "csrf_token": token}, doseq=True),
                  {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, **header}, "POST",
                  follow=False)
    assert reply.status == 403 and "another site" in reply.text
    api = fetch(url + "/api/briefings", briefing_request(), header)
    assert api.status == 403 and "another site" in api.json()["error"]
    same = fetch(url + "/api/briefings", briefing_request(), {"Origin": url})
    assert same.status == 200


@pytest.mark.browser
def test_a_real_browser_posting_from_another_site_is_refused(served, browser):
    """A page on another site with a copy of our form, a token and all, posted by Chromium."""
    url, pool, _ = served
    token, _ = form_token(url)
    fields = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in
                     [("constituency", BANBURY.gss_code), ("concerns", "training"), ("concerns", "children"),
                      ("club", "Not the club"), ("csrf_token", token)])
    evil = f'<!DOCTYPE html><form method="post" action="{url}/briefings">{fields}<button id="go">Go</button></form>'
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(url + "/")                       # the user has been to our page: they hold our cookie
        page.route("http://evil.test/", lambda route: route.fulfill(body=evil, content_type="text/html"))
        page.goto("http://evil.test/")
        with page.expect_navigation():
            page.click("#go")
        assert "another site" in page.text_content("#notice")
        assert not any(dict(job.parameters).get("club") == "Not the club" for job in pool.jobs)
    finally:
        context.close()


def test_the_guard_is_reusable_by_other_forms():
    """What a mounted app (club reports, coordinators) calls: issue on the page, check on the post."""
    from starlette.requests import Request

    guard = webguard.FormGuard(secret="test secret")
    page = Request({"type": "http", "method": "GET", "path": "/", "headers": [(b"host", b"127.0.0.1")],
                    "scheme": "http", "server": ("127.0.0.1", 80), "query_string": b""})
    token, cookie = guard.issue(page)
    assert cookie and token
    post = Request({"type": "http", "method": "POST", "path": "/", "scheme": "http", "server": ("127.0.0.1", 80),
                    "query_string": b"", "headers": [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1"),
                                                     (b"cookie", f"{guard.COOKIE}={cookie}".encode())]})
    assert guard.check(post, token) is None
    assert guard.check(post, token + "x") is not None
    assert webguard.FormGuard(secret="another").check(post, token) is not None


# --- hostile JSON and characters ----------------------------------------------------------------------

@pytest.mark.parametrize("body, words", [
    (b"[" * 1000 + b"]" * 1000, "nested too deeply"),
    (b'{"club": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nested too deeply"),
    (b'{"club": ' + b"9" * 5000 + b"}", "5000 characters long"),
    (b'{"club": 1.' + b"5" * 5000 + b"}", "characters long"),
])
def test_deep_json_and_long_numbers_give_400_with_a_message(served, body, words):
    url, *_ = served
    reply = fetch(url + "/api/briefings", body, {"Content-Type": "application/json"}, "POST")
    assert reply.status == 400 and words in reply.json()["error"], reply.text


@pytest.mark.parametrize("char", ["\ufffe", "\uffff"])
def test_noncharacters_are_refused_with_the_control_characters(served, char):
    url, *_ = served
    reply = fetch(url + "/api/briefings", briefing_request(club=f"Soroptimists{char}"))
    assert reply.status == 400 and reply.json()["field"] == "club"
    assert f"U+{ord(char):04X}" in reply.json()["error"]
    page = post_form(url + "/briefings", {**FORM, "club": f"Soroptimists{char}"})
    assert page.status == 400 and f"U+{ord(char):04X}" in page.soup().find(id="club-error").get_text()


@pytest.mark.parametrize("char", ["\ufffe", "\uffff"])
def test_the_command_line_refuses_noncharacters_too(char):
    from briefpack.build import plan
    from briefpack.core.errors import InputError

    with pytest.raises(InputError, match=f"U\\+{ord(char):04X}"):
        plan.briefing_job(constituency="Banbury", club=f"Soroptimists{char}")


# --- builds nobody waits for, and one client's share ------------------------------------------------------

def post_and_leave(url: str) -> None:
    body = json.dumps(briefing_request()).encode()
    with socket.create_connection(host_port(url), timeout=10) as s:
        s.sendall(b"POST /api/briefings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n%s" % (len(body), body))


def test_a_build_whose_client_has_gone_is_cancelled(tmp_path):
    pool = StandInPool(max_waiting=10)
    pool.gate.clear()              # the stand-in holds its jobs: the abandoned posts stay queued
    with in_process_server(settings_for(tmp_path, per_client=100), pool) as (url, app):
        try:
            for _ in range(10):
                post_and_leave(url)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                futures = [task[3] for task in list(pool.waiting)]
                if len(futures) + pool.busy >= 10 and all(f.cancelled() for f in futures):
                    break
                time.sleep(0.05)
            assert futures and all(f.cancelled() for f in futures), "the queued builds of gone clients are cancelled"
        finally:
            pool.gate.set()
        deadline = time.monotonic() + 30
        while pool.waiting and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(pool.jobs) <= 1, "only the build already running when its client left was made"
        cache = Path(app.state.service.cache.root)
        while list(cache.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list(cache.iterdir()) == [], "nothing of theirs is kept"


def test_one_client_may_have_only_so_many_builds_waiting(tmp_path):
    pool = StandInPool(max_waiting=10)
    pool.gate.clear()
    with in_process_server(settings_for(tmp_path, per_client=2), pool) as (url, _):
        answers, threads = [], []
        try:
            for _ in range(2):
                threads.append(threading.Thread(target=lambda: answers.append(
                    fetch(url + "/api/briefings", briefing_request()))))
                threads[-1].start()
            deadline = time.monotonic() + 30
            while len(pool.waiting) + pool.busy < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            third = fetch(url + "/api/briefings", briefing_request())
            assert third.status == 429 and "wait for them to finish" in third.json()["error"]
            assert int(third.headers["retry-after"]) >= 1
            page = post_form(url + "/briefings", FORM)
            assert page.status == 429 and "wait for them to finish" in page.text
            claimed = fetch(url + "/api/briefings", briefing_request(), {"X-Forwarded-For": "10.0.0.9"})
            assert claimed.status == 429, "with no trusted proxy, a claimed address is ignored"
        finally:
            pool.gate.set()
            for t in threads:
                t.join(30)
        assert [a.status for a in answers] == [200, 200]
        assert fetch(url + "/api/briefings", briefing_request()).status == 200, "once they are made, the next"


def test_behind_a_trusted_proxy_the_limit_is_per_forwarded_address(tmp_path):
    pool = StandInPool(max_waiting=10)
    pool.gate.clear()
    with in_process_server(settings_for(tmp_path, per_client=1, proxy_hops=1), pool) as (url, _):
        answers, threads = [], []
        try:
            for client in ("10.0.0.1", "10.0.0.2"):
                threads.append(threading.Thread(target=lambda c=client: answers.append(
                    fetch(url + "/api/briefings", briefing_request(), {"X-Forwarded-For": c}))))
                threads[-1].start()
            deadline = time.monotonic() + 30
            while len(pool.waiting) + pool.busy < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert len(pool.waiting) + pool.busy == 2, "two clients behind the proxy, one build each"
            again = fetch(url + "/api/briefings", briefing_request(), {"X-Forwarded-For": "10.0.0.1"})
            assert again.status == 429
        finally:
            pool.gate.set()
            for t in threads:
                t.join(30)
        assert sorted(a.status for a in answers) == [200, 200]


# --- personal data ---------------------------------------------------------------------------------------

def test_expired_results_are_removed_on_a_timer(tmp_path):
    pool = StandInPool()
    with in_process_server(settings_for(tmp_path, cache_seconds=0.5, per_client=100), pool) as (url, app):
        made = fetch(url + "/api/briefings", briefing_request()).json()
        cache = Path(app.state.service.cache.root)
        token = made["page"].rsplit("/", 1)[1]
        assert (cache / token).is_dir()
        deadline = time.monotonic() + 30
        while (cache / token).exists() and time.monotonic() < deadline:   # no request touches the cache
            time.sleep(0.02)
        assert not (cache / token).exists(), "an expired briefing stays on disk"
        assert fetch(url + made["page"]).status == 404


def test_the_access_log_has_no_result_link_postcode_or_address(served):
    url, *_ = served
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    handler = Keep()
    webguard.access_log.addHandler(handler)
    level = webguard.access_log.level
    webguard.access_log.setLevel(logging.INFO)
    try:
        address = "12 Secret Lane, Banbury OX16 0AH"
        fetch(url + "/?q=" + postcodes.EXAMPLE.replace(" ", "+"))
        fetch(url + "/api/constituencies?q=" + postcodes.EXAMPLE.replace(" ", "%20"))
        made = fetch(url + "/api/briefings", briefing_request(address=address)).json()
        token = made["page"].rsplit("/", 1)[1]
        for link in (made["page"], made["pdf"], made["letter"]):
            assert fetch(url + link).status == 200
    finally:
        webguard.access_log.removeHandler(handler)
        webguard.access_log.setLevel(level)
    text = "\n".join(records)
    assert "GET /briefings/…/pdf 200" in text and "POST /api/briefings 200" in text, text
    assert token not in text
    compact = text.replace(" ", "").replace("+", "").replace("%20", "").upper()
    assert postcodes.EXAMPLE.replace(" ", "").upper() not in compact and "SECRET" not in compact


# --- the real server: a dead browser, warm workers, abandoned posts, the letter's file (e2e) ---------

def browser_pids(tmp: Path) -> list[int]:
    """The main Chromium processes of the server's workers (they inherit its TMPDIR)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            env = (entry / "environ").read_bytes().split(b"\0")
            args = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if (any(v.startswith(f"TMPDIR={tmp}".encode()) for v in env) and b"chrom" in os.path.basename(args[0])
                and not any(a.startswith(b"--type=") for a in args) and state != "Z"):
            found.append(int(entry.name))
    return found


def health(url: str) -> tuple[int, dict]:
    reply = fetch(url + "/healthz", timeout=10)
    return reply.status, reply.json()


@pytest.mark.e2e
def test_healthz_is_ready_only_when_warm_and_a_dead_browser_is_relaunched(tmp_path):
    with real_server(tmp_path, jobs=1, ready=False, per_client=100, BRIEFPACK_LOG_LEVEL="info") as served:
        # while the worker warms (about 7 s), the server answers but is not ready
        status, doc = health(served.url)
        assert status == 503 and doc["status"] == "starting", doc
        assert [w["state"] for w in doc["worker_states"]] == ["warming"] and not doc["worker_states"][0]["warm"]
        deadline = time.monotonic() + 180
        while health(served.url)[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        status, doc = health(served.url)
        assert status == 200 and doc["status"] == "ready"
        assert all(w["warm"] and w["browser"] == "up" and w["ready"] for w in doc["worker_states"]), doc
        first = fetch(served.url + "/api/briefings", briefing_request())
        assert first.status == 200
        assert first.json()["seconds"] < 5, "a warm worker builds in its usual time"

        # the browser dies while the worker is idle: /healthz says so, and the worker launches another
        [pid] = browser_pids(served.tmp)
        os.kill(pid, signal.SIGKILL)
        status, doc = health(served.url)
        assert status == 503 and doc["status"] == "starting", doc
        assert not doc["worker_states"][0]["ready"], doc
        deadline = time.monotonic() + 120
        while health(served.url)[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        status, doc = health(served.url)
        assert status == 200 and doc["worker_states"][0]["browser"] == "up"
        assert browser_pids(served.tmp) != [pid]

        # the browser dies just before a build: the build still gives its PDF
        [pid] = browser_pids(served.tmp)
        os.kill(pid, signal.SIGKILL)
        reply = fetch(served.url + "/api/briefings", briefing_request())
        assert reply.status == 200, reply.text
        assert fetch(served.url + reply.json()["pdf"]).body.startswith(b"%PDF")
        for _ in range(3):
            assert fetch(served.url + "/api/briefings", briefing_request()).status == 200, "and every later one"
        log = served.log.read_text()
    assert "POST /api/briefings 200" in log and "TargetClosedError" not in log


@pytest.mark.e2e
def test_abandoned_posts_do_not_fill_the_queue(tmp_path):
    with real_server(tmp_path, jobs=1, per_client=100, BRIEFPACK_MAX_WAITING=3) as served:
        for _ in range(10):
            post_and_leave(served.url)
        deadline = time.monotonic() + 60
        while health(served.url)[1]["waiting"] and time.monotonic() < deadline:   # their places are freed
            time.sleep(0.05)
        reply = fetch(served.url + "/api/briefings", briefing_request())
        assert reply.status == 200, reply.text
        while health(served.url)[1]["busy"] and time.monotonic() < deadline:
            time.sleep(0.1)
        built = sum(w["builds"] for w in health(served.url)[1]["worker_states"])
        # the one that waited, and at most the one or two already running when their clients left
        assert built <= 3, f"{built} builds ran for 10 clients that had gone and one that waited"


@pytest.mark.e2e
def test_the_letter_file_does_not_carry_the_senders_name(tmp_path):
    from docx import Document

    with real_server(tmp_path, jobs=1, per_client=100) as served:
        made = fetch(served.url + "/api/briefings", briefing_request(sender_name="Ada Lovelace")).json()
        letter = fetch(served.url + made["letter"])
    doc = Document(io.BytesIO(letter.body))
    assert doc.core_properties.author == "" and doc.core_properties.last_modified_by == ""
    assert "Ada Lovelace" in "\n".join(p.text for p in doc.paragraphs), "the letter itself is signed"
