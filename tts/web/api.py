"""The JSON API: POST /tts (wait or async job), job status, audio and deletion, liveness and readiness."""

from __future__ import annotations

import hashlib
import math
from functools import partial

from flask import Blueprint, jsonify, request, url_for

from tts.request import TTS, read_flag, read_value
from tts.service.jobs import DONE, FINISHED, Job
from tts.web.captions import captioned
from tts.web.context import done_job, json_body, poll_after, service, synthesis_request
from tts.web.ranges import unchanged
from tts.web.responses import audio_response, job_etag, whole_audio

api = Blueprint("api", __name__)


def job_links(job: Job) -> dict:
    return {"self": url_for("api.job_status", job_id=job.id), "audio": url_for("api.job_audio", job_id=job.id),
            "captions": url_for("captions.job_captions", job_id=job.id)}


def queue_place(job: Job) -> dict:
    """Where a job stands: its position among those not started, and the seconds it should still take,
    rounded up to whole seconds as Retry-After is (an unfinished job never reads 0: a short one's estimate is a
    few ms; in tenths the document, and its ETag, changed at nearly every poll, so a poll was seldom a 304);
    both null for another replica's unfinished job (shared store), which this process cannot place."""
    expected = service().expected_seconds(job)
    if expected is not None and job.status not in FINISHED:
        expected = max(1, math.ceil(round(expected, 6)))
    return {"position": service().position(job), "expected_seconds": expected}


@api.post("/tts")
def tts():
    payload = json_body()
    synthesis = synthesis_request(payload)
    wants_async = read_flag(payload, "async")
    job = service().submit(synthesis, keep=wants_async)
    if wants_async:
        response = jsonify({"id": job.id, "status": job.status, **queue_place(job), "links": job_links(job)})
        response.status_code = 202
        response.headers["Location"] = job_links(job)["self"]
        if job.status not in FINISHED:   # a cached result may be done already
            response.headers["Retry-After"] = str(poll_after(job))
        return response
    form = read_value(TTS["captions"], payload.get("captions"), max_chars=0)
    return captioned(job, form) if form else audio_response(job)


@api.get("/tts/jobs/<job_id>")
def job_status(job_id: str):
    job = service().jobs.get(job_id)
    expires = None if job.finished is None else job.finished + service().jobs.ttl
    body = {"id": job.id, "status": job.status, **queue_place(job), "created": job.created,
            "started": job.started, "finished": job.finished, "expires": expires, "links": job_links(job)}
    if job.status == DONE:
        body["audio_seconds"] = round(job.audio.seconds, 3)
        body["cpu_seconds"] = round(job.cpu_seconds, 4)
        body["omitted_tokens"] = len(job.omitted)
    if job.error:
        body["error"] = {"code": job.error.code, "message": job.error.message, "field": job.error.field}
    retry_after = poll_after(job) if job.status not in FINISHED else None
    response = jsonify(body)
    etag = status_etag(response.get_data())
    cached = unchanged(etag, STATUS_CACHING, retry_after)
    if cached is not None:   # the poller holds this very document: nothing to send
        return cached
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = STATUS_CACHING
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


# A status document changes as its job runs: any cache (a browser's included) may keep it but must ask again every
# time (no-cache, not no-store, which forbade keeping it, so that clients never sent If-None-Match), and the ETag
# makes asking again a 304 with no body while nothing changed.
STATUS_CACHING = "no-cache"


def status_etag(document: bytes) -> str:
    """A strong validator of a job's status document: a digest of its bytes, so it changes exactly when they do
    (the status, and a waiting job's place and expected time; also for a job another replica holds)."""
    return f'"{hashlib.blake2b(document, digest_size=12).hexdigest()}"'


@api.delete("/tts/jobs/<job_id>")
def delete_job(job_id: str):
    """Cancel a job and forget it: its work stops before the next chunk, its slot frees at once,
    its audio (if it finished) is deleted; from now on its id is unknown (404)."""
    service().delete(job_id)
    return "", 204


@api.get("/tts/jobs/<job_id>/audio")
def job_audio(job_id: str):
    job = done_job(job_id, "its audio")
    cached = unchanged(job_etag(job))
    if cached is not None:   # the client holds it already
        job.fetched = job.fetched or request.method != "HEAD"
        return cached
    # Fetched once the answer has sent the file's last byte: a HEAD, a range probe or a 416 leave the result kept
    # for the requests that follow (a player fetches in ranges; the drain at SIGTERM waits for the rest).
    return whole_audio(job, sent=partial(setattr, job, "fetched", True))


@api.get("/healthz")
def healthz():
    """Liveness, for Docker's HEALTHCHECK and the process manager: false when the worker is dead or stalled."""
    healthy = service().healthy
    response = jsonify({"status": "ok" if healthy else "worker_unhealthy"})
    response.status_code = 200 if healthy else 503
    return response


@api.get("/readyz")
def readyz():
    """Readiness, for load balancers: warm, healthy and taking requests."""
    svc = service()
    body = {"ready": svc.ready, "healthy": svc.healthy, "queue_depth": svc.depth,
            "engines": {name: engine.state for name, engine in svc.catalogue.engines.items()},
            "voices": svc.catalogue.ids}
    if svc.load_error is not None:
        body["error"] = svc.load_error.message
    response = jsonify(body)
    response.status_code = 200 if svc.ready else 503
    return response
