// 在本机合成's machinery, imported by page.js on first use: the Worker (worker.js: decoder and vocoder
// on onnxruntime-web, this origin's hashed files) and POST /tts/hidden's stream, read call by call and
// handed to it; its audio goes back to app.js's player, calibrated piece by piece (a phrase held whole
// only when the listener's own volume needs its peak).
import { MADE_HERE, withKey } from "../app.js";
import { ApiError, DeviceError } from "../messages.js";
import { records } from "./stream.js";

const RATE = 24000;
// The limiters, as tts/audio/effects.py: the volume's per-phrase peak limiter, the calibration's soft knee
const CEILING = 0.97;
const KNEE = 0.85;
// The player's slack before the first piece: the worker makes audio ~10× faster than it plays, with no
// network in between, so the next piece is never far behind (the bench counts gaps).
const LEAD = 0.05;
const SERVER_FORMAT_NOTE = "在本机合成的语音以 WAV 下载；其他格式须由服务器重新合成，需要时请关闭「在本机合成」。";

const $ = (id) => document.getElementById(id);
const note = $("local-note");

// -- the manifest and the worker, loaded once per page, on first use ----------------------------------
// A load that failed is forgotten, with the manifest it read: the next use (a click after a failed
// prefetch) asks again.
let listed = null;
let ready = null;

function manifest() {
  listed ??= fetch("/vocoder/manifest.json").then((response) => {
    if (!response.ok) throw new Error(`服务器未提供模型（${response.status}）`);
    return response.json();
  }).catch((error) => { listed = null; throw error; });
  return listed;
}

let loaded = false;   // the worker has its model: a run needs no wait for it

function prepare() {
  ready ??= loadWorker().then((worker) => { loaded = true; return worker; })
    .catch((error) => { ready = listed = null; throw error; });
  return ready;
}

// Whether this browser makes `voice` (unset: the server's choice, the embedded voice here).
async function makes(voice) {
  const { voices } = await manifest();
  return voice === undefined || voices.includes(voice);
}

// Switching on loads the model ahead of the first click, for a voice made here only (17 MB of graphs).
export async function prefetch(voice) {
  if (await makes(voice)) await prepare();
}

async function loadWorker() {
  const files = await manifest();
  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  try {
    await new Promise((resolve, reject) => {
      worker.onmessage = (event) => (event.data.type === "ready" ? resolve() : reject(new Error(event.data.message)));
      worker.onerror = (event) => reject(new Error(event.message || "Worker 无法启动"));
      worker.postMessage({ type: "load", manifest: files });
    });
  } catch (error) {
    worker.terminate();
    throw error;
  }
  return worker;
}

// Why this run gets the server's audio; a stopped run says nothing (the note may be the next run's by now).
function fellBack(message, signal) {
  if (!signal.aborted) note.textContent = message;
  return null;
}

const LOADING = "正在准备本机合成的模型…（第一次使用要下载约 17 MB，之后从浏览器缓存读取）";

// The source app.js plays: { sampleRate, pieces } of float samples, or null for the server's audio.
// While the model loads, the page says so (waitingFor), not that it waits for the server.
export async function localSource(request, signal, waitingFor = () => {}) {
  if (request.pitch) return fellBack("音高调整只能由服务器完成，这次由服务器合成。", signal);
  let worker;
  try {
    if (!(await makes(request.voice))) {
      return fellBack("所选声音不能在本机合成，这次由服务器合成。", signal);   // nothing asked of POST /tts/hidden
    }
    if (!loaded) waitingFor(LOADING);
    worker = await prepare();
  } catch (error) {
    return fellBack(`无法在本机合成（${error.message}），已改由服务器合成。`, signal);
  } finally {
    waitingFor(null);
  }
  const body = { text: request.text, volume: request.volume };
  for (const name of ["voice", "speed", "seed"]) if (request[name] !== undefined) body[name] = request[name];
  const response = await fetch("/tts/hidden", {
    method: "POST", body: JSON.stringify(body), signal,
    headers: withKey({ "Content-Type": "application/json", Accept: "application/vnd.zh-tts.hidden-stream" }),
  });
  if (!response.ok) throw await ApiError.from(response);   // the refusal the server's audio would meet, shown the same way
  note.textContent = MADE_HERE.includes($("format").value) ? "" : SERVER_FORMAT_NOTE;
  return { sampleRate: RATE, pieces: vocoded(response, worker, signal), madeHere: true, lead: LEAD,
           omitted: Number(response.headers.get("X-Omitted-Tokens")) || 0 };   // words no voice reads, left out
}

// Items handed from the worker's messages to an async iterator.
class Channel {
  constructor() { this.items = []; this.done = false; this.error = null; this.wake = null; }
  push(item) { this.items.push(item); this.notify(); }
  close() { this.done = true; this.notify(); }
  fail(error) { this.error ??= error; this.notify(); }
  notify() { if (this.wake) { this.wake(); this.wake = null; } }
  async* [Symbol.asyncIterator]() {
    for (;;) {
      if (this.error) throw this.error;
      if (this.items.length) { yield this.items.shift(); continue; }
      if (this.done) return;
      await new Promise((resolve) => { this.wake = resolve; });
    }
  }
}

