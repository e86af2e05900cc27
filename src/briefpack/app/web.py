"""The web page and JSON API: a campaigner makes their own briefing from a postcode.

``python build.py serve`` runs this app with Hypercorn and the settings of
:func:`briefpack.app.webguard.server_config` (a header deadline, no connection count), behind a reverse
proxy too, with the settings below in the environment (see README, "The web page"). The builds run in the same warm workers as the batch (:class:`briefpack.build.pool.WorkerPool`):
at most ``BRIEFPACK_MAX_WAITING`` builds wait, beyond that the answer is 503 with ``Retry-After``.

Every parameter is checked by the code the command line uses (``plan.briefing_job``); no user
input ever forms a file path (results are found by a random token in a dict, the pack's files by
name in a listing of its folder); each request's files live in their own folder of a bounded cache
that is removed on exit. The page works without JavaScript (forms, links, pages rendered here);
``app.js`` adds type-ahead and keeps the user on one page.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs

from briefpack.app import holyrood_web, reports_web, store
from briefpack.app.webform import BriefingForm, for_page
from briefpack.app.webguard import (
    AccessLog,
    FormGuard,
    RequestGuard,
    same_origin,
    server_config,
)
from briefpack.build.jobs import BUILT, FORMATS, output_name
from briefpack.build.pool import Busy, WorkerPool
from briefpack.core import paths
from briefpack.core.errors import BriefpackError, InputError
from briefpack.data import catalogue as data
from briefpack.places import postcodes, search
from briefpack.render import holyrood_progress
from briefpack.request import inputs
from briefpack.words import content

log = logging.getLogger("briefpack.app.web")

WEB_DIR = paths.web_templates_dir()
KINDS = {"html": "html", "pdf": "pdf", "letter": "docx"}          # URL word -> output format
MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
PACK_TYPES = {".html": MEDIA["html"], ".pdf": MEDIA["pdf"], ".docx": MEDIA["docx"]}
APP_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
           "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


# --- settings ------------------------------------------------------------------------------------

def _env_number(environ, name: str, default, kind=int, low=1):
    raw = environ.get(name, "")
    if raw.strip() == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise InputError(f"{name}={raw!r} is not a number; set it to e.g. {default} or unset it.") from None
    if value < low:
        raise InputError(f"{name}={raw!r} is below {low}; set it to e.g. {default} or unset it.")
    return value


@dataclass(frozen=True)
class Settings:
    """What the server reads from the environment (``python build.py serve`` sets the first)."""
    workers: int = 2                  # BRIEFPACK_WORKERS: worker processes (warm kernel, exporter, browser each)
    max_waiting: int = -1             # BRIEFPACK_MAX_WAITING: builds that may wait, beyond it 503 (default 4 per worker)
    job_timeout: float = 60.0         # BRIEFPACK_JOB_TIMEOUT: seconds a build may take
    recycle_after: int = 200          # BRIEFPACK_RECYCLE_AFTER: briefings before a worker's kernel is renewed
    max_body: int = 16 * 1024         # BRIEFPACK_MAX_BODY: bytes a request body may have; beyond it, 413
    body_seconds: float = 20.0        # BRIEFPACK_BODY_SECONDS: time to send a request body; beyond it, 408
    cache_items: int = 200            # BRIEFPACK_CACHE_ITEMS: briefings kept for download
    cache_seconds: float = 3600.0     # BRIEFPACK_CACHE_SECONDS: how long one is kept
    cache_parent: str = ""            # BRIEFPACK_CACHE_DIR: where the cache folder is made (default: system temp)
    pack_dir: str = ""                # BRIEFPACK_PACK_DIR: the pre-built pack to browse (default briefings/; "-" none)
    per_client: int = 2               # BRIEFPACK_PER_CLIENT: builds one client address may have at once; beyond, 429
    header_seconds: float = 5.0       # BRIEFPACK_HEADER_SECONDS: time to send a request's headers; then closed
    proxy_hops: int = 0               # BRIEFPACK_PROXY_HOPS: proxies in front whose X-Forwarded-For is trusted
    root_path: str = ""               # BRIEFPACK_ROOT_PATH: the path the proxy serves the app under

    @classmethod
    def from_env(cls, environ=None, **overrides) -> "Settings":
        env = os.environ if environ is None else environ
        values = dict(
            workers=_env_number(env, "BRIEFPACK_WORKERS", cls.workers),
            max_waiting=_env_number(env, "BRIEFPACK_MAX_WAITING", -1, low=0),
            job_timeout=_env_number(env, "BRIEFPACK_JOB_TIMEOUT", cls.job_timeout, float),
            recycle_after=_env_number(env, "BRIEFPACK_RECYCLE_AFTER", cls.recycle_after),
            max_body=_env_number(env, "BRIEFPACK_MAX_BODY", cls.max_body, low=1024),
            body_seconds=_env_number(env, "BRIEFPACK_BODY_SECONDS", cls.body_seconds, float),
            cache_items=_env_number(env, "BRIEFPACK_CACHE_ITEMS", cls.cache_items),
            cache_seconds=_env_number(env, "BRIEFPACK_CACHE_SECONDS", cls.cache_seconds, float),
            cache_parent=env.get("BRIEFPACK_CACHE_DIR", ""),
            pack_dir=env.get("BRIEFPACK_PACK_DIR", ""),
            per_client=_env_number(env, "BRIEFPACK_PER_CLIENT", cls.per_client),
            header_seconds=_env_number(env, "BRIEFPACK_HEADER_SECONDS", cls.header_seconds, float),
            proxy_hops=_env_number(env, "BRIEFPACK_PROXY_HOPS", cls.proxy_hops, low=0),
            root_path=env.get("BRIEFPACK_ROOT_PATH", "").rstrip("/"),
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def waiting_limit(self) -> int:
        """Builds that may wait. A request waits about (workers + waiting) / throughput seconds, so the
        default, 4 per worker, keeps that near 5 s with builds of about 1 s; beyond it, 503."""
        return self.max_waiting if self.max_waiting >= 0 else 4 * self.workers

    @property
    def request_timeout(self) -> float:
        """A request may wait this long for its build (queue included) before it is answered 503."""
        return self.job_timeout * 2 + 10

    def pack_folder(self) -> Path | None:
        if self.pack_dir == "-":
            return None
        return Path(self.pack_dir) if self.pack_dir else paths.briefings_dir()


# --- the cache of generated briefings -------------------------------------------------------------

@dataclass
class Made:
    """One briefing made for one request, kept for download under its token."""
    token: str
    folder: Path
    seat: search.Match
    club: str
    concerns: tuple
    files: dict                      # format -> Path
    seconds: float
    created: float = field(default_factory=time.monotonic)


class Cache:
    """Each request's files in their own folder under one temporary root, found by a random token.

    Bounded by count and age (the oldest go first); :meth:`close` removes everything.
    """

    def __init__(self, max_items: int, max_age: float, parent: str = ""):
        self.max_items, self.max_age = max_items, max_age
        parent_dir = Path(parent) if parent else Path(tempfile.gettempdir())
        parent_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale_caches(parent_dir)
        self.root = Path(tempfile.mkdtemp(prefix=f"briefpack-web-{os.getpid()}-", dir=parent_dir))
        self._items: dict[str, Made] = {}
        self._lock = threading.Lock()

    def new_folder(self) -> tuple[str, Path]:
        token = secrets.token_urlsafe(12)
        folder = self.root / token
        folder.mkdir()
        return token, folder

    def add(self, made: Made) -> None:
        with self._lock:
            self._items[made.token] = made
            self._evict()

    def get(self, token: str) -> Made | None:
        with self._lock:
            self._evict()
            return self._items.get(token)

    def discard(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)

    def sweep(self) -> None:
        """Remove the briefings past their age now (the server calls this on a timer)."""
        with self._lock:
            self._evict()

    @property
    def sweep_seconds(self) -> float:
        """How often the server sweeps: a briefing is gone at most this long after its time."""
        return min(60.0, max(0.2, self.max_age / 4))

    def __len__(self) -> int:
        return len(self._items)

    def _evict(self) -> None:
        now = time.monotonic()
        for token in list(self._items):
            made = self._items[token]
            if len(self._items) > self.max_items or now - made.created > self.max_age:
                del self._items[token]
                shutil.rmtree(made.folder, ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            self._items.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def _remove_stale_caches(parent: Path) -> None:
    """Cache folders left by a server that was killed outright (its process is gone)."""
    for folder in parent.glob("briefpack-web-*-*"):
        try:
            os.kill(int(folder.name.split("-")[2]), 0)
        except (ValueError, IndexError, ProcessLookupError):
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass


# --- HTML documents served as they are (briefings, the pack) --------------------------------------

_INLINE = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1\s*>", re.S | re.I)
_DATA_BLOCK = re.compile(r"""\btype\s*=\s*["']?application/(ld\+)?json""", re.I)


