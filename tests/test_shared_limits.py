"""Several server instances on one database share the rate limits, the sign-in pause and the key of
the form tokens (issue 17: "several server instances behind a proxy").

The storage (briefpack.app.ratelimits.DatabaseStorage) is tested on its own with a clock of the
test's, then two real server processes on 127.0.0.1 share one database, each with a state folder of
its own (so nothing is shared but the database), behind a stand-in proxy: ``BRIEFPACK_PROXY_HOPS=1``
and an ``X-Forwarded-For`` address per check, so that each check counts for a client of its own.
Every test runs on SQLite and on a real PostgreSQL (see test_reports: ``BRIEFPACK_TEST_POSTGRES_URL``).
"""
from __future__ import annotations

import datetime as dt
import re
import threading
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from databases import PASSWORD, fresh_postgres, stored_hash
from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter
from sqlalchemy import func, select
from test_reports import Client, report_fields, server_process

from briefpack.app import ratelimits, reports_web, store

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Clock:
    """Seconds since the epoch, moved by the test."""

    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def rows(db: store.Store) -> int:
    with db.tx(write=False) as s:
        return s.scalar(select(func.count()).select_from(store.RateHit))


# --- the storage ------------------------------------------------------------------------------------

def test_the_moving_window_counts_as_memory_storage_does(db):
    clock = Clock()
    shared = MovingWindowRateLimiter(ratelimits.DatabaseStorage(database=db, clock=clock))
    memory = MovingWindowRateLimiter(MemoryStorage())
    limit = parse("3/minute")
    assert [shared.hit(limit, "report", "10.0.0.1") for _ in range(5)] == \
           [memory.hit(limit, "report", "10.0.0.1") for _ in range(5)] == [True, True, True, False, False]
    assert shared.get_window_stats(limit, "report", "10.0.0.1") == (clock.now + 60, 0)
    assert shared.hit(limit, "report", "10.0.0.2"), "another address has its own count"
    clock.now += 30
    assert not shared.hit(limit, "report", "10.0.0.1")
    clock.now += 30.5                   # the first three hits have left the window
    assert shared.test(limit, "report", "10.0.0.1") and shared.hit(limit, "report", "10.0.0.1")
    assert shared.get_window_stats(limit, "report", "10.0.0.1").remaining == 2
    assert ratelimits.DatabaseStorage(database=db, clock=clock).check()


def test_the_fixed_window_and_the_registered_scheme(db, monkeypatch):
    clock = Clock()
    storage = ratelimits.DatabaseStorage(database=db, clock=clock)
    fixed = FixedWindowRateLimiter(storage)
    limit = parse("2/minute")
    assert [fixed.hit(limit, "signin", "a") for _ in range(3)] == [True, True, False]
    key = limit.key_for("signin", "a")
    assert storage.get(key) == 3 and storage.get_expiry(key) == clock.now + 60
    clock.now += 61
    assert storage.get(key) == 0 and fixed.hit(limit, "signin", "a")
    storage.clear(key)
    assert storage.get(key) == 0
    monkeypatch.setattr(store, "_STORE", db)    # what store.default() gives
    made = storage_from_string("briefpack+db://")
    assert isinstance(made, ratelimits.DatabaseStorage) and made.db is db


def test_expired_hits_are_removed_and_the_table_stays_bounded(db):
    clock = Clock()
    storage = ratelimits.DatabaseStorage(database=db, clock=clock)
    limiter = MovingWindowRateLimiter(storage)
    limit = parse("5/minute")
    for n in range(40):                 # 40 addresses, each over its limit
        for _ in range(7):
            limiter.hit(limit, "report", f"10.0.1.{n}")
    assert rows(db) == 40 * 5, "refused hits are not kept; each address holds at most its limit"
    clock.now += 61
    assert limiter.hit(limit, "report", "10.0.1.0")
    assert rows(db) == 1, "the first hit after a minute swept every address's expired rows"
    clock.now += 61
    assert storage.sweep() == 1 and rows(db) == 0


