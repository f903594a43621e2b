"""The JSON API: POST /tts (wait or async job), job status and audio, health and readiness."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request, url_for

from tts.errors import InvalidInput, JobNotReady
from tts.request import SynthesisRequest, parse_request, read_flag
from tts.service.jobs import DONE, FAILED, Job
from tts.service.worker import SynthesisService
from tts.web.responses import audio_response, whole_audio

api = Blueprint("api", __name__)


def service() -> SynthesisService:
    return current_app.extensions["tts.service"]


def json_body() -> dict:
    """The decoded JSON object of the request, whatever its Content-Type says."""
    raw = request.get_data(cache=True)
    try:
        payload = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput("the body must be a JSON object", field="body") from None
    if not isinstance(payload, dict):
        raise InvalidInput("the body must be a JSON object", field="body")
    return payload


def synthesis_request(payload: dict, **dialect) -> SynthesisRequest:
    """The shared request model; `dialect` renames fields (see parse_request)."""
    settings = current_app.config["TTS_SETTINGS"]
    voices = [v.id for v in service().voices] or [settings.default_voice]
    return parse_request(payload, voices=voices, default_voice=settings.default_voice,
                         max_chars=settings.max_text_chars, **dialect)


def job_links(job: Job) -> dict:
    return {"self": url_for("api.job_status", job_id=job.id), "audio": url_for("api.job_audio", job_id=job.id)}


@api.post("/tts")
def tts():
    payload = json_body()
    wants_async = read_flag(payload, "async")
    job = service().submit(synthesis_request(payload), keep=wants_async)
    if wants_async:
        response = jsonify({"id": job.id, "status": job.status, "position": service().position(job),
                            "links": job_links(job)})
        response.status_code = 202
        response.headers["Location"] = job_links(job)["self"]
        return response
    return audio_response(job)


@api.get("/tts/jobs/<job_id>")
def job_status(job_id: str):
    job = service().jobs.get(job_id)
    body = {"id": job.id, "status": job.status, "position": service().position(job),
            "created": job.created, "started": job.started, "finished": job.finished,
            "links": job_links(job)}
    if job.status == DONE:
        samples, rate = job.audio()
        body["audio_seconds"] = round(len(samples) / rate, 3) if rate else 0
    if job.error:
        body["error"] = {"code": job.error.code, "message": job.error.message, "field": job.error.field}
    return jsonify(body)


@api.get("/tts/jobs/<job_id>/audio")
def job_audio(job_id: str):
    job = service().jobs.get(job_id)
    if job.status == FAILED:
        raise JobNotReady(f"job {job.id} failed: {job.error.message if job.error else 'unknown error'}", field="id")
    if job.status != DONE:
        raise JobNotReady(f"job {job.id} is {job.status}; poll its status until it is done", field="id")
    return whole_audio(job)


@api.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@api.get("/readyz")
def readyz():
    svc = service()
    body = {"ready": svc.ready, "queue_depth": svc.depth, "voices": [v.id for v in svc.voices]}
    if svc.load_error is not None:
        body["error"] = str(svc.load_error)
    response = jsonify(body)
    response.status_code = 200 if svc.ready else 503
    return response
