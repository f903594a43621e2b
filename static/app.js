// The page. "合成" streams 16-bit PCM (POST /tts, stream: true), plays it as it comes (player.js), then
// keeps it as a file; other formats than WAV/PCM are then an async job. "停止" aborts the stream or
// DELETEs the job (what was heard is kept). Nothing plays unless clicked. No inline code (strict CSP).
//
// Hooks for other modules (static/captions.js, static/vocoder/*):
// - document events "tts:start" { request } (a new result begins: clear what you show),
//   "tts:chunk" { samples, sampleRate, at, offset } (audio arrives; see player.js), "tts:end" { whole };
// - playbackTime(): seconds into the current result, live (Web Audio) or replayed (<audio>);
// - synthesis.source(request, signal, waitingFor) → { sampleRate, pieces: async iterable of s16le bytes
//   (Uint8Array) or float samples (Float32Array), madeHere (made here: kept as WAV), lead (the player's
//   slack before the first piece) }: the server's stream by default; another module may put its own there.
//   waitingFor(message) says what it waits for before its first piece (null: nothing).
// Classic scripts reach the last two as window.ttsPage.playbackTime and window.ttsPage.synthesis.
import { ApiError, DeviceError, FIELD_NAMES, describeError, deviceMessage, networkMessage } from "./messages.js";
import { PcmDecoder, StreamPlayer, pcm16, wavBlob } from "./player.js";

// Download formats. The server says which ones it accepts (data-formats on <main>).
const FORMATS = {
  wav: { label: "WAV", hint: "通用格式，无损，任何播放器都能打开。" },
  mp3: { label: "MP3", hint: "有损压缩，文件小，几乎处处能播放。" },
  aac: { label: "AAC", hint: "有损压缩，文件小，手机和苹果设备都能播放。" },
  opus: { label: "Opus", hint: "有损压缩，文件最小，音质仍好。" },
  flac: { label: "FLAC", hint: "无损压缩，文件比 WAV 小。" },
  pcm: { label: "PCM", hint: "16 位单声道原始采样，没有文件头，适合程序处理。" },
};
const formatSpec = (id) => FORMATS[id] || { label: id.toUpperCase(), hint: "" };
export const MADE_HERE = ["wav", "pcm"];   // made from the stream; the server encodes the others

const POLL_MS = 300;
const HISTORY_SIZE = 5;
const TEXT_KEPT = 20000;            // characters of typed text remembered across reloads
const WARM_UP_WAIT_S = 120;         // a click waits this long for a server loading its voices
const PCM_FALLBACK_RATE = 24000;    // only if a voice or a stream does not say its rate
const PREVIEW = (name) => `你好，我是${name}。很高兴为你朗读。`;

const $ = (id) => document.getElementById(id);
const app = $("app");
const form = $("tts-form");
const text = $("text");
const count = $("count");
const voice = $("voice");
const voiceHint = $("voice-hint");
const preview = $("preview");
const format = $("format");
const formatHint = $("format-hint");
const speed = $("speed");
const pitch = $("pitch");
const volume = $("volume");
const eco = $("eco");
const button = $("speak");
const stopButton = $("stop");
const statusLine = $("status");
const detailLine = $("status-detail");
const progress = $("progress");
const player = $("player");
const download = $("download");
const historyList = $("history");
const historyEmpty = $("history-empty");
const resultEmpty = $("result-empty");

// The server's limits (the settings /openapi.json states).
const MAX_CHARS = Number(app.dataset.maxChars);
const ECO_RATE = Number(app.dataset.ecoRate) || 16000;
const SERVER_FORMATS = (app.dataset.formats || "wav").split(/\s+/).filter(Boolean);
const keyInput = $("key");   // only when the server has API keys
const FIELD_CONTROLS = { text, voice, speed, pitch, volume, eco, format, ...(keyInput ? { key: keyInput } : {}) };
const SLIDERS = { speed, pitch, volume };
const RANGES = Object.fromEntries(Object.entries(SLIDERS).map(([k, s]) => [k, [Number(s.min), Number(s.max)]]));

// -- remembered choices (storage may be off: then a choice lasts this visit)
const store = {
  get(key) { try { return localStorage.getItem(key); } catch { return null; } },
  set(key, value) { try { localStorage.setItem(key, value); } catch { /* not remembered */ } },
};
// The API key is kept for this tab only (sessionStorage), never in localStorage.
const tabStore = {
  get(key) { try { return sessionStorage.getItem(key); } catch { return null; } },
  set(key, value) { try { sessionStorage.setItem(key, value); } catch { /* not remembered */ } },
};
// The typed API key (servers with keys) on a request's headers; local.js sends it too.
export const withKey = (headers) => (keyInput && keyInput.value.trim()
  ? { ...headers, Authorization: `Bearer ${keyInput.value.trim()}` } : headers);