def document_csp(html: str) -> str:
    """A policy for one of our own HTML documents: its inline scripts and styles by hash, nothing else."""
    hashes = {"script": [], "style": []}
    for tag, attrs, body in _INLINE.findall(html):
        tag = tag.lower()
        if tag == "script" and (re.search(r"\bsrc\s*=", attrs, re.I) or _DATA_BLOCK.search(attrs)):
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        hashes[tag].append(f"'sha256-{digest}'")
    script = " ".join(dict.fromkeys(hashes["script"])) or "'none'"
    style = " ".join(dict.fromkeys(hashes["style"])) or "'none'"
    return (f"default-src 'none'; script-src {script}; style-src {style}; img-src data:; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'")


@lru_cache(maxsize=64)
def _document(path: str, stamp: tuple) -> tuple[bytes, str]:
    raw = Path(path).read_bytes()
    return raw, document_csp(raw.decode("utf-8", errors="replace"))


def read_document(path: Path) -> tuple[bytes, str]:
    st = path.stat()
    return _document(str(path), (st.st_mtime_ns, st.st_size))


_MAIN = re.compile(r"<main\b[^>]*>(.*)</main>", re.S | re.I)


def briefing_body(path: Path) -> str:
    """The content of a briefing's ``<main>``, to show inside our own page (its own markup, escaped
    when it was made; no script in it)."""
    found = _MAIN.search(path.read_text(encoding="utf-8"))
    return found.group(1) if found else ""


