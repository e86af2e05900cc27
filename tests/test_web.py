"""The web page and JSON API (issue 11).

Three layers:
- fast tests of the app's own code and of the app served by Hypercorn in this process with a stand-in
  for the worker pool (it writes small placeholder files, and can hold jobs to fill the queue);
- ``e2e``: the real server (`build.py serve`) with real warm workers: every status code, hostile
  input, a full queue, a killed worker, a clean stop on SIGTERM;
- ``browser``: Chromium through Playwright: the postcode journey with and without JavaScript, errors
  beside their fields, axe-core on the start, result and error pages, the pack's offline index.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, XSS, run_cli
from test_faults import _left_behind, _workers

from briefpack.app import web, webform
from briefpack.build.jobs import Result, output_name
from briefpack.core.errors import InputError
from briefpack.places import geography, members
from briefpack.request import inputs
from briefpack.words import content

BANBURY = geography.resolve("Banbury")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


# --- helpers -------------------------------------------------------------------------------------

@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)

    def soup(self) -> BeautifulSoup:
        return BeautifulSoup(self.body, "lxml")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, body=None, headers=None, method=None, follow=True, timeout=180) -> Reply:
    """One HTTP request with the standard library; any status comes back as a Reply."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", **(headers or {})}
    elif isinstance(body, str):
        body = body.encode()
    req = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    opener = urllib.request.build_opener(*([] if follow else [_NoRedirect()]))
    try:
        with opener.open(req, timeout=timeout) as r:
            return Reply(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
    except urllib.error.HTTPError as e:
        return Reply(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())


def form_token(url: str) -> tuple[str, str]:
    """(the form's token, the Cookie header) as the start page at ``url`` gives them to a browser."""
    start = fetch(url.rsplit("/briefings", 1)[0].removesuffix("/scottish") + "/")   # any form's token and cookie
    token = start.soup().find("input", attrs={"name": "csrf_token"})["value"]
    cookie = start.headers["set-cookie"].split(";")[0]
    return token, cookie


def post_form(url: str, pairs, follow=True, token=True) -> Reply:
    """The form posted as a browser posts it from the start page: with its token and cookie."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if token:
        value, cookie = form_token(url)
        pairs = [*(pairs.items() if isinstance(pairs, dict) else pairs), ("csrf_token", value)]
        headers["Cookie"] = cookie
    return fetch(url, urlencode(pairs, doseq=True), headers, "POST", follow)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def briefing_request(**changes) -> dict:
    return {"constituency": BANBURY.gss_code, "concerns": ["training", "children", "policing"],
            "club": "Soroptimist International Banbury", **changes}


def cli_error(*args) -> str:
    """The one-line message the command line gives for the same input."""
    import tempfile

    with tempfile.TemporaryDirectory() as out:
        proc = run_cli(*args, "--formats", "html", "--out", out)
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")]
    assert proc.returncode != 0 and lines, proc.stderr
    return lines[0][len("error: "):]


def expected_exception(**parameters) -> InputError:
    """The error the command line's own check raises for these parameters of a Banbury briefing."""
    from briefpack.build import plan

    with pytest.raises(InputError) as err:
        plan.briefing_job(**{"constituency": "Banbury", "concerns": ["training", "data"], **parameters})
    return err.value


def expected_error(**parameters) -> str:
    """The message the command line's own check gives for these parameters of a Banbury briefing."""
    return str(expected_exception(**parameters))


def assert_security_headers(reply: Reply) -> None:
    csp = reply.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'none'" in csp
    assert "http:" not in csp and "https:" not in csp and "*" not in csp, "nothing from other origins"
    assert reply.headers["x-content-type-options"] == "nosniff"


# --- a stand-in for the worker pool (tests only) ----------------------------------------------------

class StandInPool:
    """Stands in for briefpack.build.pool.WorkerPool: writes placeholder files instead of building, in
    one thread; while ``gate`` is clear it holds the jobs, so a test can fill the queue."""

    def __init__(self, max_waiting: int = 16):
        self.max_waiting = max_waiting
        self.gate = threading.Event()
        self.gate.set()
        self.waiting: list = []
        self.busy = 0
        self.jobs: list = []
        self.started = self.closed = False
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.started = True
        self._thread.start()

    def submit(self, job, out_dir, formats):
        from concurrent.futures import Future

        with self._lock:
            if len(self.waiting) >= self.max_waiting:
                raise web.Busy(len(self.waiting), 7)
            future = Future()
            self.waiting.append((job, Path(out_dir), tuple(formats), future))
            self._wake.notify()
        return future

    def _run(self):
        while True:
            with self._lock:
                while not self.waiting and not self.closed:
                    self._wake.wait()
                if self.closed:
                    return
                task = self.waiting.pop(0)
                self.busy = 1
            self.gate.wait()
            job, out_dir, formats, future = task
            if future.set_running_or_notify_cancel():
                future.set_result(self._write(job, out_dir, formats))
            with self._lock:
                self.busy = 0

    def _write(self, job, out_dir, formats) -> Result:
        self.jobs.append(job)
        if dict(job.parameters).get("club") == "fail me":
            return Result(job, "failed", "cell 3: something broke", 0.01)
        payloads = {"html": f"<!DOCTYPE html><html><head><style>p{{color:red}}</style></head><body><main>"
                            f"<p class='stand-in'>{job.key}</p></main></body></html>".encode(),
                    "pdf": b"%PDF-1.4 stand-in", "docx": b"PK stand-in"}
        outputs = []
        for fmt in formats:
            path = out_dir / output_name(job, fmt)
            path.write_bytes(payloads[fmt])
            outputs.append(str(path))
        return Result(job, "built", seconds=0.01, outputs=outputs)

    def stats(self):
        return {"workers": 1, "busy": self.busy, "waiting": len(self.waiting), "restarts": 0}

    def retry_after(self):
        return 7

    def close(self):
        with self._lock:
            self.closed = True
            self._wake.notify_all()
        self.gate.set()


@contextmanager
def in_process_server(settings: web.Settings, pool):
    """The app served in a thread of this process, on a free loopback port, by the HTTP server and
    settings that `build.py serve` ships (web.hypercorn_config)."""
    import asyncio

    from hypercorn.asyncio import serve

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)   # listening before the server starts: the first request waits, no polling
    port = listener.getsockname()[1]
    app = web.served_app(settings, pool=pool)
    config = web.hypercorn_config(settings, "127.0.0.1", port)
    config.bind = [f"fd://{listener.detach()}"]   # Hypercorn's documented bind to an open socket
    loop = asyncio.new_event_loop()
    stop: list = []

    def run():
        asyncio.set_event_loop(loop)

        async def main():
            stop.append(asyncio.Event())
            await serve(app, config, shutdown_trigger=stop[0].wait)

        loop.run_until_complete(main())
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:   # the request waits in the socket's queue until the server takes it: no sleep
        try:
            fetch(url + "/healthz", timeout=2)
            break
        except OSError:
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
    try:
        yield url, app
    finally:
        loop.call_soon_threadsafe(stop[0].set)
        thread.join(30)


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory) -> Path:
    """A small pack folder as `build.py build --all` leaves it: an index and a briefing's files (placeholders)."""
    from briefpack.render.index import write_index

    folder = tmp_path_factory.mktemp("pack")
    (folder / "banbury.html").write_text("<!DOCTYPE html><html lang='en-GB'><head><title>Banbury</title>"
                                         "<style>h1{color:purple}</style></head><body><main><h1>Banbury</h1>"
                                         "</main></body></html>", encoding="utf-8")
    (folder / "banbury.pdf").write_bytes(b"%PDF-1.4 placeholder")
    (folder / "manifest.jsonl").write_text("{}\n", encoding="utf-8")
    (folder / ".secret.html").write_text("hidden", encoding="utf-8")
    write_index(folder, [{"key": BANBURY.gss_code, "slug": "banbury", "name": "Banbury", "region": "South East",
                          "mp": "x", "party": "y", "files": ["banbury.html", "banbury.pdf"]}])
    return folder


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory, pack_dir):
    cache = tmp_path_factory.mktemp("cache")
    pool = StandInPool(max_waiting=1)
    # per_client: every test request comes from 127.0.0.1, standing in for many users
    settings = web.Settings(cache_parent=str(cache), pack_dir=str(pack_dir), max_body=16 * 1024, body_seconds=0.5,
                            per_client=100)
    with in_process_server(settings, pool) as (url, app):
        yield url, pool, app, cache
    assert pool.closed and pool.started, "the app starts and closes its pool"
    assert list(cache.iterdir()) == [], "the cache folder is removed on exit"