eco.checked = store.get("tts.eco") === "1";
eco.addEventListener("change", () => { store.set("tts.eco", eco.checked ? "1" : "0"); applyEco(); });

const offered = [...Object.keys(FORMATS).filter((id) => SERVER_FORMATS.includes(id)),
  ...SERVER_FORMATS.filter((id) => !(id in FORMATS))];
for (const id of offered) format.add(new Option(formatSpec(id).label, id));
if (SERVER_FORMATS.includes(store.get("tts.format"))) format.value = store.get("tts.format");
const showFormatHint = () => { formatHint.textContent = formatSpec(format.value).hint; };
format.addEventListener("change", () => { store.set("tts.format", format.value); showFormatHint(); });
showFormatHint();

// A slider remembers its value and shows it (also to screen readers) as `show` says.
function slider(input, show) {
  const output = $(`${input.id}-value`);
  const kept = (store.get(`tts.${input.id}`) || "").trim();
  const saved = /^[+-]?(\d+\.?\d*|\.\d+)$/.test(kept) ? Number(kept) : NaN;   // not "" nor "0x2"
  if (saved >= Number(input.min) && saved <= Number(input.max)) input.value = String(saved);
  const display = () => {
    const shown = show(Number(input.value));
    output.textContent = shown;
    input.setAttribute("aria-valuetext", shown);
  };
  input.addEventListener("input", display);
  input.addEventListener("change", () => store.set(`tts.${input.id}`, input.value));
  display();
}
const signed = (n) => (n > 0 ? `+${n}` : String(n));
slider(speed, (n) => `${n.toFixed(2)} 倍`);
slider(pitch, (n) => `${signed(n)} 半音`);
slider(volume, (n) => `${signed(n)} dB`);

// -- the text: kept across reloads, counted in code points (as the server does)
const charCount = (s) => Array.from(s).length;
const savedText = store.get("tts.text");
if (savedText !== null) text.value = savedText;
function showCount() {
  const n = charCount(text.value);
  const over = n - MAX_CHARS;
  count.textContent = over > 0 ? `${n} / ${MAX_CHARS} 字，超出 ${over} 字` : `${n} / ${MAX_CHARS} 字`;
  count.classList.toggle("over", over > 0);
}
text.addEventListener("input", () => {
  showCount();
  store.set("tts.text", text.value.slice(0, TEXT_KEPT));
});
showCount();

// -- voices: GET /v1/audio/voices (gender, description, whether the model is loaded)
const GENDERS = { female: "女声", male: "男声" };
const voiceLabel = (v) => (!v.name ? v.id
  : v.name.toLowerCase().includes(v.id.toLowerCase()) ? v.name : `${v.name}（${v.id}）`);
const chinesePart = (description) => (description || "").split(" / ")[0];   // descriptions read "中文 / English"

async function fetchVoices() {
  try {
    const response = await fetch("/v1/audio/voices", { headers: withKey({ Accept: "application/json" }), cache: "no-store" });
    return response.ok ? (await response.json()).voices : [];
  } catch {
    return [];
  }
}

let voices = [];   // as the server listed them
let ecoVoices = [];   // the voice eco mode speaks with (the server marks it)
const voiceById = (id) => voices.find((v) => v.id === id);

async function loadVoices(attempt = 0) {
  const listed = await fetchVoices();
  if (!listed.length) {   // no answer yet: the default voice works meanwhile
    if (attempt < 10) setTimeout(() => loadVoices(attempt + 1), 3000);
    return;
  }
  listVoices(listed);
}

function listVoices(listed) {
  voices = listed;
  ecoVoices = voices.filter((v) => v.eco).map((v) => v.id);
  const groups = Object.entries(GENDERS).map(([gender, label]) => {
    const group = element("optgroup", { label });
    group.append(...voices.filter((v) => v.gender === gender).map((v) => new Option(voiceLabel(v), v.id)));
    return group;
  });
  const others = voices.filter((v) => !(v.gender in GENDERS)).map((v) => new Option(voiceLabel(v), v.id));
  voice.replaceChildren(...groups.filter((g) => g.children.length), ...others);
  applyEco();
}

