"""The editor's guard: only this session's browser on this machine may talk to it.

Checked on every request before any route runs (an ASGI middleware):

- the `Host` header must be `127.0.0.1:PORT` or `localhost:PORT` (400 otherwise):
  a web page that rebinds its own DNS name to 127.0.0.1 cannot reach the editor;
- the session token: given once in the URL printed at start (`/?token=...`),
  exchanged for an HttpOnly, SameSite=Strict cookie and a redirect that drops
  it from the address bar; any request without the cookie gets 403;
- state changes only by POST with the page's CSRF token in `X-CSRF-Token` and,
  when the browser sends one, an `Origin` of this server (403 otherwise);
- every response forbids framing, caching and scripts from anywhere but the editor.
"""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The preview is an <iframe srcdoc> holding the rendered card; it inherits this policy,
# and its own <meta> policy (no scripts at all) applies on top.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


def cookie_name(port: int) -> str:
    """One cookie per port: cookies ignore ports, and two editors may run side by side."""
    return f"bmzcard_edit_{port}"


class Guard:
    """ASGI middleware enforcing the checks in the module docstring."""

    def __init__(self, app: ASGIApp, *, token: str, csrf: str, port: int) -> None:
        self.app = app
        self.token = token
        self.csrf = csrf
        self.port = port
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        self.origins = {f"http://{host}" for host in self.hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # no websockets
            return
        headers = Headers(scope=scope)
        if headers.get("host", "").lower() not in self.hosts:
            await _respond(PlainTextResponse("Bad Host header: bmzcard edit answers only on 127.0.0.1", 400),
                           scope, receive, send)
            return
        method = scope["method"]
        if not self._has_cookie(headers):
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            given = query.get("token", [""])[0]
            if method == "GET" and scope["path"] == "/" and hmac.compare_digest(given.encode(), self.token.encode()):
                response = RedirectResponse("/", status_code=303)
                response.set_cookie(cookie_name(self.port), self.token, httponly=True, samesite="strict", path="/")
                await _respond(response, scope, receive, send)
                return
            await _respond(PlainTextResponse(
                "Forbidden: open the address `bmzcard edit` printed (it carries this session's token)", 403),
                scope, receive, send)
            return
        if method not in ("GET", "HEAD"):
            origin = headers.get("origin")
            sent = headers.get("x-csrf-token", "")
            if method != "POST" or not hmac.compare_digest(sent.encode(), self.csrf.encode()) or (
                origin is not None and origin not in self.origins
            ):
                await _respond(PlainTextResponse("Forbidden: a change needs a POST from the editor's page", 403),
                               scope, receive, send)
                return
        await self.app(scope, receive, _with_headers(send))

    def _has_cookie(self, headers: Headers) -> bool:
        value = cookie_parser(headers.get("cookie", "")).get(cookie_name(self.port), "")
        return bool(value) and hmac.compare_digest(value.encode(), self.token.encode())


def _with_headers(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message.setdefault("headers", [])
            message["headers"] = list(message["headers"]) + SECURITY_HEADERS
        await send(message)

    return wrapped


async def _respond(response, scope: Scope, receive: Receive, send: Send) -> None:
    await response(scope, receive, _with_headers(send))