# --- the app's own code ----------------------------------------------------------------------------

def test_settings_from_the_environment():
    s = web.Settings.from_env({"BRIEFPACK_WORKERS": "3", "BRIEFPACK_MAX_WAITING": "0", "BRIEFPACK_JOB_TIMEOUT": "30",
                               "BRIEFPACK_PACK_DIR": "-"})
    assert (s.workers, s.waiting_limit, s.job_timeout, s.pack_folder()) == (3, 0, 30.0, None)
    default = web.Settings.from_env({}, workers=4)
    assert (default.workers, default.waiting_limit) == (4, 16)
    with pytest.raises(InputError, match="BRIEFPACK_WORKERS='two' is not a number"):
        web.Settings.from_env({"BRIEFPACK_WORKERS": "two"})
    with pytest.raises(InputError, match="BRIEFPACK_MAX_BODY='10' is below 1024"):
        web.Settings.from_env({"BRIEFPACK_MAX_BODY": "10"})


def test_document_csp_allows_only_its_own_inline_code_by_hash():
    import base64
    import hashlib

    html = ("<style>p{color:red}</style><script>go()</script><script type='application/json'>{}</script>"
            "<script src='x.js'></script>")
    csp = web.document_csp(html)
    for body in ("p{color:red}", "go()"):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert csp.count("sha256-") == 2, "data blocks and external scripts are not hashed"
    assert "frame-ancestors 'none'" in csp and "unsafe" not in csp
    assert "script-src 'none'" in web.document_csp("<p>no code</p>")