// A voice's gender, unless `said` (its name, its description) says it.
const genderOf = (v, said) => (v && GENDERS[v.gender] && !said.includes(GENDERS[v.gender]) ? GENDERS[v.gender] : "");

function showVoiceHint() {
  const v = voiceById(voice.value);
  const about = v ? chinesePart(v.description) : "";
  const gender = genderOf(v, about);
  const fixedRate = Boolean(v && v.rate_control === false);   // such a voice refuses speed and pitch
  speed.disabled = fixedRate;
  pitch.disabled = fixedRate;
  const cold = v && v.state === "declared" ? "模型还没加载，第一次合成要多等一会儿" : "";   // as the list said on load
  voiceHint.textContent = [gender, about, fixedRate ? "不能调节语速和音高" : "", cold].filter(Boolean).join("，");
  preview.disabled = !v || current !== null;
}

// Eco mode speaks with the eco voice; the listener's own choice comes back with eco off.
function applyEco() {
  if (ecoVoices.length) {
    for (const option of voice.options) option.disabled = eco.checked && !ecoVoices.includes(option.value);
    const chosen = store.get("tts.voice");
    if ([...voice.options].some((o) => o.value === chosen && !o.disabled)) voice.value = chosen;
    else if (eco.checked) voice.value = ecoVoices[0];
  }
  showVoiceHint();
}
// The voices' states now: a model loads on first use, unloads when long unused.
async function refreshStates() {
  const listed = await fetchVoices();
  if (listed.length && !voices.length) listVoices(listed);   // the first list that came
  else if (listed.length) {
    voices = listed;
    showVoiceHint();
  }
}
voice.addEventListener("change", () => { store.set("tts.voice", voice.value); showVoiceHint(); refreshStates(); });
if (keyInput) {
  keyInput.value = tabStore.get("tts.key") || "";
  keyInput.addEventListener("change", () => { tabStore.set("tts.key", keyInput.value.trim()); loadVoices(); });
}
loadVoices();

// -- status line, its detail, field marks
function setStatus(message, kind = "", detail = "") {
  if (statusLine.textContent !== message) statusLine.textContent = message;   // re-announce only changes
  statusLine.className = `status ${kind}`.trim();
  // the server's (or the browser's) English words: read as English, also where they quote the user's Chinese
  const words = element("span", { textContent: detail, lang: "en" });
  detailLine.replaceChildren(...(detail ? ["详情：", words] : []));
  detailLine.hidden = !detail;
}

function markInvalid(field) {
  const control = FIELD_CONTROLS[field];
  if (control) control.setAttribute("aria-invalid", "true");
}
function markValid(control) { control.removeAttribute("aria-invalid"); }

let problem = { field: null, message: "" };   // the error last shown

function showProblem({ message, field, detail }) {
  if (field) markInvalid(field);
  problem = { field, message };
  setStatus(message, "error", detail);
}

// A control changed: no longer marked or said wrong (an error about another stays).
function changed(control) {
  if (control === text && charCount(text.value) > MAX_CHARS) return;   // still too long: still said so
  markValid(control);
  if (control === FIELD_CONTROLS[problem.field] && statusLine.textContent === problem.message) setStatus("");
}
for (const control of Object.values(FIELD_CONTROLS)) {
  for (const type of ["input", "change"]) control.addEventListener(type, () => changed(control));
}
// Typing past the limit is said at once (not only the count turning red), once, not at each character.
let wasOver = false;
text.addEventListener("input", () => {
  const over = charCount(text.value) > MAX_CHARS;
  if (over && !wasOver) showProblem({ message: `文字超过了 ${MAX_CHARS} 字的上限：请删去一些或分段合成。`, field: "text" });
  wasOver = over;
});

const limits = () => ({ maxChars: MAX_CHARS, chars: charCount(text.value), ranges: RANGES });

// { message, field, detail } for an error: the server's, this device's or the network's.
const explain = (error, midway = false) => (error instanceof ApiError ? describeError(error, limits())
  : error instanceof DeviceError ? deviceMessage(error) : networkMessage(error, midway));
const showError = (error, midway = false) => showProblem(explain(error, midway));

