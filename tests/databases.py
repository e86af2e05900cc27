"""The databases the report tests run on, as pytest fixtures (registered by tests/conftest.py, so a
test module names them as arguments and imports none).

Every database test runs on SQLite (a file in the test's folder) and on a real PostgreSQL given by
``BRIEFPACK_TEST_POSTGRES_URL`` (``.ci/run`` starts one with scripts/test_postgres.sh). Without that
URL the PostgreSQL half skips, except under CI (``BRIEFPACK_CI=1``), where it fails instead.

The app, SQLAlchemy and argon2 are imported where they are used: the controller of a pytest-xdist run
loads this plugin too and runs no test, and importing them would delay its workers by about 2 s.
"""
from __future__ import annotations

import functools
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

POSTGRES_URL = os.environ.get("BRIEFPACK_TEST_POSTGRES_URL", "")
PASSWORD = "correct horse battery staple"


def fresh_postgres() -> str:
    from sqlalchemy import create_engine, text

    if not POSTGRES_URL:
        if os.environ.get("BRIEFPACK_CI"):
            pytest.fail("BRIEFPACK_TEST_POSTGRES_URL is not set: under CI the PostgreSQL tests must run (.ci/run)")
        pytest.skip("BRIEFPACK_TEST_POSTGRES_URL is not set (see scripts/test_postgres.sh)")
    engine = create_engine(driver(POSTGRES_URL))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return driver(POSTGRES_URL)


def driver(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1] if url.startswith(("postgresql://", "postgres://")) else url


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """An empty SQLite database brought to the newest migration once a session (by the app's own
    store.migrate): each test starts from a copy of it instead of running every migration again."""
    from briefpack.app import store

    path = tmp_path_factory.mktemp("migrated") / store.DB_FILE
    store.Store(f"sqlite:///{path}", path.parent / "uploads").close()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """An empty database (tests of the migrations start here)."""
    from briefpack.app import store

    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / store.DB_FILE}"
    return fresh_postgres()


@pytest.fixture
def migrated_url(db_url, request) -> str:
    """``db_url`` at the newest migration: a SQLite file starts as a copy of the session's migrated one."""
    if db_url.startswith("sqlite:///"):
        path = Path(db_url.removeprefix("sqlite:///"))
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
    return db_url


@pytest.fixture
def db(migrated_url, tmp_path):
    from briefpack.app import store

    s = store.Store(migrated_url, tmp_path / "uploads")
    yield s
    s.close()


@pytest.fixture
def env(migrated_url, tmp_path, monkeypatch):
    """The environment a server of this test reads: its database, state folder and uploads."""
    from briefpack.app import store

    monkeypatch.setenv("BRIEFPACK_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("BRIEFPACK_DATABASE_URL", migrated_url)
    monkeypatch.setenv("BRIEFPACK_UPLOAD_DIR", str(tmp_path / "uploads"))
    store.reset_default()
    yield migrated_url
    store.reset_default()


@contextmanager
def served(tmp_path):
    from test_web import StandInPool, in_process_server

    from briefpack.app import web

    settings = web.Settings(pack_dir="-", cache_parent=str(tmp_path / "cache"))
    with in_process_server(settings, StandInPool()) as (url, _app):
        yield url


@pytest.fixture
def server(env, tmp_path):
    with served(tmp_path) as url:
        yield url


@functools.cache
def stored_hash() -> str:
    """PASSWORD hashed with argon2's lightest parameters, made once: a wrong password is then checked
    in microseconds, not the 0.1 s of the app's own parameters. The app treats it as a hash stored by
    an older setting and replaces it at the first right sign-in (tests/test_reports.py), so that path costs
    one full hash, as it does on a real server."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)


def add_coordinator(name: str = "ann") -> None:
    from briefpack.app import store

    store.default().add_coordinator(name, stored_hash())