def test_briefing_css_is_scoped_to_the_view():
    css = web.scope_css(":root { --a: 1; } @page { size: A4; } html { x: 1 } main, h1 { y: 2 } "
                        "@media print { main { z: 3 } .a .b { w: 4 } } body.briefing { v: 5 }", ".v")
    assert "@page" not in css
    assert ".v  {" not in css and ".v {" in css
    assert ".v h1 { y: 2 }" in css and "@media print { .v {" in css and ".v .a .b { w: 4 }" in css
    real = web._static_files()["briefing-view.css"][0].decode()
    rules = [line.split("{")[0] for line in real.splitlines() if line.strip() and not line.startswith("@")]
    assert rules and all(sel.strip().startswith(".briefing-view") for r in rules for sel in r.split(","))


def test_errors_name_their_field():
    assert web.field_of(InputError("x", "address")) == "address"
    assert web.field_of(InputError("x", "member_name")) is None, "not a field of the form"
    assert web.field_of(InputError("Something else")) is None
    # The form's own checks (the command line's code) name the field of each error they raise.
    for form, field in ((web.Form("Banbury", meeting_date="2026-13-45", concerns_given=False), "meeting_date"),
                        (web.Form("Banbury", concerns=("training",), concerns_given=True), "concerns"),
                        (web.Form("Atlantis", concerns_given=False), "constituency"),
                        (web.Form("Banbury", address="\n".join(["line"] * 9), concerns_given=False), "address")):
        with pytest.raises(InputError) as error:
            form.job()
        assert web.field_of(error.value) == field, str(error.value)


@pytest.mark.parametrize("doc,message", [
    ([], "Send a JSON object"),
    ({"constituency": "Banbury", "colour": "red"}, "Unknown field 'colour'"),
    ({"constituency": "Banbury", "concerns": [1, 2]}, "should be a list of concern keys"),
    ({"constituency": {"x": 1}}, "'constituency' should be text"),
])
def test_json_body_shape_is_checked(doc, message):
    with pytest.raises(InputError, match=message):
        web.Form.from_json(doc)


def test_cache_is_bounded_by_count_and_age_and_removed_on_close(tmp_path):
    cache = web.Cache(max_items=2, max_age=3600, parent=str(tmp_path))
    seat = web.search.seat_match(BANBURY.gss_code)
    made = []
    for _ in range(3):
        token, folder = cache.new_folder()
        (folder / "x.pdf").write_bytes(b"x")
        made.append(web.Made(token, folder, seat, "", (), {"pdf": folder / "x.pdf"}, 0.1))
        cache.add(made[-1])
    assert cache.get(made[0].token) is None and not made[0].folder.exists(), "the oldest went first"
    assert cache.get(made[2].token) is made[2]
    made[1].created -= 7200
    assert cache.get(made[1].token) is None and not made[1].folder.exists(), "too old"
    cache.close()
    assert not cache.root.exists()


def test_cache_folders_of_a_killed_server_are_removed(tmp_path):
    stale = tmp_path / "briefpack-web-999999999-abc"
    stale.mkdir()
    web.Cache(2, 60, str(tmp_path)).close()
    assert not stale.exists()


# --- the app in this process, with the stand-in pool -------------------------------------------------

def test_start_page_labelled_en_gb_and_self_contained(stand_in):
    url, *_ = stand_in
    reply = fetch(url + "/")
    assert reply.status == 200
    page = reply.soup()
    assert page.html["lang"] == "en-GB"
    for field in page.select("input:not([type=hidden]), textarea"):
        assert page.find("label", attrs={"for": field["id"]}), f"#{field['id']} has a label"
    for tag in page.find_all(["script", "link", "img"]):
        ref = tag.get("src") or tag.get("href") or ""
        assert not ref.startswith(("http:", "https:", "//")), "nothing from other origins"
    assert page.find("script", src="/static/app.js")
    assert page.find(id="make-section").has_attr("hidden"), "the form appears once a seat is chosen"
    concerns = content.concerns()
    for key, concern in concerns.items():
        box = page.find("input", attrs={"type": "checkbox", "value": key})
        assert box and concern.summary in page.find(id=box["aria-describedby"]).get_text()


def test_postcode_search_without_javascript(stand_in):
    url, *_ = stand_in
    page = fetch(url + "/?" + urlencode({"q": "ox16 5aa"})).soup()
    link = page.select_one("#matches a[data-code]")
    member = members.member(BANBURY)
    assert link.get_text() == "Banbury" and member.name in page.select_one("#matches").get_text()
    assert "Check this is your constituency" in page.select_one("#matches").get_text()
    chosen = fetch(url + link["href"].split("#")[0]).soup()
    assert not chosen.find(id="make-section").has_attr("hidden")
    assert chosen.find("input", attrs={"name": "constituency"})["value"] == BANBURY.gss_code
    assert member.name in chosen.find(id="seat-summary").get_text()


def test_northern_ireland_postcode_offers_the_name_search(stand_in):
    url, *_ = stand_in
    text = fetch(url + "/?q=BT1+1AA").soup().find(id="matches").get_text()
    assert "Northern Ireland" in text and "by name" in text


def test_api_constituencies(stand_in):
    url, *_ = stand_in
    reply = fetch(url + "/api/constituencies?" + urlencode({"q": "Cherwell"}))
    assert reply.status == 200 and reply.headers["content-type"].startswith("application/json")
    matches = reply.json()["matches"]
    assert {m["name"] for m in matches} >= {"Banbury"}
    assert all({"code", "name", "member", "party"} <= set(m) for m in matches)
    empty = fetch(url + "/api/constituencies?q=")
    assert empty.status == 400 and empty.json()["field"] == "q"


