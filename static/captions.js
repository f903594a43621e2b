// Captions under the player: what was said, the character being spoken marked (<mark>), live while the
// speech streams and when the result is replayed. Nothing moves or animates.
//
// It uses the page's hooks (static/app.js): the stream comes from POST /tts with `captions` (JSON lines:
// the same 16-bit PCM, base64, with each character's {text, start, end} as soon as it is known), put in
// place of the page's own source; the time comes from playbackTime(); "tts:start" clears the line.
// Captions are extra: a stream without them still plays, and a replayed older result shows none.
import { ApiError } from "./messages.js";
import { playbackTime, synthesis, withKey } from "./app.js";

const GAP_SECONDS = 0.1;   // a longer silence between two captions (a sentence's end) shows as a space
const KEPT = 5;            // results whose captions are kept for replay (the page's history holds five)
const player = document.getElementById("player");
const line = document.createElement("p");
line.id = "captions";
line.lang = "zh-CN";
player.insertAdjacentElement("afterend", line);
player.setAttribute("aria-describedby", line.id);   // the player's captions (a <p> may not carry a label of its own)

let shown = { captions: [], nodes: [] };   // what the line holds
let marked = -1;
let live = false;      // a stream is playing: follow the clock every frame
let unbound = null;    // the last stream's captions, until the player loads its audio
const byAudio = new Map();   // player src → captions of that result

// The caption spoken at `seconds`, or -1 between captions (they are ordered and do not overlap).
export function spokenAt(captions, seconds) {
  let low = 0;
  let high = captions.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (captions[middle].start <= seconds) { found = middle; low = middle + 1; } else { high = middle - 1; }
  }
  return found >= 0 && seconds < captions[found].end ? found : -1;
}

function append(captions) {
  for (const caption of captions) {
    const last = shown.captions[shown.captions.length - 1];
    if (last && caption.start - last.end > GAP_SECONDS) line.append(" ");
    const span = document.createElement("span");
    span.textContent = caption.text;
    line.append(span);
    shown.captions.push(caption);
    shown.nodes.push(span);
  }
}

function showAll(captions) {
  line.replaceChildren();
  shown = { captions: [], nodes: [] };
  marked = -1;
  append(captions);
}

function swap(index, tag) {
  const node = document.createElement(tag);
  node.textContent = shown.nodes[index].textContent;
  shown.nodes[index].replaceWith(node);
  shown.nodes[index] = node;
}

function update() {
  const now = spokenAt(shown.captions, playbackTime());
  if (now === marked) return;
  if (marked >= 0) swap(marked, "span");
  if (now >= 0) swap(now, "mark");
  marked = now;
}

function tick() {
  update();
  if (live || !player.paused) requestAnimationFrame(tick);
}

async function* lines(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const parts = (rest + value).split("\n");
    rest = parts.pop();
    for (const part of parts) if (part.trim()) yield JSON.parse(part);
  }
  if (rest.trim()) yield JSON.parse(rest);
}

const bytes = (base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

// The page's stream, with captions: same request, same PCM.
async function captionedStream(request, signal) {
  const headers = withKey({ "Content-Type": "application/json", Accept: "application/x-ndjson, application/json" });
  const response = await fetch("/tts", {
    method: "POST", headers, signal,
    body: JSON.stringify({ ...request, format: "pcm", stream: true, captions: "json" }),
  });
  if (!response.ok) throw await ApiError.from(response);
  const captions = [];
  unbound = captions;
  async function* pieces() {
    for await (const { audio, captions: more, error } of lines(response.body)) {
      if (error) throw new ApiError(500, error);   // failed after its first audio: the server's last line says why
      captions.push(...more);
      append(more);
      if (audio) yield bytes(audio);
    }
  }
  return { sampleRate: Number(response.headers.get("X-Sample-Rate")) || 24000, pieces: pieces(),
    omitted: Number(response.headers.get("X-Omitted-Tokens")) || 0 };
}

synthesis.source = captionedStream;

document.addEventListener("tts:start", () => {
  showAll([]);
  live = true;
  requestAnimationFrame(tick);
});
document.addEventListener("tts:end", () => { live = false; update(); });
player.addEventListener("loadstart", () => {   // a result (new, or from the history) is put in the player
  if (unbound && player.currentSrc) {
    byAudio.set(player.currentSrc, unbound);
    unbound = null;
    if (byAudio.size > KEPT) byAudio.delete(byAudio.keys().next().value);
  }
  if (!live) showAll(byAudio.get(player.currentSrc) || []);
});
player.addEventListener("play", () => requestAnimationFrame(tick));
player.addEventListener("seeked", update);
player.addEventListener("timeupdate", update);