// -- what is sent: only what the page knows the server takes
function readForm() {
  for (const control of Object.values(FIELD_CONTROLS)) markValid(control);
  const chars = charCount(text.value);
  if (!text.value.trim()) {
    showProblem({ message: "请先输入要朗读的文字。", field: "text" });
    return null;
  }
  if (chars > MAX_CHARS) {
    showProblem({ message: `文字太长：共 ${chars} 字，最多 ${MAX_CHARS} 字。请删去一些或分段合成。`, field: "text" });
    return null;
  }
  for (const [name, input] of Object.entries(SLIDERS)) {
    if (input.disabled) continue;   // not sent
    const value = Number(input.value);
    const [low, high] = RANGES[name];
    if (!(value >= low && value <= high)) {
      showProblem({ message: `“${FIELD_NAMES[name]}”超出范围：可选 ${low} 到 ${high}。`, field: name });
      return null;
    }
  }
  const request = { text: text.value, volume: Number(volume.value), eco: eco.checked };
  if (!speed.disabled) request.speed = Number(speed.value);
  if (!pitch.disabled) request.pitch = Number(pitch.value);
  if (voice.value && !eco.checked) request.voice = voice.value;   // in eco mode the server picks the voice
  return request;
}

// -- synthesis: a source of PCM, played while it arrives
const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener("abort", () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
});
const announce = (name, detail) => document.dispatchEvent(new CustomEvent(`tts:${name}`, { detail }));

// POST /tts; the answer, or the server's refusal thrown as an ApiError.
async function postTts(body, signal, accept) {
  const response = await fetch("/tts", {
    method: "POST", headers: withKey({ "Content-Type": "application/json", Accept: accept }), body: JSON.stringify(body), signal,
  });
  if (!response.ok) throw await ApiError.from(response);
  return response;
}

async function serverStream(request, signal) {
  const response = await postTts({ ...request, format: "pcm", stream: true }, signal, "audio/pcm, application/json");
  const reader = response.body.getReader();
  async function* pieces() {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  }
  return { sampleRate: Number(response.headers.get("X-Sample-Rate")) || PCM_FALLBACK_RATE, pieces: pieces(),
    omitted: Number(response.headers.get("X-Omitted-Tokens")) || 0 };
}

export const synthesis = { source: serverStream };

// One click's work: its abort signal, its live player, its async job (for DELETE on stop).
let current = null;
let live = null;   // the player still sounding (it may outlive its run)

export function playbackTime() {
  if (live) return live.time();
  return player.getAttribute("src") ? player.currentTime : 0;
}

window.ttsPage = { playbackTime, synthesis };

function stopLive() {
  if (live) live.stop();
  live = null;
}

// Until audio comes: if the voice's model is loading, say so (the server lists its state), unless the
// run ended or its source said what it waits for.
function watchLoading(run, voiceId) {
  const waiting = () => !run.heard && !run.signal.aborted && current === run;
  const look = async () => {
    if (!waiting()) return;
    const listed = run.waitingFor ? null : (await fetchVoices()).find((v) => v.id === voiceId);
    if (!waiting()) return;
    if (!run.waitingFor) {
      setStatus(listed && listed.state === "loading" ? "正在加载模型…（第一次使用这个声音要多等一会儿）"
        : "正在等待服务器开始合成（前面可能还有别人的请求）…", "busy");
    }
    run.lookTimer = setTimeout(look, 1000);
  };
  run.lookTimer = setTimeout(look, 400);
}

// What a source waits for before its first audio, said instead of a guess.
function waitFor(run, message) {
  run.waitingFor = message;
  if (message && !run.heard && !run.signal.aborted && current === run) setStatus(message, "busy");
}

// Opens the source, waiting while the server loads its voices (503 warming_up).
async function open(request, run) {
  const started = performance.now();
  for (;;) {
    try {
      return await unlessStopped(synthesis.source(request, run.signal, (message) => waitFor(run, message)), run.signal);
    } catch (error) {
      const waited = (performance.now() - started) / 1000;
      if (!(error instanceof ApiError) || error.code !== "warming_up" || waited > WARM_UP_WAIT_S) throw error;
      setStatus("正在加载模型…（服务器刚启动，稍后自动继续）", "busy");
      await sleep(1000 * (error.retryAfter || 2), run.signal);
    }
  }
}

// `promise`, or the run's AbortError once it is stopped, even if the work ignores the signal.
const STOPPED = Symbol("stopped");
const stops = new WeakMap();   // signal → a promise of STOPPED once it aborts (one listener per run)
async function unlessStopped(promise, signal) {
  if (!stops.has(signal)) {
    stops.set(signal, new Promise((resolve) => {
      if (signal.aborted) resolve(STOPPED);
      else signal.addEventListener("abort", () => resolve(STOPPED), { once: true });
    }));
  }
  const settled = await Promise.race([promise, stops.get(signal)]);
  if (settled === STOPPED) throw signal.reason;
  return settled;
}

