"""Who may use the server: the Host names it serves, API keys and a rate limit.

All off by default, which suits the default loopback bind. Checked in this order, before any
route runs: the Host (421: a page that rebinds its own name to this address is refused
before it learns anything), the key (401, never saying whether it was missing or wrong),
then the rate of syntheses (429 with Retry-After).

- Probes (/healthz, /readyz) are always open: orchestrators call them by any name, keyless.
- The page, its static files and the API description need no key (they hold no data and
  cost nothing; the page asks for the key itself), but their Host is checked.
- Everything else needs a key when keys are set: synthesis, jobs, voices, models, /metrics.

DNS rebinding always puts the attacker's name in Host, never an IP address, so IP addresses
and localhost (RFC 6761: resolved to loopback by the client itself) are always served.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import math
import time
from collections import OrderedDict
from typing import Callable

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from tts.config import Settings
from tts.errors import MisdirectedRequest, RateLimited, Unauthorized

log = logging.getLogger(__name__)

PROBES = {"api.healthz", "api.readyz"}
KEYLESS = {"pages.index", "static", "docs.openapi", "docs.page", "hidden.vocoder_manifest",
           "hidden.vocoder_file"}
METERED = {"api.tts", "embed.speak", "openai.speech", "hidden.tts_hidden",
           "captions.captioned_speech"}   # what costs CPU: the rate limit counts these
MAX_CLIENTS = 10_000                     # rate-limit buckets kept (~1 MB); the least recently seen go first


def register_access_control(app: Flask, settings: Settings) -> None:
    hosts = HostPolicy(settings.hosts)
    keys = ApiKeys(settings.keys)
    limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst) \
        if settings.rate_limit_per_minute else None
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)
    if not keys and not _loopback(settings.host):
        log.warning("listening on %s without API keys: anyone who can reach it can use it "
                    "(set TTS_API_KEYS; README: Exposing it safely)", settings.host)

    @app.before_request
    def check_access() -> None:
        if request.endpoint in PROBES:
            return
        host = request.headers.get("Host")
        if host is not None and not hosts.allows(host):
            raise MisdirectedRequest("this server does not serve that host name")
        if request.endpoint in KEYLESS:
            return
        client = request.remote_addr or "unknown"
        if keys:
            client = keys.match(request.headers.get("Authorization", ""))
            if client is None:
                raise Unauthorized("a valid API key is required")
        if limiter is not None and request.endpoint in METERED:
            wait = limiter.take(client)
            if wait:
                retry = max(1, math.ceil(wait))
                raise RateLimited(f"too many syntheses; retry in {retry} s", retry_after=retry)


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class HostPolicy:
    """Which Host headers are served: listed names (".example.com" = it and its subdomains, "*" = any),
    localhost and IP addresses."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.any = "*" in names
        self.exact = {n.rstrip(".") for n in names if not n.startswith(".")}
        self.suffixes = tuple(n.rstrip(".") for n in names if n.startswith("."))

    def allows(self, header: str) -> bool:
        if self.any:
            return True
        name = _host_name(header)
        if name is None:
            return False
        if name == "localhost" or name.endswith(".localhost") or name in self.exact:
            return True
        if any(name.endswith(suffix) or name == suffix[1:] for suffix in self.suffixes):
            return True
        try:
            ipaddress.ip_address(name)
            return True
        except ValueError:
            return False


def _host_name(header: str) -> str | None:
    """The name in a Host header, lower-case, without port or trailing dot; None if malformed."""
    header = header.strip().lower()
    if header.startswith("["):   # [v6]:port
        name, bracket, rest = header[1:].partition("]")
        if not bracket or (rest and not (rest.startswith(":") and rest[1:].isdigit())):
            return None
        return name
    name, _, port = header.partition(":")
    if port and not port.isdigit():
        return None
    return name.rstrip(".") or None


class ApiKeys:
    """The configured keys, compared in constant time (digests, so not even the length leaks)."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        self._digests = [hashlib.sha256(key.encode()).digest() for key in keys]

    def __bool__(self) -> bool:
        return bool(self._digests)

    def match(self, authorization: str) -> str | None:
        """A name for the key in `Authorization: Bearer <key>` ("key 1", ...), or None."""
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer":
            return None
        digest = hashlib.sha256(token.strip().encode("utf-8", "replace")).digest()
        found = None
        for number, key in enumerate(self._digests, 1):   # every key, every time
            if hmac.compare_digest(digest, key):
                found = f"key {number}"
        return found


class RateLimiter:
    """A token bucket per client: `burst` at once, then `per_minute`; the table keeps MAX_CLIENTS.

    Only touched on the hub, so it needs no lock.
    """

    def __init__(self, per_minute: int, burst: int, *, clock: Callable[[], float] = time.monotonic,
                 max_clients: int = MAX_CLIENTS) -> None:
        self.rate = per_minute / 60
        self.burst = burst
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()   # client → (tokens, when)

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, client: str) -> float:
        """0 if `client` may go ahead (one token taken), else the seconds until it may."""
        now = self.clock()
        tokens, when = self._buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - when) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate
        self._buckets[client] = (tokens, now)
        if len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait
