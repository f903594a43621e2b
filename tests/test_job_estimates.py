"""What an async job says about its wait: `position` and `expected_seconds` (GET /tts/jobs/<id>)."""

from __future__ import annotations

import pytest

from contract import Contract
from fakes import ToneModel, tone_app, wait_until


@pytest.fixture()
def held():
    """An app on the tone voice whose worker is held by a 挂 job until the test releases the model."""
    model = ToneModel()
    with tone_app(model) as app:
        client = app.test_client()
        holder = client.post("/tts", json={"text": "挂一下。", "voice": "tone", "async": True}).get_json()
        wait_until(lambda: client.get(holder["links"]["self"]).get_json()["status"] == "running")
        try:
            yield app, client, model
        finally:
            model.release.set()


def test_a_queued_job_never_reads_as_expected_in_0_seconds(held):
    """A short text's estimate is a few milliseconds: it was rounded to 0.0 while the job was queued."""
    app, client, model = held
    accepted = client.post("/tts", json={"text": "你好。", "voice": "tone", "async": True})
    status = client.get(accepted.get_json()["links"]["self"])
    contract = Contract.of(app)
    contract.check("/tts", "post", accepted)
    contract.check("/tts/jobs/{job_id}", "get", status)
    for body in (accepted.get_json(), status.get_json()):
        assert body["status"] == "queued" and body["position"] == 1
        assert body["expected_seconds"] == 1 and isinstance(body["expected_seconds"], int)   # whole seconds


def test_a_waiting_jobs_estimate_is_whole_seconds_as_its_retry_after_so_a_poll_within_one_is_a_304(held):
    """In tenths it changed (and the status ETag with it) at nearly every poll: a polled job was seldom a 304."""
    app, client, model = held
    link = client.post("/tts", json={"text": "你好。" * 20, "voice": "tone", "async": True}).get_json()["links"]["self"]
    status = client.get(link)
    expected = status.get_json()["expected_seconds"]
    assert isinstance(expected, int) and expected >= 1 and status.headers["Retry-After"] == str(expected)
    assert client.get(link, headers={"If-None-Match": status.headers["ETag"]}).status_code == 304


def test_a_finished_job_expects_0_seconds_and_has_no_place(held):
    app, client, model = held
    link = client.post("/tts", json={"text": "你好。", "voice": "tone", "async": True}).get_json()["links"]["self"]
    model.release.set()
    wait_until(lambda: client.get(link).get_json()["status"] == "done")
    status = client.get(link).get_json()
    assert status["expected_seconds"] == 0 and status["position"] == 0