def scope_css(css: str, scope: str) -> str:
    """Prefix every selector of a simple stylesheet with ``scope``; ``html``, ``:root``, ``body`` and
    ``main`` become the scope itself; ``@page`` rules are dropped (the briefing's own CSS, shown
    inside our page)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out, i = [], 0
    while i < len(css):
        brace = css.find("{", i)
        if brace < 0:
            break
        head = css[i:brace].strip()
        depth, j = 1, brace + 1
        while j < len(css) and depth:
            depth += {"{": 1, "}": -1}.get(css[j], 0)
            j += 1
        body = css[brace + 1:j - 1]
        if head.startswith("@media"):
            out.append(f"{head} {{ {scope_css(body, scope)} }}")
        elif not head.startswith("@"):
            selectors = []
            for sel in head.split(","):
                sel = sel.strip()
                first, _, rest = sel.partition(" ")
                if first in (":root", "html", "body", "main") or first.startswith("body."):
                    selectors.append(f"{scope} {rest}".strip())
                else:
                    selectors.append(f"{scope} {sel}")
            out.append(f"{', '.join(selectors)} {{{body}}}")
        i = j
    return "\n".join(out)


# --- the service: pool, cache, search, pages -------------------------------------------------------

class BuildFailed(Exception):
    """A build that ran and failed (its reason is one line); the worker pool goes on."""


class TooMany(Exception):
    """One client already has ``per_client`` builds on their way; it should wait for them."""

    def __init__(self, limit: int):
        super().__init__(f"You already have {limit} briefing{'s' if limit != 1 else ''} being made; wait for "
                         f"{'them' if limit != 1 else 'it'} to finish, then make the next.")


class ClientGone(Exception):
    """The client closed its connection before its briefing was made: the build was cancelled."""


_MAX_DIGITS = 30


def _json_number(text: str):
    if len(text) > _MAX_DIGITS:
        raise InputError(f"A number in the request is {len(text)} characters long; no field needs more than "
                         f"{_MAX_DIGITS}.")
    return float(text) if any(c in text for c in ".eE") else int(text)


def parse_json(body: bytes):
    """The request's JSON, or InputError with one line: not UTF-8, not JSON, nested too deep (Python's
    parser recurses), or a number longer than any field needs (Python limits int() to 4,300 digits)."""
    try:
        return json.loads(body.decode("utf-8"), parse_int=_json_number, parse_float=_json_number)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError("The request body is not valid JSON.") from None
    except RecursionError:
        raise InputError("The request's JSON is nested too deeply; send a flat object of fields.") from None


def field_of(exc: Exception) -> str | None:
    """The form field an InputError concerns (briefpack.request.inputs names it), or None."""
    return Form.field_of(exc)


class Form(BriefingForm):
    """What the user sent for a briefing for their MP (its fields: ``inputs.form_fields()``), kept to
    show back in the form."""

    def match(self, job) -> search.Match:
        """The seat of ``job`` as the result page shows it (Scottish Parliament forms have their own)."""
        return search.seat_match(job.key, "code")


class Service:
    """The warm workers, the cache and the pages, for one app."""

    def __init__(self, settings: Settings, pool=None):
        self.settings = settings
        self.pool = pool
        self.cache: Cache | None = None
        self._closed = False
        self.env = _templates()
        self.static = {}
        self.guard = FormGuard(store.signing_key)   # the one CSRF guard of every form (reports' too)
        self.per_client: dict[str, int] = {}     # client address -> builds on their way (event loop only)

    def start(self) -> None:
        """Start (and warm) the workers, read the data the pages need, make the cache folder."""
        s = self.settings
        data.check_tables()                # a damaged data file stops the server before it starts
        self.guard.key()                   # the signing key every instance shares (opens the database if it is kept there)
        if self.pool is None:
            self.pool = WorkerPool(size=s.workers, recycle_after=s.recycle_after, job_timeout=s.job_timeout,
                                   max_waiting=s.waiting_limit)
        self.cache = Cache(s.cache_items, s.cache_seconds, s.cache_parent)
        self.pool.start()
        search.find("Banbury")             # reads and checks the seat, member and council tables
        search.find(postcodes.EXAMPLE)     # and the postcode table
        content.concerns()
        self.static = _static_files()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if self.pool is not None:
                self.pool.close()
        finally:
            if self.cache is not None:
                self.cache.close()

    def stats(self) -> dict:
        return {**(self.pool.stats() if self.pool is not None else {}), "cached": len(self.cache or ())}

    def health(self) -> tuple[bool, dict]:
        """(ready, the document /healthz shows): ready when every worker is warm (its kernel has built
        once and its browser is up), so the next briefing takes its usual time."""
        doc = self.stats()
        states = self.pool.worker_states() if hasattr(self.pool, "worker_states") else None
        if states is None:
            ready = self.pool is not None and self.cache is not None
        else:
            doc["worker_states"] = states
            ready = bool(states) and all(w["ready"] for w in states)
        ready = ready and not self._closed
        return ready, {"status": "ready" if ready else "starting" if not self._closed else "stopping", **doc}

    def retry_after(self, exc=None) -> int:
        seconds = getattr(exc, "retry_after", None)
        if seconds is None and hasattr(self.pool, "retry_after"):
            seconds = self.pool.retry_after()
        return max(1, int(seconds or 5))

    async def make(self, form: Form, client: str | None = None, gone=None) -> Made:
        """Build one briefing (HTML, PDF, letter) in the warm workers; raises InputError, TooMany, Busy,
        BuildFailed, or ClientGone when ``gone()`` (a coroutine) finishes first (the client closed its
        connection): a build still waiting is then cancelled, one already running is thrown away."""
        job = form.job()
        seat = form.match(job)
        limit = self.settings.per_client
        if client is not None and self.per_client.get(client, 0) >= limit:
            raise TooMany(limit)
        token, folder = self.cache.new_folder()
        job = dataclasses.replace(job, slug=token)
        try:
            future = self.pool.submit(job, folder, FORMATS)
        except BaseException:
            self.cache.discard(folder)
            raise
        if client is not None:
            self.per_client[client] = self.per_client.get(client, 0) + 1
        build = asyncio.wrap_future(future)
        watch = asyncio.ensure_future(gone()) if gone is not None else None
        try:
            done, _ = await asyncio.wait([t for t in (build, watch) if t is not None],
                                         timeout=self.settings.request_timeout, return_when=asyncio.FIRST_COMPLETED)
            if build not in done:
                future.cancel()
                future.add_done_callback(lambda _: self.cache.discard(folder))
                self.cache.discard(folder)
                if watch is not None and watch in done:
                    raise ClientGone()
                raise BuildFailed("it took longer than the server allows; try again in a minute")
            result = build.result()
        except BaseException:
            future.cancel()
            self.cache.discard(folder)
            raise
        finally:
            if watch is not None:
                watch.cancel()
            if client is not None:
                self.per_client[client] -= 1
                if self.per_client[client] <= 0:
                    del self.per_client[client]
        if result.status != BUILT:
            self.cache.discard(folder)
            raise BuildFailed(result.message or "the build failed")
        files = {fmt: folder / output_name(job, fmt) for fmt in FORMATS if (folder / output_name(job, fmt)).exists()}
        made = Made(token, folder, seat, " ".join(form.club.split()), dict(job.parameters).get("concerns", ()),
                    files, result.seconds)
        self.cache.add(made)
        return made

    def pack_files(self) -> dict:
        """{file name: Path} of the pre-built pack's folder (HTML, PDF and letters only)."""
        folder = self.settings.pack_folder()
        if folder is None or not folder.is_dir():
            return {}
        return _pack_listing(str(folder), folder.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _pack_listing(folder: str, stamp: int) -> dict:
    out = {}
    with os.scandir(folder) as it:
        for entry in it:
            suffix = os.path.splitext(entry.name)[1].lower()
            if entry.name.startswith(".") or suffix not in PACK_TYPES or not entry.is_file(follow_symlinks=False):
                continue
            out[entry.name] = Path(entry.path)
    return out


@lru_cache(maxsize=1)
def _templates():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(WEB_DIR)), autoescape=True, trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["kb"] = lambda n: f"{max(1, round(n / 1024))} KB"
    return env


