// The vocoder, off the page's thread: onnxruntime-web (wasm, one thread) runs the embedded voice's
// Multi-band MelGAN, the same two graph files the server runs (head: mel → features, tail:
// features → audio), and vocodes each mel record the way the server does (tts/engines/embedded.py):
// the head once over the record, then the tail in windows with a few frames of context on each side,
// so the joins match one pass. Everything it loads comes from this origin, under hashed names.
//
// In:  {type: "load", manifest}                       → {type: "ready"} | {type: "failed", message}
//      {type: "mel", id, phrase, mel: Uint16Array (float16 [frames, 80]), frames, first, vocoder}
//                                                     → {type: "audio", id, phrase, samples: Float32Array, ms}…
//      {type: "pause", id, phrase, samples}          → {type: "audio", id, phrase, pause: true, samples (zeros)}
//      (after each mel)                               → {type: "vocoded", id, ms}: time spent on it
//      {type: "end", id}                              → {type: "end", id}
//      {type: "cancel", id}                           → nothing more for that id (handled at once)
//      (any failure)                                  → {type: "failed", id, message}
"use strict";

let ort = null;
let head = null;
let tail = null;
const BINS = 80;
const HOP = 300;
const FIRST_WINDOW = 32;   // the very first window is short: first sound comes sooner (joins stay exact)

// float16 bits → float32, by table (65,536 entries, built once).
const HALF = (() => {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) table[h] = sign * 2 ** -14 * (fraction / 1024);
    else if (exponent === 31) table[h] = fraction ? NaN : sign * Infinity;
    else table[h] = sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  }
  return table;
})();

async function load(manifest) {
  const absolute = (url) => new URL(url, self.location.origin).href;
  ort = await import(absolute(manifest.runtime));
  ort.env.wasm.wasmPaths = { wasm: absolute(manifest.wasm) };
  ort.env.wasm.numThreads = 1;   // no cross-origin isolation here, so no wasm threads: one core
  ort.env.wasm.proxy = false;
  const options = { executionProviders: ["wasm"], graphOptimizationLevel: "all" };
  [head, tail] = await Promise.all([ort.InferenceSession.create(absolute(manifest.models.head), options),
                                    ort.InferenceSession.create(absolute(manifest.models.tail), options)]);
  // One small run of each, so the first text's first windows do not pay the kernels' warm-up (a gap after them)
  const features = await runHead(new Float32Array(2 * FIRST_WINDOW * BINS), 0, 2 * FIRST_WINDOW);
  await tail.run({ features });
}

// (left, start, end, right) per window over frames [from, until) of a `frames`-long mel, as
// tts/engines/embedded.py's _spans: [start, end) kept, [left, right) computed, at least `window`
// frames long where the mel allows.
function* spans(frames, from, until, chunk, context, window) {
  for (let start = from; start < until;) {
    const end = Math.min(until, start + chunk);
    let left = Math.max(0, start - context);
    let right = Math.min(frames, end + context);
    if (right - left < window) {
      left = Math.max(0, right - window);
      right = Math.min(frames, left + window);
    }
    yield [left, start, end, right];
    start = end;
  }
}

// The head over the mel's frames [from, until).
async function runHead(mel, from, until) {
  const input = new ort.Tensor("float32", mel.subarray(from * BINS, until * BINS), [1, until - from, BINS]);
  return (await head.run({ mel: input })).features;
}

// The tail in windows over frames [from, until) of the head's `features` (of `count` frames, the
// first being frame `offset` of the record); the audio of the record's own frames (not the padding)
// goes to the page as it is made.
async function runTails(features, count, from, until, chunk, message, offset = 0) {
  const { vocoder } = message;
  const [, channels, steps] = features.dims;
  const perFrame = steps / count;
  const data = features.data;
  for (const [left, start, end, right] of spans(count, from, until, chunk, vocoder.context_frames, vocoder.window_frames)) {
    const width = (right - left) * perFrame;
    const feed = new Float32Array(channels * width);
    for (let c = 0; c < channels; c++) {
      feed.set(data.subarray(c * steps + left * perFrame, c * steps + right * perFrame), c * width);
    }
    if (cancelled.has(message.id)) return;
    const { audio } = await tail.run({ features: new ort.Tensor("float32", feed, [1, channels, width]) });
    const keep = Math.min(end, message.frames - offset);
    if (keep > start) {
      const samples = audio.data.slice((start - left) * HOP, (keep - left) * HOP);
      const now = performance.now();
      self.postMessage({ type: "audio", id: message.id, phrase: message.phrase, samples, ms: now - made }, [samples.buffer]);
      made = now;
    }
  }
}

let made = 0;   // when the last audio was posted: each audio message says how long it took to make

async function vocode(message) {
  const started = performance.now();
  made = started;
  const { frames, vocoder } = message;
  const padded = Math.max(frames, vocoder.min_frames);   // very short mels: repeat the last frame, cut back after
  const mel = new Float32Array(padded * BINS);
  for (let i = 0; i < frames * BINS; i++) mel[i] = HALF[message.mel[i]];
  for (let f = frames; f < padded; f++) mel.copyWithin(f * BINS, (frames - 1) * BINS, frames * BINS);
  if (message.first) {
    // The first record starts the sound: windows of growing size, each with its own head run over the
    // window and the whole network's context, so the first sound waits for one short window and each
    // next window is made while the ones before it play.
    const margin = vocoder.context_frames + vocoder.whole_network_context_frames;
    for (let start = 0, size = FIRST_WINDOW; start < padded; start += size, size = Math.min(2 * size, vocoder.chunk_frames)) {
      const end = Math.min(padded, start + size);
      const [low, high] = [Math.max(0, start - margin), Math.min(padded, end + margin)];
      await runTails(await runHead(mel, low, high), high - low, start - low, end - low, size, message, low);
    }
  } else {
    await runTails(await runHead(mel, 0, padded), padded, 0, padded, padded === frames ? vocoder.chunk_frames : padded,
                   message);
  }
  self.postMessage({ type: "vocoded", id: message.id, ms: performance.now() - started });   // what this device spent
}

let queue = Promise.resolve();   // one thing at a time, in order
const cancelled = new Set();     // texts nobody listens to any more: their queued work is skipped

self.onmessage = (event) => {
  const message = event.data;
  if (message.type === "cancel") {   // at once, not behind the queue
    cancelled.add(message.id);
    return;
  }
  queue = queue.then(async () => {
    if (cancelled.has(message.id)) return;
    try {
      if (message.type === "load") {
        await load(message.manifest);
        self.postMessage({ type: "ready" });
      } else if (message.type === "mel") {
        await vocode(message);
      } else if (message.type === "pause") {
        self.postMessage({ type: "audio", id: message.id, phrase: message.phrase, pause: true,
                           samples: new Float32Array(message.samples) });
      } else if (message.type === "end") {
        self.postMessage({ type: "end", id: message.id });
      }
    } catch (error) {
      self.postMessage({ type: "failed", id: message.id, message: String(error && error.message || error) });
    }
  });
};
