"""The OpenAPI 3.1 document and the README's field tables, made from the request declaration.

Request bodies come from tts.request (TTS, OPENAI) and the server's settings, so the served
document states the limits this server enforces; responses are declared here, next to the
routes' shapes, and tests send real requests and validate the real answers against them.
OpenAPI 3.1 schemas are JSON Schema 2020-12, where 16000.0 is an integer, as our validation has it.
"""

from __future__ import annotations

import json
from typing import Any

from tts.audio.encode import FORMATS
from tts.config import Settings
from tts.hidden import MEDIA_TYPE as HIDDEN_MEDIA_TYPE
from tts.request import CAPTION_FORMATS, CAPTIONED, EXCLUSIVE, HIDDEN, OPENAI, TTS, URL, Dialect, Field
from tts.service.jobs import CANCELLED, DONE, FAILED, GONE_SECONDS, QUEUED, RUNNING

_JSON_TYPES = {"string": "string", "number": "number", "integer": "integer", "boolean": "boolean"}


def text_limit(dialect: Dialect, settings: Settings) -> int:
    """The characters `dialect`'s text fields take on this server."""
    return min(settings.max_text_chars, getattr(settings, dialect.text_setting))


def field_schema(spec: Field, settings: Settings, max_chars: int) -> dict:
    """One field as JSON Schema: what the validation in tts.request accepts."""
    kinds = [spec.kind, *(["object"] if spec.id_object else []), *([] if spec.required else ["null"])]
    schema: dict[str, Any] = {"type": kinds[0] if len(kinds) == 1 else kinds, "description": spec.meaning}
    if spec.id_object:   # {"id": "<the string>"}: `required` and `additionalProperties` bind objects only
        schema.update(properties={"id": {"type": "string"}}, required=["id"], additionalProperties=False)
    default = getattr(settings, spec.default_setting) if spec.default_setting else spec.default
    if default is not None:
        schema["default"] = default
    if spec.low is not None:
        schema["minimum"], schema["maximum"] = spec.low, spec.high
    if spec.choices:
        schema["enum"] = [*spec.choices, *([] if spec.required else [None])]
    if spec.kind == "string":
        if spec.spoken:
            schema["pattern"] = r"\S"
        limit = spec.limit(max_chars)
        if limit is not None:
            schema["maxLength"] = limit
    return schema


def request_schema(dialect: Dialect, settings: Settings) -> dict:
    """The body of `dialect`'s route; unknown fields are refused, opus takes fewer rates, and the
    EXCLUSIVE flags are not both true."""
    fmt = next((f.name for f in dialect.fields if f.target == "format"), None)
    narrower = [{"if": {"properties": {fmt: {"const": name}}, "required": [fmt]},
                 "then": {"properties": {"sample_rate": {"enum": [*spec.sample_rates, None]}}}}
                for name, spec in FORMATS.items() if spec.sample_rates and fmt]
    if all(name in dialect.by_name for name in EXCLUSIVE):
        narrower.append({"not": {"properties": {name: {"const": True} for name in EXCLUSIVE},
                                 "required": list(EXCLUSIVE)}})
    schema = {"type": "object", "additionalProperties": False,
              "required": [f.name for f in dialect.fields if f.required],
              "properties": {f.name: field_schema(f, settings, text_limit(dialect, settings)) for f in dialect.fields}}
    return {**schema, "allOf": narrower} if narrower else schema


def query_parameters(dialect: Dialect, settings: Settings) -> list[dict]:
    """`dialect`'s fields as URL query parameters (numbers and booleans written as text, true/false)."""
    return [{"name": f.name, "in": "query", "required": f.required,
             "schema": field_schema(f, settings, text_limit(dialect, settings))} for f in dialect.fields]


def _obj(properties: dict, required: tuple | list | None = None, **extra) -> dict:
    return {"type": "object", "properties": properties,
            "required": list(properties if required is None else required), **extra}


