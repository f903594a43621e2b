"""Cross-origin use from web pages of other origins (CORS), for the origins TTS_CORS_ORIGINS lists.

Off by default: a page of another origin can then send only what needs no preflight, which the
JSON-only bodies refuse (tts.web.context), and read no answer. With origins listed, a preflight
(OPTIONS with Origin and Access-Control-Request-Method) from one of them is answered 204 before
any key or rate check (browsers send no Authorization with it), allowing the request headers it asks
for (bounded: SDKs send their own), and every answer to one of them says it may be read, our X- headers
included. No credentials: the API takes a Bearer key, never a cookie, so Access-Control-Allow-Credentials
is never sent and "*" gives away nothing the keys guard; without keys, "*" lets every page the user
visits drive and read the server, so that is warned about at start. The answers the server makes before
the app reads a request (tts.web.server: 408, 431, the 503s at the connection cap and at shutdown) carry the same
headers (`CorsPolicy.headers`, the one place both take them from) when the Origin came before the answer: a browser
shows a cross-origin answer without them as an opaque network error, never its status or Retry-After.
"""

from __future__ import annotations

import logging
import re

from flask import Flask, Response, request

from tts.config import Settings

log = logging.getLogger(__name__)

ALLOWED_HEADERS = ("Authorization", "Content-Type", "Content-Encoding", "X-Request-ID", "Range", "If-Range",
                   "If-None-Match")
EXPOSED_HEADERS = ("Content-Disposition", "Content-Range", "Accept-Ranges", "ETag", "Location", "Retry-After",
                   "X-Request-ID", "X-Sample-Rate", "X-Cache", "X-Omitted-Tokens", "X-Audio-Seconds",
                   "X-Synthesis-CPU-Seconds")
METHODS = ("GET", "HEAD", "POST", "DELETE")
PREFLIGHT_SECONDS = 600   # how long a browser may keep a preflight's answer
MAX_REQUESTED_HEADERS = 64    # bounds on the header names a preflight may ask for: more is not echoed
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}")   # RFC 9110 token, up to 64 characters


def allowed_headers(requested: str | None) -> str:
    """Access-Control-Allow-Headers for a preflight: the header names it asks for (OpenAI's JS client
    sends its own X-Stainless-* on every request, other SDKs theirs), each a valid name and a bounded
    count, besides ours; only ours when it asks for none or for anything malformed."""
    names = [name.strip() for name in (requested or "").split(",") if name.strip()]
    ours = {header.lower() for header in ALLOWED_HEADERS}
    if len(names) > MAX_REQUESTED_HEADERS or not all(_HEADER_NAME.fullmatch(name) for name in names):
        names = []
    extra = dict.fromkeys(name.lower() for name in names if name.lower() not in ours)
    return ", ".join((*ALLOWED_HEADERS, *extra))


CORS = "tts.cors"   # the app's CorsPolicy (app.extensions), for the answers the server makes itself


class CorsPolicy:
    def __init__(self, origins: tuple[str, ...]) -> None:
        self.any = "*" in origins
        self.origins = frozenset(origin.rstrip("/").lower() for origin in origins)

    def headers(self, origin: str | None) -> dict[str, str]:
        """The headers that let a page of `origin` read an answer (none for an origin not served)."""
        allowed = self.allowed(origin)
        if not allowed:
            return {}
        return {"Access-Control-Allow-Origin": allowed, "Access-Control-Expose-Headers": ", ".join(EXPOSED_HEADERS)}

    def apply(self, response: Response, origin: str | None) -> None:
        """Vary: Origin on `response` (an answer differs by Origin: caches must keep them apart), and the headers
        that let a page of `origin` read it, unless the response set its own."""
        response.vary.add("Origin")
        if "Access-Control-Allow-Origin" not in response.headers:
            response.headers.update(self.headers(origin))

    def allowed(self, origin: str | None) -> str | None:
        """What Access-Control-Allow-Origin says to `origin`, or None when it is not served."""
        if not origin:
            return None
        if self.any:
            return "*"
        return origin if origin.lower() in self.origins else None


def register_cors(app: Flask, settings: Settings) -> None:
    """Before the access checks (register it first): a preflight carries no key."""
    if not settings.cors:
        return
    policy = app.extensions[CORS] = CorsPolicy(settings.cors)
    if policy.any and not settings.keys:
        log.warning("TTS_CORS_ORIGINS=* without API keys: any web page the user visits can use this server "
                    "and read its answers (set TTS_API_KEYS, or list the origins; README: Exposing it safely)")

    @app.before_request
    def preflight() -> Response | None:
        allowed = policy.allowed(request.headers.get("Origin"))
        if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers or not allowed:
            return None
        return Response(status=204, headers={
            "Access-Control-Allow-Origin": allowed, "Access-Control-Allow-Methods": ", ".join(METHODS),
            "Access-Control-Allow-Headers": allowed_headers(request.headers.get("Access-Control-Request-Headers")),
            "Access-Control-Max-Age": str(PREFLIGHT_SECONDS), "Vary": "Origin, Access-Control-Request-Headers"})

    @app.after_request
    def cross_origin(response: Response) -> Response:
        policy.apply(response, request.headers.get("Origin"))
        return response