// A source's pieces until the run is stopped; the source is then told (return()) to stop its work.
async function* untilStopped(pieces, signal) {
  const iterator = pieces[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await unlessStopped(iterator.next(), signal);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    if (signal.aborted && iterator.return) iterator.return().catch(() => { /* the source's own end */ });
  }
}

// Streams `request` into a new live player; the received PCM, or throws (AbortError when stopped).
async function play(request, run) {
  watchLoading(run, voice.value);
  const stream = await open(request, run);
  const sound = run.player;
  sound.rate = stream.sampleRate;
  sound.lead = stream.lead ?? sound.lead;
  sound.addEventListener("chunk", (event) => announce("chunk", event.detail));
  const decoder = new PcmDecoder();
  const pieces = [];
  const ticker = setInterval(() => showProgress(sound, run), eco.checked ? 1000 : 500);   // eco: fewer wake-ups
  sound.ended.then((whole) => {
    clearInterval(ticker);
    if (current === null) {   // 停止 goes off: a focus on it goes to 合成
      if (document.activeElement === stopButton) button.focus();
      stopButton.disabled = true;
    }
    if (!run.preview) progress.textContent = "";
  });
  try {
    for await (const piece of untilStopped(stream.pieces, run.signal)) {
      if (!run.heard) { run.heard = true; setStatus(run.preview ? "正在试听…" : "正在合成，边合成边播放…", "busy"); }
      const floats = piece instanceof Float32Array;
      pieces.push(floats ? pcm16(piece) : piece);
      sound.push(floats ? piece : decoder.decode(piece));
      showProgress(sound, run);
    }
  } catch (error) {
    sound.stop();
    if (error.name !== "AbortError") error.midway = true;
    throw error;
  }
  sound.end();
  return { pieces, rate: stream.sampleRate, seconds: sound.seconds, omitted: stream.omitted || 0,
    madeHere: Boolean(stream.madeHere) };
}

function showProgress(sound, run) {
  if (run.preview) return;
  const made = run.done ? "已全部合成" : "已合成";
  progress.textContent = `${made} ${sound.seconds.toFixed(1)} 秒 · 已播放 ${sound.time().toFixed(1)} 秒`;
}

// The download in the chosen format: made from the stream, or by the server (async job).
async function keep(request, audio, fmt, run) {
  if (MADE_HERE.includes(fmt)) {
    const wav = wavBlob(audio.pieces, audio.rate);
    return { blob: fmt === "wav" ? wav : new Blob(audio.pieces, { type: "audio/pcm" }), playable: wav };
  }
  const label = formatSpec(fmt).label;
  const preparing = (where = "") => setStatus(`正在准备 ${label} 文件${where}…`, "busy");
  preparing();
  let job = await (await postTts({ ...request, format: fmt, async: true }, run.signal, "application/json")).json();
  const links = job.links;
  run.job = links.self;
  while (job.status !== "done") {
    if (job.status === "failed" || job.status === "cancelled") {
      throw new ApiError(0, job.error || { code: job.status === "failed" ? "synthesis_failed" : "cancelled" });
    }
    const wait = typeof job.expected_seconds === "number" ? `，约 ${Math.max(1, Math.ceil(job.expected_seconds))} 秒` : "";
    preparing(job.status === "queued" && job.position > 0 ? `：排队第 ${job.position} 位${wait}` : "");
    await sleep(POLL_MS, run.signal);
    // revalidated with the ETag: an unchanged status comes back as a 304 with no body
    const answer = await fetch(links.self, { headers: withKey({ Accept: "application/json" }), cache: "no-cache", signal: run.signal });
    if (!answer.ok) throw await ApiError.from(answer);
    job = await answer.json();
  }
  setStatus(`正在下载 ${label} 文件…`, "busy");
  const file = await fetch(links.audio, { headers: withKey({}), cache: "no-store", signal: run.signal });
  if (!file.ok) throw await ApiError.from(file);
  run.job = null;
  return { blob: await file.blob(), playable: wavBlob(audio.pieces, audio.rate) };
}

// Words no voice reads (other scripts) are left out: the server counts them.
const omittedNote = (n) => (n ? `${n} 处文字无法朗读，已略过。` : "");

