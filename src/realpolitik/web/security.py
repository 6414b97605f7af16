"""Security of the web app: access token, CSRF tokens, request size limit, response headers.

- **Access token** (when the server listens beyond loopback, or when ``--token`` is given): every
  request needs it, as ``Authorization: Bearer TOKEN``, or the ``rp_token`` cookie that opening the
  printed address (``/?token=TOKEN``) sets. Compared in constant time.
- **CSRF**: each browser gets a random session cookie (``rp_session``, HttpOnly, SameSite=Strict); its
  CSRF token is an HMAC of the session id with the server's key (kept in the database). Every request
  that changes state (POST, PUT, PATCH, DELETE) must carry it, as the form field ``csrf_token`` or the
  ``X-CSRF-Token`` header (htmx sends the header; the page's ``<body>`` declares it).
- **Size**: a request body larger than :data:`~realpolitik.web.scenarios.MAX_UPLOAD_BYTES` plus room
  for the form's other fields is refused with 413 before it is read in full.
- **Headers**: a Content-Security-Policy without inline or evaluated scripts (htmx, plotly.js and the
  app's own script are files served by the app), no framing, no sniffing, no referrer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

SESSION_COOKIE = "rp_session"
TOKEN_COOKIE = "rp_token"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def new_session_id() -> str:
    return secrets.token_urlsafe(24)


def csrf_token(key: str, session_id: str) -> str:
    return hmac.new(key.encode(), ("csrf:" + session_id).encode(), hashlib.sha256).hexdigest()


def csrf_ok(key: str, session_id: str | None, token: str | None) -> bool:
    if not session_id or not token:
        return False
    return hmac.compare_digest(csrf_token(key, session_id), token)


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    h = host.strip("[]")
    if h == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    from http.cookies import SimpleCookie

    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # a malformed cookie header: no cookies
        return {}
    return {k: m.value for k, m in jar.items()}


async def _plain(send: Send, status: int, text: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = text.encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in HEADERS.items()] + (extra or [])
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SecurityMiddleware:
    """Token check, body size limit and security headers, as one ASGI middleware."""

    def __init__(self, app: ASGIApp, *, token: str | None, max_body: int) -> None:
        self.app = app
        self.token = token
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if self.token is not None:
            given = None
            auth = headers.get("authorization", "")
            if auth.lower().startswith("bearer "):
                given = auth[7:].strip()
            given = given or _cookies(headers).get(TOKEN_COOKIE)
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            if not given and "token" in query and scope["method"] == "GET":
                if hmac.compare_digest(query["token"].encode(), self.token.encode()):
                    # set the cookie and drop the token from the address bar
                    rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
                    where = scope.get("path", "/") + (f"?{rest}" if rest else "")
                    cookie = f"{TOKEN_COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/"
                    await _plain(
                        send,
                        303,
                        "see " + where,
                        [(b"location", where.encode()), (b"set-cookie", cookie.encode())],
                    )
                    return
            if not given or not hmac.compare_digest(given.encode(), self.token.encode()):
                await _plain(
                    send,
                    401,
                    "This server needs its access token: open the address that `realpolitik serve` printed "
                    "(it ends in ?token=...), or send Authorization: Bearer TOKEN.\n",
                )
                return
        length = headers.get("content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_body
            except ValueError:
                too_big = True
            if too_big:
                await _plain(send, 413, f"Request too large: the limit is {self.max_body:,} bytes.\n")
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > self.max_body:
                    raise _TooLarge
            return msg

        async def send_with_headers(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
                hs = list(msg.get("headers") or [])
                present = {k.lower() for k, _ in hs}
                for k, v in HEADERS.items():
                    if k.encode() not in present:
                        hs.append((k.encode(), v.encode()))
                msg["headers"] = hs
            await send(msg)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _TooLarge:
            if not started:
                await _plain(send, 413, f"Request too large: the limit is {self.max_body:,} bytes.\n")


class _TooLarge(Exception):
    pass
