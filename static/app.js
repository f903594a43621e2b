// The page. A synthesis is an async job: POST /tts {"async": true}, poll its status (showing the
// queue position), then fetch its audio once and keep it as a Blob, so the player, the download
// link and the history keep working after the server's job store forgets the job.
// Nothing plays until the user asks for it. No inline code anywhere: the server sends a strict CSP.
"use strict";

// Download formats, in one place. The server says which ones it accepts (data-formats on <main>);
// this table says how to name and describe each. `raw` formats cannot play in <audio> as they are,
// so the player gets them wrapped in a WAV header (the download stays as the server made it).
const FORMATS = {
  wav: { label: "WAV", hint: "通用格式，无损，任何播放器都能打开。" },
  mp3: { label: "MP3", hint: "有损压缩，文件小，几乎处处能播放。" },
  opus: { label: "Opus", hint: "有损压缩，文件最小，音质仍好。" },
  flac: { label: "FLAC", hint: "无损压缩，文件比 WAV 小。" },
  pcm: { label: "PCM", hint: "16 位单声道原始采样，没有文件头，适合程序处理。", raw: true },
};
const formatSpec = (id) => FORMATS[id] || { label: id.toUpperCase(), hint: "" };

// What the server calls a field → what this page calls it (for "400: which field was wrong").
const FIELD_NAMES = {
  text: "要朗读的文字", voice: "声音", speed: "语速", pitch: "音高", volume: "音量", eco: "节能模式", format: "下载格式",
  sample_rate: "采样率", body: "请求内容", key: "API 密钥",
};

const POLL_MS = 300;
const HISTORY_SIZE = 5;
const PCM_FALLBACK_RATE = 24000;   // only if a PCM answer lacks its X-Sample-Rate header

const $ = (id) => document.getElementById(id);
const app = $("app");
const form = $("tts-form");
const text = $("text");
const count = $("count");
const voice = $("voice");
const format = $("format");
const formatHint = $("format-hint");
const speed = $("speed");
const pitch = $("pitch");
const volume = $("volume");
const eco = $("eco");
const button = $("speak");
const statusLine = $("status");
const player = $("player");
const download = $("download");
const historyList = $("history");
const historyEmpty = $("history-empty");
const resultEmpty = $("result-empty");

const MAX_CHARS = Number(app.dataset.maxChars);
const SERVER_FORMATS = (app.dataset.formats || "wav").split(/\s+/).filter(Boolean);
const keyInput = $("key");   // only when the server has API keys
const FIELD_CONTROLS = { text, voice, speed, pitch, volume, eco, format, ...(keyInput ? { key: keyInput } : {}) };

// -- remembered choices (storage may be off: then a choice lasts this visit) -------------------------
const store = {
  get(key) { try { return localStorage.getItem(key); } catch { return null; } },
  set(key, value) { try { localStorage.setItem(key, value); } catch { /* not remembered */ } },
};