// "语音-今天天气很好我们去公园散-baker-1.00x.mp3": the text's first 12 characters, then the settings.
function fileName(settings, ext) {
  const t = settings.text;   // SSML tags and inline readings (as the server reads them) are not what it says
  const said = (/^\s*<(speak|\?xml)/.test(t) ? t.replace(/<[^>]*>/g, "") : t).replace(/\{[a-zü0-9 ]+\}/g, "");
  const stem = Array.from(said.replace(/[\p{P}\p{S}\p{Z}\p{C}]+/gu, "")).slice(0, 12).join("") || "无题";
  const parts = [stem, settings.voice, `${settings.speed.toFixed(2)}x`];
  if (settings.pitch) parts.push(`音高${signed(settings.pitch)}`);
  if (settings.volume) parts.push(`音量${signed(settings.volume)}dB`);
  if (settings.eco) parts.push("节能");
  return `语音-${parts.filter(Boolean).join("-")}.${ext}`;
}

// 合成 and the history's 重新合成: off while a run is on.
function setRunning(running) {
  button.disabled = running;
  if (running) preview.disabled = true;
  for (const again of historyList.querySelectorAll("button.again")) again.disabled = running;
}

// Called inside the click: the player starts here, at the stream's rate.
function begin(isPreview, voiceId) {
  const controller = new AbortController();
  const chosen = voiceById(voiceId);
  stopLive();
  player.pause();   // one sound at a time (a preview over a replay)
  const sound = new StreamPlayer(eco.checked ? ECO_RATE : (chosen && chosen.sample_rate) || PCM_FALLBACK_RATE);
  sound.resume().catch(() => { /* a browser that still refuses shows no error: the result stays to replay */ });
  live = sound;
  // "tts:end" also for a run that ends before any audio (captions.js's frame loop stops)
  sound.ended.then((whole) => {
    if (live === sound) live = null;
    announce("end", { whole });
  });
  // 合成 (or a 重新合成, redrawn) or 试听, disabled while it runs: the focus goes back after
  const on = document.activeElement;
  const refocus = on === preview ? on : on === button || on?.classList.contains("again") ? button : null;
  const run = { controller, signal: controller.signal, preview: isPreview, heard: false, done: false, job: null, player: sound,
    waitingFor: null, refocus };
  current = run;
  setRunning(true);
  stopButton.disabled = false;
  return run;
}

function finish(run) {
  clearTimeout(run.lookTimer);
  run.controller.abort();   // what is left of it stops
  if (!run.heard) {   // no audio came: the player was never used
    run.player.stop();
    if (live === run.player) live = null;
  }
  if (current === run) current = null;
  setRunning(false);
  stopButton.disabled = !live;
  showVoiceHint();
  refreshStates();   // the run may have loaded its voice's model
  // a focus lost with its disabled button comes back (Chromium moves it to the body at the next frame)
  const lost = !document.activeElement || document.activeElement === document.body || document.activeElement.disabled;
  if (run.refocus && !run.refocus.disabled && lost) run.refocus.focus();
}

// A run from click to end: `work(run)` plays it; a failure or a stop is said here.
async function perform(isPreview, voiceId, work) {
  const run = begin(isPreview, voiceId);
  try {
    await work(run);
  } catch (error) {
    if (run.signal.aborted) setStatus("已停止。", "");
    else showError(error, error.midway);
  } finally {
    finish(run);
  }
}

async function synthesize() {
  if (current) return;
  const request = readForm();
  if (!request) return;
  const fmt = format.value;
  const chosen = voiceById(voice.value);
  const settings = { speed: 1, pitch: 0, ...request, voice: voice.value, voiceName: chosen ? chosen.name : voice.value, format: fmt };
  clearResult();
  await perform(false, voice.value, async (run) => {
    announce("start", { request });
    setStatus("正在连接服务器…", "busy");
    const audio = await play(request, run);
    run.done = true;
    showProgress(run.player, run);
    // Made on this device: kept as WAV, not made again by the server as MP3 & co.
    let kept = audio.madeHere && !MADE_HERE.includes(fmt) ? "wav" : fmt;
    let unkept = { message: "", detail: "" };   // why the chosen format is not had (kept as WAV)
    let stopped = false;   // 停止 while the server makes the format: what was heard is kept
    const files = await keep(request, audio, kept, run).catch((error) => {
      if (MADE_HERE.includes(kept)) throw error;
      const label = formatSpec(kept).label;
      stopped = run.signal.aborted;
      if (stopped) {
        unkept = { message: `${label} 文件没有准备，已合成的 ${audio.seconds.toFixed(1)} 秒语音存为 WAV。`, detail: "" };
      } else {
        const why = explain(error);
        unkept = { message: `${label} 文件没能准备好，已改存为 WAV：${why.message}`, detail: why.detail };
      }
      kept = "wav";
      return keep(request, audio, kept, run);
    });
    const result = remember({ ...settings, format: kept, seconds: audio.seconds, omitted: audio.omitted }, files);
    showNewest(result);
    if (stopped) {
      setStatus(`已停止：${unkept.message}`, "");
      return;
    }
    const said = (playing) => `完成：${audio.seconds.toFixed(1)} 秒的语音${playing ? "，正在播放" : ""}。${unkept.message}${omittedNote(audio.omitted)}`;
    const playing = live === run.player;
    setStatus(said(playing), "done", unkept.detail);
    if (playing) {   // played or stopped: no more "正在播放" (unless a later status stands)
      run.player.ended.then(() => { if (statusLine.textContent === said(true)) setStatus(said(false), "done", unkept.detail); });
    }
  });
}