// The voice's calibration on one piece: each sample on its own, identity up to the knee, tanh towards the
// ceiling above it (float64 arithmetic, as the server's numpy: the same 16-bit steps).
function calibrated(samples, gainDb) {
  const gain = 10 ** (gainDb / 20);
  const room = CEILING - KNEE;
  return samples.map((x) => {
    const y = x * gain;
    const magnitude = Math.abs(y);
    return magnitude > KNEE ? Math.sign(y) * (KNEE + room * Math.tanh((magnitude - KNEE) / room)) : y;
  });
}

// The listener's volume: gain, then the whole phrase scaled down if its peak would pass the ceiling (as the server does).
function gained(samples, gainDb) {
  let gain = 10 ** (gainDb / 20);
  let peak = 0;
  for (const x of samples) peak = Math.max(peak, Math.abs(x));
  if (peak * gain > CEILING) gain *= CEILING / (peak * gain);
  return samples.map((x) => x * gain);
}

function concat(parts) {
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) { all.set(part, at); at += part.length; }
  return all;
}

let spoken = 0;

// One acoustic call for the worker: the first comes as the server's mel (float32 [frames, 80]), the
// others as float16 hidden states [symbols, channels] followed by int32 durations [symbols].
function callMessage(header, payload, channels) {
  const { type, phrase, frames } = header;
  if (type === "mel") return { type, phrase, frames, mel: new Float32Array(payload.buffer, payload.byteOffset, payload.length / 4) };
  const split = header.symbols * channels;
  return { type, phrase, frames, symbols: header.symbols,
           hidden: new Uint16Array(payload.buffer, payload.byteOffset, split),
           durations: new Int32Array(payload.buffer, payload.byteOffset + split * 2, header.symbols) };
}

// Calls go to the worker as they arrive; audio comes back in order, each piece calibrated as it comes, a
// phrase held whole only for the listener's own volume.
async function* vocoded(response, worker, signal) {
  const id = ++spoken;
  const started = performance.now();
  const out = new Channel();
  // Stop wakes the loop below at once, so its finally tells the worker: the next item the worker would
  // send may be a whole phrase away, and a run started meanwhile takes its messages for good.
  const stopped = () => out.fail(signal.reason);
  signal.addEventListener("abort", stopped, { once: true });
  let calibrationDb = 0;
  let volumeDb = 0;
  let phrase = [];   // the pieces of the phrase being made, when the volume's limiter must see its peak
  const calls = [];   // per acoustic call: its frames and what decoding and vocoding it took here
  const flush = () => { if (phrase.length) out.push(gained(concat(phrase), volumeDb)); phrase = []; };
  worker.onmessage = ({ data }) => {
    if (data.id !== id) return;
    if (data.type === "audio" && data.pause) { flush(); out.push(data.samples); }
    else if (data.type === "audio") {
      const samples = calibrationDb ? calibrated(data.samples, calibrationDb) : data.samples;
      if (volumeDb === 0) out.push(samples);
      else phrase.push(samples);
    }
    else if (data.type === "phrase") flush();
    else if (data.type === "vocoded") calls.push({ frames: data.frames, decoderMs: data.decoderMs, vocoderMs: data.vocoderMs });
    else if (data.type === "end") { flush(); out.close(); }
    else if (data.type === "failed") out.fail(new DeviceError(data.message));
  };
  const reading = (async () => {
    let vocoder = null;
    let channels = 0;
    let first = true;
    let at = 0;   // the last call's phrase: another's call ends it (the worker says when it is made)
    for await (const [header, payload] of records(response)) {
      if (header.phrase !== undefined && header.phrase !== at) worker.postMessage({ type: "phrase", id });
      at = header.phrase ?? at;
      if (header.type === "start") {
        calibrationDb = header.calibration_db;
        volumeDb = header.volume_db;
        ({ vocoder, channels } = header);
      } else if (header.type === "mel" || header.type === "hidden") {
        // growing first windows pay only if the phrase may play before it is whole (no volume)
        worker.postMessage({ ...callMessage(header, payload, channels), id, vocoder, first: first && !volumeDb },
                           [payload.buffer]);
        first = false;
      } else if (header.type === "pause") {
        worker.postMessage({ type: "pause", id, phrase: header.phrase, samples: header.samples });
      } else if (header.type === "error") {
        throw new ApiError(500, header);
      }
    }
    worker.postMessage({ type: "end", id });
  })();
  reading.catch((error) => out.fail(error));
  const made = [];
  let firstPieceMs = null;
  try {
    for await (const piece of out) {
      firstPieceMs ??= performance.now() - started;
      made.push(piece);
      yield piece;
    }
  } finally {
    signal.removeEventListener("abort", stopped);
    if (signal.aborted || out.error) worker.postMessage({ type: "cancel", id });   // stop vocoding for nobody
  }
  window.browserVocoder.last = { samples: concat(made), sampleRate: RATE, firstPieceMs, calls,
                                 seconds: made.reduce((n, p) => n + p.length, 0) / RATE };
}
