"""CSRF protection for forms that change data: an itsdangerous-signed double-submit token.

A page that shows such a form calls :func:`issue`: the browser gets a random value in a cookie
(HttpOnly, SameSite=Strict, Secure over HTTPS) and the form a hidden field holding that value signed
with the server's secret (:func:`secret`). :func:`check` accepts a post only when the field's
signature is good, not older than :data:`MAX_AGE`, and names the cookie's value; and when the
request's ``Origin`` (if sent, and not ``null``) is this server's. Any other post gets 403. Kept in its own module so
the briefing form can use it too.
"""
from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from briefpack.app.store import state_dir

COOKIE = "briefpack_csrf"
FIELD = "csrf_token"
MAX_AGE = 12 * 3600          # seconds a form stays good to send
SECRET_FILE = "secret.key"


def secret(folder: Path | None = None) -> str:
    """``$BRIEFPACK_SECRET_KEY``, else a random key kept (mode 0600) in the state folder, made on first
    use: several instances behind one proxy need the same key (set the variable, or share the folder)."""
    env = os.environ.get("BRIEFPACK_SECRET_KEY", "")
    if env:
        return env
    if folder is None:

        folder = state_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_urlsafe(48))
        fh.flush()
        os.fsync(fh.fileno())
    return path.read_text(encoding="ascii").strip()


class CSRF:
    def __init__(self, key: str):
        self.signer = URLSafeTimedSerializer(key, salt="briefpack-csrf")

    def issue(self, request) -> tuple[str, str | None]:
        """(the form's hidden value, a new cookie value to set or None when the browser has one)."""
        cookie = request.cookies.get(COOKIE, "")
        new = None
        if len(cookie) != 43:
            cookie = new = secrets.token_urlsafe(32)
        return self.signer.dumps(cookie), new

    @staticmethod
    def set_cookie(response, request, value: str | None) -> None:
        if value:
            response.set_cookie(COOKIE, value, httponly=True, samesite="strict",
                                secure=request.url.scheme == "https", path="/")

    def valid(self, request, form) -> bool:
        # The page's Referrer-Policy (no-referrer) makes browsers send "Origin: null" on its own posts, so
        # "null" is let through to the token check; any named origin must be this server's.
        origin = request.headers.get("origin")
        if origin not in (None, "null") and origin != f"{request.url.scheme}://{request.url.netloc}":
            return False
        cookie = request.cookies.get(COOKIE, "")
        sent = form.get(FIELD, "") if form is not None else ""
        if not cookie or not isinstance(sent, str) or not sent:
            return False
        try:
            signed = self.signer.loads(sent, max_age=MAX_AGE)
        except BadSignature:
            return False
        return isinstance(signed, str) and hmac.compare_digest(signed, cookie)
