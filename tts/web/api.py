"""The JSON API: POST /tts (wait or async job), job status and audio, health and readiness."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for

from tts.errors import JobNotReady, UnsupportedMediaType
from tts.request import SynthesisRequest, load_json_object, parse_request, read_flag
from tts.service.jobs import DONE, FAILED, Job
from tts.service.worker import SynthesisService
from tts.web.responses import audio_response, whole_audio

api = Blueprint("api", __name__)


def service() -> SynthesisService:
    return current_app.extensions["tts.service"]


def json_body() -> dict:
    """The request's JSON object, read only under a JSON media type (application/json or
    application/*+json; 415 otherwise, a missing Content-Type included): any web page can make
    a browser POST text/plain, a form or a typeless Blob here without a CORS preflight,
    but not application/json."""
    media_type = request.mimetype   # lower case, without parameters; "" when none was sent
    if media_type != "application/json" and not (media_type.startswith("application/")
                                                 and media_type.endswith("+json")):
        sent = f"got {media_type!r}" if media_type else "none was sent"
        raise UnsupportedMediaType(f"send the body as JSON with Content-Type: application/json ({sent})",
                                   field="Content-Type")
    return load_json_object(request.get_data(cache=True))


def synthesis_request(payload: dict, **dialect) -> SynthesisRequest:
    """The shared request model; `dialect` is the endpoint's declaration and its run-time choices
    (see parse_request)."""
    settings = current_app.config["TTS_SETTINGS"]
    voices = [v.id for v in service().voices] or [settings.default_voice]
    return parse_request(payload, voices=voices, default_voice=settings.default_voice,
                         max_chars=settings.max_text_chars, **dialect)


def job_links(job: Job) -> dict:
    return {"self": url_for("api.job_status", job_id=job.id), "audio": url_for("api.job_audio", job_id=job.id)}


@api.post("/tts")
def tts():
    payload = json_body()
    synthesis = synthesis_request(payload)
    wants_async = read_flag(payload, "async")
    job = service().submit(synthesis, keep=wants_async)
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
