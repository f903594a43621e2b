// "在本机合成": the embedded voice made in this browser. The server runs only the frontend and the
// acoustic model (POST /tts/mel, a stream of float16 mel frames); a module Worker (worker.js) runs
// the vocoder with onnxruntime-web, and the audio is scheduled back to back on one AudioContext,
// so playback starts after the first chunk and has no gaps. onnxruntime-web and the vocoder come
// from this server (GET /vocoder/manifest.json names them), fetched when the option is first used
// and cached by the browser for good (their names change with their content).
//
// app.js calls `window.browserVocoder.speak(request, hooks)` before it asks the server for audio:
// null = not ours (option off, a pitch shift, another voice, or the vocoder cannot load: the page
// says so in #local-note) and the server makes the audio; otherwise {result} for the player and
// the history (result null when an error was shown).
import { records } from "./stream.js";

const RATE = 24000;
const LEAD = 0.05;       // seconds between the first chunk's arrival and its playing
const CEILING = 0.97;    // the per-phrase peak limiter after a volume gain (as tts/audio/effects.py)
const KEY = "tts.local";

const $ = (id) => document.getElementById(id);
const option = $("local");
const note = $("local-note");
const eco = $("eco");

const wasmSupported = (() => {
  try { return typeof WebAssembly === "object" && WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); }
  catch { return false; }
})();

const remembered = () => { try { return localStorage.getItem(KEY); } catch { return null; } };

// On by default in eco mode when the browser has WebAssembly; the listener's own choice is remembered.
function applyDefault() {
  if (!option) return;
  if (!wasmSupported) {
    option.checked = false;
    option.disabled = true;
    note.textContent = "此浏览器不支持 WebAssembly，语音由服务器合成。";
    return;
  }
  const chosen = remembered();
  option.checked = chosen === null ? eco.checked : chosen === "1";
}

function init() {
  if (!option) return;
  applyDefault();
  eco.addEventListener("change", applyDefault);
  option.addEventListener("change", () => {
    try { localStorage.setItem(KEY, option.checked ? "1" : "0"); } catch { /* this visit only */ }
    if (option.checked) prepare().catch(() => { /* said when it is used */ });
  });
}
// After app.js has restored the eco switch (deferred scripts run before DOMContentLoaded).
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();

// -- the worker, loaded once per page, on first use ----------------------------------------------------
let ready = null;

function prepare() {
  ready ??= (async () => {
    const response = await fetch("/vocoder/manifest.json");
    if (!response.ok) throw new Error(`服务器未提供模型（${response.status}）`);
    const manifest = await response.json();
    const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    try {
      await new Promise((resolve, reject) => {
        worker.onmessage = (event) => (event.data.type === "ready" ? resolve() : reject(new Error(event.data.message)));
        worker.onerror = (event) => reject(new Error(event.message || "Worker 无法启动"));
        worker.postMessage({ type: "load", manifest });
      });
    } catch (error) {
      worker.terminate();
      throw error;
    }
    return worker;
  })();
  return ready;
}

// -- playback: chunks scheduled back to back, and kept (for the player, the download and tests) ---------
let context = null;
let playing = [];

class Playback {
  constructor() {
    for (const source of playing) source.stop();   // a new text cuts the old one short
    playing = [];
    context ??= new AudioContext({ sampleRate: RATE, latencyHint: "interactive" });
    if (context.state === "suspended") context.resume();
    this.at = 0;
    this.parts = [];
    this.started = performance.now();
    this.firstSoundMs = null;
    this.gapsAt = [];   // chunk numbers that came too late to follow the one before without a gap
    this.busyMs = 0;   // the worker's time spent vocoding: what this device pays
  }

  // `ms`: how long the worker took to make these samples. The first chunk waits LEAD, or longer on a
  // device so slow that the next (twice as long) window would not be ready when this one ends.
  play(samples, ms = 0) {
    this.parts.push(samples);
    const buffer = context.createBuffer(1, samples.length, RATE);
    buffer.copyToChannel(samples, 0);
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(context.destination);
    const now = context.currentTime;
    if (this.at === 0 || this.at < now) {   // the first chunk, or vocoding fell behind (a gap)
      if (this.at) this.gapsAt.push(this.parts.length - 1);
      const lead = this.at ? LEAD : Math.max(LEAD, (2 * ms) / 1000 - samples.length / RATE);
      this.at = now + lead;
      this.firstSoundMs ??= performance.now() - this.started + lead * 1000;
    }
    source.start(this.at);
    this.at += samples.length / RATE;
    playing.push(source);
    source.onended = () => { playing = playing.filter((s) => s !== source); };
  }

  samples() { return concat(this.parts); }
}

// Gain, then the whole phrase scaled down if its peak would pass the ceiling (as the server does).
function gained(samples, gainDb) {
  let gain = 10 ** (gainDb / 20);
  let peak = 0;
  for (const x of samples) peak = Math.max(peak, Math.abs(x));
  if (peak * gain > CEILING) gain *= CEILING / (peak * gain);
  return samples.map((x) => x * gain);
}