def _static_files() -> dict:
    """The page's own script and styles, served from memory (no CDN, no user input in a path)."""
    files = {name: (WEB_DIR / "static" / name).read_bytes() for name in ("app.css", "app.js")}
    briefing_css = (paths.templates_dir() / "briefing" / "static" / "briefing.css").read_text(encoding="utf-8")
    files["briefing-view.css"] = scope_css(briefing_css, ".briefing-view").encode("utf-8")
    files["stages.css"] = holyrood_progress.stage_css().encode("utf-8")   # the progress stages' colours
    return {name: (body, '"' + hashlib.sha256(body).hexdigest()[:16] + '"') for name, body in files.items()}


# --- the app -----------------------------------------------------------------------------------------

def create_app(settings: Settings | None = None, pool=None, server_headers: bool = False):
    """The Starlette app; ``pool`` (tests) replaces the worker pool the app would start;
    ``server_headers``: the server adds SECURITY_HEADERS to every answer (:func:`serve` does)."""
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.middleware import Middleware
    from starlette.routing import Route

    settings = settings or Settings.from_env()
    service = Service(settings, pool)
    pages = Pages(service)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, service.start)
        sweeper = asyncio.ensure_future(_sweep(service.cache))
        try:
            yield
        finally:
            sweeper.cancel()
            await loop.run_in_executor(None, service.close)

    routes = [
        Route("/", pages.start, methods=["GET"]),
        Route("/briefings", pages.make_form, methods=["POST"]),
        Route("/briefings/{token}", pages.result, methods=["GET"]),
        Route("/briefings/{token}/{kind}", pages.download, methods=["GET"]),
        Route("/api/constituencies", pages.api_constituencies, methods=["GET"]),
        Route("/api/briefings", pages.api_briefings, methods=["POST"]),
        Route("/healthz", pages.healthz, methods=["GET"]),
        Route("/static/{name}", pages.static, methods=["GET"]),
        Route("/pack", pages.pack_folder, methods=["GET"]),
        Route("/pack/", pages.pack, methods=["GET"]),
        Route("/pack/{name}", pages.pack, methods=["GET"]),
        *holyrood_web.routes(pages, _holyrood_helpers()),
    ]
    routes += reports_web.routes(service.guard, _attribution)   # clubs report back; coordinators (issue 17)
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: pages.http_error, Exception: pages.server_error},
                    middleware=[Middleware(AccessLog), Middleware(SecurityHeaders, static=not server_headers),
                                Middleware(RequestGuard, refuse=pages.refuse)])
    # A path with or without its last slash is not redirected to the other: Starlette would build the
    # redirect from the request's Host header. The one such address people type, /pack, is a route.
    app.router.redirect_slashes = False
    app.state.service = service
    return app


