"""Rate limits counted in the campaign database, so that every server instance on it shares them.

:class:`DatabaseStorage` is a storage for the ``limits`` library, made through its public extension
point (a :class:`limits.storage.Storage` subclass with its own ``STORAGE_SCHEME``, here
``briefpack+db://``), that keeps its counts in the ``rate_limit_hits`` table of
:mod:`briefpack.app.store` instead of one process's memory. With several instances behind a proxy
on one PostgreSQL, a client that spreads its posts over them is counted once, as it would be by one
instance; on the default SQLite file it behaves as ``limits.storage.MemoryStorage`` does.

It supports the moving window (what ``briefpack.app.reports_web`` uses: one row per counted hit, as
MemoryStorage keeps one entry per hit) and the fixed window. Each hit is one short transaction:

- PostgreSQL: an advisory lock on the key for the transaction, so that two instances counting the
  same client wait for each other (no lost count) while other clients' hits go on in parallel;
- SQLite: the transaction's first statement writes, so it holds SQLite's one write lock from its
  start, and this process's writers queue on the store's lock (``Store.tx``);

then the key's expired rows are removed, the live ones counted and, if the limit allows, the new
hit added. The commit is not waited for on disk (``Store.counting``): a count lost in a power cut
costs nothing, and a synced commit per hit would double a report's time. Rows of clients that do not come back are removed by a sweep at most once a minute per
instance (``SWEEP_SECONDS``), so the table holds at most each client's limit of live rows plus a
minute's expired ones.
"""
from __future__ import annotations

import threading
import time

from limits.storage import MovingWindowSupport, Storage
from sqlalchemy import delete as sql_delete
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import SQLAlchemyError

from briefpack.app import store

SWEEP_SECONDS = 60
PG_LOCK_CLASS = 172018     # advisory locks (class, hash of the key); the migrations take 172017

# The statements of a hit, written out: each round trip to the database adds to a report's time.
_PG_HOLD = text("SELECT set_config('synchronous_commit', 'off', true), pg_advisory_xact_lock(:cls, hashtext(:key))")
_DROP_EXPIRED = text("DELETE FROM rate_limit_hits WHERE key = :key AND expires < :now")
_ROWS = "SELECT CAST(:key AS VARCHAR(255)), CAST(:now AS DOUBLE PRECISION), CAST(:expires AS DOUBLE PRECISION) FROM {n}"
_ROOM = "(SELECT count(*) FROM rate_limit_hits WHERE key = :key AND expires >= :now) + :amount <= :limit"
_ADD_IF_ROOM = {
    # PostgreSQL: the key's expired rows removed by the same statement (the count skips them either way)
    "postgresql": text("WITH gone AS (DELETE FROM rate_limit_hits WHERE key = :key AND expires < :now) "
                       "INSERT INTO rate_limit_hits (key, at, expires) "
                       f"{_ROWS.format(n='generate_series(1, :amount)')} WHERE {_ROOM}"),
    "sqlite": text("INSERT INTO rate_limit_hits (key, at, expires) "
                   "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :amount) "
                   f"{_ROWS.format(n='n')} WHERE {_ROOM}"),
}


def delete(model):
    """A DELETE that leaves the session's objects alone (there are none: these transactions only count)."""
    return sql_delete(model).execution_options(synchronize_session=False)


class DatabaseStorage(Storage, MovingWindowSupport):
    """A ``limits`` storage in the campaign database.

    ``database``: a :class:`briefpack.app.store.Store`, or a function giving one (called on first use;
    default ``store.default()``); ``clock``: seconds since the epoch (tests pass their own).
    ``storage_from_string("briefpack+db://")`` makes one on the process's default store.
    """

    STORAGE_SCHEME = ["briefpack+db"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, database=None, clock=time.time,
                 **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._database = database
        self.clock = clock
        self._swept = float("-inf")
        self._sweep_lock = threading.Lock()

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    @property
    def db(self) -> store.Store:
        found = self._database
        if found is None:
            return store.default()
        return found() if callable(found) else found

    # --- one short transaction per hit ------------------------------------------------------------

    def _begin(self, conn, key: str, now: float, drop: bool = True) -> None:
        """Hold the key for this transaction and drop its expired rows (see the module's docstring)."""
        if self.db.kind == "postgresql":
            conn.execute(_PG_HOLD, {"cls": PG_LOCK_CLASS, "key": key})
        if drop:
            conn.execute(_DROP_EXPIRED, {"key": key, "now": now})

    @staticmethod
    def _live(key: str, now: float):
        return (store.RateHit.key == key, store.RateHit.expires >= now)

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Count ``amount`` hits on ``key`` if fewer than ``limit`` would then be in the last ``expiry``
        seconds (the moving window); else count nothing and return False. After the lock, the key's
        expired rows are removed and the new rows added only if the live ones leave room (one
        statement on PostgreSQL, two on SQLite)."""
        if amount > limit:
            return False
        now = self.clock()
        values = {"key": key, "now": now, "expires": now + expiry, "amount": amount, "limit": limit}
        with self.db.counting() as conn:
            self._begin(conn, key, now, drop=self.db.kind != "postgresql")
            added = conn.execute(_ADD_IF_ROOM[self.db.kind], values).rowcount
        self._sweep(now)
        return added == amount

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """(the time of the oldest hit in the window, the hits in it), or (now, 0)."""
        now = self.clock()
        with self.db.tx(write=False) as s:
            oldest, count = s.execute(select(func.min(store.RateHit.at), func.count())
                                      .where(store.RateHit.key == key, store.RateHit.at >= now - expiry)).one()
        return (oldest, count) if count else (now, 0)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """The fixed window: the count after adding ``amount``; a window ends ``expiry`` seconds after its
        first hit."""
        now = self.clock()
        with self.db.counting() as conn:
            self._begin(conn, key, now)
            ends = conn.scalar(select(func.min(store.RateHit.expires)).where(*self._live(key, now))) or now + expiry
            conn.execute(insert(store.RateHit), [{"key": key, "at": now, "expires": ends}] * amount)
            count = conn.scalar(select(func.count()).select_from(store.RateHit).where(*self._live(key, now)))
        self._sweep(now)
        return count

    def get(self, key: str) -> int:
        now = self.clock()
        with self.db.tx(write=False) as s:
            return s.scalar(select(func.count()).select_from(store.RateHit).where(*self._live(key, now)))

    def get_expiry(self, key: str) -> float:
        now = self.clock()
        with self.db.tx(write=False) as s:
            return s.scalar(select(func.min(store.RateHit.expires)).where(*self._live(key, now))) or now

    def clear(self, key: str) -> None:
        with self.db.tx() as s:
            s.execute(delete(store.RateHit).where(store.RateHit.key == key))

    def reset(self) -> int | None:
        with self.db.tx() as s:
            return s.execute(delete(store.RateHit)).rowcount

    def check(self) -> bool:
        try:
            with self.db.tx(write=False) as s:
                s.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    # --- clients that do not come back --------------------------------------------------------------

    def _sweep(self, now: float) -> None:
        """Remove every expired row, at most once in ``SWEEP_SECONDS`` per instance. PostgreSQL skips
        rows another transaction holds (that one removes them itself), so a sweep never waits."""
        with self._sweep_lock:
            if now - self._swept < SWEEP_SECONDS:
                return
            self._swept = now
        self.sweep(now)

    def sweep(self, now: float | None = None) -> int:
        """Remove the expired rows of every key now; returns how many."""
        now = self.clock() if now is None else now
        expired = store.RateHit.expires < now
        with self.db.tx(durable=False) as s:
            if self.db.kind == "postgresql":
                ids = select(store.RateHit.id).where(expired).with_for_update(skip_locked=True)
                return s.execute(delete(store.RateHit).where(store.RateHit.id.in_(ids.scalar_subquery()))).rowcount
            return s.execute(delete(store.RateHit).where(expired)).rowcount