function wav(samples) {
  const view = new DataView(new ArrayBuffer(44 + samples.length * 2));
  const text = (at, s) => { for (let i = 0; i < s.length; i++) view.setUint8(at + i, s.charCodeAt(i)); };
  text(0, "RIFF"); view.setUint32(4, 36 + samples.length * 2, true); text(8, "WAVEfmt ");
  view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true);
  view.setUint32(24, RATE, true); view.setUint32(28, RATE * 2, true); view.setUint16(32, 2, true);
  view.setUint16(34, 16, true); text(36, "data"); view.setUint32(40, samples.length * 2, true);
  samples.forEach((x, i) => view.setInt16(44 + i * 2, Math.round(Math.max(-1, Math.min(1, x)) * 32767), true));
  return new Blob([view], { type: "audio/wav" });
}

function fellBack(message) {
  note.textContent = message;
  return null;
}

// -- one text, spoken here -------------------------------------------------------------------------------
let spoken = 0;

async function speak(request, { setStatus, withKey, showError, fileName }) {
  if (!option || !option.checked || option.disabled) return null;
  if (request.pitch) return fellBack("音高调整只能由服务器完成，这次由服务器合成。");
  const playback = new Playback();   // now, while the click still counts as the listener's gesture
  let worker;
  try {
    setStatus("正在准备本机合成（首次使用需下载约 11 MB 的模型，之后从缓存读取）…", "busy");
    worker = await prepare();
  } catch (error) {
    ready = null;   // try again next time
    return fellBack(`无法在本机合成（${error.message}），已改由服务器合成。`);
  }
  const body = { text: request.text, speed: request.speed, volume: request.volume };
  if (request.voice) body.voice = request.voice;
  setStatus("正在本机合成…", "busy");
  const response = await fetch("/tts/mel", {
    method: "POST", body: JSON.stringify(body),
    headers: withKey({ "Content-Type": "application/json", Accept: "application/vnd.zh-tts.mel-stream" }),
  });
  if (response.status === 400) {
    const error = await response.clone().json().catch(() => null);
    if (error && error.error && error.error.field === "voice") return fellBack("所选声音不能在本机合成，这次由服务器合成。");
  }
  if (!response.ok) { await showError(response); return { result: null }; }

  const id = ++spoken;
  let gainDb = 0;
  let phrase = [];   // a phrase's audio, held whole when a gain must see its peak
  const flush = () => { if (phrase.length) playback.play(gained(concat(phrase), gainDb)); phrase = []; };
  let lastPhrase = 0;
  const finished = new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => {
      if (data.id !== id) return;
      if (data.type === "audio") {
        if (gainDb === 0) { playback.play(data.samples, data.ms); return; }
        if (data.phrase !== lastPhrase || data.pause) flush();
        lastPhrase = data.phrase;
        if (data.pause) playback.play(data.samples); else phrase.push(data.samples);
      } else if (data.type === "vocoded") { playback.busyMs += data.ms; }
      else if (data.type === "end") { flush(); resolve(); }
      else if (data.type === "failed") reject(new Error(data.message));
    };
  });
  let serverError = null;
  let vocoder = null;
  let first = true;
  for await (const [header, payload] of records(response)) {
    if (header.type === "start") {
      gainDb = header.volume_db;
      vocoder = header.vocoder;
    } else if (header.type === "mel") {
      const mel = new Uint16Array(payload.buffer, payload.byteOffset, payload.length / 2);
      worker.postMessage({ type: "mel", id, phrase: header.phrase, mel, frames: header.frames, vocoder, first },
                         [payload.buffer]);
      first = false;
    } else if (header.type === "pause") {
      worker.postMessage({ type: "pause", id, phrase: header.phrase, samples: header.samples });
    } else if (header.type === "error") {
      serverError = header.message;
    }
  }
  worker.postMessage({ type: "end", id });
  try {
    await finished;
  } catch (error) {
    setStatus(`本机合成失败（${error.message}），请关闭“在本机合成”后重试。`, "error");
    return { result: null };
  }
  if (serverError) { setStatus(`合成失败：${serverError}`, "error"); return { result: null }; }
  const samples = playback.samples();
  const seconds = samples.length / RATE;
  window.browserVocoder.last = { samples, sampleRate: RATE, firstSoundMs: playback.firstSoundMs, gaps: playback.gapsAt.length, gapsAt: playback.gapsAt,
                                 seconds, busyMs: playback.busyMs };
  const url = URL.createObjectURL(wav(samples));
  setStatus(`完成：${seconds.toFixed(1)} 秒的语音，在本机合成。`, "done");
  return { result: { text: request.text, seconds, details: [`${request.speed.toFixed(2)} 倍`, "本机合成", "WAV"],
                     format: "WAV", fileName: fileName(request.text, "wav"), downloadUrl: url, playUrl: url } };
}

function concat(parts) {
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) { all.set(part, at); at += part.length; }
  return all;
}

window.browserVocoder = { speak, last: null };