async def _sweep(cache: Cache) -> None:
    """Remove expired briefings on a timer, whether or not anyone asks for one."""
    while True:
        await asyncio.sleep(cache.sweep_seconds)
        try:
            cache.sweep()
        except Exception:   # a folder that cannot be removed now is tried again next time
            log.exception("the cache sweep failed")


def _holyrood_helpers():
    """What the Scottish Parliament page (briefpack.app.holyrood_web) shares with this module's pages."""
    from types import SimpleNamespace

    return SimpleNamespace(BuildFailed=BuildFailed, for_page=for_page, busy_message=_busy_message,
                           failed_message=_failed_message, token_field=FormGuard.FIELD, client_key=client_key,
                           client_gone=client_gone, ClientGone=ClientGone, TooMany=TooMany,
                           gone_response=gone_response)


class SecurityHeaders:
    """Every response: a Content-Security-Policy allowing nothing from other origins (pages that set
    their own keep it), and (unless the server adds them to every answer, its own errors included:
    ``static=False``) nosniff, no framing, no referrer."""

    def __init__(self, app, static: bool = True):
        self.app = app
        self.static = static

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])]
                present = {k.decode("latin-1").lower() for k, _ in headers}
                extra = dict(SECURITY_HEADERS) if self.static else {}
                extra["content-security-policy"] = APP_CSP
                headers += [(k.encode(), v.encode()) for k, v in extra.items() if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Pages:
    """The request handlers (the page, the API, the files)."""

    def __init__(self, service: Service):
        self.service = service

    # --- helpers -------------------------------------------------------------------------------

    @staticmethod
    def base(request) -> str:
        return request.scope.get("root_path", "").rstrip("/")

    def render(self, request, template: str, status: int = 200, headers: dict | None = None, **values):
        from starlette.responses import HTMLResponse

        values.setdefault("title", "Make a briefing for your MP")
        values.setdefault("attribution", _attribution())
        token, cookie = self.service.guard.issue(request)
        page = self.service.env.get_template(template).render(base=self.base(request), csrf_field=FormGuard.FIELD,
                                                              csrf_token=token, **values)
        response = HTMLResponse(page, status, headers={"cache-control": "no-store", **(headers or {})})
        self.service.guard.set_cookie(response, cookie, request)
        return response

    @staticmethod
    def json(payload: dict, status: int = 200, headers: dict | None = None):
        from starlette.responses import JSONResponse

        return JSONResponse(payload, status, headers={"cache-control": "no-store", **(headers or {})})

    async def body(self, request) -> bytes:
        """The request body: at most ``max_body`` bytes (else 413, before reading more than that),
        sent within ``body_seconds`` (else 408)."""
        from starlette.exceptions import HTTPException

        settings = self.service.settings
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > settings.max_body:
            raise HTTPException(413)
        chunks, size = [], 0
        try:
            async with asyncio.timeout(settings.body_seconds):
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > settings.max_body:
                        raise HTTPException(413)
                    chunks.append(chunk)
        except TimeoutError:
            raise HTTPException(408) from None
        return b"".join(chunks)

    @staticmethod
    def is_api(request) -> bool:
        return request.url.path.startswith(Pages.base(request) + "/api/") or request.url.path.endswith("/healthz")

    def links(self, request, made: Made) -> dict:
        base = f"{self.base(request)}/briefings/{made.token}"
        words = {v: k for k, v in KINDS.items()}
        return {"page": base, **{words[fmt]: f"{base}/{words[fmt]}" for fmt in made.files}}

    def start_values(self, request, form: Form | None = None, q: str = "", errors: dict | None = None,
                     notice: str = "", seat_code: str = "") -> dict:
        found = search.find(q) if q else None
        seat = None
        code = seat_code or (form.constituency if form else "")
        if code:
            try:
                seat = search.seat_match(code)
            except KeyError:
                seat = None
        concerns = list(content.concerns().values())
        fields = {name: inputs.FIELDS[name] for name in Form.fields()}
        anchors = {**{name: name for name in fields}, "q": "q", "constituency": "q",
                   "concerns": f"concern-{concerns[0].key}", "form": "make-button"}
        return {"fields": fields, "labels": Form.labels(), "q": q, "found": found, "seat": seat, "form": form or Form(), "errors": errors or {},
                "notice": notice, "concerns": concerns, "anchors": anchors, "example": postcodes.EXAMPLE,
                "pack": bool(self.service.pack_files())}

    # --- the page (works without JavaScript) -------------------------------------------------------

    async def start(self, request):
        q = request.query_params.get("q", "")
        seat_code = request.query_params.get("seat", "")
        errors = {}
        if len(q) > 100:
            errors["q"] = f"The search is {len(q)} characters long; keep it under 100."
            q = ""
        values = self.start_values(request, q=" ".join(q.split()), errors=errors, seat_code=seat_code.strip())
        if seat_code and values["seat"] is None:
            values["errors"]["q"] = "That constituency is not known; search again."
        return self.render(request, "start.html.j2", 400 if values["errors"] else 200, **values)

    async def make_form(self, request):
        try:
            pairs = await self._form_pairs(request)
        except InputError as exc:
            return self.render(request, "message.html.j2", 400, heading="That did not work", message=str(exc))
        form = Form.from_form(pairs)
        problem = self.service.guard.check(request, (pairs.get(FormGuard.FIELD) or [""])[0])
        if problem:
            return self.render(request, "start.html.j2", 403, **self.start_values(request, form=form, notice=problem))
        try:
            made = await self.service.make(form, client_key(request), lambda: client_gone(request))
        except InputError as exc:
            name = field_of(exc) or "form"
            values = self.start_values(request, form=form, errors={name: for_page(exc)})
            return self.render(request, "start.html.j2", 400, **values)
        except ClientGone:
            return gone_response()
        except TooMany as exc:
            values = self.start_values(request, form=form, notice=str(exc))
            return self.render(request, "start.html.j2", 429, {"retry-after": "5"}, **values)
        except Busy as exc:
            seconds = self.service.retry_after(exc)
            values = self.start_values(request, form=form, notice=_busy_message(seconds))
            return self.render(request, "start.html.j2", 503, {"retry-after": str(seconds)}, **values)
        except BuildFailed as exc:
            return self.render(request, "message.html.j2", 500, heading="Your briefing could not be made",
                               message=_failed_message(exc))
        from starlette.responses import RedirectResponse

        return RedirectResponse(f"{self.base(request)}/briefings/{made.token}", status_code=303)

    async def _form_pairs(self, request) -> dict:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            raise InputError("Send the form as application/x-www-form-urlencoded (use the page's button).")
        body = await self.body(request)
        try:
            return parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=40, strict_parsing=False)
        except (UnicodeDecodeError, ValueError):
            raise InputError("The form could not be read (not UTF-8, or too many fields); send it again.") from None

    async def result(self, request):
        made = self.service.cache.get(request.path_params["token"])
        if made is None:
            return self.not_found(request, "This briefing is no longer kept here; make it again.")
        body = briefing_body(made.files["html"]) if "html" in made.files else ""
        titles = [c.title for key, c in content.concerns().items() if key in made.concerns]
        return self.render(request, "result.html.j2", made=made, links=self.links(request, made), body=body,
                           concern_titles=titles,
                           sizes={fmt: p.stat().st_size for fmt, p in made.files.items()},
                           title=f"Your briefing for {made.seat.name}")

    async def download(self, request):
        from starlette.responses import FileResponse, Response

        made = self.service.cache.get(request.path_params["token"])
        fmt = KINDS.get(request.path_params["kind"])
        if made is None or fmt not in made.files:
            return self.not_found(request, "This file is no longer kept here; make the briefing again.")
        path = made.files[fmt]
        slug = search.fold(made.seat.name).replace(" ", "-")
        name = f"{slug}-letter.docx" if fmt == "docx" else f"{slug}.{fmt}"
        if fmt == "html":
            raw, csp = read_document(path)
            return Response(raw, media_type=MEDIA["html"], headers={"content-security-policy": csp,
                                                                     "cache-control": "no-store"})
        return FileResponse(path, media_type=MEDIA[fmt], filename=name, headers={"cache-control": "no-store"})

    # --- the JSON API ------------------------------------------------------------------------------

    async def api_constituencies(self, request):
        q = request.query_params.get("q", "")
        if not q.strip():
            return self.json({"error": "Give ?q= a postcode, a constituency, an MP's name or a council.",
                              "field": "q"}, 400)
        try:
            found = search.find(q)
        except InputError as exc:
            return self.json({"error": str(exc), "field": "q"}, 400)
        return self.json(found.as_dict())

    async def api_briefings(self, request):
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            return self.json({"error": "Send the briefing's parameters as JSON (Content-Type: application/json)."},
                             415)

        if not same_origin(request):
            return self.json({"error": "This request was sent from another site's page; use this site's own page."},
                             403)
        body = await self.body(request)
        try:
            form = Form.from_json(parse_json(body))
        except InputError as exc:
            return self.json({"error": str(exc), "field": None}, 400)
        try:
            made = await self.service.make(form, client_key(request), lambda: client_gone(request))
        except InputError as exc:
            return self.json({"error": str(exc), "message": for_page(exc), "field": field_of(exc)}, 400)
        except ClientGone:
            return gone_response()
        except TooMany as exc:
            return self.json({"error": str(exc), "retry_after": 5}, 429, {"retry-after": "5"})
        except Busy as exc:
            seconds = self.service.retry_after(exc)
            return self.json({"error": _busy_message(seconds), "retry_after": seconds}, 503,
                             {"retry-after": str(seconds)})
        except BuildFailed as exc:
            return self.json({"error": _failed_message(exc)}, 500)
        return self.json({"constituency": {k: getattr(made.seat, k) for k in ("code", "name", "member", "party")},
                          "concerns": list(made.concerns), **self.links(request, made),
                          "seconds": round(made.seconds, 3)})

    async def healthz(self, request):
        """200 with ``"status": "ready"`` when every worker is warm, else 503 (``starting``), with each
        worker's state: a load balancer sends users only to a server that answers in its usual time."""
        ready, doc = self.service.health()
        return self.json(doc, 200 if ready else 503)

    # --- files: the page's own, and the pre-built pack ---------------------------------------------

    async def static(self, request):
        from starlette.responses import Response

        found = self.service.static.get(request.path_params["name"])
        if found is None:
            return self.not_found(request)
        body, etag = found
        kind = "text/css" if request.path_params["name"].endswith(".css") else "text/javascript"
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"etag": etag})
        return Response(body, media_type=f"{kind}; charset=utf-8",
                        headers={"etag": etag, "cache-control": "no-cache"})

    async def pack_folder(self, request):
        from starlette.responses import RedirectResponse

        return RedirectResponse(f"{self.base(request)}/pack/", status_code=308)

    async def pack(self, request):
        from starlette.responses import FileResponse, Response

        files = self.service.pack_files()
        name = request.path_params.get("name", "index.html")
        path = files.get(name)
        if path is None:
            message = ("No pre-built pack is served here." if not files else "There is no such file in the pack.")
            return self.not_found(request, message)
        suffix = path.suffix.lower()
        if suffix == ".html":
            raw, csp = read_document(path)
            return Response(raw, media_type=PACK_TYPES[suffix], headers={"content-security-policy": csp})
        return FileResponse(path, media_type=PACK_TYPES[suffix])

    # --- errors --------------------------------------------------------------------------------------

    async def refuse(self, scope, receive, send, message: str):
        """400 with ``message`` for a request refused before it reaches a route (webguard.RequestGuard)."""
        from starlette.requests import Request

        request = Request(scope, receive)
        if self.is_api(request):
            response = self.json({"error": message}, 400)
        else:
            response = self.render(request, "message.html.j2", 400, heading="That did not work", message=message)
        response.headers["connection"] = "close"
        await response(scope, receive, send)

    def not_found(self, request, message: str = "There is no page at this address."):
        if self.is_api(request):
            return self.json({"error": message}, 404)
        return self.render(request, "message.html.j2", 404, heading="Page not found", message=message)

    async def http_error(self, request, exc):
        status = exc.status_code
        if status == 404:
            return self.not_found(request)
        settings = self.service.settings
        message = {413: f"The request is larger than {settings.max_body // 1024} KB; shorten it.",
                   408: f"The request was not sent within {settings.body_seconds:g} seconds; send it again.",
                   405: "This address does not accept that method."}.get(status, exc.detail)
        if self.is_api(request):
            return self.json({"error": message}, status)
        return self.render(request, "message.html.j2", status, heading="That did not work", message=message)

    async def server_error(self, request, exc):
        log.exception("unexpected error on %s", request.url.path)
        message = "Something went wrong on our side; please try again."
        if isinstance(exc, BriefpackError):
            message = str(exc)
        if self.is_api(request):
            return self.json({"error": message}, 500)
        return self.render(request, "message.html.j2", 500, heading="Something went wrong", message=message)