_STR, _INT, _NUM, _BOOL = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}
_NULLABLE_STR, _NULLABLE_NUM = {"type": ["string", "null"]}, {"type": ["number", "null"]}
_REF = "#/components/schemas/"


def _schemas(settings: Settings) -> dict:
    error = _obj({"code": _STR, "message": _STR, "field": _NULLABLE_STR}, additionalProperties=False)
    links = _obj({"self": _STR, "audio": _STR, "captions": _STR}, additionalProperties=False)
    unplaced = ("; null while another replica holds the job, queued or running (shared store): this one "
                "cannot place it")
    position = {"type": ["integer", "null"], "minimum": 0, "description": "0 = started or finished; otherwise 1 + "
                "the requests not started yet that go before it (requests take turns phrase by phrase, the one "
                "with the least work left first)" + unplaced}
    expected = {"type": ["number", "null"], "minimum": 0, "description": "estimated seconds until it is done, from "
                "the work queued (each request's phrases times its voice's measured cost), rounded up to whole "
                "seconds: at least 1 until it has finished, 0 when finished" + unplaced}
    status = {"type": "string", "enum": [QUEUED, RUNNING, DONE, FAILED, CANCELLED]}
    voice = _obj({"id": _STR, "name": _STR, "engine": _STR, "gender": {"type": "string", "enum": ["female", "male"]},
                  "language": _STR, "description": _STR,
                  "openai_aliases": {"type": "array", "items": _STR, "description": "OpenAI's voice names that "
                                     "mean this voice under an OpenAI model (tts-1, ...)"},
                  "openai_aliases_under_model": {
                      "type": "object", "additionalProperties": {"type": "array", "items": _STR},
                      "description": "under a model that names this voice's engine (kokoro, embedded): OpenAI's "
                                     "voice names that then mean this voice"},
                  "eco": {"type": "boolean", "description": "the voice eco mode speaks with when no voice is named"},
                  "rate_control": {"type": "boolean", "description": "takes speed and pitch (false: send neither)"},
                  "sample_rate": {"type": "integer", "description": "the voice's own rate in Hz (eco mode: 16000)"},
                  "state": {"type": "string", "enum": ["declared", "loading", "loaded", "failed", "closed"],
                            "description": "declared = listed, loads on first use; loading = its model is "
                                           "loading now (the first request waits for it)"}})
    model = _obj({"id": _STR, "object": {"const": "model"}, "created": _INT, "owned_by": _STR})
    return {
        "TTSRequest": request_schema(TTS, settings),
        "OpenAISpeechRequest": request_schema(OPENAI, settings),
        "HiddenRequest": request_schema(HIDDEN, settings),
        "VocoderManifest": _obj({"runtime": _STR, "wasm": _STR,
                                 "models": _obj({"decoder": _STR, "head": _STR, "tail": _STR}), "bytes": _INT,
                                 "voices": {"type": "array", "items": _STR,
                                            "description": "the voices the page can make (the others: POST /tts)"}}),
        "Error": _obj({"error": error}, additionalProperties=False),
        "OpenAIError": _obj({"error": _obj({"message": _STR, "type": _STR, "param": _NULLABLE_STR, "code": _STR},
                                           additionalProperties=False)}, additionalProperties=False),
        "JobAccepted": _obj({"id": _STR, "status": status, "position": position, "expected_seconds": expected,
                             "links": links}, additionalProperties=False),
        "Job": _obj({"id": _STR, "status": status, "position": position, "expected_seconds": expected,
                     "created": _NUM,
                     "started": _NULLABLE_NUM, "finished": _NULLABLE_NUM,
                     "expires": {"type": ["number", "null"], "description": "once finished: when (Unix time) the job "
                                 "is dropped, TTS_JOB_TTL_SECONDS after it finished (from then on 410 job_expired; a "
                                 "result already fetched may go earlier to make room); null until it finishes"},
                     "links": links,
                     "audio_seconds": {"type": "number", "description": "when done"},
                     "cpu_seconds": {"type": "number", "description": "when done: the worker's CPU seconds spent "
                                     "on it (0 for phrases from the cache)"},
                     "omitted_tokens": {"type": "integer", "description": "when done: tokens of the text no voice "
                                        "reads (other scripts), left out; as the X-Omitted-Tokens header"},
                     "error": {**error, "description": "when failed or cancelled"}},
                    required=("id", "status", "position", "expected_seconds", "created", "started", "finished",
                              "links"),
                    additionalProperties=False),
        "Voices": _obj({"voices": {"type": "array", "items": voice}}),
        "Model": model,
        "Models": _obj({"object": {"const": "list"}, "data": {"type": "array", "items": {"$ref": _REF + "Model"}}}),
        "Health": _obj({"status": {"type": "string", "enum": ["ok", "worker_unhealthy"]}}),
        "Ready": _obj({"ready": _BOOL, "healthy": _BOOL, "queue_depth": _INT,
                       "engines": {"type": "object", "additionalProperties": _STR},
                       "voices": {"type": "array", "items": _STR}, "error": _STR},
                      required=("ready", "queue_depth", "voices")),
        **_caption_schemas(settings),
    }


