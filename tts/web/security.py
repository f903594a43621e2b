"""Security headers on every response: a strict Content-Security-Policy and friends.

The page loads its script, style and icon only from this origin (no inline code), plays
audio from this origin or from blob: URLs the script makes, and may not be framed. Scripts
may compile WebAssembly ('wasm-unsafe-eval', nothing broader): browser vocoding runs
onnxruntime-web's wasm, served from this origin, in a Worker (worker-src falls back to 'self').
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; media-src 'self' blob:; img-src 'self' data:; "
    "base-uri 'none'; frame-ancestors 'none'"
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def register_security_headers(app: Flask) -> None:
    """Add SECURITY_HEADERS to every response, errors and static files included."""

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value
        return response