def client_key(request) -> str:
    """Whom a build is for, to limit what one client may have waiting: its address (behind a proxy,
    the proxy must pass the client's address on: see README, "The web page")."""
    client = request.scope.get("client")
    return client[0] if client else "unknown"


async def client_gone(request) -> None:
    """Returns when the client has closed its connection (the body has been read by then)."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


def gone_response():
    """The answer to a client that has gone (nobody reads it; the access log shows 499)."""
    from starlette.responses import Response

    return Response(status_code=499)


def _busy_message(seconds: int) -> str:
    return (f"Many briefings are being made right now. Please try again in {seconds} "
            f"second{'s' if seconds != 1 else ''}: your answers are kept.")


def _failed_message(exc: Exception) -> str:
    return f"Your briefing could not be made: {exc}. Please try again; if it fails again, tell the campaign team."


@lru_cache(maxsize=1)
def _attribution() -> tuple:
    """The licence lines of the data the page itself shows (postcodes, seats, members, councils)."""
    names = [postcodes.RANGES, data.CONSTITUENCIES, data.SEAT_COUNCILS]
    names += [n for n in data.table_names() if n.startswith("mp")]
    lines = (line for n in names for line in data.meta(n).provenance.get("attribution", []))
    return tuple(dict.fromkeys(lines))


# --- running it ------------------------------------------------------------------------------------

def hypercorn_config(settings: Settings, host: str, port: int):
    """The HTTP server's settings the project ships (webguard.server_config), from ``settings``."""
    config = server_config(host, port, graceful_seconds=settings.job_timeout + 5, static_headers=SECURITY_HEADERS,
                           header_seconds=settings.header_seconds)
    config.root_path = settings.root_path
    return config