// A short sample of the chosen voice; it touches neither the result nor the history.
async function previewVoice() {
  if (current) return;
  const chosen = voiceById(voice.value);
  if (!chosen) return;
  await perform(true, chosen.id, async (run) => {
    setStatus(`正在准备试听：${chosen.name}…`, "busy");
    await play({ text: PREVIEW(chosen.name), voice: chosen.id, eco: eco.checked }, run);
    const gender = genderOf(chosen, chosen.name);
    setStatus(`试听：${chosen.name}${gender && `（${gender}）`}。`, "done");
  });
}

function stop() {
  const run = current;
  if (document.activeElement === stopButton) {   // 停止 goes off: the focus goes to 合成
    if (run) run.refocus = button;
    else button.focus();
  }
  if (run) {
    run.controller.abort();
    if (run.job) {   // cancel the server's job too (404/405: nothing to undo)
      fetch(run.job, { method: "DELETE", headers: withKey({}) }).catch(() => { /* the server is gone */ });
    }
  }
  stopLive();
  stopButton.disabled = true;
  progress.textContent = "";
  if (!run) setStatus("已停止播放。", "");
}

form.addEventListener("submit", (event) => { event.preventDefault(); synthesize(); });
// Esc is 停止 while there is something to stop (not while an input method composes: WebKit's keydown that
// ends a composition has isComposing false and keyCode 229).
document.addEventListener("keydown", (event) => {
  const composing = event.isComposing || event.keyCode === 229;
  if (event.key !== "Escape" || composing || event.defaultPrevented || stopButton.disabled) return;
  event.preventDefault();
  stop();
});
form.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    if (!event.repeat) synthesize();   // keys held down: one run, not one per repeat
  }
});
// A double click is one press (a run served from the cache may be over before its second click).
button.addEventListener("click", (event) => { if (event.detail > 1) event.preventDefault(); });
stopButton.addEventListener("click", stop);
preview.addEventListener("click", previewVoice);
player.addEventListener("play", stopLive);   // a replay: the live playback gives way
button.disabled = false;   // until now a click sent the form itself (the text in a URL)
setStatus("");   // no "loading" any more

// -- the result, the download link and the history
let unshown = null;   // see showNewest

function clearResult() {
  unshown = null;
  stopLive();
  player.pause();
  player.removeAttribute("src");
  player.load();
  player.hidden = true;   // empty, it is no control
  download.hidden = true;
  download.removeAttribute("href");
  resultEmpty.hidden = false;
  progress.textContent = "";
}

// A new result; while an older one is replayed, once that replay pauses or ends (not cut off).
function showNewest(result) {
  if (player.paused) show(result);
  else unshown = result;
}
player.addEventListener("pause", () => { if (unshown) show(unshown); });

function show(result) {
  unshown = null;
  const audio = audioFor.get(result.id);
  if (!audio) return;
  if (player.getAttribute("src") !== audio.playUrl) player.src = audio.playUrl;   // loads; never plays
  download.href = audio.downloadUrl;
  download.download = audio.fileName;
  download.textContent = `下载 ${formatSpec(result.format).label}（${audio.fileName}）`;
  download.hidden = false;
  player.hidden = false;
  resultEmpty.hidden = true;
}

player.addEventListener("error", () => {
  if (player.getAttribute("src")) setStatus("浏览器无法播放这段音频，请下载后用其他播放器收听。", "error");
});

// The history: the last results' text and settings, kept across reloads; their audio (blob URLs) for this visit.
const audioFor = new Map();   // result id → { downloadUrl, playUrl, fileName }

