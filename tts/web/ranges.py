"""HTTP validators and byte ranges for whole-audio responses (RFC 9110 §13-14).

A whole file of known length answers `Range: bytes=…` with 206 and exactly those bytes, or
416 (with `Content-Range: bytes */length`) when the range starts past the end, and says
`Accept-Ranges: bytes` so players can seek. Several ranges in one request, or another unit,
get the whole file (200), as the RFC allows. `If-Range` with a validator that no longer
matches also gets the whole file. `If-None-Match` that matches the ETag gets 304.
"""

from __future__ import annotations

from flask import Response, request
from werkzeug.http import parse_etags, parse_range_header

from tts.errors import RangeNotSatisfiable, shown


def not_modified(etag: str) -> bool:
    """The client already holds the representation with `etag` (a strong "…" value)."""
    header = request.headers.get("If-None-Match")
    return header is not None and parse_etags(header).contains_weak(etag.strip('"'))


def unchanged(etag: str, cache_control: str | None = None, retry_after: int | None = None) -> Response | None:
    """304 (no body: the validators and caching headers the full answer would carry, and when to ask again)
    when the client already holds `etag`."""
    if not not_modified(etag):
        return None
    headers = {"ETag": etag, **({"Cache-Control": cache_control} if cache_control else {}),
               **({"Retry-After": str(retry_after)} if retry_after is not None else {})}
    return Response(status=304, headers=headers)


def requested_range(length: int, etag: str | None) -> tuple[int, int] | None:
    """(start, stop) of the one byte range asked for, or None for the whole file."""
    header = request.headers.get("Range")
    if header is None or request.method != "GET":   # ranges are defined for GET only: a POST ignores them
        return None
    if_range = request.headers.get("If-Range")
    if if_range is not None and (etag is None or if_range.strip() != etag):
        return None   # the client's copy is another version (or dated): send it whole
    parsed = parse_range_header(header)
    if parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1:
        return None
    span = parsed.range_for_length(length)
    if span is None:
        raise RangeNotSatisfiable(f"the range {shown(header.strip())} is outside the audio's {length} bytes",
                                  length=length)
    return span