def served_app(settings: Settings, pool=None):
    """The app as :func:`serve` serves it: behind ``proxy_hops`` trusted proxies, the client's address
    (for the per-client limit) and scheme come from their X-Forwarded-For and X-Forwarded-Proto
    (Hypercorn's ProxyFixMiddleware); with none, headers claiming them are ignored."""
    app = create_app(settings, pool=pool, server_headers=True)
    if settings.proxy_hops:
        from hypercorn.middleware import ProxyFixMiddleware

        return ProxyFixMiddleware(app, mode="legacy", trusted_hops=settings.proxy_hops)
    return app


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int | None = None) -> int:
    """Run the app with Hypercorn until Ctrl-C or SIGTERM; the workers, browsers and cache go with it."""
    from hypercorn.asyncio import serve as hypercorn_serve

    settings = Settings.from_env(workers=workers)
    store.open_default()               # a bad key or database stops the server here, with one line
    level = os.environ.get("BRIEFPACK_LOG_LEVEL", "info").upper()
    logging.basicConfig(level=getattr(logging, level, logging.INFO), format="%(levelname)s: %(name)s: %(message)s")
    app = served_app(settings)
    config = hypercorn_config(settings, host, port)
    print(f"serving on http://{host}:{port}/ with {settings.workers} workers; Ctrl-C stops it", flush=True)
    try:
        asyncio.run(hypercorn_serve(app, config))   # stops on SIGINT or SIGTERM, after the app's lifespan ends
    except KeyboardInterrupt:
        pass
    print("stopped: the web server, its workers and its cached briefings are gone.", file=sys.stderr)
    return 0


def _app_from_env():
    """``hypercorn briefpack.app.web:app``: the settings come from the environment (``--serve`` is better:
    it sets the server's header deadline and headers)."""
    return create_app(Settings.from_env())


def __getattr__(name):  # ``app`` is made when first asked for, so importing this module starts nothing
    if name == "app":
        global app
        app = _app_from_env()
        return app
    raise AttributeError(name)