// Only entries as this page writes them (not a hand-edited one's).
const wellFormed = (r) => r && [r.text, r.format ?? "", r.voice ?? "", r.voiceName ?? ""].every((v) => typeof v === "string");

function loadHistory() {
  try {
    const saved = JSON.parse(store.get("tts.history") || "[]");
    return Array.isArray(saved) ? saved.filter(wellFormed).slice(0, HISTORY_SIZE) : [];
  } catch {
    return [];
  }
}
let results = loadHistory();   // newest first

function remember(settings, files) {
  const result = { ...settings, text: Array.from(settings.text).slice(0, MAX_CHARS).join(""), id: `${Date.now()}`, at: Date.now() };
  const downloadUrl = URL.createObjectURL(files.blob);
  audioFor.set(result.id, { downloadUrl, playUrl: files.playable === files.blob ? downloadUrl : URL.createObjectURL(files.playable),
    fileName: fileName(settings, settings.format) });
  keepNewest([result, ...merged()]);
  store.set("tts.history", JSON.stringify(results));
  renderHistory();
  return result;
}

// This tab's results and the others' (one history), newest first.
const merged = () => [...new Map([...results, ...loadHistory()].map((r) => [r.id, r])).values()]
  .sort((a, b) => (Number(b.at) || 0) - (Number(a.at) || 0));

// The newest five stay; the others' audio goes.
function keepNewest(list) {
  results = list;
  for (const old of results.splice(HISTORY_SIZE)) {
    const audio = audioFor.get(old.id);
    if (!audio) continue;
    URL.revokeObjectURL(audio.downloadUrl);
    if (audio.playUrl !== audio.downloadUrl) URL.revokeObjectURL(audio.playUrl);
    audioFor.delete(old.id);
  }
}

const excerpt = (s, n) => { const chars = Array.from(s.trim()); return chars.length > n ? `${chars.slice(0, n).join("")}…` : chars.join(""); };

function renderHistory() {
  historyList.replaceChildren(...results.map(historyItem));
  historyEmpty.hidden = results.length > 0;
}

// A new element with these properties, and this aria-label if one is given.
function element(tag, props, label) {
  const e = Object.assign(document.createElement(tag), props);
  if (label) e.setAttribute("aria-label", label);
  return e;
}
const actionButton = (textContent, label, onclick) => element("button", { type: "button", className: "secondary", textContent, onclick }, label);

// Puts a past result's text and settings back in the form.
function restore(result) {
  text.value = result.text;
  text.dispatchEvent(new Event("input"));
  for (const [name, input] of Object.entries(SLIDERS)) {
    if (typeof result[name] === "number") { input.value = result[name]; input.dispatchEvent(new Event("input")); }
  }
  if (eco.checked !== Boolean(result.eco)) { eco.checked = Boolean(result.eco); eco.dispatchEvent(new Event("change")); }
  if ([...voice.options].some((o) => o.value === result.voice && !o.disabled)) voice.value = result.voice;
  if (SERVER_FORMATS.includes(result.format)) format.value = result.format;
  showVoiceHint();
  showFormatHint();
}

function historyItem(result) {
  const item = element("li");
  const said = element("p", { className: "said", textContent: excerpt(result.text, 40) });
  const number = (name, show) => (Number.isFinite(result[name]) ? show(result[name]) : "");
  const meta = element("p", { className: "hint", textContent: [number("seconds", (n) => `${n.toFixed(1)} 秒`), result.voiceName,
    number("speed", (n) => `${n.toFixed(2)} 倍`), result.eco ? "节能" : "", formatSpec(result.format || "wav").label,
    omittedNote(result.omitted)].filter(Boolean).join(" · ") });
  const actions = element("p", { className: "actions" });
  const audio = audioFor.get(result.id);
  const short = excerpt(result.text, 12);
  if (audio) {
    const save = element("a", { href: audio.downloadUrl, download: audio.fileName, textContent: "下载" }, `下载 ${audio.fileName}`);
    actions.append(actionButton("播放", `播放：${short}`, () => {
      show(result);
      player.play().catch(() => { /* the user can still press play in the player */ });
    }), save);
  } else {   // from an earlier visit: no audio
    const again = actionButton("重新合成", `重新合成：${short}`, () => { restore(result); synthesize(); });
    again.classList.add("again");
    again.disabled = current !== null;   // as 合成
    actions.append(again);
  }
  item.append(said, meta, actions);
  return item;
}
renderHistory();
addEventListener("storage", (event) => {   // another tab's new result
  if (event.key === "tts.history") { keepNewest(merged()); renderHistory(); }
});