def _caption_schemas(settings: Settings) -> dict:
    """Captioned audio: ours (POST /tts with `captions`) and Kokoro-FastAPI's (POST /dev/captioned_speech)."""
    seconds = {"type": "number", "minimum": 0, "description": "seconds from the start of the audio"}
    caption = _obj({"text": _STR, "start": seconds, "end": seconds}, additionalProperties=False,
                   description="one character (or a spelled Latin word, or an erhua syllable like 花儿)")
    word = _obj({"word": _STR, "start_time": seconds, "end_time": seconds}, additionalProperties=False)
    audio = {"type": "string", "contentEncoding": "base64",
             "description": "the audio file (or, streamed, its next bytes)"}
    media = {"type": "string", "description": "the audio's media type"}
    return {
        "Caption": caption,
        "Captions": _obj({"captions": {"type": "array", "items": {"$ref": _REF + "Caption"}}},
                         additionalProperties=False),
        "CaptionedAudio": _obj({"audio": audio, "audio_format": media, "sample_rate": _INT,
                                "captions": {"oneOf": [{"type": "array", "items": {"$ref": _REF + "Caption"}},
                                                       {"type": "string", "description": "WebVTT or SRT"}]}},
                               required=("audio", "audio_format", "captions"), additionalProperties=False),
        "CaptionedSpeechRequest": request_schema(CAPTIONED, settings),
        "CaptionedSpeech": _obj({"audio": audio, "audio_format": media,
                                 "timestamps": {"type": ["array", "null"], "items": word}},
                                additionalProperties=False),
    }


_NDJSON = "application/x-ndjson"


def _job_missing() -> dict:
    """What every route of a job id answers when the store has no such job (any more)."""
    return {"404": _json(f"No such job: unknown, deleted, or expired over {GONE_SECONDS // 60} minutes ago.", "Error"),
            "410": _json(f"The job expired within the last {GONE_SECONDS // 60} minutes (code job_expired: the "
                         "message says when), or its kept result was lost (code result_lost); send the request "
                         "again.", "Error")}


def _unfinished_job() -> dict:
    """What every route reading a finished job's result answers when there is none (yet)."""
    return {**_job_missing(),
            "409": _json("The job is not done (yet, or it failed); while it is queued or running, Retry-After says "
                         "when to ask again.", "Error", _RETRY)}


def _lines(description: str) -> dict:
    return {_NDJSON: {"schema": {"type": "string", "contentMediaType": _NDJSON}, "description": description}}


