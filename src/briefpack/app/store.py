"""The campaign database: clubs' reports, their uploaded letters and replies, coordinators' accounts.

SQLAlchemy 2 with Alembic migrations (``briefpack/app/migrations``). By default a SQLite file,
``campaign.sqlite3`` in the state folder (``$BRIEFPACK_STATE_DIR``, else ``state/`` in the
project), made on first use, in WAL mode with ``synchronous=FULL`` (a report that was acknowledged
survives the server being killed). ``$BRIEFPACK_DATABASE_URL`` (``postgresql+psycopg://...``) uses
PostgreSQL instead, for several server instances behind one proxy.

Every change is one transaction (:meth:`Store.tx`). A report carries a version number (SQLAlchemy's
``version_id_col``): an update made from a page that showed an older version is refused
(:class:`Conflict`) instead of overwriting the newer one.

The tracker CSV (``data/campaign/tracker.csv``, :mod:`briefpack.places.campaign`) stays the offline and
interchange format: :func:`export_csv` writes every report and field (contact details are personal data: the
file is for signed-in coordinators and the command line) and :func:`import_csv` reads it back, or a tracker of
the original nine columns; a round trip changes nothing, byte for byte.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import threading
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    create_engine,
    event,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    mapped_column,
    relationship,
    sessionmaker,
)
from sqlalchemy.orm.exc import StaleDataError

from briefpack.core import paths
from briefpack.core.errors import DataError, InputError
from briefpack.data import catalogue as data
from briefpack.places import campaign, geography
from briefpack.request import inputs

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DB_FILE = "campaign.sqlite3"
UPLOADS = "uploads"
STAGES = ("agreed_to_act", "contact_made", "meeting_date", "letter_to_home_secretary", "reply_received",
          "press_release")
# The tracker CSV's layouts (briefpack.places.campaign): every report and field (the default), the same without
# the contact details (personal data), and the original nine columns (one row per Westminster seat).
CSV_COLUMNS = campaign.ORIGINAL_COLUMNS
LAYOUTS = {"all": campaign.FULL_COLUMNS,
           "no-contacts": tuple(c for c in campaign.FULL_COLUMNS if c not in campaign.CONTACT_COLUMNS),
           "original": campaign.ORIGINAL_COLUMNS}
FILE_KINDS = {"letter": "the member's letter to ministers", "reply": "the reply from ministers"}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    pass


class Report(Base):
    """One club's report on one seat (a Westminster or a Scottish Parliament constituency, or a Scottish
    Parliament region: its list MSPs)."""
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parliament: Mapped[str] = mapped_column(String(20))             # geography.WESTMINSTER or SCOTTISH
    gss_code: Mapped[str] = mapped_column(String(12), index=True)              # '' for a region
    region: Mapped[str] = mapped_column(String(60), default="")   # a Scottish Parliament region's list MSPs
    ref: Mapped[str] = mapped_column(String(16), unique=True, index=True, default=lambda: secrets.token_hex(8))  # CSV: report
    club: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    agreed_to_act: Mapped[dt.date | None] = mapped_column(Date)
    contact_made: Mapped[dt.date | None] = mapped_column(Date)      # meeting requested
    meeting_date: Mapped[dt.date | None] = mapped_column(Date)
    met: Mapped[bool] = mapped_column(Boolean, default=False)
    letter_to_home_secretary: Mapped[dt.date | None] = mapped_column(Date)   # the member wrote to ministers
    reply_received: Mapped[dt.date | None] = mapped_column(Date)
    press_release: Mapped[dt.date | None] = mapped_column(Date)
    reply_summary: Mapped[str] = mapped_column(Text, default="")
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)   # sha256 of the private link's token
    source: Mapped[str] = mapped_column(String(20), default="club")           # club, or tracker (imported CSV)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow, index=True)
    files: Mapped[list["Upload"]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                 order_by="Upload.id")

    __mapper_args__ = {"version_id_col": version}

    def entry(self, name: str) -> campaign.Entry:
        return campaign.Entry(self.gss_code, name, self.club, self.contact_made, self.meeting_date, self.met,
                              self.letter_to_home_secretary, self.reply_received, self.press_release,
                              self.reply_summary)


class Upload(Base):
    """A file a club sent (the member's letter or the reply), stored under a random name."""
    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))          # letter or reply
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    report: Mapped[Report] = relationship(back_populates="files")