def test_api_briefing_links_and_downloads(stand_in):
    url, pool, *_ = stand_in
    reply = fetch(url + "/api/briefings", briefing_request())
    assert reply.status == 200, reply.text
    doc = reply.json()
    assert doc["constituency"]["code"] == BANBURY.gss_code and doc["concerns"] == ["training", "children", "policing"]
    assert pool.jobs[-1].slug not in ("banbury", ""), "each request has its own random slug"
    page = fetch(url + doc["page"])
    assert page.status == 200 and page.soup().select_one(".briefing-view .stand-in").get_text() == BANBURY.gss_code
    pdf = fetch(url + doc["pdf"])
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body.startswith(b"%PDF")
    assert 'filename="banbury.pdf"' in pdf.headers["content-disposition"]
    letter = fetch(url + doc["letter"])
    assert "wordprocessingml" in letter.headers["content-type"]
    assert 'filename="banbury-letter.docx"' in letter.headers["content-disposition"]
    html = fetch(url + doc["html"])
    assert html.headers["content-type"].startswith("text/html")
    assert "style-src 'sha256-" in html.headers["content-security-policy"], "the briefing's own styles, by hash"


def test_form_post_redirects_to_the_result_page(stand_in):
    url, *_ = stand_in
    pairs = {**briefing_request(), "address": "1 High St\r\nBanbury", "meeting_date": "2026-12-04"}
    reply = post_form(url + "/briefings", pairs, follow=False)
    assert reply.status == 303
    result = fetch(url + reply.headers["location"]).soup()
    assert result.find(id="result-heading") and result.select_one("a[href$='/pdf']")


@pytest.mark.parametrize("changes,field", [
    ({"concerns": ["training"]}, "concerns"),
    ({"concerns": []}, "concerns"),
    ({"meeting_date": "next Tuesday"}, "meeting_date"),
    ({"club": "x" * 121}, "club"),
    ({"address": "y" * 121}, "address"),
    ({"constituency": "Nowhere"}, "constituency"),
])
def test_form_errors_are_shown_beside_their_field_and_answers_kept(stand_in, changes, field):
    url, *_ = stand_in
    reply = post_form(url + "/briefings", {**briefing_request(club="Kept club"), **changes})
    assert reply.status == 400
    page = reply.soup()
    error = page.find(id=f"{field}-error")
    assert error and not error.has_attr("hidden") and error.get_text(strip=True).startswith("Error:")
    assert page.select_one(".error-summary a").get_text() in error.get_text()
    assert "(--" not in error.get_text() and "python build.py" not in error.get_text(), "a page names no CLI option"
    if field not in ("constituency",):
        marked = page.find(attrs={"aria-invalid": "true"})
        assert marked and f"{field}-error" in (marked.get("aria-describedby", "") +
                                               page.find(id="concerns-hint").parent.get("aria-describedby", ""))
    if field != "club":
        assert page.find(id="club")["value"] == "Kept club"


@pytest.mark.parametrize("changes,cli", [
    ({"constituency": "Nowhere"}, ["--constituency", "Nowhere"]),
    ({"concerns": ["training"]}, ["--constituency", "Banbury", "--concerns", "training"]),
    ({"concerns": ["training", "slavery"]}, ["--constituency", "Banbury", "--concerns", "training,slavery"]),
    ({"meeting_date": "2026-13-45"}, ["--constituency", "Banbury", "--meeting-date", "2026-13-45"]),
    ({"club": "c" * 121}, ["--constituency", "Banbury", "--club", "c" * 121]),
])
def test_api_400_gives_the_command_lines_message(stand_in, changes, cli):
    url, *_ = stand_in
    payload = {k: v for k, v in briefing_request(**changes).items() if k in changes or k == "constituency"}
    reply = fetch(url + "/api/briefings", payload)
    assert reply.status == 400
    said = reply.json()
    assert said["error"] == cli_error(*cli)
    with pytest.raises(InputError) as err:   # the server's own path, in this process
        web.Form.from_json(payload).job()
    assert str(err.value) == said["error"] and said["field"] == err.value.field
    assert said["message"] == web.for_page(err.value) and "(--" not in said["message"]
    assert "python build.py" not in said["message"]


def _raised(check, *args) -> InputError:
    with pytest.raises(InputError) as err:
        check(*args)
    return err.value