// The API key is kept for this tab only (sessionStorage), never in localStorage.
const tabStore = {
  get(key) { try { return sessionStorage.getItem(key); } catch { return null; } },
  set(key, value) { try { sessionStorage.setItem(key, value); } catch { /* not remembered */ } },
};
const withKey = (headers) => (keyInput && keyInput.value.trim()
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

// A slider remembers its value and shows it (also to screen readers) as `show(value)` says.
function slider(input, show) {
  const output = $(`${input.id}-value`);
  const saved = store.get(`tts.${input.id}`);
  if (saved !== null && Number(saved) >= Number(input.min) && Number(saved) <= Number(input.max)) input.value = saved;
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

// -- the character count, as the server counts (code points, not UTF-16 units) ---------------------
const charCount = (s) => Array.from(s).length;
function showCount() {
  const n = charCount(text.value);
  const over = n - MAX_CHARS;
  count.textContent = over > 0 ? `${n} / ${MAX_CHARS} 字，超出 ${over} 字` : `${n} / ${MAX_CHARS} 字`;
  count.classList.toggle("over", over > 0);
}
text.addEventListener("input", () => { showCount(); markValid(text); });
showCount();

// -- voices: GET /v1/audio/voices ----------------------------------------------------------------------

// "标贝女声 (Baker)" when the name already says the id, else "名字（id）".
const voiceLabel = (v) => (!v.name ? v.id
  : v.name.toLowerCase().includes(v.id.toLowerCase()) ? v.name : `${v.name}（${v.id}）`);

async function fetchVoices() {
  try {
    const response = await fetch("/v1/audio/voices", { headers: withKey({ Accept: "application/json" }), cache: "no-store" });
    return response.ok ? (await response.json()).voices : [];
  } catch {
    return [];
  }
}

let ecoVoices = [];   // the server marks the voice eco mode speaks with (its cheapest engine's)

async function loadVoices(attempt = 0) {
  const voices = await fetchVoices();
  if (!voices.length) {   // still loading its voice: the default voice works meanwhile
    if (attempt < 10) setTimeout(() => loadVoices(attempt + 1), 3000);
    return;
  }
  ecoVoices = voices.filter((v) => v.eco).map((v) => v.id);
  voice.replaceChildren(...voices.map((v) => new Option(voiceLabel(v), v.id)));
  applyEco();
}

// Eco mode speaks with the server's eco voice; the listener's own choice is kept and comes back with eco off.
function applyEco() {
  if (!ecoVoices.length) return;
  for (const option of voice.options) option.disabled = eco.checked && !ecoVoices.includes(option.value);
  const chosen = store.get("tts.voice");
  if ([...voice.options].some((o) => o.value === chosen && !o.disabled)) voice.value = chosen;
  else if (eco.checked) voice.value = ecoVoices[0];
}
voice.addEventListener("change", () => store.set("tts.voice", voice.value));
if (keyInput) {
  keyInput.value = tabStore.get("tts.key") || "";
  keyInput.addEventListener("change", () => { tabStore.set("tts.key", keyInput.value.trim()); markValid(keyInput); loadVoices(); });
}
loadVoices();

// -- status line and field errors ---------------------------------------------------------------------
function setStatus(message, kind = "") {
  if (statusLine.textContent !== message) statusLine.textContent = message;   // re-announce only changes
  statusLine.className = `status ${kind}`.trim();
}

function markInvalid(field) {
  const control = FIELD_CONTROLS[field];
  if (control) control.setAttribute("aria-invalid", "true");
}
function markValid(control) { control.removeAttribute("aria-invalid"); }

async function errorMessage(response) {
  let error = {};
  try { error = (await response.json()).error || {}; } catch { /* not our JSON */ }
  const detail = error.message || `HTTP ${response.status}`;
  const retry = Number.parseInt(response.headers.get("Retry-After") || "", 10);
  const retryIn = Number.isFinite(retry) ? `请 ${retry} 秒后重试` : "请稍后重试";
  if (response.status === 503 && error.code === "queue_full") {
    return { message: `服务器正忙，${retryIn}。（${detail}）` };
  }
  if (response.status === 503) return { message: `服务暂不可用，${retryIn}。（${detail}）` };
  if (response.status === 401) return { message: "需要有效的 API 密钥：请在“API 密钥”中填写。", field: "key" };
  if (response.status === 429) return { message: `请求太频繁，${retryIn}。（${detail}）` };
  if (response.status >= 400 && response.status < 500 && error.field) {
    const name = FIELD_NAMES[error.field] || error.field;
    return { message: `“${name}”有误（字段 ${error.field}）：${detail}`, field: error.field };
  }
  return { message: `出错了（${response.status}）：${detail}` };
}

async function showError(response) {
  const { message, field } = await errorMessage(response);
  if (field) markInvalid(field);
  setStatus(message, "error");
}

// -- synthesis ----------------------------------------------------------------------------------------
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
const getJSON = (url) => fetch(url, { headers: withKey({ Accept: "application/json" }), cache: "no-store" });

function showProgress(job) {
  if (job.status === "queued") {
    setStatus(job.position > 0 ? `排队中：第 ${job.position} 位…` : "排队中…", "busy");
  } else if (job.status === "running") {
    setStatus("正在合成…", "busy");
  }
}

// Follows a job until it ends; the finished status, or null after showing why it failed.
async function follow(job) {
  const links = job.links;
  let state = job;
  for (;;) {
    showProgress(state);
    if (state.status === "done") return { ...state, links: state.links || links };
    if (state.status === "failed" || state.status === "cancelled") {
      const reason = state.error ? state.error.message : "任务已取消";
      setStatus(`合成失败：${reason}`, "error");
      return null;
    }
    await sleep(POLL_MS);
    const response = await getJSON(links.self);
    if (!response.ok) { await showError(response); return null; }
    state = await response.json();
  }
}

function wavFromPcm(pcm, rate) {
  const header = new DataView(new ArrayBuffer(44));
  const ascii = (at, s) => { for (let i = 0; i < s.length; i += 1) header.setUint8(at + i, s.charCodeAt(i)); };
  ascii(0, "RIFF"); header.setUint32(4, 36 + pcm.byteLength, true); ascii(8, "WAVE");
  ascii(12, "fmt "); header.setUint32(16, 16, true); header.setUint16(20, 1, true); header.setUint16(22, 1, true);
  header.setUint32(24, rate, true); header.setUint32(28, rate * 2, true);
  header.setUint16(32, 2, true); header.setUint16(34, 16, true);
  ascii(36, "data"); header.setUint32(40, pcm.byteLength, true);
  return new Blob([header, pcm], { type: "audio/wav" });
}

// "语音-今天天气很好我们去公园散.wav": the text's first 12 characters, without punctuation or spaces.
function fileName(said, ext) {
  const stem = Array.from(said.replace(/[\p{P}\p{S}\p{Z}\p{C}]+/gu, "")).slice(0, 12).join("");
  const when = new Date().toTimeString().slice(0, 8).replaceAll(":", "");
  return `语音-${stem || when}.${ext}`;
}

const excerpt = (s, n) => { const chars = Array.from(s.trim()); return chars.length > n ? `${chars.slice(0, n).join("")}…` : chars.join(""); };

async function fetchResult(job, request, voiceName) {
  const response = await fetch(job.links.audio, { headers: withKey({}), cache: "no-store" });
  if (!response.ok) { await showError(response); return null; }
  const blob = await response.blob();
  const spec = formatSpec(request.format);
  const rate = Number(response.headers.get("X-Sample-Rate")) || PCM_FALLBACK_RATE;
  const playable = spec.raw ? wavFromPcm(await blob.arrayBuffer(), rate) : blob;
  const downloadUrl = URL.createObjectURL(blob);
  return {
    text: request.text,
    seconds: Number(job.audio_seconds ?? response.headers.get("X-Audio-Seconds")) || 0,
    details: [voiceName, `${request.speed.toFixed(2)} 倍`, request.eco ? "节能" : "", spec.label].filter(Boolean),
    format: spec.label,
    fileName: fileName(request.text, request.format),
    downloadUrl,
    playUrl: playable === blob ? downloadUrl : URL.createObjectURL(playable),
    captionsUrl: job.links.captions,   // static/captions.js
  };
}

let busy = false;

async function synthesize() {
  if (busy) return;
  for (const control of Object.values(FIELD_CONTROLS)) markValid(control);
  if (!text.value.trim()) {
    markInvalid("text");
    setStatus("请先输入要朗读的文字。", "error");
    return;
  }
  const request = {
    text: text.value, speed: Number(speed.value), pitch: Number(pitch.value), volume: Number(volume.value),
    eco: eco.checked, format: format.value, async: true,
  };
  if (voice.value && !eco.checked) request.voice = voice.value;   // in eco mode the server picks the voice
  const voiceName = voice.selectedOptions[0] ? voice.selectedOptions[0].text : "";

  busy = true;
  const refocus = document.activeElement === button;
  button.disabled = true;
  setStatus("正在提交…", "busy");
  try {
    const response = await fetch("/tts", {
      method: "POST",
      headers: withKey({ "Content-Type": "application/json", Accept: "application/json" }),
      body: JSON.stringify(request),
    });
    if (response.status !== 202) { await showError(response); return; }
    const job = await follow(await response.json());
    if (!job) return;
    const result = await fetchResult(job, request, voiceName);
    if (!result) return;
    show(result);
    remember(result);
    setStatus(`完成：${result.seconds.toFixed(1)} 秒的语音，按播放键收听。`, "done");
  } catch (error) {
    setStatus(`连接失败，请确认服务器在运行。（${error.message}）`, "error");
  } finally {
    busy = false;
    button.disabled = false;
    if (refocus && (!document.activeElement || document.activeElement === document.body)) button.focus();
  }
}

form.addEventListener("submit", (event) => { event.preventDefault(); synthesize(); });
form.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    synthesize();
  }
});

