"""All settings, read once from TTS_* environment variables into one typed object.

Every bound the server keeps (queue, text, body, job store) is a setting here with a
sane default, validated at start so a typo fails loudly instead of at the first request.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, fields
from typing import Mapping
from urllib.parse import urlsplit

_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
_REDIS_SCHEMES = ("redis", "rediss", "unix")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_WHOLE_NUMBER = re.compile(r"\s*[+-]?[0-9]+\s*")   # ASCII digits only: int() would also take "1_0" or "١٢"
# as TTS_ALLOWED_HOSTS compares them: no scheme, port or path; `_` is in names Docker resolves (tts_app)
_HOST_NAME = re.compile(r"\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")
# what Kubernetes injects into every pod of a namespace for each Service (docker links too): a Service named tts
# gives TTS_PORT=tcp://10.0.0.7:8000, TTS_SERVICE_HOST, TTS_PORT_8000_TCP_ADDR… (a service named tts-redis,
# TTS_REDIS_PORT…); they are no settings and no typos of one
_SERVICE_LINK = re.compile(r"TTS_(?:\w+_)?(?:SERVICE_HOST|SERVICE_PORT(?:_\w+)?|PORT_[0-9]+_(?:TCP|UDP|SCTP)(?:_\w+)?)")
_SERVICE_LINK_VALUE = re.compile(r"(?:tcp|udp|sctp)://", re.IGNORECASE)


def _origin(text: str) -> str:
    """An origin as a browser sends it in `Origin` (scheme://host[:port], lower case, the default port left
    out, a Unicode host name in its IDNA form), so it can be compared as a string; anything else that could
    never match an Origin header is a SettingsError saying why."""
    def refused(why: str) -> SettingsError:
        return SettingsError(f"TTS_CORS_ORIGINS: each origin is scheme://host[:port] (or *); {why}, got {text!r}")
    url = urlsplit(text)
    if url.scheme.lower() not in _DEFAULT_PORTS:
        raise refused("the scheme is http or https")
    if "@" in url.netloc or "?" in text or "#" in text or url.path.strip("/"):
        raise refused("browsers send no user, path, query or fragment in an Origin")
    try:
        host, port = url.hostname, url.port
        host = host.encode("idna").decode("ascii") if host else host
    except (ValueError, UnicodeError):
        raise refused("the host or port is not valid")
    if not host:
        raise refused("the host is missing")
    host = f"[{host}]" if ":" in host else host   # an IPv6 address keeps its brackets
    shown_port = f":{port}" if port is not None and port != _DEFAULT_PORTS[url.scheme.lower()] else ""
    return f"{url.scheme.lower()}://{host}{shown_port}"
TYPO_SIMILARITY = 0.85   # an unknown TTS_* this close to a setting is a typo (TTS_PROT 0.875); TTS_TEST (0.75) is not
MIN_KEY_CHARS = 16   # an API key shorter than this could be guessed
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")   # as logging names them (upper case)
# TTS_* variables read by others, not by the server (tests/test_config.py finds every one the repository reads)
NOT_SETTINGS = ("TTS_CPUS",          # run.sh: the cores it pins the server to with taskset
                "TTS_CHROMIUM",      # tests/browser/browsing.py: the Chromium the browser tests drive
                "TTS_BENCH_CACHE")   # tts/bench/quality.py: where the benchmark's judge models are kept


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    # Connections (tts/web/server.py): every phase has a deadline, and their number a cap.
    header_timeout_seconds: int = 10     # a new connection must send its request's headers within this
    body_timeout_seconds: int = 30       # and its whole body within this after the headers
    keepalive_timeout_seconds: int = 15  # an idle kept-alive connection is closed after this
    send_timeout_seconds: int = 60       # a client that reads nothing of its response this long is dropped
    max_connections: int = 0             # 0 = 4096; never more than (the descriptor limit - 64) / 3
    # Access control (tts/web/access.py); all off by default, which suits a loopback bind.
    api_keys: str = ""                   # comma-separated; set = "Authorization: Bearer <key>" required
    rate_limit_per_minute: int = 0       # syntheses per key (or client address) per minute; 0 = no limit
    rate_limit_burst: int = 10           # syntheses a client may send at once before the rate applies
    allowed_hosts: str = ""              # Host names served (comma-separated; ".example.com" = its subdomains;
                                         # "*" = any); localhost and IP addresses are always served
    trusted_proxies: int = 0             # reverse proxies in front that append to X-Forwarded-For
    cors_origins: str = ""               # origins whose web pages may call the API (comma-separated; "*" = any)
    threads: int = 2                 # inference threads of the worker's models
    queue_size: int = 10             # requests waiting or running; more get 503
    max_text_chars: int = 5000       # per request
    url_max_text_chars: int = 300    # GET /tts?text=…: embeddable URLs stay short (and within TTS_MAX_TEXT_CHARS)
    url_cache_seconds: int = 86400   # Cache-Control max-age of GET /tts audio (revalidated by its ETag after)
    max_audio_seconds: int = 1800    # per request, estimated before synthesis and enforced during it (5000 characters ≈ 20 min at speed 1)
    max_body_bytes: int = 256 * 1024
    job_ttl_seconds: int = 600       # finished async jobs are kept this long
    job_store_mb: int = 512          # and within this many megabytes of audio (kept results wait on disk, in closed files)
    vocoder_chunk_frames: int = 128  # 12.5 ms per frame; first audio after one chunk (128: least CPU, bench chunks)
    vocoder_runtime: str = "onnxruntime"   # embedded vocoder: onnxruntime (rebuilt float graph) or litert (as shipped)
    vocoder_spinning: bool = False   # let onnxruntime's idle pool threads spin (less latency, more CPU)
    vocoder_dir: str = ".cache/embedded"   # where ./run.sh builds the ONNX vocoder (verified at start)
    page_runtime_dir: str = "npm/node_modules/onnxruntime-web/dist"   # onnxruntime-web for browser vocoding (./run.sh: npm ci)
    cache_mb: int = 64               # sentence cache (phrase audio); 0 = no cache
    cache_ttl_seconds: int = 86400   # how long a phrase stays in Redis
    singleflight: bool = True        # identical concurrent requests share one synthesis
    step_timeout_seconds: int = 120  # a model call with no progress this long (or this much CPU) is stalled
    memory_limit_mb: int = 0         # above it, new work waits (503) while work runs; 0 = the cgroup's
                                     # MemoryHigh (or 90 % of MemoryMax / docker --memory); -1 = none
    drain_seconds: int = 20          # on SIGTERM, finish accepted work for this long, then fail what is left
    redis_url: str = ""              # e.g. redis://redis:6379/0: cache and async jobs shared by replicas
    redis_timeout_ms: int = 500      # per Redis call; past it the server carries on without Redis
    default_voice: str = "baker"
    kokoro: bool = True              # the eight Kokoro-82M voices (loaded on first use)
    kokoro_preload: bool = False     # load Kokoro at start instead (costs ~300 MB more RSS from the start)
    kokoro_threads: int = 2
    kokoro_idle_seconds: int = 600   # unload Kokoro after this long unused, giving back ~300 MB (0 = never)
    kokoro_dir: str = ".cache/kokoro"   # where the model parts are joined into one verified file
    sambert_python: str = ""         # optional ModelScope Sambert engine: its Python 3.8/3.10 interpreter
    sambert_model_dir: str = ""      # and its local model directory (both set = engine on)
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Settings from TTS_<NAME> variables (e.g. TTS_QUEUE_SIZE=4)."""
        environ = os.environ if environ is None else environ
        for variable, near in cls._unknown(environ, TYPO_SIMILARITY):   # TTS_PROT=9000 would serve on port 8000
            if near:
                raise SettingsError(f"{variable} is not a setting (did you mean {near}?); correct or unset it")
        values = {}
        for f in fields(cls):
            raw = environ.get(f"TTS_{f.name.upper()}")
            if raw is None:
                continue
            if f.type == "int":
                if _SERVICE_LINK_VALUE.match(raw):
                    raise SettingsError(f"TTS_{f.name.upper()}={raw} is a Kubernetes service link, not a setting: a "
                                        "Service named tts injects it into every pod of its namespace; set "
                                        "enableServiceLinks: false in the pod spec or name the Service otherwise")
                if not _WHOLE_NUMBER.fullmatch(raw):
                    raise SettingsError(f"TTS_{f.name.upper()} must be a whole number, got {raw!r}")
                values[f.name] = int(raw)
            elif f.type == "bool":
                if raw.lower() not in _TRUE + _FALSE:
                    raise SettingsError(f"TTS_{f.name.upper()} must be 1 or 0 (true or false), got {raw!r}")
                values[f.name] = raw.lower() in _TRUE
            else:
                values[f.name] = raw
        return cls(**values).validated()

    @classmethod
    def ignored(cls, environ: Mapping[str, str] | None = None) -> list[str]:
        """A warning for each TTS_* variable that is no setting (one close to a setting already ended the start
        in from_env: a misspelled one is never silently ignored)."""
        environ = os.environ if environ is None else environ
        return [f"{variable} is not a setting{f' (did you mean {near}?)' if near else ''}; it is ignored"
                for variable, near in cls._unknown(environ)]

    @classmethod
    def _unknown(cls, environ: Mapping[str, str], similarity: float = 0.6) -> list[tuple[str, str | None]]:
        """Each TTS_* variable that is no setting, with the setting it is at least this similar to (difflib's
        ratio; None: none is)."""
        names = [f"TTS_{f.name.upper()}" for f in fields(cls)]
        return [(variable, next(iter(difflib.get_close_matches(variable, names, n=1, cutoff=similarity)), None))
                for variable in sorted(environ)
                if variable.startswith("TTS_") and variable not in names and variable not in NOT_SETTINGS
                and not cls._service_link(variable, environ[variable])]

    @staticmethod
    def _service_link(variable: str, value: str) -> bool:
        """Whether this variable is one a Kubernetes Service (or a docker link) set, not the operator."""
        return bool(_SERVICE_LINK.fullmatch(variable)
                    or (variable.endswith("_PORT") and _SERVICE_LINK_VALUE.match(value)))

    def validated(self) -> "Settings":
        minimums = {"port": 0, "threads": 1, "queue_size": 1, "max_text_chars": 1, "max_audio_seconds": 1,
                    "url_max_text_chars": 1, "url_cache_seconds": 0,
                    "step_timeout_seconds": 1, "memory_limit_mb": -1, "drain_seconds": 0, "max_body_bytes": 1024,
                    "job_ttl_seconds": 1, "job_store_mb": 1, "vocoder_chunk_frames": 32, "cache_mb": 0,
                    "cache_ttl_seconds": 1, "redis_timeout_ms": 1, "kokoro_threads": 1,
                    "kokoro_idle_seconds": 0, "header_timeout_seconds": 1, "body_timeout_seconds": 1,
                    "keepalive_timeout_seconds": 1, "send_timeout_seconds": 1, "max_connections": 0,
                    "rate_limit_per_minute": 0, "rate_limit_burst": 1, "trusted_proxies": 0}
        for f in fields(self):   # `TTS_HOST=` (empty) would listen on every interface, an empty directory is "."
            if f.type == "str" and f.default and not getattr(self, f.name).strip():
                raise SettingsError(f"TTS_{f.name.upper()} is empty; unset it for the default {f.default!r}")
        if bool(self.sambert_python) != bool(self.sambert_model_dir):
            raise SettingsError("TTS_SAMBERT_PYTHON and TTS_SAMBERT_MODEL_DIR turn the Sambert engine on together; "
                                f"only {'TTS_SAMBERT_PYTHON' if self.sambert_python else 'TTS_SAMBERT_MODEL_DIR'} is set")
        for host in self.hosts:
            if host != "*" and not _HOST_NAME.fullmatch(host):
                raise SettingsError("TTS_ALLOWED_HOSTS: each entry is a host name as clients send it (tts.example.com, "
                                    ".example.com for its subdomains, or *; a Unicode name in its xn-- form), without "
                                    f"scheme, port or path (IP addresses are always served); got {host!r}")
        for name, low in minimums.items():
            if getattr(self, name) < low:
                raise SettingsError(f"TTS_{name.upper()} must be at least {low}, got {getattr(self, name)}")
        if self.log_level.upper() not in LOG_LEVELS:
            raise SettingsError(f"TTS_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {self.log_level!r}")
        if self.vocoder_runtime not in ("onnxruntime", "litert"):
            raise SettingsError(f"TTS_VOCODER_RUNTIME must be onnxruntime or litert, got {self.vocoder_runtime!r}")
        if self.port > 65535:
            raise SettingsError(f"TTS_PORT must be at most 65535, got {self.port}")
        if self.redis_url and urlsplit(self.redis_url).scheme not in _REDIS_SCHEMES:
            raise SettingsError(f"TTS_REDIS_URL must start with redis://, rediss:// or unix://, got {self.redis_url!r}")
        self.cors   # noqa: B018 (reading the origins checks each one: _origin)
        for key in self.keys:
            if len(key) < MIN_KEY_CHARS or not key.isascii() or not key.isprintable() or " " in key:
                raise SettingsError(f"TTS_API_KEYS: each key must be at least {MIN_KEY_CHARS} printable ASCII "
                                    "characters without spaces; make one with: python -c "
                                    "'import secrets; print(secrets.token_urlsafe(32))'")
        return self

    @property
    def logging_level(self) -> str:
        """TTS_LOG_LEVEL as logging takes it (it is read in any case: info = INFO)."""
        return self.log_level.upper()

    @property
    def keys(self) -> tuple[str, ...]:
        """The API keys (TTS_API_KEYS split at commas); empty = no key needed."""
        return tuple(key.strip() for key in self.api_keys.split(",") if key.strip())

    @property
    def hosts(self) -> tuple[str, ...]:
        """The Host names served besides localhost and IP addresses (TTS_ALLOWED_HOSTS)."""
        return tuple(host.strip().lower() for host in self.allowed_hosts.split(",") if host.strip())

    @property
    def cors(self) -> tuple[str, ...]:
        """The origins served cross-origin (TTS_CORS_ORIGINS: https://app.example.com, or *); empty = none."""
        return tuple(origin if origin == "*" else _origin(origin)
                     for origin in (part.strip() for part in self.cors_origins.split(",")) if origin)

    def describe(self) -> str:
        """One log line; a password in the Redis URL and the API keys are masked."""
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        url = urlsplit(self.redis_url)
        if url.password:
            shown["redis_url"] = url._replace(netloc=url.netloc.replace(f":{url.password}@", ":***@")).geturl()
        shown["api_keys"] = f"<{len(self.keys)} keys>"
        return " ".join(f"{name}={value}" for name, value in shown.items())