class Coordinator(Base):
    __tablename__ = "coordinators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_signins: Mapped[int] = mapped_column(Integer, default=0)
    paused_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    signed_out: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))   # sessions before it are void


class RateHit(Base):
    """One counted hit of a rate limit (``briefpack.app.ratelimits``): every server instance on this
    database counts in the same table. A row lives until ``expires`` (its window's end), then any
    instance removes it."""
    __tablename__ = "rate_limit_hits"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255))          # the limit and the client's address
    at: Mapped[float] = mapped_column(Double)              # seconds since the epoch
    expires: Mapped[float] = mapped_column(Double, index=True)

    __table_args__ = (Index("ix_rate_limit_hits_key_expires", "key", "expires"),)


class Secret(Base):
    """A random key every server instance on this database shares (``signing``: form tokens and
    sessions), made on first use unless ``$BRIEFPACK_SECRET_KEY`` gives one."""
    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def _loaded(report: Report) -> Report:
    """The report with its files read, for use after its session has ended."""
    report.files.sort(key=lambda f: f.id)
    return report


class Conflict(Exception):
    """The report changed since the page that sent this update was shown."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- where the database is ---------------------------------------------------------------------------

def state_dir() -> Path:
    """``$BRIEFPACK_STATE_DIR``, else ``state/`` in the project: the SQLite file and the uploads."""
    return Path(os.environ.get("BRIEFPACK_STATE_DIR") or paths.project_root() / "state")


def database_url() -> str:
    url = os.environ.get("BRIEFPACK_DATABASE_URL", "").strip()
    if url:
        if url.startswith(("postgresql://", "postgres://")):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    return f"sqlite:///{state_dir() / DB_FILE}"


def _sqlite_pragmas(dbapi_connection, connection_record, synchronous: str = "FULL"):
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA synchronous={synchronous}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_pragmas_normal(dbapi_connection, connection_record):
    _sqlite_pragmas(dbapi_connection, connection_record, "NORMAL")


def make_engine(url: str, durable: bool = True) -> Engine:
    """The engine of ``url``. ``durable=False`` (SQLite only): its commits are not synced to disk one by
    one (``synchronous=NORMAL``, still safe from corruption in WAL mode; the next synced commit or
    checkpoint carries them), for rows whose loss in a power cut costs nothing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas if durable else _sqlite_pragmas_normal)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    raise InputError(f"BRIEFPACK_DATABASE_URL: {parsed.get_backend_name()} is not supported; "
                     "give a postgresql:// URL or unset it for the SQLite file.")


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (several instances may start at once: PostgreSQL takes
    an advisory lock around it)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(172017)"))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class Store:
    """One database: an engine, sessions and the uploads folder."""

    def __init__(self, url: str | None = None, upload_dir: Path | None = None):
        self.url = url or database_url()
        self.engine = make_engine(self.url)
        migrate(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite: sessions whose commits are not synced one by one (tx(durable=False), counting())
        self._light = sessionmaker(make_engine(self.url, durable=False), expire_on_commit=False) \
            if self.kind == "sqlite" else None
        self._write_lock = threading.Lock()
        self.upload_dir = Path(upload_dir or os.environ.get("BRIEFPACK_UPLOAD_DIR") or state_dir() / UPLOADS)
        self.upload_dir.mkdir(mode=0o700, parents=True, exist_ok=True)   # clubs' files: the server's user only

    @property
    def kind(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def tx(self, write: bool = True, durable: bool = True):
        """One transaction: committed when the block ends, rolled back on any error. SQLite takes one
        writer at a time: this process's writers queue on a lock instead of in SQLite's busy handler,
        whose back-off sleeps (up to 100 ms a try) would otherwise add to a report's time.

        ``durable=False``: a commit that need not survive a power cut (rate-limit counts) is not
        waited for on disk: PostgreSQL's ``synchronous_commit`` is off for the transaction; SQLite
        uses a second engine with ``synchronous=NORMAL``. A crash loses at most the last such
        commits, never a durable one or the database's integrity."""
        lock = self._write_lock if write and self.kind == "sqlite" else nullcontext()
        sessions = self.sessions
        if not durable and self.kind == "sqlite":
            sessions = self._light_sessions()
        with lock, sessions.begin() as session:
            if not durable and self.kind == "postgresql":
                session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            yield session

    @contextmanager
    def counting(self):
        """A write transaction as a Core connection, not synced one by one (as ``tx(durable=False)``;
        PostgreSQL's setting is left to the first statement, so that it costs no round trip of its
        own): for the rate limits' short transactions, where every round trip counts."""
        engine = self._light_sessions().kw["bind"] if self.kind == "sqlite" else self.engine
        with self._write_lock if self.kind == "sqlite" else nullcontext(), engine.begin() as conn:
            yield conn

    def _light_sessions(self) -> sessionmaker:
        return self._light if self._light is not None else self.sessions

    def close(self) -> None:
        self.engine.dispose()
        if self._light is not None:
            self._light.kw["bind"].dispose()

    # --- reports --------------------------------------------------------------------------------------

    def create(self, values: dict, files: list | None = None) -> tuple[Report, str]:
        """A new report; returns it and the private link's token (only its hash is stored)."""
        token = secrets.token_urlsafe(24)
        written = self._write_files(files or [])
        try:
            with self.tx() as s:
                report = Report(token_hash=token_hash(token), source="club", **values)
                report.files = [Upload(**f) for f in written]
                s.add(report)
        except BaseException:
            self._remove_files(written)
            raise
        return report, token

    def by_token(self, token: str) -> Report | None:
        with self.tx(write=False) as s:
            report = s.scalar(select(Report).where(Report.token_hash == token_hash(token)))
            if report is not None:
                _loaded(report)
            return report

    def update(self, token: str, version: int, values: dict, files: list | None = None) -> Report:
        """Change the report whose link holds ``token``, if it is still at ``version``; else Conflict."""
        written = self._write_files(files or [])
        try:
            with self.tx() as s:
                report = s.scalar(select(Report).where(Report.token_hash == token_hash(token)))
                if report is None:
                    raise KeyError(token)
                if report.version != version:
                    raise Conflict()
                for k, v in values.items():
                    setattr(report, k, v)
                report.updated = utcnow()
                for f in written:
                    report.files.append(Upload(**f))
                s.flush()
                _loaded(report)
        except StaleDataError:
            self._remove_files(written)
            raise Conflict() from None
        except BaseException:
            self._remove_files(written)
            raise
        return report

    def reports(self) -> list[Report]:
        with self.tx(write=False) as s:
            rows = list(s.scalars(select(Report).order_by(Report.id)))
            for r in rows:
                _loaded(r)
            return rows

    def count(self) -> int:
        with self.tx(write=False) as s:
            return s.scalar(select(func.count()).select_from(Report))

    def upload(self, upload_id: int) -> tuple[Upload, Report] | None:
        with self.tx(write=False) as s:
            up = s.get(Upload, upload_id)
            if up is None:
                return None
            return up, up.report

    def upload_path(self, up: Upload) -> Path:
        return self.upload_dir / up.stored_name

    def _write_files(self, files: list) -> list[dict]:
        """Each (kind, media_type, bytes) written under a random name, synced to disk before the row."""
        out = []
        try:
            for kind, media_type, body in files:
                name = secrets.token_hex(16)
                path = self.upload_dir / name
                with open(path, "xb") as fh:
                    fh.write(body)
                    fh.flush()
                    os.fsync(fh.fileno())
                out.append({"kind": kind, "stored_name": name, "media_type": media_type, "size": len(body)})
        except BaseException:
            self._remove_files(out)
            raise
        return out

    def _remove_files(self, written: list[dict]) -> None:
        for f in written:
            (self.upload_dir / f["stored_name"]).unlink(missing_ok=True)

    # --- the progress report's rows ------------------------------------------------------------------

    def entries(self) -> dict[str, campaign.Entry]:
        """{GSS code: campaign.Entry} of the Westminster seats, as the tracker CSV gives them (the most
        advanced report where several clubs reported one seat)."""

        return campaign.reported(self.reports(), geography.WESTMINSTER)

    # --- coordinators ---------------------------------------------------------------------------------

    def coordinator(self, username: str) -> Coordinator | None:
        with self.tx(write=False) as s:
            return s.scalar(select(Coordinator).where(Coordinator.username == username))

    def add_coordinator(self, username: str, password_hash: str) -> None:
        with self.tx() as s:
            found = s.scalar(select(Coordinator).where(Coordinator.username == username))
            if found is None:
                s.add(Coordinator(username=username, password_hash=password_hash))
            else:
                found.password_hash = password_hash
                found.failed_signins, found.paused_until, found.signed_out = 0, None, utcnow()

    def sign_out(self, username: str) -> None:
        """End every session of this coordinator (a copied cookie included)."""
        with self.tx() as s:
            c = s.scalar(select(Coordinator).where(Coordinator.username == username))
            if c is not None:
                c.signed_out = utcnow()

    def signin_claim(self, username: str, limit: int, pause: dt.timedelta) -> tuple[int, dt.datetime | None]:
        """Count a sign-in attempt before its password is checked, in one ``UPDATE`` (so attempts sent
        to several instances at once are all counted): (its number in the run of failures, 0 when the
        account is paused or unknown; the end of the pause, or None). An attempt beyond ``limit``
        (others still being checked) starts the pause itself, so no more than ``limit`` passwords in
        a row are ever checked, and a count left by a server killed mid-check only pauses the account."""
        account = Coordinator.username == username
        now = utcnow()
        with self.tx() as s:
            number = s.scalar(update(Coordinator)
                              .where(account, or_(Coordinator.paused_until.is_(None), Coordinator.paused_until <= now))
                              .values(failed_signins=Coordinator.failed_signins + 1, paused_until=None)
                              .returning(Coordinator.failed_signins))
            if number is not None and number > limit:
                s.execute(update(Coordinator).where(account).values(paused_until=now + pause, failed_signins=0))
                return 0, now + pause
            if number is None:
                return 0, s.scalar(select(Coordinator.paused_until).where(account))
            return number, None

    def signin_result(self, username: str, ok: bool, number: int, limit: int, pause: dt.timedelta,
                      new_hash: str | None = None) -> None:
        """Record the outcome of attempt ``number`` (from :meth:`signin_claim`): a success clears the
        count (and any pause); the ``limit``-th failure in a row pauses sign-in."""
        account = Coordinator.username == username
        with self.tx() as s:
            if ok:
                values = {"failed_signins": 0, "paused_until": None}
                if new_hash:
                    values["password_hash"] = new_hash
                s.execute(update(Coordinator).where(account).values(**values))
            elif number >= limit:
                s.execute(update(Coordinator).where(account).values(paused_until=utcnow() + pause, failed_signins=0))

    # --- the key that signs form tokens and sessions --------------------------------------------------

    def secret(self, name: str = "signing") -> str:
        """The shared random key ``name``, made by whichever instance asks first (the others read it)."""
        with self.tx(write=False) as s:
            found = s.get(Secret, name)
            if found is not None:
                return found.value
        insert = pg_dialect.insert if self.kind == "postgresql" else sqlite_dialect.insert
        with self.tx() as s:
            s.execute(insert(Secret).values(name=name, value=secrets.token_urlsafe(48), created=utcnow())
                      .on_conflict_do_nothing(index_elements=["name"]))
        with self.tx(write=False) as s:
            return s.get(Secret, name).value

    # --- retention, backup ---------------------------------------------------------------------------

    def purge(self, days: int, now: dt.datetime | None = None) -> tuple[int, int]:
        """Remove uploads and contact details of reports not changed for ``days`` days, and files no row
        names (left by a server killed between writing a file and its row). Returns (files, contacts)."""
        cutoff = (now or utcnow()) - dt.timedelta(days=days)
        removed_files = cleared = 0
        with self.tx() as s:
            old = list(s.scalars(select(Report).where(Report.updated < cutoff)))
            for r in old:
                for up in list(r.files):
                    self.upload_path(up).unlink(missing_ok=True)
                    r.files.remove(up)
                    removed_files += 1
                if r.contact_name or r.contact_email:
                    r.contact_name, r.contact_email = "", ""
                    cleared += 1
            known = set(s.scalars(select(Upload.stored_name)))
        horizon = (now or utcnow()).timestamp() - 3600
        for path in self.upload_dir.iterdir():
            if path.name not in known and path.is_file() and path.stat().st_mtime < horizon:
                path.unlink(missing_ok=True)
                removed_files += 1
        return removed_files, cleared

    def backup(self, target: Path) -> Path:
        """A consistent copy while the server runs: SQLite's online backup API, or pg_dump (custom format).
        The uploads folder is copied beside it (``<target>.uploads/``)."""
        target = Path(target)
        if target.exists():
            raise InputError(f"{target} exists already; give a new file name for the backup.")
        target.parent.mkdir(parents=True, exist_ok=True)
        if self.kind == "sqlite":
            source = sqlite3.connect(make_url(self.url).database)
            dest = sqlite3.connect(str(target))
            try:
                with dest:
                    source.backup(dest)
            finally:
                dest.close()
                source.close()
        else:
            pg_dump = shutil.which("pg_dump")
            if not pg_dump:
                raise InputError("pg_dump is not installed; install PostgreSQL's client (apt-get install "
                                 "postgresql-client) and run the backup again.")
            url = make_url(self.url).set(drivername="postgresql")
            done = subprocess.run([pg_dump, "--format=custom", f"--file={target}",
                                   f"--dbname={url.render_as_string(hide_password=False)}"],
                                  capture_output=True, text=True)
            if done.returncode:
                target.unlink(missing_ok=True)
                raise InputError(f"pg_dump failed: {done.stderr.strip().splitlines()[-1] if done.stderr else done.returncode}")
        files = Path(str(target) + ".uploads")
        shutil.copytree(self.upload_dir, files)
        return target


# --- the tracker CSV -------------------------------------------------------------------------------

def read_csv(path: Path) -> tuple[tuple, tuple[str, ...]]:
    """(the checked rows of a tracker CSV, the columns it has), by the tracker's own rules
    (:func:`briefpack.places.campaign.rows`); a bad file raises DataError naming the file and the row."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} is not a file; give the tracker CSV's path (e.g. data/campaign/tracker.csv).")
    shipped = data.paths.data_dir() / "campaign" / "tracker.csv"
    if path.resolve() == shipped.resolve():
        folder = shipped.parent.parent
        return campaign.rows(str(folder), data.stamp(campaign.TRACKER, folder)), campaign.header(path)
    with tempfile.TemporaryDirectory(prefix="briefpack-import-") as tmp:
        folder = Path(tmp)
        (folder / "campaign").mkdir()
        shutil.copy(path, folder / "campaign" / "tracker.csv")
        shutil.copy(data.paths.data_dir() / "campaign" / "tracker.meta.yml", folder / "campaign" / "tracker.meta.yml")
        try:
            rows = campaign.rows.__wrapped__(str(folder), None)
        except DataError as exc:
            message = str(exc).replace(f"data/{campaign.TRACKER}.csv", str(path), 1)
            if "column(s)" in message:
                message += (" Give the header of an export (build.py db --export-tracker) or the original nine "
                            "columns.")
            raise DataError(message) from None
        return rows, campaign.header(path)


def _aware(moment: dt.datetime) -> dt.datetime:
    """A time from the database in UTC (SQLite gives it back without its zone)."""
    return moment.astimezone(dt.timezone.utc) if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _values(row: campaign.Row, columns: set, where: str) -> dict:
    """The report's fields that the row carries (a column the file leaves out leaves the field as it is)."""
    values = {"parliament": row.parliament, "gss_code": row.gss_code,
              "region": row.seat if row.seat_type == campaign.REGION else "", "club": row.club, "met": row.met,
              "reply_summary": row.reply_summary}
    values.update({c: row.dates[c] for c in campaign.DATE_COLUMNS})
    if "agreed_to_act" in columns:
        values["agreed_to_act"] = row.dates["agreed_to_act"]
    # Contact details are personal data: checked as the report form checks them, never repeated in a message.
    try:
        if "contact_name" in columns:
            values["contact_name"] = inputs.text(row.contact_name, "contact_name")
        if "contact_email" in columns:
            values["contact_email"] = inputs.text(row.contact_email, "contact_email")
    except InputError as exc:
        raise InputError(f"{where}: {exc.plain[0].lower()}{exc.plain[1:]}") from None
    try:
        inputs.email(values.get("contact_email", ""))
    except InputError:
        raise InputError(f"{where}: the contact's email is not an email address (one @, a dot in the domain); "
                         "correct it or leave it empty.") from None
    if row.source:
        values["source"] = row.source
    return values


def import_csv(store: Store, path: Path) -> int:
    """Read a tracker CSV (either layout, checked by campaign's own rules) into the database, in one
    transaction: a bad row changes nothing. A row with a report reference updates that report (or makes
    it, when this database does not have it); a row without one is the imported row of its seat (today's
    tracker files), made or updated. Reports the file does not name are left as they are. A report that
    changed in the database after the file was exported is not overwritten: the import is refused.
    Returns the rows read."""
    path = Path(path)
    rows, header = read_csv(path)
    columns = set(header)
    with store.tx() as s:
        touched: dict[int, int] = {}
        for row in rows:
            where = f"{path} row {row.line}"
            values = _values(row, columns, where)
            if row.report:
                report = s.scalar(select(Report).where(Report.ref == row.report))
            else:
                report = s.scalar(select(Report).where(
                    Report.source == "tracker", Report.parliament == row.parliament, Report.gss_code == row.gss_code,
                    Report.region == values["region"]).order_by(Report.id).limit(1))
            if report is None:
                report = Report(**{"source": "tracker", **values})
                if row.report:
                    report.ref = row.report
                if row.updated:
                    report.updated = row.updated
                s.add(report)
                s.flush()
            else:
                if report.id in touched:
                    raise InputError(f"{where}: changes the same report as row {touched[report.id]}; keep one of "
                                     "the two rows.")
                changed = {k: v for k, v in values.items() if getattr(report, k) != v}
                if changed:
                    if row.updated and _aware(report.updated) != row.updated:
                        raise InputError(
                            f"{where}: report {report.ref} ({row.seat}) changed in the database at "
                            f"{_aware(report.updated):%Y-%m-%d %H:%M} UTC, after this file was written; nothing "
                            "was imported: export again and make the change in the new file.")
                    for k, v in changed.items():
                        setattr(report, k, v)
                    report.updated = utcnow()
            touched[report.id] = row.line
    return len(rows)


def _csv_date(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def export_csv(store: Store, layout: str = "all") -> str:
    """The database as a tracker CSV, written as the shipped file is (UTF-8, LF line ends); a text that a
    spreadsheet would run as a formula has a "'" in front (:func:`campaign.spreadsheet_safe`; import takes it off).

    ``all``: every report, in the order they were made or imported, with every field a coordinator needs
    offline, contact details (personal data) included; ``no-contacts``: the same without them; ``original``:
    the original nine columns, one row per Westminster seat (the most advanced report where several clubs
    reported one seat), which leaves out what :func:`original_omits` counts. The uploads are not in any."""
    if layout not in LAYOUTS:
        raise InputError(f"Unknown tracker layout {layout!r}; use one of: {', '.join(LAYOUTS)}.")
    columns = LAYOUTS[layout]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(columns)
    if layout == "original":
        safe = campaign.spreadsheet_safe
        for code, e in store.entries().items():
            w.writerow([code, safe(e.club), _csv_date(e.contact_made), _csv_date(e.meeting_date),
                        "True" if e.met else "", _csv_date(e.letter), _csv_date(e.reply), _csv_date(e.press_release),
                        safe(e.reply_summary)])
        return out.getvalue()
    names = {(p, s.gss_code): s.name for p in geography.PARLIAMENTS for s in geography.seats(p)}
    for r in store.reports():
        region = r.parliament == geography.SCOTTISH and bool(r.region)
        values = {
            "report": r.ref, "parliament": r.parliament, "seat_type": campaign.REGION if region else campaign.CONSTITUENCY,
            "gss_code": "" if region else r.gss_code,
            "seat": r.region if region else names.get((r.parliament, r.gss_code), ""),
            "club": r.club, "contact_name": r.contact_name, "contact_email": r.contact_email,
            "met": "True" if r.met else "", "reply_summary": r.reply_summary, "source": r.source,
            "updated": _aware(r.updated).isoformat(timespec="microseconds"),
        }
        values.update({c: campaign.spreadsheet_safe(values[c]) for c in campaign.TEXT_COLUMNS})
        values.update({c: _csv_date(getattr(r, c)) for c in campaign.ROW_DATES})
        w.writerow([values[c] for c in columns])
    return out.getvalue()


def original_omits(store: Store) -> str:
    """What the original layout leaves out of this database, in words ('' when nothing); counts only, no
    personal data."""
    reports = store.reports()
    west = [r for r in reports if r.parliament == geography.WESTMINSTER]
    parts = []
    scottish = len(reports) - len(west)
    if scottish:
        parts.append(f"{scottish} Scottish Parliament report{'s' if scottish != 1 else ''}")
    extra = len(west) - len(store.entries())
    if extra:
        parts.append(f"{extra} less advanced report{'s' if extra != 1 else ''} on a seat another report covers")
    for what, count in (("agreed-to-act dates", sum(1 for r in west if r.agreed_to_act)),
                        ("contact details", sum(1 for r in west if r.contact_name or r.contact_email))):
        if count:
            parts.append(f"the {what} of {count} report{'s' if count != 1 else ''}")
    return "; ".join(parts)


_LOCK = threading.Lock()
_STORE: Store | None = None
SECRET_ENV = "BRIEFPACK_SECRET_KEY"
OLD_SECRET_ENV = "BRIEFPACK_SECRET"      # the briefing form's earlier name for the same key


def secret_from_env() -> str | None:
    """``$BRIEFPACK_SECRET_KEY`` (or its earlier name ``$BRIEFPACK_SECRET``), checked; None when unset."""
    for name in (SECRET_ENV, OLD_SECRET_ENV):
        value = os.environ.get(name, "").strip()
        if value:
            if len(value) < 32:
                raise InputError(f"{name} is {len(value)} characters long; set at least 32 random characters "
                                 "(python -c 'import secrets; print(secrets.token_urlsafe(48))') or unset it.")
            return value
    return None


def open_default() -> None:
    """Open (and migrate) the process's database and read the signing key, as a server does before it
    serves: a key too short, an unsupported URL or a database that cannot be reached raises
    InputError with one line saying what to do."""
    from sqlalchemy.exc import SQLAlchemyError

    secret_from_env()
    try:
        signing_key(default())
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise InputError(f"The campaign database cannot be opened ({first}); check BRIEFPACK_DATABASE_URL, or "
                         "unset it for the SQLite file in the state folder.") from None


def signing_key(database: Store | None = None) -> str:
    """The key that signs form tokens (CSRF) and coordinators' sessions, the same on every instance:
    ``$BRIEFPACK_SECRET_KEY`` when set, else a random key kept in the database they share."""
    return secret_from_env() or (database or default()).secret("signing")


def default() -> Store:
    """The process's store (made, and the database migrated, on first use)."""
    global _STORE
    with _LOCK:
        if _STORE is None:
            _STORE = Store()
        return _STORE


def reset_default() -> None:
    """Forget the process's store (tests that change the environment)."""
    global _STORE
    with _LOCK:
        if _STORE is not None:
            _STORE.close()
        _STORE = None