// -- the player, the download link and the history ----------------------------------------------------
function show(result) {
  if (player.getAttribute("src") !== result.playUrl) player.src = result.playUrl;   // loads; never plays
  window.ttsCaptions?.attach(player, result.captionsUrl, withKey({}));   // static/captions.js: highlights while it plays
  download.href = result.downloadUrl;
  download.download = result.fileName;
  download.textContent = `下载 ${result.format}（${result.fileName}）`;
  download.hidden = false;
  resultEmpty.hidden = true;
}

player.addEventListener("error", () => {
  if (player.getAttribute("src")) setStatus("浏览器无法播放这段音频，请下载后用其他播放器收听。", "error");
});

const results = [];   // newest first, at most HISTORY_SIZE

function remember(result) {
  results.unshift(result);
  for (const old of results.splice(HISTORY_SIZE)) {
    URL.revokeObjectURL(old.downloadUrl);
    if (old.playUrl !== old.downloadUrl) URL.revokeObjectURL(old.playUrl);
  }
  historyList.replaceChildren(...results.map(historyItem));
  historyEmpty.hidden = results.length > 0;
}

function historyItem(result) {
  const item = document.createElement("li");
  const said = document.createElement("p");
  said.className = "said";
  said.textContent = excerpt(result.text, 40);
  const meta = document.createElement("p");
  meta.className = "hint";
  meta.textContent = [`${result.seconds.toFixed(1)} 秒`, ...result.details].join(" · ");
  const play = document.createElement("button");
  play.type = "button";
  play.className = "secondary";
  play.textContent = "播放";
  play.setAttribute("aria-label", `播放：${excerpt(result.text, 12)}`);
  play.addEventListener("click", () => {
    show(result);
    player.play().catch(() => { /* the user can still press play in the player */ });
  });
  const save = document.createElement("a");
  save.href = result.downloadUrl;
  save.download = result.fileName;
  save.textContent = "下载";
  save.setAttribute("aria-label", `下载 ${result.fileName}`);
  const actions = document.createElement("p");
  actions.className = "actions";
  actions.append(play, save);
  item.append(said, meta, actions);
  return item;
}
