"""The access log tells what the client got: one line per request, written when its response
has ended (tts.web.observability), also for a streamed response that failed or was left unread."""

from __future__ import annotations

import json
import logging
import re

import pytest

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.test import EnvironBuilder

from fakes import tone_app

FAILS_BEFORE_ITS_FIRST_BYTE = {   # AAC holds back its first 1,600 samples: the tone's one syllable is less
    "text": '<speak>你<break time="1ms"/>坏了。</speak>', "voice": "tone", "format": "aac", "stream": True}


@pytest.fixture(name="tone_app")
def tone_app_fixture():
    with tone_app() as app:
        yield app


def access_lines(caplog, request_id: str) -> list[dict]:
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "tts.access"]
    return [line for line in lines if line["request_id"] == request_id]


def streamed(app, caplog, body: dict, read: int | None = None) -> tuple[dict, bytes, Exception | None]:
    """POST /tts as a WSGI server runs it: the headers, then the body written (all of it, or its first
    `read` chunks, the next one's write failing: the client went away), then closed. Returns the
    headers, the bytes written and what the body raised."""
    started: list = []
    received, raised = b"", None
    environ = EnvironBuilder("/tts", method="POST", json=body).get_environ()
    with caplog.at_level(logging.INFO, logger="tts.access"):
        result = app(environ, lambda status, headers, exc_info=None: started.extend((status, headers)))
        try:
            for count, chunk in enumerate(result):
                if read is not None and count >= read:
                    break   # this chunk's write failed (a server then closes the body)
                received += chunk
        except Exception as error:   # a server answers it (tts.web.server); here it only ends the body
            raised = error
        finally:
            result.close()
    status, headers = started
    assert status.startswith("200")   # the view had returned: the failures come out of the body
    return dict(headers), received, raised


def test_a_stream_that_fails_before_its_first_byte_is_logged_with_the_status_the_client_gets(tone_app, caplog):
    """Before, its line was written as the view returned and said 200 (the client got a JSON 500)."""
    headers, received, raised = streamed(tone_app, caplog, FAILS_BEFORE_ITS_FIRST_BYTE)
    assert received == b"" and raised is not None
    [line] = access_lines(caplog, headers["X-Request-ID"])
    assert line["status"] == 500 and line["error"] == "synthesis_failed" and line["bytes"] is None
    metrics = tone_app.test_client().get("/metrics").get_data(as_text=True)
    assert re.search(r'tts_http_requests_total\{method="POST",route="/tts",status="500"\} 1\.0', metrics)
    assert 'route="/tts",status="200"' not in metrics


def test_a_stream_cut_short_by_a_failure_is_logged_as_incomplete_with_the_bytes_sent(tone_app, caplog):
    headers, received, raised = streamed(tone_app, caplog, {"text": "你好。坏了。", "voice": "tone", "stream": True})
    assert received and raised is not None
    [line] = access_lines(caplog, headers["X-Request-ID"])
    assert line["status"] == 200 and line["incomplete"] is True and line["error"] == "synthesis_failed"
    assert line["bytes"] == len(received)


def test_a_stream_its_client_left_is_logged_as_incomplete_without_an_error(tone_app, caplog):
    headers, received, raised = streamed(tone_app, caplog, {"text": "你好。" * 5, "voice": "tone", "stream": True},
                                          read=1)
    assert received and raised is None
    [line] = access_lines(caplog, headers["X-Request-ID"])
    assert line["status"] == 200 and line["incomplete"] is True and "error" not in line
    assert line["bytes"] == len(received)


def test_a_stream_whose_first_chunk_could_not_be_written_is_logged_with_no_bytes(tone_app, caplog):
    """Its bytes counted the chunk the server failed to write (a chunk counted as it was made)."""
    headers, received, raised = streamed(tone_app, caplog, {"text": "你好。" * 5, "voice": "tone", "stream": True},
                                          read=0)
    assert received == b"" and raised is None
    [line] = access_lines(caplog, headers["X-Request-ID"])
    assert line["status"] == 200 and line["incomplete"] is True and line["bytes"] == 0


def test_a_whole_stream_is_logged_once_with_every_byte_it_sent(tone_app, caplog):
    headers, received, raised = streamed(tone_app, caplog, {"text": "你好。再见。", "voice": "tone", "stream": True})
    assert raised is None and received[:4] == b"RIFF"
    [line] = access_lines(caplog, headers["X-Request-ID"])
    assert line["status"] == 200 and line["bytes"] == len(received) and "incomplete" not in line


def test_a_stream_failing_with_an_error_mapped_by_its_type_is_logged_with_what_the_client_got(tone_app, caplog):
    """tts.web.errors answers RequestEntityTooLarge as 413 `payload_too_large` (not by werkzeug's name); the
    access line and the counter took it from a mapping of their own and said `internal_error`."""
    def too_large():
        raise RequestEntityTooLarge()
        yield b""   # a generator: it raises as its first byte is asked for

    tone_app.add_url_rule("/too-large", "too_large", lambda: tone_app.response_class(too_large()))
    environ = EnvironBuilder("/too-large").get_environ()
    with caplog.at_level(logging.INFO, logger="tts.access"):
        started: list = []
        result = tone_app(environ, lambda status, headers, exc_info=None: started.extend((status, headers)))
        with pytest.raises(RequestEntityTooLarge) as raised:
            next(iter(result))
        with tone_app.request_context(environ):   # what tts.web.server answers instead (Handler._answer_error)
            answer = tone_app.make_response(tone_app.handle_user_exception(raised.value))
        result.close()
    [line] = access_lines(caplog, dict(started[1])["X-Request-ID"])
    assert (line["status"], line["error"]) == (answer.status_code, answer.get_json()["error"]["code"])
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (413, "payload_too_large")