def _caption_paths() -> dict:
    job_id = [{"name": "job_id", "in": "path", "required": True, "schema": _STR},
              {"name": "format", "in": "query", "required": False,
               "schema": {"type": "string", "enum": list(CAPTION_FORMATS), "default": "json"}}]
    return {
        "/tts/jobs/{job_id}/captions": _get("Captions of a finished async job (for `<track src>`)", {
            "200": {"description": "Each character's start and end.", "content": {
                "application/json": {"schema": {"$ref": _REF + "Captions"}},
                "text/vtt": {"schema": _STR}, "application/x-subrip": {"schema": _STR}},
                "headers": {"ETag": _header(_STR, "never changes for the job and format")}},
            "304": {"description": "If-None-Match named this ETag: no body.",
                    "headers": {"ETag": _header(_STR, "as sent")}},
            "400": _json("`format` is not json, vtt or srt, or another parameter was sent.", "Error"),
            **_unfinished_job()}, parameters=job_id),
        "/dev/captioned_speech": {"post": {
            "summary": "Kokoro-FastAPI-compatible captioned speech: audio in base64 with word timestamps "
                       "(here: one per character)",
            "requestBody": _body("CaptionedSpeechRequest"),
            "responses": {"200": {"description": "With `stream` false: one JSON object. With `stream` (the default): "
                                                 "one such object per line as the audio is made; the lines' audio "
                                                 "joined is one file.",
                                  "content": {"application/json": {"schema": {"$ref": _REF + "CaptionedSpeech"}},
                                              **_lines("CaptionedSpeech objects, one per line")}},
                          **_synthesis_errors("Error")}}},
    }


