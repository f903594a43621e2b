"""What the log says when the drain time runs out at shutdown (tts.web.shutdown)."""

from __future__ import annotations

import logging

from fakes import tone_app, wait_until
from tts.web import shutdown


def test_a_drain_that_ran_out_waiting_for_a_fetch_says_so_not_that_work_was_left(caplog):
    """Before: "shutting down with work left after 0 s; failing it", when the work was done and
    only its result had not been fetched."""
    with tone_app() as app:
        client = app.test_client()
        link = client.post("/tts", json={"text": "你好。", "voice": "tone", "async": True}).get_json()["links"]["self"]
        wait_until(lambda: client.get(link).get_json()["status"] == "done")
        with caplog.at_level(logging.WARNING, logger="tts.web"):
            assert not shutdown(app, drain_seconds=0.2)
        [line] = [r.getMessage() for r in caplog.records if r.name == "tts.web"]   # (before tone_app's own shutdown)
        assert "0 requests unfinished" in line and "1 async results nobody fetched" in line