def test_two_instances_hitting_at_once_count_every_hit(db_url, tmp_path):
    """Two stores (two engines, as two server processes have) hit one limit from eight threads:
    exactly the limit is let through, on SQLite as on PostgreSQL."""
    first, second = store.Store(db_url, tmp_path / "up"), store.Store(db_url, tmp_path / "up")
    try:
        limiters = [MovingWindowRateLimiter(ratelimits.DatabaseStorage(database=d)) for d in (first, second)]
        limit = parse("25/minute")
        allowed, lock = [], threading.Lock()

        def hammer(limiter):
            for _ in range(10):
                ok = limiter.hit(limit, "report", "10.0.2.1")
                with lock:
                    allowed.append(ok)

        threads = [threading.Thread(target=hammer, args=(limiters[n % 2],)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not any(t.is_alive() for t in threads)
        assert len(allowed) == 80 and allowed.count(True) == 25
    finally:
        first.close()
        second.close()


def test_sign_in_attempts_sent_at_once_are_all_counted(db):
    """Twenty attempts at once on two instances: at most five passwords are checked, the rest are
    refused as paused, and the account is paused after them."""
    db.add_coordinator("ann", stored_hash())
    other = store.Store(db.url, db.upload_dir)
    pause = dt.timedelta(seconds=reports_web.Settings().signin_pause)
    numbers, lock = [], threading.Lock()

    def attempt(d):
        number, _ = d.signin_claim("ann", reports_web.SIGNIN_FAILURES, pause)
        with lock:
            numbers.append(number)

    try:
        threads = [threading.Thread(target=attempt, args=(d,)) for _ in range(10) for d in (db, other)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        checked = sorted(n for n in numbers if n)
        assert len(numbers) == 20 and checked == list(range(1, len(checked) + 1))
        assert len(checked) <= reports_web.SIGNIN_FAILURES
        for n in checked:                    # every checked password was wrong
            db.signin_result("ann", False, n, reports_web.SIGNIN_FAILURES, pause)
        assert db.coordinator("ann").paused_until is not None
        assert db.signin_claim("ann", reports_web.SIGNIN_FAILURES, pause)[0] == 0, "paused"
    finally:
        other.close()


# --- two server processes on one database ----------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def two_instances(request, tmp_path):
    """(url of A, url of B, the database) : two servers with their own state folders, one database."""
    url = f"sqlite:///{tmp_path / 'shared' / store.DB_FILE}" if request.param == "sqlite" else fresh_postgres()
    database = store.Store(url, tmp_path / "uploads")
    database.add_coordinator("ann", stored_hash())
    common = {"BRIEFPACK_DATABASE_URL": url, "BRIEFPACK_UPLOAD_DIR": str(tmp_path / "uploads"),
              "BRIEFPACK_PROXY_HOPS": "1", "BRIEFPACK_SECRET_KEY": "", "BRIEFPACK_SECRET": "",
              "BRIEFPACK_REPORT_RATE": "3/minute", "BRIEFPACK_SIGNIN_RATE": "7/minute"}
    try:
        with server_process(tmp_path, "a", BRIEFPACK_STATE_DIR=str(tmp_path / "state-a"), **common) as (_, a), \
                server_process(tmp_path, "b", BRIEFPACK_STATE_DIR=str(tmp_path / "state-b"), **common) as (_, b):
            yield a, b, database
    finally:
        database.close()


def post_report(client: Client, token: str | None, address: str):
    fields = report_fields() if token is None else {"csrf_token": token, **report_fields()}
    return client.post("/report", fields, headers={"X-Forwarded-For": address})


def shown_message(body: bytes) -> str:
    return BeautifulSoup(body, "lxml").find("p", class_="message").get_text(" ", strip=True)


def on(other: str, client: Client) -> Client:
    """The same browser (its cookies) talking to another instance."""
    moved = Client(other)
    moved.jar = client.jar
    moved.opener = client.opener
    moved.base = other
    return moved


@pytest.mark.e2e
def test_the_report_limit_and_the_form_tokens_are_shared_by_the_instances(two_instances):
    a, b, database = two_instances
    # the report limit (3 a minute): three reports on A, the fourth on B is refused
    club = Client(a)
    for _ in range(3):
        status, _, body = post_report(club, club.token("/report"), "10.0.3.1")
        assert status == 303, body[:500]
    at_b = on(b, club)
    status, headers, body = post_report(at_b, at_b.token("/report"), "10.0.3.1")
    assert status == 429 and int(headers["retry-after"]) >= 1
    assert re.fullmatch(r"Too many attempts from your address; try again in \d+ seconds\.", shown_message(body))
    assert database.count() == 3
    assert post_report(at_b, at_b.token("/report"), "10.0.3.2")[0] == 303, "another address still reports"

    # a token A issued is good on B; a forged one, none, or A's without its cookie: 403 on both
    club = Client(a)
    token = club.token("/report")
    assert post_report(on(b, club), token, "10.0.4.1")[0] == 303, "B accepts A's token"
    assert database.count() == 5
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for n, url in enumerate((a, b)):
        here, stranger = on(url, club), Client(url)
        assert post_report(here, forged, f"10.0.4.{10 + n}")[0] == 403
        assert post_report(here, None, f"10.0.4.{20 + n}")[0] == 403
        assert post_report(stranger, token, f"10.0.4.{30 + n}")[0] == 403
        status, _, body = here.post("/report", {"csrf_token": token, **report_fields()},
                                    headers={"X-Forwarded-For": f"10.0.4.{40 + n}", "Origin": "https://attacker.example"})
        assert status == 403 and "another site" in shown_message(body)
    assert database.count() == 5


def sign_in(client: Client, password: str, address: str):
    token = client.token("/coordinators/sign-in")
    return client.request("/coordinators/sign-in",
                          urlencode({"csrf_token": token, "username": "ann", "password": password}).encode(),
                          {**FORM, "X-Forwarded-For": address})


@pytest.mark.e2e
def test_the_sign_in_pause_the_sign_in_limit_and_the_session_are_shared(two_instances, tmp_path):
    a, b, database = two_instances
    at_a = Client(a)
    for _ in range(reports_web.SIGNIN_FAILURES):     # five wrong passwords on A
        status, _, body = sign_in(at_a, "wrong password", "10.0.5.1")
        assert status == 401 and "do not match" in body.decode()
    status, _, body = sign_in(Client(b), PASSWORD, "10.0.5.2")    # the right one, on B, from elsewhere
    error = BeautifulSoup(body, "lxml").find(id="signin-error").get_text(" ", strip=True)
    assert status == 401 and re.fullmatch(r"Sign-in for this account is paused after 5 wrong passwords in a row; "
                                          r"try again in \d+ minutes?\.", error), error

    # the sign-in limit per address (7 a minute): 7 posts on A, the 8th on B is refused
    somebody = Client(a)
    for _ in range(7):
        status, _, _ = somebody.request("/coordinators/sign-in",
                                        urlencode({"csrf_token": somebody.token("/coordinators/sign-in"),
                                                   "username": "nobody", "password": "x"}).encode(),
                                        {**FORM, "X-Forwarded-For": "10.0.5.3"})
        assert status == 401
    status, headers, body = sign_in(on(b, somebody), "x", "10.0.5.3")
    assert status == 429 and "Too many attempts from your address" in shown_message(body)

    # a coordinator signed in on A is signed in on B (the session's key is the shared one too)
    database.add_coordinator("bea", stored_hash())
    at_a = Client(a)
    token = at_a.token("/coordinators/sign-in")
    status, headers, _ = at_a.request("/coordinators/sign-in",
                                      urlencode({"csrf_token": token, "username": "bea", "password": PASSWORD}).encode(),
                                      {**FORM, "X-Forwarded-For": "10.0.6.1"})
    assert status == 303 and headers["location"].endswith("/coordinators/")
    status, _, body = on(b, at_a).get("/coordinators/")
    assert status == 200 and "Signed in as bea" in body.decode(), "B reads the session A signed"
    assert Client(b).get("/coordinators/")[0] == 303, "without the cookie: sent to sign in"
    assert not any((tmp_path / f"state-{n}" / "secret.key").exists() for n in "ab"), "no key in a state folder"


@pytest.mark.parametrize("env, words", [
    ({"BRIEFPACK_SECRET_KEY": "short"}, "BRIEFPACK_SECRET_KEY is 5 characters long; set at least 32"),
    ({"BRIEFPACK_DATABASE_URL": "mysql://nobody@localhost/x"}, "mysql is not supported; give a postgresql://"),
    ({"BRIEFPACK_DATABASE_URL": "postgresql://nobody@/x?host=/nonexistent"},
     "The campaign database cannot be opened (connection"),
])
def test_a_bad_key_or_database_stops_the_server_with_one_line(tmp_path, env, words):
    """Before the workers start: the key is read from the database the instances share."""
    from conftest import run_cli

    store.reset_default()
    try:
        done = run_cli("serve", "--port", "1", env={"BRIEFPACK_STATE_DIR": str(tmp_path), "BRIEFPACK_DATABASE_URL": "",
                                                    "BRIEFPACK_SECRET_KEY": "", **env})
    finally:
        store.reset_default()
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and words in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not any(tmp_path.iterdir()), "stopped before anything was made"


def test_the_key_is_made_once_and_read_by_every_instance(db, monkeypatch):
    monkeypatch.delenv("BRIEFPACK_SECRET_KEY", raising=False)
    monkeypatch.delenv("BRIEFPACK_SECRET", raising=False)
    other = store.Store(db.url, db.upload_dir)
    try:
        keys = []
        threads = [threading.Thread(target=lambda d=d: keys.append(store.signing_key(d))) for d in (db, other) * 4]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(keys) == 8 and len(set(keys)) == 1 and len(keys[0]) >= 64
        monkeypatch.setenv("BRIEFPACK_SECRET_KEY", "k" * 40)
        assert store.signing_key(db) == "k" * 40, "the environment's key wins"
    finally:
        other.close()