def _json(description: str, schema: str, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": {"$ref": _REF + schema}}}}
    if headers:
        response["headers"] = headers
    return response


def _header(schema: dict, description: str) -> dict:
    return {"schema": schema, "description": description}


_AUDIO_HEADERS = {
    "X-Sample-Rate": _header(_INT, "the audio's sample rate"),
    "X-Cache": _header({"type": "string", "enum": ["hit", "miss", "partial"]},
                       "whether the phrases came from the sentence cache"),
    "X-Audio-Seconds": _header({"type": "string"}, "the audio's duration, when it is sent whole"),
    "X-Omitted-Tokens": _header(_INT, "how many tokens of the text no voice can read (letters of other scripts, "
                                "letter runs over 40 long) were left out; 0 when every word is spoken"),
    "X-Synthesis-CPU-Seconds": _header({"type": "string"}, "the worker's CPU seconds spent on this request, when "
                                       "it is sent whole (0 when every phrase came from the cache)"),
}
_WHOLE_HEADERS = {
    **_AUDIO_HEADERS,
    "Accept-Ranges": _header({"const": "bytes"}, "a whole file answers byte ranges (GET)"),
    "ETag": _header(_STR, "the audio's validator: a job's id, or GET /tts's content key"),
    "Content-Length": _header(_INT, "the bytes sent"),
}
_RANGE_HEADERS = {**_WHOLE_HEADERS, "Content-Range": _header(_STR, "bytes <first>-<last>/<length>")}
_RETRY = {"Retry-After": _header(_INT, "seconds to wait before trying again")}
_CACHE = {"Cache-Control": _header(_STR, "public, max-age=TTS_URL_CACHE_SECONDS")}
_POLL = {"Retry-After": _header(_INT, "while the job is queued or running: seconds to wait before polling again "
                                      "(its expected time left, at least 1 and at most 60 and a quarter "
                                      "of TTS_JOB_TTL_SECONDS, so a finished result is still kept then)")}


def _audio(description: str, headers: dict | None = None, captioned: bool = False) -> dict:
    media = sorted({f.media_type for f in FORMATS.values()})
    content = {m: {"schema": {"type": "string", "contentMediaType": m}} for m in media}
    if captioned:   # POST /tts with `captions`
        content["application/json"] = {"schema": {"$ref": _REF + "CaptionedAudio"}}
        content.update(_lines("with `captions` and `stream`: CaptionedAudio objects (captions as a list), one per line"))
    return {"description": description, "headers": headers or _AUDIO_HEADERS, "content": content}


def _ranges(error: str) -> dict:
    """What a GET of a whole file answers besides 200."""
    return {"206": _audio("The byte range asked for (Range: bytes=first-last, one range).", _RANGE_HEADERS),
            "416": _json("The range starts past the end of the audio (code range_not_satisfiable); "
                         "Content-Range says `bytes */<length>`.", error,
                         {"Content-Range": _header(_STR, "bytes */<length>")})}


def _speech() -> dict:
    """POST /v1/audio/speech's answer: audio, or OpenAI's speech events with `stream_format: "sse"`."""
    answer = _audio("The audio in response_format, chunked as it is made (as OpenAI's API does); with `stream: "
                    "false`, whole (Content-Length); with `stream_format: \"sse\"`, server-sent events: "
                    "`speech.audio.delta` (`audio`: the next bytes of the file, base64), then `speech.audio.done`.")
    answer["content"]["text/event-stream"] = {"schema": {"type": "string", "contentMediaType": "text/event-stream"}}
    return answer


def _formats_table() -> str:
    rows = ["| format | media type | sample rates | notes |", "|---|---|---|---|"]
    for name, spec in FORMATS.items():
        rates = ", ".join(str(r) for r in spec.sample_rates) if spec.sample_rates else "all"
        rows.append(f"| `{name}` | {spec.media_type} | {rates} | {spec.note} |")
    return "\n".join(rows)


def _synthesis_errors(error: str) -> dict:
    """What a synthesis route answers when it does not answer audio."""
    return {
        "400": _json("A field is wrong; `field` names it (code invalid_request; unknown_field for a field "
                     "the endpoint does not take; for the text, nothing_to_say when no voice can read any of it, "
                     "invalid_markup for a mistake in its SSML or inline pinyin).", error),
        "401": _json("TTS_API_KEYS is set and no valid `Authorization: Bearer <key>` was sent (code unauthorized; "
                     "every route but the page, /docs, /openapi.json and the probes needs one then).", error,
                     {"WWW-Authenticate": _header({"const": "Bearer"}, "the scheme to use")}),
        "429": _json("More syntheses than TTS_RATE_LIMIT_PER_MINUTE for this key or address (code rate_limited).",
                     error, _RETRY),
        "413": _json("The body is larger than TTS_MAX_BODY_BYTES.", error),
        "415": _json("The body was not sent as JSON (Content-Type application/json or application/*+json), names a "
                     "charset that is no text encoding, or comes in a Content-Encoding other than gzip or deflate "
                     "(Accept-Encoding lists those).", error),
        "422": _json("The text would make more audio than TTS_MAX_AUDIO_SECONDS, or an async result more than "
                     "the job store keeps (code audio_too_long).", error),
        "503": _json("Retry after Retry-After: the queue is full (queue_full), the job store is full of results "
                     "nobody fetched (job_store_full), the voices are still loading (warming_up), the server is "
                     "draining to stop (shutting_down), a model call stopped progressing (worker_stalled), the "
                     "process is above its memory limit while work runs (memory_full), the temporary directory long "
                     "results spill to is full (disk_full), or an engine is not available (engine_unavailable).",
                     error, _RETRY),
    }


def _body(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": _REF + schema}}}}


def _get(summary: str, responses: dict, **extra) -> dict:
    return {"get": {"summary": summary, "responses": responses, **extra}}


def openapi_document(settings: Settings) -> dict:
    """The whole description of the API for a server running with `settings`."""
    job_id = [{"name": "job_id", "in": "path", "required": True, "schema": _STR}]
    page = {"description": "HTML", "content": {"text/html": {"schema": _STR}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "zh-tts: Chinese text-to-speech", "version": "0.1.0",
                 "description": "A self-hosted Chinese TTS server: one process, a bounded queue, a warm worker. "
                                "Errors are JSON naming the field: {\"error\": {\"code\", \"message\", \"field\"}} "
                                "on our routes; on /v1 routes OpenAI's {\"error\": {\"message\", \"type\", \"param\", "
                                "\"code\"}}. In a request body, null means the default and an unknown field is a "
                                "400.\n\nFormats and the sample rates each carries (`sample_rate` unset: the voice's "
                                "own, 24000; 16000 in eco mode):\n\n" + _formats_table()},
        "paths": {
            "/tts": {"get": {
                "summary": "Audio at a URL, for <audio src>: short text, whole file, byte ranges, cacheable",
                "parameters": query_parameters(URL, settings),
                "responses": {"200": _audio("The whole file; its ETag is the request's content key.",
                                            {**_WHOLE_HEADERS, **_CACHE}),
                              **_ranges("Error"),
                              "304": {"description": "If-None-Match named this ETag: nothing synthesized.",
                                      "headers": {"ETag": _header(_STR, "as sent"), **_CACHE}},
                              **{k: v for k, v in _synthesis_errors("Error").items() if k not in ("413", "415")}}},
                     "post": {
                "summary": "Synthesize text: wait for the audio, stream it, or start an async job",
                "requestBody": _body("TTSRequest"),
                "responses": {"200": _audio("The audio in the requested format: chunked when `stream` is true, "
                                            "else whole (Content-Length, Accept-Ranges, ETag); with `captions`, "
                                            "JSON with the audio and its captions.", captioned=True),
                              "202": _json("Async job accepted.", "JobAccepted",
                                           {"Location": _header(_STR, "the job's status URL"), **_POLL}),
                              **_synthesis_errors("Error")}}},
            "/tts/jobs/{job_id}": {
                **_get("Status of an async job", {
                    "200": _json("The job.", "Job", {**_POLL, "ETag": _header(_STR, "changes whenever the document "
                                                                                     "does"),
                                                       "Cache-Control": _header({"const": "no-cache"},
                                                                                "always revalidated")}),
                    "304": {"description": "If-None-Match named this ETag: the job's status is as the client holds "
                                           "it; no body.",
                            "headers": {"ETag": _header(_STR, "as sent"), **_POLL,
                                        "Cache-Control": _header({"const": "no-cache"}, "always revalidated")}},
                    **_job_missing()}, parameters=job_id),
                "delete": {"summary": "Cancel an async job and delete it", "parameters": job_id,
                           "description": "Queued or running: its work stops before the next phrase and its queue "
                                          "slot frees at once. Finished: its audio is deleted. Either way the id is "
                                          "unknown afterwards (404).",
                           "responses": {"204": {"description": "Cancelled and deleted."},
                                         **_job_missing()}}},
            "/tts/jobs/{job_id}/audio": _get("Audio of a finished async job", {
                "200": _audio("The audio, whole.", _WHOLE_HEADERS), **_ranges("Error"),
                "304": {"description": "If-None-Match named this ETag (a job's audio never changes): no body.",
                        "headers": {"ETag": _header(_STR, "as sent")}},
                **_unfinished_job()}, parameters=job_id),
            "/tts/hidden": {"post": {
                "summary": "Browser vocoding: the embedded voice's hidden states (float16) and durations per acoustic "
                           "call, streamed; the page decodes and vocodes them (README: Browser vocoding)",
                "requestBody": _body("HiddenRequest"),
                "responses": {"200": {"description": "Records: u32 little-endian header length, JSON header "
                                                     "(start | mel (the first call) | hidden | pause | end | "
                                                     "error), then header.bytes of payload.",
                                      "content": {HIDDEN_MEDIA_TYPE: {"schema": {"type": "string",
                                                                                 "contentMediaType": HIDDEN_MEDIA_TYPE}}}},
                              **_synthesis_errors("Error")}}},
            "/vocoder/manifest.json": _get("Where the page finds onnxruntime-web and the decoder and vocoder graphs (hashed names; "
                                           "503 when onnxruntime-web is not installed)", {
                "200": _json("Current file names.", "VocoderManifest")}),
            "/vocoder/{key}/{name}": _get("A file for browser vocoding, named by its sha256 (cached for good)", {
                "200": {"description": "The file", "content": {"application/octet-stream": {"schema": _STR}}},
                "404": _json("No such file (or it changed: ask the manifest again).", "Error")},
                parameters=[{"name": "key", "in": "path", "required": True, "schema": _STR},
                            {"name": "name", "in": "path", "required": True, "schema": _STR}]),
            "/v1/audio/speech": {"post": {
                "summary": "OpenAI-compatible speech (default format mp3), streamed by default",
                "requestBody": _body("OpenAISpeechRequest"),
                "responses": {"200": _speech(),
                              **_synthesis_errors("OpenAIError")}}},
            "/v1/audio/voices": _get("The voices this server has", {"200": _json("Voices.", "Voices")}),
            "/v1/models": _get("Models, OpenAI-style", {"200": _json("Models.", "Models")}),
            "/v1/models/{model}": _get("One model, OpenAI-style", {
                "200": _json("The model.", "Model"),
                "404": _json("No such model (code model_not_found).", "OpenAIError")},
                parameters=[{"name": "model", "in": "path", "required": True, "schema": _STR}]),
            "/healthz": _get("Liveness: the worker's loops run and no model call has stalled", {
                "200": _json("Alive.", "Health"), "503": _json("The worker is dead or stalled: restart me.", "Health")}),
            "/readyz": _get("Readiness: voice loaded, worker alive", {
                "200": _json("Ready.", "Ready"), "503": _json("Not ready (yet).", "Ready")}),
            "/metrics": _get("Prometheus metrics", {"200": {"description": "Prometheus text format",
                                                            "content": {"text/plain": {"schema": _STR}}}}),
            "/docs": _get("This document, readable (a self-hosted Swagger UI)", {"200": page}),
            "/openapi.json": _get("This document", {"200": {"description": "OpenAPI 3.1", "content": {
                "application/json": {"schema": {"type": "object"}}}}}),
            "/": _get("The page", {"200": page}),
            **_caption_paths(),
        },
        "components": {"schemas": _schemas(settings)},
    }


def readme_table(dialect: Dialect, settings: Settings) -> str:
    """`dialect`'s fields as the README's Markdown table (a test keeps the README equal to it)."""
    rows = ["| field | type | default | meaning |", "|---|---|---|---|"]
    for spec in dialect.fields:
        rows.append(f"| `{spec.name}` | {spec.kind} | {_default(spec, settings)} "
                    f"| {_meaning(spec, settings, dialect)} |")
    return "\n".join(rows)


def readme_formats() -> str:
    """The formats as the README's Markdown table: media type, sample rates, what to know."""
    return _formats_table()


def _default(spec: Field, settings: Settings) -> str:
    if spec.required:
        return "required"
    value = getattr(settings, spec.default_setting) if spec.default_setting else spec.default
    if value is None:
        return "unset"
    return f"`{value if isinstance(value, str) else json.dumps(value)}`"


def _meaning(spec: Field, settings: Settings, dialect: Dialect) -> str:
    parts = [spec.meaning]
    if spec.low is not None:
        number = (lambda x: str(int(x))) if spec.kind == "integer" else (lambda x: f"{x:g}")
        parts.append(f"{number(spec.low)}…{number(spec.high)}")
    if spec.choices:
        parts.append("one of " + ", ".join(f"`{c}`" for c in spec.choices))
    limit = spec.limit(text_limit(dialect, settings))
    if limit is not None:
        bound = getattr(settings, dialect.text_setting)
        setting = f" (`TTS_{dialect.text_setting.upper()}`)" if spec.text_limit and limit == bound else ""
        parts.append(f"up to {limit} characters{setting}")
    return "; ".join(parts)

