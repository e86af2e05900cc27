"""Step 4 on the web page: clubs report back (no account), coordinators see the campaign (signed in).

``web.create_app`` adds :func:`routes`:

- ``/report`` (a new report on a Westminster or Scottish Parliament constituency, or on a Scottish Parliament
  region's list MSPs; ``?seat=CODE&parliament=...`` from a briefing's page) and
  ``/report/{token}`` (the club's private link, to update it later; only the token's hash is stored);
- ``/coordinators/...``: sign in and out, the live progress report and hex map (briefpack.render.report,
  drawn from the database) with the Scottish Parliament's own counts (constituencies, and each region's list
  MSPs) and grid by region
  (briefpack.render.holyrood_progress), replies to collate with their files (sent as attachments only),
  overdue chases, the tracker CSV.

Every form that changes data carries a CSRF token (the app's one guard, :class:`briefpack.app.webguard.FormGuard`,
403 without it); posts are rate-limited per address (the ``limits`` library, counted in the database
that every instance shares: :mod:`briefpack.app.ratelimits`); every field is checked by
:mod:`briefpack.request.inputs`, the code that checks a briefing request; uploads are PDF, JPEG or PNG by
their content (the ``filetype`` library), up to 10 MB, kept outside any served folder under random
names. Nothing a club sends is shown to anyone but the coordinators, and nothing personal is
logged (the access log's private links are masked, :class:`MaskTokens`).
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from dataclasses import dataclass
from functools import lru_cache

import filetype
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from limits import parse_many
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from briefpack.app import store
from briefpack.app.ratelimits import DatabaseStorage
from briefpack.app.webguard import FormGuard
from briefpack.core import paths
from briefpack.core.errors import InputError
from briefpack.places import campaign, geography
from briefpack.render import holyrood_progress
from briefpack.render.holyrood_progress import HolyroodProgress
from briefpack.render.report import ProgressReport
from briefpack.request import inputs

log = logging.getLogger("briefpack.reports")

MAX_FILE = 10 * 1024 * 1024
MAX_BODY = 2 * MAX_FILE + 256 * 1024
FILE_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
FORM_FIELDS = ("club", "constituency", "parliament", "contact_name", "contact_email", "agreed_to_act",
               "contact_made", "meeting_date", "letter_to_home_secretary", "reply_received", "press_release",
               "reply_summary")
DATE_FIELDS = ("agreed_to_act", "contact_made", "meeting_date", "letter_to_home_secretary", "reply_received",
               "press_release")
STAGE_WORDS = {   # the tracker's column words, as a club reads them on the form
    "meeting_date": "the meeting date", "letter_to_home_secretary": "the date the member wrote to ministers",
    "reply_received": "the date the reply was received", "contact_made": "the date the meeting was requested",
    "'met' is True": "'We have met' is ticked", "a reply summary is given": "the reply is summarised",
}
# The form's third choice of seat: a Scottish Parliament region's list MSPs (stored as parliament scottish, the
# region named, no GSS code: as the tracker CSV's seat_type region). The region is named in the seat's field.
SCOTTISH_REGION = "scottish-region"
SIGNIN_FAILURES = 5
SESSION_COOKIE = "briefpack_session"


@dataclass(frozen=True)
class Settings:
    report_rate: str = "30/minute;300/day"   # BRIEFPACK_REPORT_RATE: report posts per address
    signin_rate: str = "10/minute;100/day"   # BRIEFPACK_SIGNIN_RATE: sign-in posts per address
    signin_pause: int = 900                  # BRIEFPACK_SIGNIN_PAUSE: seconds an account pauses after 5 wrong passwords
    retention_days: int = 365                # BRIEFPACK_RETENTION_DAYS: uploads and contact details kept this long
    session_hours: int = 12                  # BRIEFPACK_SESSION_HOURS: a coordinator stays signed in this long

    @classmethod
    def from_env(cls, environ=None) -> "Settings":
        env = os.environ if environ is None else environ
        values = {}
        for name, kind in (("report_rate", str), ("signin_rate", str), ("signin_pause", int),
                           ("retention_days", int), ("session_hours", int)):
            raw = env.get(f"BRIEFPACK_{name.upper()}", "").strip()
            if not raw:
                continue
            try:
                values[name] = kind(raw)
                if kind is str:
                    parse_many(raw)
            except ValueError:
                raise InputError(f"BRIEFPACK_{name.upper()}={raw!r} cannot be read; set it like the default "
                                 f"({getattr(cls, name)}) or unset it.") from None
        return cls(**values)


class BodyLimit:
    """Refuse (413) a request body larger than ``limit`` bytes, declared or sent chunked."""

    def __init__(self, app, limit: int = MAX_BODY):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            return await _too_large(send)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _too_large(send)


class _TooLarge(Exception):
    pass


async def _too_large(send):
    body = b"The request is larger than 20 MB: send at most two files of up to 10 MB each."
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class Sessions:
    """Starlette's SessionMiddleware (signed cookie, HttpOnly, SameSite=Strict), Secure when the request
    came over HTTPS: one middleware for each. ``secret_key`` may be a function, called on the first
    request (the form guard's key: the same on every instance)."""

    def __init__(self, app, secret_key, max_age: int):
        self.app, self.secret_key, self.max_age = app, secret_key, max_age
        self.plain = self.secure = None

    async def __call__(self, scope, receive, send):
        if self.plain is None:
            key = self.secret_key() if callable(self.secret_key) else self.secret_key
            kw = dict(secret_key=key, session_cookie=SESSION_COOKIE, max_age=self.max_age, same_site="strict")
            self.secure = SessionMiddleware(self.app, https_only=True, **kw)
            self.plain = SessionMiddleware(self.app, https_only=False, **kw)
        chosen = self.secure if scope.get("scheme") == "https" else self.plain
        await chosen(scope, receive, send)


def signed_in(handler):
    """A coordinator's page: signed-out requests are sent to sign in; the answer is never cached."""
    @functools.wraps(handler)
    async def wrapper(self, request):
        if not await run_in_threadpool(self.current, request):
            return RedirectResponse(f"{self.base(request)}/coordinators/sign-in", status_code=303)
        response = await handler(self, request)
        response.headers["cache-control"] = "no-store"
        return response
    return wrapper


@functools.cache
def _dummy_hash() -> str:
    """A hash to check a password against when there is no such coordinator, so that answer takes the
    time of a real check. Made once a process (about 0.1 s), not once an app."""
    return PasswordHasher().hash("no such coordinator")


class Reports:
    """The handlers; the database is opened on first use (``store.default()``)."""

    def __init__(self, settings: Settings, guard: FormGuard, attribution=lambda: (),
                 database: store.Store | None = None):
        self.settings = settings
        self.attribution = attribution
        self._store = database
        self.guard = guard
        self.limiter = MovingWindowRateLimiter(DatabaseStorage(database=lambda: self.store))
        self.report_limits = parse_many(settings.report_rate)
        self.signin_limits = parse_many(settings.signin_rate)
        self.hasher = PasswordHasher()
        self.dummy_hash = _dummy_hash()
        self.env = _templates()

    @property
    def store(self) -> store.Store:
        if self._store is None:
            self._store = store.default()
        return self._store

    # --- helpers ------------------------------------------------------------------------------------

    @staticmethod
    def base(request) -> str:
        return request.scope.get("root_path", "").rstrip("/")

    def render(self, request, template: str, status: int = 200, headers: dict | None = None, **values):
        token, new_cookie = self.guard.issue(request)
        values.setdefault("attribution", self.attribution())
        page = self.env.get_template(template).render(base=self.base(request), csrf_field=FormGuard.FIELD,
                                                      csrf_token=token, **values)
        response = HTMLResponse(page, status, headers={"cache-control": "no-store", **(headers or {})})
        self.guard.set_cookie(response, new_cookie, request)
        return response

    def message(self, request, status: int, heading: str, message: str, headers: dict | None = None):
        return self.render(request, "message.html.j2", status, headers, heading=heading, message=message,
                           title=heading)

    async def limited(self, request, limits, what: str) -> Response | None:
        """A 429 page when this address has used up one of ``limits`` (counted in the database, so on
        every instance together); else None, the post counted."""
        address = request.client.host if request.client else "unknown"
        seconds = await run_in_threadpool(self._hit, limits, what, address)
        if seconds:
            return self.message(request, 429, "Too many attempts",
                                f"Too many attempts from your address; try again in {seconds} seconds.",
                                {"retry-after": str(seconds)})
        return None

    def _hit(self, limits, what: str, address: str) -> int:
        """0 when the hit is counted under every limit; else the seconds until the first refusing one allows."""
        for limit in limits:
            if not self.limiter.hit(limit, what, address):
                reset = self.limiter.get_window_stats(limit, what, address).reset_time
                return max(1, int(reset - self.limiter.storage.clock()) + 1)
        return 0

    async def form(self, request):
        """The posted form (multipart or urlencoded), or a 403 response when its CSRF token is not good."""
        try:
            form = await request.form(max_files=2, max_fields=40, max_part_size=64 * 1024)
        except Exception:    # a malformed body: python-multipart's and Starlette's errors differ by version
            return None, self.message(request, 400, "That did not work",
                                      "The form could not be read; send it again from the page.")
        problem = self.guard.check(request, form.get(FormGuard.FIELD))
        if problem:
            return None, self.message(request, 403, "The form could not be accepted", problem)
        return form, None

    # --- a club's report ----------------------------------------------------------------------------

    async def new(self, request):
        q = request.query_params
        values = {k: "" for k in FORM_FIELDS} | {"met": False}
        values["parliament"] = geography.WESTMINSTER
        seat_name = ""
        if q.get("seat"):
            try:
                seat = inputs.constituency(q["seat"], q.get("parliament") or geography.WESTMINSTER)
                values["constituency"], values["parliament"], seat_name = seat.name, seat.parliament, seat.name
            except InputError:
                pass
        values["club"] = q.get("club", "")[:200]
        return self.render(request, "report.html.j2", values=values, errors={}, report=None, token="",
                           seat_name=seat_name, notice="", title="Tell the campaign what happened")

    async def create(self, request):
        refused = await self.limited(request, self.report_limits, "report")
        if refused:
            return refused
        form, refused = await self.form(request)
        if refused:
            return refused
        values, errors, files = await self.checked(form)
        if errors:
            return self.render(request, "report.html.j2", 400, values=_shown(form), errors=errors, report=None,
                               token="", seat_name="", notice="", title="Tell the campaign what happened")
        report, token = await run_in_threadpool(self.store.create, values, files)
        log.info("report %s made (%s, %d files)", report.id, report.parliament, len(files))
        return RedirectResponse(f"{self.base(request)}/report/{token}?saved=1", status_code=303)

    async def show(self, request):
        token = request.path_params["token"]
        report = await run_in_threadpool(self.store.by_token, token)
        if report is None:
            return self.message(request, 404, "Report not found",
                                "There is no report at this link; check the link, or start a new report.")
        notice = "Your report is saved. Keep this page's address private: it is your link to update the report." \
            if request.query_params.get("saved") else ""
        return self.render(request, "report.html.j2", values=_values_of(report), errors={}, report=report,
                           token=token, seat_name=_seat_name(report), notice=notice, title="Your report")

    async def update(self, request):
        refused = await self.limited(request, self.report_limits, "report")
        if refused:
            return refused
        token = request.path_params["token"]
        form, refused = await self.form(request)
        if refused:
            return refused
        report = await run_in_threadpool(self.store.by_token, token)
        if report is None:
            return self.message(request, 404, "Report not found", "There is no report at this link.")
        values, errors, files = await self.checked(form)
        try:
            version = int(form.get("version", ""))
        except ValueError:
            errors["form"] = "The form is missing its version; open your link again and make the change there."
            version = -1
        if not errors:
            try:
                report = await run_in_threadpool(self.store.update, token, version, values, files)
            except store.Conflict:
                latest = await run_in_threadpool(self.store.by_token, token)
                errors["form"] = ("This report was changed by someone else (with the same link) after you opened "
                                  "it, so your changes were not saved. The latest version is shown: make your "
                                  "changes again and save.")
                return self.render(request, "report.html.j2", 409, values=_values_of(latest), errors=errors,
                                   report=latest, token=token, seat_name=_seat_name(latest), notice="",
                                   title="Your report")
            log.info("report %s updated to version %s (%d files)", report.id, report.version, len(files))
            return RedirectResponse(f"{self.base(request)}/report/{token}?saved=1", status_code=303)
        return self.render(request, "report.html.j2", 400, values=_shown(form), errors=errors, report=report,
                           token=token, seat_name=_seat_name(report), notice="", title="Your report")

    async def checked(self, form) -> tuple[dict, dict, list]:
        """(the report's values, {field: message}, [(kind, media type, bytes)]), every field checked by
        briefpack.request.inputs and the tracker's own rules between stages."""
        raw = {k: form.get(k, "") for k in FORM_FIELDS}
        raw = {k: v if isinstance(v, str) else "" for k, v in raw.items()}
        on_region = raw["parliament"] == SCOTTISH_REGION
        parliament = geography.SCOTTISH if on_region else raw["parliament"] or geography.WESTMINSTER
        checked = {**raw, "parliament": parliament}
        if on_region:      # the seat's field names a region, not a constituency
            del checked["constituency"]
        errors = {k: for_page(exc) for k, exc in inputs.errors(checked).items()}
        region = ""
        if on_region:
            try:
                region = inputs.region(raw["constituency"])
            except InputError as exc:
                errors.setdefault(exc.field or "constituency", for_page(exc))
        if not raw["club"].strip():
            errors.setdefault("club", "Give your club's name.")
        if not raw["constituency"].strip():
            errors.setdefault("constituency", "Say which constituency: its name (e.g. Banbury) or its code.")
        files = []
        for kind in store.FILE_KINDS:
            upload = form.get(f"{kind}_file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                continue
            body = await upload.read(MAX_FILE + 1)
            found = _file_problem(body, kind)
            if found:
                errors[f"{kind}_file"] = found
            else:
                files.append((kind, filetype.guess_mime(body), body))
        if errors:
            return {}, errors, []
        clean = inputs.clean({k: v for k, v in raw.items() if k != "constituency"} | {"parliament": parliament})
        if on_region:
            where = {"parliament": geography.SCOTTISH, "gss_code": "", "region": region}
        else:
            seat = inputs.constituency(raw["constituency"], clean["parliament"])
            where = {"parliament": seat.parliament, "gss_code": seat.gss_code, "region": ""}
        values = {**where, "club": clean["club"],
                  "contact_name": clean["contact_name"], "contact_email": clean["contact_email"],
                  "reply_summary": clean["reply_summary"], "met": form.get("met") == "yes",
                  **{k: clean[k] for k in DATE_FIELDS}}
        problems = campaign.row_problems(values, values["met"], values["reply_summary"])
        if values["agreed_to_act"] and values["contact_made"] and values["contact_made"] < values["agreed_to_act"]:
            problems.append("the meeting was requested before the club agreed to act")
        if problems:
            return {}, {"form": _in_words(problems[0])}, []
        return values, {}, files

    # --- coordinators -------------------------------------------------------------------------------

    def coordinator(self, request) -> str | None:
        """The signed-in coordinator's name, from the session cookie (for the sign-in page: no database)."""
        name = request.session.get("coordinator")
        return name if isinstance(name, str) and name else None

    def current(self, request) -> str | None:
        """The coordinator, when the account still exists and has not signed out (or had its password
        set) since this session began."""
        name, since = self.coordinator(request), request.session.get("since")
        if not name or not isinstance(since, (int, float)):
            return None
        c = self.store.coordinator(name)
        if c is None:
            return None
        if c.signed_out and _aware(c.signed_out).timestamp() >= since:
            return None
        return name

    async def signin_page(self, request):
        if self.coordinator(request):
            return RedirectResponse(f"{self.base(request)}/coordinators/", status_code=303)
        return self.render(request, "signin.html.j2", error="", username="", title="Coordinators: sign in")

    async def signin(self, request):
        refused = await self.limited(request, self.signin_limits, "signin")
        if refused:
            return refused
        form, refused = await self.form(request)
        if refused:
            return refused
        username = form.get("username", "") if isinstance(form.get("username"), str) else ""
        password = form.get("password", "") if isinstance(form.get("password"), str) else ""
        error = await run_in_threadpool(self._check_password, username.strip()[:80], password[:1024])
        if error:
            log.info("sign-in refused")
            return self.render(request, "signin.html.j2", 401, error=error, username=username[:80],
                               title="Coordinators: sign in")
        request.session.clear()
        request.session["coordinator"] = username.strip()
        request.session["since"] = store.utcnow().timestamp()
        log.info("coordinator signed in")
        return RedirectResponse(f"{self.base(request)}/coordinators/", status_code=303)

    def _check_password(self, username: str, password: str) -> str:
        """'' when the password is right and sign-in is not paused; else the message to show."""
        wrong = "That user name and password do not match; try again."
        c = self.store.coordinator(username) if username else None
        if c is None:
            try:
                self.hasher.verify(self.dummy_hash, password)   # the same time as a real check
            except VerificationError:
                pass
            return wrong
        pause = dt.timedelta(seconds=self.settings.signin_pause)
        number, paused_until = self.store.signin_claim(username, SIGNIN_FAILURES, pause)
        if not number:
            left = (_aware(paused_until) - store.utcnow()) if paused_until else pause
            minutes = max(1, round(left.total_seconds() / 60))
            return (f"Sign-in for this account is paused after {SIGNIN_FAILURES} wrong passwords in a row; "
                    f"try again in {minutes} minute{'s' if minutes != 1 else ''}.")
        try:
            self.hasher.verify(c.password_hash, password)
            ok = True
        except (VerificationError, InvalidHashError):
            ok = False
        new_hash = self.hasher.hash(password) if ok and self.hasher.check_needs_rehash(c.password_hash) else None
        self.store.signin_result(username, ok, number, SIGNIN_FAILURES, pause, new_hash)
        return "" if ok else wrong

    async def signout(self, request):
        _, refused = await self.form(request)
        if refused:
            return refused
        name = await run_in_threadpool(self.current, request)
        if name:
            await run_in_threadpool(self.store.sign_out, name)
        request.session.clear()
        return RedirectResponse(f"{self.base(request)}/coordinators/sign-in", status_code=303)

    @signed_in
    async def dashboard(self, request):

        as_of = dt.date.today()
        reports = await run_in_threadpool(self.store.reports)
        entries = await run_in_threadpool(self.store.entries)
        progress = await run_in_threadpool(ProgressReport, as_of, entries)
        overview = await run_in_threadpool(lambda: progress.overview().html)
        hex_map = await run_in_threadpool(lambda: progress.hex_map().html)
        overdue = await run_in_threadpool(lambda: progress.overdue().html)
        holyrood = await run_in_threadpool(
            lambda: HolyroodProgress(as_of, holyrood_progress.entries_of(reports),
                                     holyrood_progress.region_entries_of(reports)).section().html)
        names = _seat_names()
        replies = [r for r in reports if r.reply_received or any(f.kind == "reply" for f in r.files)]
        replies.sort(key=lambda r: r.reply_received or dt.date.min, reverse=True)
        return self.render(request, "coordinators.html.j2", reports=reports, replies=replies, names=names,
                           overview=overview, hex_map=hex_map, overdue=overdue, holyrood=holyrood, as_of=as_of,
                           user=self.coordinator(request), kinds=store.FILE_KINDS, file_types=FILE_TYPES,
                           retention=self.settings.retention_days, title="Campaign progress (coordinators)")

    @signed_in
    async def download(self, request):
        found = await run_in_threadpool(self.store.upload, request.path_params["upload_id"])
        if found is None:
            return self.message(request, 404, "File not found", "There is no such file (it may have been purged).")
        up, report = found
        path = self.store.upload_path(up)
        if not path.is_file():
            return self.message(request, 404, "File not found", "This file is no longer kept.")
        ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[up.media_type]
        name = f"{report.gss_code or geography.slugify(report.region)}-{up.kind}-{up.id}.{ext}"
        return FileResponse(path, media_type=up.media_type, filename=name, content_disposition_type="attachment",
                            headers={"content-security-policy": "sandbox; default-src 'none'"})

    @signed_in
    async def export(self, request):
        body = await run_in_threadpool(store.export_csv, self.store)
        return Response(body, media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": 'attachment; filename="tracker.csv"'})


def _aware(moment: dt.datetime) -> dt.datetime:
    """A time from the database in UTC (SQLite gives it back without its zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def for_page(exc: InputError) -> str:
    """briefpack.request.inputs' message as the form shows it: without "(--club)" and the command line's list."""
    return exc.plain


def _file_problem(body: bytes, kind: str) -> str:
    label = store.FILE_KINDS[kind]
    if not body:
        return f"The file for {label} is empty; choose the file again."
    if len(body) > MAX_FILE:
        return f"The file for {label} is larger than 10 MB; send a smaller scan or photo."
    mime = filetype.guess_mime(body)
    if mime not in FILE_TYPES:
        return (f"The file for {label} is not a PDF, JPEG or PNG (whatever its name says); "
                "send the letter as a PDF or a photo.")
    return ""


def _in_words(problem: str) -> str:
    for column, words in STAGE_WORDS.items():
        problem = problem.replace(column, words)
    return problem[0].upper() + problem[1:] + "; correct the dates or the stage."


def _shown(form) -> dict:
    return {k: (form.get(k) if isinstance(form.get(k), str) else "") for k in FORM_FIELDS} | {
        "met": form.get("met") == "yes"}


def _values_of(report: store.Report) -> dict:
    name = _seat_name(report)
    out = {k: getattr(report, k) for k in ("club", "parliament", "contact_name", "contact_email", "reply_summary")}
    out.update({k: (getattr(report, k).isoformat() if getattr(report, k) else "") for k in DATE_FIELDS})
    out.update(constituency=report.region or name, met=report.met, version=report.version)
    if report.region:
        out["parliament"] = SCOTTISH_REGION
    return out


@lru_cache(maxsize=1)
def _seat_names() -> dict:
    return {(s.parliament, s.gss_code): s.name for p in geography.PARLIAMENTS for s in geography.seats(p)}


def _seat_name(report: store.Report) -> str:
    if report.region:
        return f"{report.region} (region)"
    return _seat_names().get((report.parliament, report.gss_code), report.gss_code)


@lru_cache(maxsize=1)
def _templates():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(paths.web_templates_dir())), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["kb"] = lambda n: f"{max(1, round(n / 1024))} KB"
    return env


def routes(guard: FormGuard, attribution=lambda: (), database: store.Store | None = None) -> list:
    """The routes ``web.create_app`` adds, their forms checked by ``guard`` (the app's one CSRF guard,
    whose key also signs the session cookie); ``database``: tests give their own store."""
    settings = Settings.from_env()
    r = Reports(settings, guard, attribution, database)
    session = Middleware(Sessions, secret_key=guard.key, max_age=settings.session_hours * 3600)
    small = Middleware(BodyLimit, limit=64 * 1024)
    c = "/coordinators"
    return [
        Route("/report", r.new, methods=["GET"]),
        Route("/report", r.create, methods=["POST"], middleware=[Middleware(BodyLimit)]),
        Route("/report/{token}", r.show, methods=["GET"]),
        Route("/report/{token}", r.update, methods=["POST"], middleware=[Middleware(BodyLimit)]),
        Route(f"{c}/", r.dashboard, methods=["GET"], middleware=[session]),
        Route(f"{c}/sign-in", r.signin_page, methods=["GET"], middleware=[session]),
        Route(f"{c}/sign-in", r.signin, methods=["POST"], middleware=[small, session]),
        Route(f"{c}/sign-out", r.signout, methods=["POST"], middleware=[small, session]),
        Route(f"{c}/files/{{upload_id:int}}", r.download, methods=["GET"], middleware=[session]),
        Route(f"{c}/tracker.csv", r.export, methods=["GET"], middleware=[session]),
    ]