@pytest.mark.parametrize("check,args,cli,page", [
    (inputs.text, ("c" * 121, "club"), "The club name (--club) is 121 characters long; keep it to 120 or fewer.",
     "The club name is 121 characters long; keep it to 120 or fewer."),
    (inputs.address, ("a" * 121,),
     "Line 1 of the sender's address (--address) is 121 characters long; keep it to 80 or fewer.",
     "Line 1 of the sender's address is 121 characters long; keep it to 80 or fewer."),
    (inputs.constituency, ("Nowhere",),
     "Unknown constituency 'Nowhere' ({hint}); give a name or GSS code from `python build.py list`.",
     "Unknown constituency 'Nowhere' ({hint}); search for the seat by postcode, name, member or council."),
    (inputs.constituency, ("",),
     "Say which constituency (--constituency): a name or a GSS code; `python build.py list` lists them.",
     "Say which constituency: a name or a GSS code; search for the seat by postcode, name, member or council."),
    (inputs.date, ("2026-13-45", "meeting_date"),
     "The meeting date (--meeting-date) 2026-13-45 is not a real date (check the month and the day); write "
     "YYYY-MM-DD, e.g. 2026-12-04.",
     "The meeting date 2026-13-45 is not a real date (check the month and the day); write YYYY-MM-DD, e.g. 2026-12-04."),
])
def test_a_page_shows_the_command_lines_message_without_its_options(check, args, cli, page):
    """One error, two wordings built from its parts (no pattern over the text): the command line's
    names the option and its list; the page's names neither."""
    error = _raised(check, *args)
    hint = str(error).partition("(")[2].partition(")")[0] if "{hint}" in cli else ""
    assert str(error) == cli.format(hint=hint)
    assert web.for_page(error) == error.worded(listing=webform.SEARCH_AGAIN) == page.format(hint=hint)
    assert error.field in ("club", "address", "constituency", "meeting_date")


def test_a_message_without_command_line_words_is_the_same_everywhere():
    error = InputError("Choose 2-3 concerns (got 1); the campaign asks for 2-3 of: data, training.", "concerns")
    assert web.for_page(error) == error.plain == str(error)


def test_a_failed_build_gives_its_reason(stand_in):
    url, *_ = stand_in
    reply = fetch(url + "/api/briefings", briefing_request(club="fail me"))
    assert reply.status == 500 and "cell 3: something broke" in reply.json()["error"]
    assert fetch(url + "/healthz").json()["status"] == "ready"


def test_not_found(stand_in):
    url, *_ = stand_in
    for path in ("/briefings/nosuchtoken", "/briefings/nosuchtoken/pdf", "/nowhere", "/static/web.py",
                 "/static/..%2F..%2Fweb.py", "/pack/..%2F..%2Fpyproject.toml", "/pack/manifest.jsonl",
                 "/pack/.secret.html", "/briefings/..%2F..%2Fetc/passwd"):
        reply = fetch(url + path)
        assert reply.status == 404, path
        assert reply.soup().find("h1").get_text() == "Page not found"
    api = fetch(url + "/api/nothing")
    assert api.status == 404 and "error" in api.json()
    made = fetch(url + "/api/briefings", briefing_request()).json()
    assert fetch(url + made["page"] + "/docx").status == 404, "only the words html, pdf, letter"


def test_request_size_limit(stand_in):
    url, *_ = stand_in
    big = fetch(url + "/api/briefings", briefing_request(club="x" * 20000))
    assert big.status == 413 and "larger than 16 KB" in big.json()["error"]
    form = post_form(url + "/briefings", {**briefing_request(), "club": "x" * 20000})
    assert form.status == 413 and form.soup().find("h1")
    assert_security_headers(big)


def test_request_time_limit_for_a_slow_body(stand_in):
    url, *_ = stand_in
    host, port = url.rsplit("/", 1)[-1].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(b"POST /api/briefings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{\"constituency\"")
        received = b""
        while b"not sent within" not in received:      # read until the answer's body has come
            chunk = conn.recv(4096)
            if not chunk:
                break
            received += chunk
        answer = received.decode("latin-1")
    assert answer.startswith("HTTP/1.1 408"), answer[:100]
    assert "not sent within 0.5 seconds" in answer


def test_api_needs_json(stand_in):
    url, *_ = stand_in
    reply = fetch(url + "/api/briefings", "constituency=Banbury", {"Content-Type": "text/plain"}, "POST")
    assert reply.status == 415
    bad = fetch(url + "/api/briefings", "{not json", {"Content-Type": "application/json"}, "POST")
    assert bad.status == 400 and bad.json()["error"] == "The request body is not valid JSON."


def test_503_with_retry_after_when_the_queue_is_full(stand_in):
    url, pool, *_ = stand_in
    pool.gate.clear()           # the stand-in worker holds its job: the queue fills on purpose
    answers = []
    try:
        first = threading.Thread(target=lambda: answers.append(fetch(url + "/api/briefings", briefing_request())))
        first.start()
        deadline = time.monotonic() + 30
        while pool.busy == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        second = threading.Thread(target=lambda: answers.append(fetch(url + "/api/briefings", briefing_request())))
        second.start()
        while len(pool.waiting) < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        busy = fetch(url + "/api/briefings", briefing_request())
        assert busy.status == 503 and busy.headers["retry-after"] == "7"
        assert "try again in 7 seconds" in busy.json()["error"]
        page = post_form(url + "/briefings", {**briefing_request(club="Busy club")})
        assert page.status == 503 and page.headers["retry-after"] == "7"
        assert page.soup().find(id="notice") and page.soup().find(id="club")["value"] == "Busy club"
        assert_security_headers(page)
    finally:
        pool.gate.set()
    first.join(30)
    second.join(30)
    assert [a.status for a in answers] == [200, 200], "the jobs that got in are built"


