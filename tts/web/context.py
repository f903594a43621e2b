"""What every route needs from the app it runs in: the service, the JSON body, the request model.

Both dialects (our /tts and OpenAI's /v1) parse requests through these, so a request is
validated and its voice resolved the same way whichever route it came in on.
"""

from __future__ import annotations

import codecs
import math
import re
import zlib

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from tts.errors import (InvalidInput, JobNotReady, PayloadTooLarge, ResultLost, UnsupportedEncoding,
                        UnsupportedMediaType, shown)
from tts.request import TTS, Dialect, SynthesisRequest, load_json_object, parse_request
from tts.service.jobs import DONE, FAILED, FINISHED, Job
from tts.service.service import SynthesisService

SERVICE = "tts.service"


def service() -> SynthesisService:
    return current_app.extensions[SERVICE]


MAX_POLL_SECONDS = 60   # a poll is cheap; a result dropped before the poll its Retry-After advised is not


def poll_after(job: Job) -> int:
    """Seconds a polling client should wait before asking about an unfinished job again (Retry-After):
    its expected time left, rounded up, at least 1 (also when another replica holds it), and at most
    a quarter of TTS_JOB_TTL_SECONDS and MAX_POLL_SECONDS: the jobs ahead may end early (cancelled, cached),
    and a client obeying it must never come back after its finished result was dropped."""
    expected = service().expected_seconds(job)
    ttl = current_app.config["TTS_SETTINGS"].job_ttl_seconds
    wait = math.ceil(expected) if expected is not None else 1
    return max(1, min(wait, ttl // 4, MAX_POLL_SECONDS))


def done_job(job_id: str, what: str) -> Job:
    """The done job whose `what` (its audio, its captions) a client asks for; else why not, the same for all of
    them: 410 when its kept result was lost (gone for good: send the request again), 409 when it failed or while
    it runs (with a Retry-After to poll)."""
    job = service().jobs.get(job_id)
    error = job.error
    if job.status == FAILED and error is not None and error.code == ResultLost.code:
        raise ResultLost(f"job {job.id}: {error.message}", field="id")
    if job.status == FAILED:
        raise JobNotReady(f"job {job.id} failed: {error.message if error else 'unknown error'}", field="id")
    if job.status != DONE:
        raise JobNotReady(f"job {job.id} is {job.status}; {what} comes when it is done: poll its status", field="id",
                          retry_after=None if job.status in FINISHED else poll_after(job))
    return job


def is_json(media_type: str) -> bool:
    """Whether a body of `media_type` (lower case, without parameters) is read as JSON: application/json (RFC 8259),
    any application/*+json (RFC 6839: problem+json, vnd.api+json, merge-patch+json) and text/json, the name many
    older clients and libraries send (jQuery's era, some .NET and PHP clients; registered nowhere). None of them is
    one a page may send cross-origin without a preflight (only text/plain, forms and typeless bodies are)."""
    return media_type in ("application/json", "text/json") or (media_type.startswith("application/")
                                                               and media_type.endswith("+json"))


def json_body() -> dict:
    """The request's JSON object, read only under a JSON media type (`is_json`; 415 otherwise, a missing
    Content-Type included): any web page can make a browser POST text/plain, a form or a typeless Blob here
    without a CORS preflight, but not JSON."""
    media_type = request.mimetype   # lower case, without parameters; "" when none was sent
    if not is_json(media_type):
        sent = f"got {media_type!r}" if media_type else "none was sent"
        raise UnsupportedMediaType(f"send the body as JSON with Content-Type: application/json ({sent})",
                                   field="Content-Type")
    return load_json_object(_as_utf8(_decoded(_whole_body())))


def _whole_body() -> bytes:
    """The body as it came, or 413. One without a Content-Length (chunked) is cut off at TTS_MAX_BODY_BYTES
    by werkzeug, not refused: its head was parsed as if whole (a 400 "not JSON", or a valid object with the
    rest dropped unread)."""
    body = request.get_data(cache=True)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is None and limit is not None and len(body) >= limit and _more_came():
        raise RequestEntityTooLarge()   # answered by the one 413 handler (tts.web.errors)
    return body


def _more_came() -> bool:
    """Whether a byte follows the limit. This read is past werkzeug's guard, which makes a malformed or cut-off
    chunk a 400: here too (it escaped as a 500)."""
    try:
        return bool(request.environ["wsgi.input"].read(1))
    except (OSError, ValueError):
        raise InvalidInput("the chunked body is malformed or cut off", field="body") from None


CODINGS = ("gzip", "deflate")   # the Content-Encodings a body may come in (RFC 9110 §8.4.1); identity = none


def _decoded(raw: bytes) -> bytes:
    """The body without its Content-Encoding (gzip or deflate), held to TTS_MAX_BODY_BYTES once
    decoded too (a small bomb never inflates past it); another coding is a 415 naming the header.
    "deflate" is zlib-wrapped (RFC 9110) or, as some clients send it, raw (told apart by the zlib header);
    gzip may come in several members (RFC 1952: `cat a.gz b.gz`), read one after the other."""
    coding = request.headers.get("Content-Encoding", "").strip().lower()
    if coding in ("", "identity"):
        return raw
    if coding not in (*CODINGS, "x-gzip"):
        raise UnsupportedEncoding(f"the body's Content-Encoding {shown(coding)} is not one this server decodes; "
                                  f"send it as is, or as {' or '.join(CODINGS)}", field="Content-Encoding")
    wrapped = coding != "deflate" or _zlib_or_gzip_header(raw)
    wbits = zlib.MAX_WBITS | 32 if wrapped else -zlib.MAX_WBITS   # | 32: gzip or zlib, told apart by their headers
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    body, rest = b"", raw
    while True:
        inflater = zlib.decompressobj(wbits=wbits)
        try:
            body += inflater.decompress(rest, limit + 1 - len(body))
        except zlib.error:
            raise InvalidInput(f"the body is not valid {coding} data", field="body") from None
        if len(body) > limit:
            raise PayloadTooLarge(f"the body is larger than {limit} bytes once decoded", field="body")
        if not inflater.eof:
            raise InvalidInput(f"the body's {coding} data is cut short", field="body")
        rest = inflater.unused_data
        if not rest:
            return body
        if coding == "deflate":
            raise InvalidInput(f"the body has {len(rest)} bytes after its {coding} data", field="body")


def _zlib_or_gzip_header(data: bytes) -> bool:
    """Whether `data` starts as zlib (RFC 1950: method 8, a header that is a multiple of 31) or gzip does."""
    if len(data) < 2:
        return True   # too short for either: the zlib reader says what is wrong
    return data[:2] == b"\x1f\x8b" or (data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0)


# The charsets a body may name: the WHATWG Encoding standard's (what browsers send and accept), as the
# Python codecs their labels look up to, plus UTF-32 (JSON's own, RFC 4627). No UTF-7, EBCDIC or other
# codec a proxy in front, reading the body as UTF-8, would see other names in than we read.
_CHARSETS = frozenset({
    "utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be",
    "gbk", "gb18030", "big5", "big5hkscs", "euc_jp", "iso2022_jp", "shift_jis", "cp932", "euc_kr", "cp949",
    "cp866", "koi8-r", "koi8-u", "mac-roman", "mac-cyrillic", "cp874", "ascii", "iso8859-1",
    *(f"iso8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)), *(f"cp{n}" for n in range(1250, 1259))})
# WHATWG labels Python spells otherwise, and WHATWG's rule that GB2312 is read as GBK
_ALIASES = {"unicode-1-1-utf-8": "utf-8", "x-gbk": "gbk", "gb2312": "gbk", "windows-874": "cp874",
            "x-mac-cyrillic": "mac-cyrillic", "x-mac-roman": "mac-roman", "iso-8859-8-i": "iso8859-8"}
_LABEL = re.compile(r"[a-z0-9][a-z0-9_.:-]{0,39}")   # a charset label's shape: no NUL, space or quote


def _codec(charset: str) -> str | None:
    """The Python codec a charset label names, if it is one a body may come in; None otherwise."""
    if not _LABEL.fullmatch(charset):
        return None
    try:
        codec = codecs.lookup(_ALIASES.get(charset, charset)).name
    except (LookupError, ValueError):
        return None
    return codec if codec in _CHARSETS else None


def _as_utf8(raw: bytes) -> bytes:
    """The body in UTF-8, decoded from the charset its Content-Type names, if another (JSON is UTF-8,
    RFC 8259, but a client saying charset=gbk means it): a charset not in the WHATWG list is a 415
    naming the header."""
    charset = request.mimetype_params.get("charset", "utf-8").strip().lower()
    codec = _codec(charset)
    if codec is None:
        raise UnsupportedMediaType(f"the charset {shown(charset)} is not one this server reads; send the body "
                                   "as UTF-8", field="Content-Type")
    if codec == "utf-8" or codec.startswith(("utf-16", "utf-32")):   # json finds UTF-16 and -32 by itself
        return raw
    try:
        return raw.decode(codec).encode("utf-8")
    except ValueError:    # bytes that are not of that charset (or decode to lone surrogates)
        raise InvalidInput(f"the body is not {charset} text, as its Content-Type says", field="body") from None


def synthesis_request(payload: dict, dialect: Dialect = TTS, **choices) -> SynthesisRequest:
    """The shared request model with its voice resolved; `dialect` is the endpoint's declaration,
    `choices` its run-time ones (see parse_request). No voice: the default one, or eco mode's.
    A `model` naming one of our engines maps OpenAI's voice names to its voices (tts.catalogue)."""
    catalogue = service().catalogue
    settings = current_app.config["TTS_SETTINGS"]
    max_chars = min(settings.max_text_chars, getattr(settings, dialect.text_setting))
    parsed = parse_request(payload, voices=catalogue.names(), max_chars=max_chars, dialect=dialect, **choices)
    model = payload.get("model") if "model" in dialect.by_name else None   # validated by parse_request
    return catalogue.bind(parsed, engine=model if model in catalogue.engines else None)
