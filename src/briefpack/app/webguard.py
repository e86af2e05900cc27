"""What guards the web server, apart from the pages: the HTTP server's settings, forms against other
sites (CSRF), requests that HTTP allows but nobody honest sends, and an access log without secrets.

- :func:`server_config`: the settings of Hypercorn, the server ``python build.py serve`` runs.
  Hypercorn keeps no count of open connections (so idle ones cannot lock anyone out, as uvicorn's
  ``limit_concurrency`` did), and its ``keep_alive_timeout`` runs from the moment a connection opens
  until a request's headers are complete, and again after each answer: a connection that sends
  nothing, or sends its headers slowly, is closed after ``HEADER_SECONDS`` however it trickles.
- :class:`FormGuard`: the one CSRF guard. A form that changes something carries a token signed with
  itsdangerous and bound to a cookie (the double-submit pattern), and a post must come from this
  site's own pages (``Sec-Fetch-Site``, else ``Origin``). Every form of the app (the briefing forms,
  the club reports, the coordinators' pages) uses the same guard object: ``guard.issue(request)`` for
  the page, ``guard.check(request, token)`` for the post, ``guard.set_cookie(response, cookie,
  request)`` on the page's response.
- :class:`RequestGuard`: refuses, with 400 and a one-line message, a request that has both
  ``Content-Length`` and ``Transfer-Encoding`` or two ``Content-Length`` headers (a way to smuggle a
  second request past a proxy).
- :class:`AccessLog`: one line per request, with the path's secrets and the query string left out
  (result links are the only key to a user's letter; searches hold postcodes).
"""
from __future__ import annotations

import logging
import os
import re
import secrets
import threading
import time
from urllib.parse import urlsplit

HEADER_SECONDS = 5      # a connection has this long to send a request's headers (and to send the next one)

access_log = logging.getLogger("briefpack.access")


# --- the HTTP server ---------------------------------------------------------------------------------