def test_security_headers_on_every_kind_of_response(stand_in):
    url, *_ = stand_in
    for path in ("/", "/?q=Banbury", "/api/constituencies?q=Banbury", "/healthz", "/static/app.js",
                 "/static/app.css", "/nowhere", "/pack/", "/pack/banbury.pdf"):
        assert_security_headers(fetch(url + path))
    app_csp = fetch(url + "/").headers["content-security-policy"]
    assert "script-src 'self'" in app_csp and "form-action 'self'" in app_csp


def test_hostile_input_comes_back_as_text(stand_in):
    url, *_ = stand_in
    page = fetch(url + "/?" + urlencode({"q": XSS})).soup()
    assert [s.get("src") for s in page.find_all("script")] == ["/static/app.js"]
    assert XSS in page.find(id="q")["value"] and XSS in page.find(id="matches").get_text()
    api = fetch(url + "/api/constituencies?" + urlencode({"q": XSS}))
    assert XSS in api.json()["message"] and api.headers["content-type"].startswith("application/json")
    made = fetch(url + "/api/briefings", briefing_request(club=f"Club {XSS}")).json()
    result = fetch(url + made["page"]).soup()
    assert [s.get("src") for s in result.find_all("script")] == ["/static/app.js"]
    assert f"from Club {XSS}" in result.find(id="result-section").get_text()
    error = post_form(url + "/briefings", {**briefing_request(), "meeting_date": XSS}).soup()
    assert XSS in error.find(id="meeting_date-error").get_text()
    assert [s.get("src") for s in error.find_all("script")] == ["/static/app.js"]


def test_the_pack_is_browsable_read_only(stand_in, pack_dir):
    url, *_ = stand_in
    assert fetch(url + "/").soup().find("a", href="/pack/")
    index = fetch(url + "/pack/")
    assert index.status == 200 and index.soup().find("tr", attrs={"data-key": BANBURY.gss_code})
    csp = index.headers["content-security-policy"]
    assert "script-src 'sha256-" in csp and "unsafe" not in csp, "the index's own script, by hash"
    briefing = fetch(url + "/pack/banbury.html")
    assert briefing.soup().find("h1").get_text() == "Banbury"
    assert fetch(url + "/pack/banbury.pdf").headers["content-type"] == "application/pdf"
    assert fetch(url + "/pack/banbury.pdf", method="DELETE").status == 405


def test_healthz(stand_in):
    url, *_ = stand_in
    doc = fetch(url + "/healthz").json()
    assert doc["status"] == "ready" and {"workers", "busy", "waiting", "restarts", "cached"} <= set(doc)


# --- the real server: build.py serve with warm workers (e2e) ---------------------------------------

@dataclass
class Served:
    proc: subprocess.Popen
    url: str
    tmp: Path
    cache: Path
    log: Path


@contextmanager
def real_server(tmp_path: Path, jobs: int = 1, ready: bool = True, **env):
    """`python build.py serve` on a free loopback port, with its own TMPDIR and cache folder; it is
    given back once /healthz says ready (its workers warm), or with ``ready=False`` once it answers."""
    port = free_port()
    tmp, cache, log = tmp_path / "tmp", tmp_path / "cache", tmp_path / "server.log"
    tmp.mkdir(exist_ok=True)
    cache.mkdir(exist_ok=True)
    full_env = dict(os.environ, TMPDIR=str(tmp), JUPYTER_RUNTIME_DIR=str(tmp), BRIEFPACK_CACHE_DIR=str(cache),
                    BRIEFPACK_PACK_DIR=env.pop("pack", "-"), BRIEFPACK_LOG_LEVEL="warning",
                    BRIEFPACK_PER_CLIENT=str(env.pop("per_client", 100)))   # 127.0.0.1 stands in for many users
    full_env.update({k: str(v) for k, v in env.items()})
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--serve", "--host", "127.0.0.1",
                                 "--port", str(port), "--jobs", str(jobs)], cwd=ROOT, env=full_env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    served = Served(proc, f"http://127.0.0.1:{port}", tmp, cache, log)
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the server did not start: " + log.read_text()
            try:
                if fetch(served.url + "/healthz", timeout=5).json().get("status") == "ready" or not ready:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        yield served
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(90)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return " ".join(unicodedata.normalize("NFKC", p.extract_text() or "") for p in reader.pages)


@pytest.fixture(scope="module")
def server(tmp_path_factory, built):
    """One real server for the journeys and API checks, browsing the pack `built` by conftest."""
    with real_server(tmp_path_factory.mktemp("served"), jobs=2, pack=str(built)) as served:
        yield served


@pytest.mark.e2e
def test_real_build_200_with_html_pdf_and_letter(server):
    reply = fetch(server.url + "/api/briefings", briefing_request(club=f"Soroptimists {XSS}",
                                                                  meeting_date="2026-12-04"))
    assert reply.status == 200, reply.text
    doc = reply.json()
    member = members.member(BANBURY).name
    assert doc["constituency"]["member"] == member
    pdf = fetch(server.url + doc["pdf"])
    assert pdf.status == 200 and member in pdf_text(pdf.body)
    import io

    from docx import Document

    letter = Document(io.BytesIO(fetch(server.url + doc["letter"]).body))
    assert any(member in p.text for p in letter.paragraphs)
    page = fetch(server.url + doc["page"]).soup()
    view = page.select_one(".briefing-view")
    assert view.find("h1").get_text(strip=True) == "Modern slavery in Banbury"
    assert f"Soroptimists {XSS}" in view.get_text(), "hostile text comes back as text"
    assert [s.get("src") for s in page.find_all("script")] == ["/static/app.js"]


@pytest.mark.e2e
def test_real_server_answers_400_404_413_with_headers(server):
    bad = fetch(server.url + "/api/briefings", {"constituency": "Nowhere"})
    assert bad.status == 400 and bad.json()["error"] == cli_error("--constituency", "Nowhere")
    assert fetch(server.url + "/briefings/nothing").status == 404
    big = fetch(server.url + "/api/briefings", briefing_request(personal_note="x" * 40000))
    assert big.status == 413
    for reply in (bad, big, fetch(server.url + "/"), fetch(server.url + "/pack/")):
        assert_security_headers(reply)


@pytest.mark.e2e
def test_real_server_serves_the_pack_and_topic_briefings(server, built):
    index = fetch(server.url + "/pack/")
    assert index.status == 200 and index.soup().find("tr", attrs={"data-key": BANBURY.gss_code})
    pdf = fetch(server.url + "/pack/banbury.pdf")
    assert pdf.status == 200 and pdf.body == (built / "banbury.pdf").read_bytes()


@pytest.mark.e2e
def test_full_queue_answers_503_with_retry_after(tmp_path):
    with real_server(tmp_path, jobs=1, BRIEFPACK_MAX_WAITING=1) as served:
        answers = []
        threads = [threading.Thread(target=lambda: answers.append(fetch(served.url + "/api/briefings",
                                                                         briefing_request())))
                   for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        statuses = sorted(a.status for a in answers)
        assert 503 in statuses and 200 in statuses and set(statuses) <= {200, 503}, statuses
        busy = next(a for a in answers if a.status == 503)
        assert int(busy.headers["retry-after"]) >= 1 and "try again in" in busy.json()["error"]
        assert fetch(served.url + "/healthz").json()["status"] == "ready"
        assert fetch(served.url + "/api/briefings", briefing_request()).status == 200, "the server goes on"


@pytest.mark.e2e
def test_a_killed_worker_fails_its_request_and_is_replaced(tmp_path):
    with real_server(tmp_path, jobs=1) as served:
        assert fetch(served.url + "/api/briefings", briefing_request()).status == 200
        for _attempt in range(3):        # the kill must land while the worker builds
            answer = []
            t = threading.Thread(target=lambda: answer.append(fetch(served.url + "/api/briefings",
                                                                    briefing_request())))
            t.start()
            deadline = time.monotonic() + 60
            while fetch(served.url + "/healthz").json()["busy"] == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
            for pid in _workers(served.proc.pid):
                os.kill(pid, signal.SIGKILL)
            t.join(120)
            if answer[0].status != 200:
                break
        assert answer[0].status == 500, answer[0].text
        assert "the worker stopped" in answer[0].json()["error"]
        health = fetch(served.url + "/healthz").json()
        assert health["restarts"] >= 1
        assert fetch(served.url + "/api/briefings", briefing_request()).status == 200, "a new worker builds"


@pytest.mark.e2e
def test_sigterm_stops_cleanly_leaving_no_kernel_browser_or_file(tmp_path):
    with real_server(tmp_path, jobs=2) as served:
        assert fetch(served.url + "/api/briefings", briefing_request()).status == 200
        assert list(served.cache.iterdir()), "the cache holds the briefing"
        procs, _ = _left_behind(served.tmp)
        assert len(procs) >= 4, "workers, kernels and browsers share the server's TMPDIR"
        served.proc.send_signal(signal.SIGTERM)
        code = served.proc.wait(120)
    assert code == 0, served.log.read_text()
    procs, files = _left_behind(served.tmp, settle=20)
    assert procs == [] and files == []
    assert list(served.cache.iterdir()) == []
    assert "stopped: the web server" in served.log.read_text()


# --- in a real browser (Chromium through Playwright) ---------------------------------------------

@pytest.fixture(scope="module")
def browser():
    from briefpack.build.export import find_chromium
    from briefpack.core.errors import ExportError

    try:
        chromium = find_chromium()
    except ExportError as exc:
        pytest.skip(f"Chromium is not installed: {exc}")
    if not AXE.exists():
        pytest.skip("node_modules/axe-core is absent: run `npm ci` in the project folder")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        b = pw.chromium.launch(executable_path=chromium, args=args)
        yield b
        b.close()


def axe_violations(page) -> list:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


def choose_banbury(page, javascript: bool) -> None:
    page.goto("/")
    page.locator("#q").press_sequentially("OX16 5AA")
    if not javascript:
        page.click("#find button")
    match = page.locator("#matches a[data-code]", has_text="Banbury")
    match.wait_for()
    assert members.member(BANBURY).name in page.text_content("#matches"), "the member is shown to confirm"
    match.click()
    page.locator("#make-section").wait_for()
    assert "Banbury" in page.text_content("#seat-summary")


def make_and_check_pdf(page, tmp_path) -> None:
    for key in ("training", "children", "policing"):
        page.check(f"#concern-{key}")
    page.fill("#club", "Soroptimist International Banbury")
    page.fill("#meeting_date", "2026-12-04")
    page.click("#make-button")
    page.locator("#result-heading").wait_for(timeout=120_000)
    with page.expect_download() as download:
        page.click("a:has-text('Download the PDF')")
    path = tmp_path / "briefing.pdf"
    download.value.save_as(path)
    assert download.value.suggested_filename == "banbury.pdf"
    assert members.member(BANBURY).name in pdf_text(path.read_bytes())


@pytest.mark.e2e
@pytest.mark.browser
def test_postcode_journey_with_javascript(server, browser, tmp_path):
    context = browser.new_context(base_url=server.url, accept_downloads=True, locale="en-GB")
    page = context.new_page()
    choose_banbury(page, javascript=True)
    page.evaluate("window.stillHere = true")
    make_and_check_pdf(page, tmp_path)
    assert page.evaluate("window.stillHere === true"), "JavaScript keeps the user on one page"
    assert page.locator(".briefing-view h1").text_content().strip() == "Modern slavery in Banbury"
    context.close()


@pytest.mark.e2e
@pytest.mark.browser
def test_postcode_journey_without_javascript(server, browser, tmp_path):
    context = browser.new_context(base_url=server.url, accept_downloads=True, java_script_enabled=False)
    page = context.new_page()
    choose_banbury(page, javascript=False)
    make_and_check_pdf(page, tmp_path)
    assert "/briefings/" in page.url, "without JavaScript the result is its own page"
    context.close()


@pytest.mark.e2e
@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_each_bad_input_shows_its_message_beside_the_field(server, browser, javascript):
    context = browser.new_context(base_url=server.url, java_script_enabled=javascript)
    page = context.new_page()
    cases = [("concerns", lambda p: p.check("#concern-training"), expected_exception(concerns=["training"])),
             ("club", lambda p: p.fill("#club", "c" * 121), expected_exception(club="c" * 121)),
             ("address", lambda p: p.fill("#address", "a" * 121), expected_exception(sender_address="a" * 121))]
    cases = [(field, enter, web.for_page(error)) for field, enter, error in cases]
    for field, enter, message in cases:
        choose_banbury(page, javascript)
        if field != "concerns":
            page.check("#concern-training")
            page.check("#concern-data")
        enter(page)
        page.click("#make-button")
        error = page.locator(f"#{field}-error")
        error.wait_for(state="visible")
        assert message in error.text_content() and "(--" not in error.text_content()
        described = page.locator(f"[aria-describedby~='{field}-error']").first
        assert described.count() == 1, "the field is described by its error"
    context.close()


@pytest.mark.e2e
@pytest.mark.browser
def test_no_accessibility_violations_on_start_result_and_error_pages(server, browser):
    context = browser.new_context(base_url=server.url, bypass_csp=True)   # to inject axe-core
    page = context.new_page()
    page.goto("/")
    assert axe_violations(page) == []
    page.goto("/?q=Banbury&seat=" + BANBURY.gss_code)
    assert axe_violations(page) == []
    page.check("#concern-training")
    page.click("#make-button")
    page.locator("#concerns-error").wait_for(state="visible")
    assert axe_violations(page) == [], "the page with an error"
    page.check("#concern-children")
    page.click("#make-button")
    page.locator("#result-heading").wait_for(timeout=120_000)
    assert axe_violations(page) == [], "the result with the briefing in the page"
    page.goto("/briefings/no-such-token")
    assert axe_violations(page) == [], "the not-found page"
    context.close()


@pytest.mark.e2e
@pytest.mark.browser
def test_keyboard_only_and_visible_focus(server, browser):
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    visited = []
    for _ in range(5):   # the links before the search box (the Scottish Parliament's page), then the box
        page.keyboard.press("Tab")
        visited.append(page.evaluate("document.activeElement.id || document.activeElement.textContent"))
        if visited[-1] == "q":
            break
    assert visited[-1] == "q", f"the search box is reached by Tab, after {visited[:-1]}"
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle + ' ' + "
                         "getComputedStyle(document.activeElement).boxShadow")
    assert ring.startswith("solid") and "rgb(255, 221, 0)" in ring, "a visible focus ring"
    page.keyboard.type("Banbury")
    page.locator("#matches a[data-code]").first.wait_for()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('data-code')") == BANBURY.gss_code
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "make-heading", "focus moves to the form"
    context.close()


@pytest.mark.e2e
@pytest.mark.browser
def test_pack_index_finds_seats_by_postcode_and_council_offline(browser, tmp_path):
    from briefpack.render import index

    entries = [{"key": s.gss_code, "slug": s.slug, "name": s.name, "region": s.region,
                "mp": members.member(s).name, "party": members.member(s).party, "files": []}
               for s in geography.seats()]
    path = index.write_index(tmp_path, entries)
    context = browser.new_context(offline=True)
    page = context.new_page()
    page.goto(path.as_uri())
    shown = lambda: page.eval_on_selector_all("#seats tbody tr:not([hidden])", "rs => rs.map(r => r.dataset.key)")
    page.fill("#q", "OX16 5AA")
    assert shown() == [BANBURY.gss_code] and "check that the constituency" in page.text_content("#postcode-note")
    page.fill("#q", "Cherwell")
    assert BANBURY.gss_code in shown()
    page.fill("#q", "BT1 1AA")
    assert shown() == [] and "Northern Ireland" in page.text_content("#postcode-note")
    context.close()