def server_config(host: str, port: int, *, graceful_seconds: float = 10.0, static_headers: dict | None = None,
                  header_seconds: float = HEADER_SECONDS):
    """Hypercorn's settings for the web page (documented options only):

    - ``keep_alive_timeout``: the header deadline described above (Hypercorn starts it when a
      connection opens, stops it when a request's headers are complete, restarts it after an answer);
    - no limit on open connections (Hypercorn has none): the build queue has its own limit, answered
      with 503 by the app, so idle sockets cost a file descriptor each and nothing else;
    - ``backlog`` 1024: connections the kernel holds while the server accepts;
    - ``h11_max_incomplete_size`` 16 KiB: headers larger than that are refused;
    - ``graceful_timeout``: running builds may finish after SIGTERM;
    - no ``server`` header, no access log of Hypercorn's own (:class:`AccessLog` writes one).

    ``static_headers`` are added to every answer, the server's own 400s included.
    """
    from hypercorn.config import Config

    class _Config(Config):
        def response_headers(self, protocol: str) -> list:
            return super().response_headers(protocol) + [(k.encode(), v.encode())
                                                         for k, v in (static_headers or {}).items()]

    config = _Config()
    config.bind = [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
    config.keep_alive_timeout = header_seconds
    config.backlog = 1024
    config.h11_max_incomplete_size = 16 * 1024
    config.graceful_timeout = graceful_seconds
    config.include_server_header = False
    config.accesslog = None
    config.errorlog = logging.getLogger("hypercorn.error")
    return config


# --- forms: CSRF token and origin -------------------------------------------------------------------

class FormGuard:
    """The one CSRF guard of every form that changes data (the briefing forms, the club's report, the
    coordinators' sign-in and sign-out): a token signed with itsdangerous and bound to a cookie.

    ``secret``: the signing key, or a function giving it (called once, on first use: the app passes
    ``store.signing_key``, which is ``$BRIEFPACK_SECRET_KEY`` or a random key kept in the database
    every instance shares, so that a token one instance issued is good on another behind the same
    proxy). Tokens last ``max_age`` seconds.
    """

    COOKIE = "briefpack_csrf"
    FIELD = "csrf_token"
    _COOKIE_VALUE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")

    def __init__(self, secret, max_age: int = 12 * 3600):
        self.max_age = max_age
        self._secret = secret
        self._signer_made = None
        self._lock = threading.Lock()

    @property
    def _signer(self):
        if self._signer_made is None:
            from itsdangerous import URLSafeTimedSerializer

            with self._lock:
                if self._signer_made is None:
                    key = self._secret() if callable(self._secret) else self._secret
                    self._secret = key
                    self._signer_made = URLSafeTimedSerializer(key, salt="briefpack-form")
        return self._signer_made

    def key(self):
        """The signing key, as given (read now if it was not yet: the app's start calls this)."""
        _ = self._signer
        return self._secret

    def issue(self, request) -> tuple[str, str | None]:
        """(the token for the page's form, the cookie to set with the page, or None if it has one)."""
        cookie = request.cookies.get(self.COOKIE, "")
        new = None
        if not self._COOKIE_VALUE.match(cookie):
            cookie = new = secrets.token_urlsafe(24)
        return self._signer.dumps(cookie), new

    def set_cookie(self, response, cookie: str | None, request) -> None:
        if cookie:
            response.set_cookie(self.COOKIE, cookie, max_age=self.max_age, path=_cookie_path(request),
                                httponly=True, samesite="strict", secure=request.url.scheme == "https")

    def check(self, request, token) -> str | None:
        """None if the post comes from this site's own form, else what the user should do."""
        if not same_origin(request):
            return "This form was sent from another site; open this site's own page and send it from there."
        from itsdangerous import BadSignature, SignatureExpired

        cookie = request.cookies.get(self.COOKIE, "")
        try:
            signed_for = self._signer.loads(token if isinstance(token, str) else "", max_age=self.max_age)
        except SignatureExpired:
            return "The page was open too long; your answers are kept: send the form again."
        except BadSignature:
            signed_for = None
        if not cookie or not isinstance(signed_for, str) or not secrets.compare_digest(signed_for, cookie):
            return ("The form could not be checked (cookies may be blocked, or the page is old); your answers "
                    "are kept: send the form again.")
        return None


def _cookie_path(request) -> str:
    return (request.scope.get("root_path", "").rstrip("/") or "") + "/"


def same_origin(request) -> bool:
    """Whether a browser says the post comes from this site's own page: ``Sec-Fetch-Site`` (sent by
    every current browser), else ``Origin``. Neither, or ``Origin: null`` (what Chromium sends for a
    form on a page with ``Referrer-Policy: no-referrer``, as ours are), lets the request through to
    the token check, which a post from another site fails (the ``SameSite=Strict`` cookie is not
    sent with it). ``BRIEFPACK_ORIGIN`` names the public origin when a proxy changes the Host header."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    allowed = {f"{request.url.scheme}://{request.headers.get('host', '')}".lower()}
    allowed |= {o.strip().rstrip("/").lower() for o in os.environ.get("BRIEFPACK_ORIGIN", "").split(",")
                if o.strip()}
    parts = urlsplit(origin.lower())
    return f"{parts.scheme}://{parts.netloc}" in allowed


# --- requests nobody honest sends --------------------------------------------------------------------

class RequestGuard:
    """ASGI middleware: 400 for a request with both Content-Length and Transfer-Encoding, or with
    more than one Content-Length (RFC 9112 section 6.3 lets a server refuse them; a proxy in front
    may read such a request differently from us)."""

    def __init__(self, app, refuse):
        self.app, self.refuse = app, refuse

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            names = [k.lower() for k, _ in scope.get("headers", [])]
            lengths = names.count(b"content-length")
            if lengths > 1 or (lengths and b"transfer-encoding" in names):
                message = ("The request has both Content-Length and Transfer-Encoding (or two lengths); "
                           "send one of them.")
                return await self.refuse(scope, receive, send, message)
        await self.app(scope, receive, send)


# --- the access log --------------------------------------------------------------------------------

_SECRET_SEGMENT = re.compile(r"^[A-Za-z0-9_-]{12,}$")


def loggable_path(path: str, root_path: str = "") -> str:
    """The path with anything that may be a secret (a result token) replaced by ``…``; no query."""
    if root_path and path.startswith(root_path):
        path = path[len(root_path):]
    parts = path.split("/")
    if len(parts) > 2 and parts[1] in ("briefings", "report"):   # a result's or a club's private link
        parts[2] = "…"
    parts = ["…" if _SECRET_SEGMENT.match(p) and not p.isalpha() and p not in ("healthz",) else p for p in parts]
    return root_path + "/".join(parts)


class AccessLog:
    """ASGI middleware: ``METHOD path status seconds`` per request on the ``briefpack.access`` logger;
    no address, no query string, no token (see :func:`loggable_path`)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not access_log.isEnabledFor(logging.INFO):
            return await self.app(scope, receive, send)
        start, status = time.monotonic(), [0]

        async def send_status(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            access_log.info("%s %s %d %.2fs", scope.get("method", "?"),
                            loggable_path(scope.get("path", ""), scope.get("root_path", "")), status[0],
                            time.monotonic() - start)
