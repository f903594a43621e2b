// The embedded voice's frame-rate half, off the page's thread: onnxruntime-web (wasm, one thread)
// runs FastSpeech2's decoder (hidden states + durations → normalized mel) and the Multi-band
// MelGAN vocoder, the same three graph files the server runs (decoder; head: mel → features; tail:
// features → audio). Each acoustic call (a "hidden" record of POST /tts/hidden) is decoded whole (its
// attention sees the whole call; the graph gives the server's mels to the bit) and, faster than the
// model's own rate, squeezed in time (the text's first call comes decoded already, as a "mel" record,
// so the first sound waits for no decoder here); then vocoded the way the server does
// (tts/engines/embedded.py): the head once over the mel, the tail in windows with a few frames of
// context on each side, so the joins match one pass. Everything it loads comes from this origin,
// under hashed names.
//
// In:  {type: "load", manifest}                       → {type: "ready"} | {type: "failed", message}
//      {type: "hidden", id, phrase, hidden: Uint16Array (float16 [symbols, 256]), durations: Int32Array,
//       symbols, frames, first, vocoder}
//      {type: "mel", id, phrase, mel: Float32Array ([frames, 80]), frames, first, vocoder}
//                                                     → {type: "audio", id, phrase, samples: Float32Array}…
//      {type: "pause", id, phrase, samples}          → {type: "audio", id, phrase, pause: true, samples (zeros)}
//      (after each call)                              → {type: "vocoded", id, frames, decoderMs, vocoderMs}: time spent
//      {type: "phrase", id}                           → {type: "phrase", id}: the calls before it are made
//      {type: "end", id}                              → {type: "end", id}
//      {type: "cancel", id}                           → nothing more for that id (handled at once)
//      (any failure)                                  → {type: "failed", id, message}
"use strict";

let ort = null;
let decoder = null;
let head = null;
let tail = null;
const BINS = 80;
const CHANNELS = 256;
const HOP = 300;
const FIRST_WINDOW = 32;   // the very first window is short: first sound comes sooner (joins stay exact)

async function load(manifest) {
  const absolute = (url) => new URL(url, self.location.origin).href;
  ort = await import(absolute(manifest.runtime));
  ort.env.wasm.wasmPaths = { wasm: absolute(manifest.wasm) };
  ort.env.wasm.numThreads = 1;   // no cross-origin isolation here, so no wasm threads: one core
  ort.env.wasm.proxy = false;
  const options = { executionProviders: ["wasm"], graphOptimizationLevel: "all" };
  const { models } = manifest;
  [decoder, head, tail] = await Promise.all([models.decoder, models.head, models.tail].map(
    (url) => ort.InferenceSession.create(absolute(url), options)));
  // One small run of each, so the first text's first call does not pay the kernels' warm-up (a gap after it)
  await runDecoder(new Uint16Array(4 * CHANNELS), new Int32Array([16, 16, 16, 16]), 4);
  const features = await runHead(new Float32Array(2 * FIRST_WINDOW * BINS), 0, 2 * FIRST_WINDOW);
  await tail.run({ features });
}

// The decoder: hidden [1, symbols, 256] (float16 bits) and durations [1, symbols] → mel frames [T, 80].
async function runDecoder(hidden, durations, symbols) {
  const { mel } = await decoder.run({ hidden: new ort.Tensor("float16", hidden, [1, symbols, CHANNELS]),
                                      durations: new ort.Tensor("int32", durations, [1, symbols]) });
  return mel.data;
}

// The decoder's mel made `frames` long by linear interpolation in time, as
// tts.audio.effects.squeeze_frames does (speech faster than the model's own rate).
function squeezed(decoded, frames) {
  const count = decoded.length / BINS;
  if (frames === count) return decoded;
  const mel = new Float32Array(frames * BINS);
  for (let j = 0; j < frames; j++) {
    const position = Math.min(Math.max((j + 0.5) * count / frames - 0.5, 0), count - 1);
    const low = Math.floor(position);
    const high = Math.min(low + 1, count - 1);
    const weight = Math.fround(position - low);
    for (let b = 0; b < BINS; b++) {
      mel[j * BINS + b] = decoded[low * BINS + b] * (1 - weight) + decoded[high * BINS + b] * weight;
    }
  }
  return mel;
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
      self.postMessage({ type: "audio", id: message.id, phrase: message.phrase, samples }, [samples.buffer]);
    }
  }
}

async function speak(message) {
  const started = performance.now();
  const decoding = message.type === "hidden";   // a "mel" call was decoded by the server
  const mel = decoding ? squeezed(await runDecoder(message.hidden, message.durations, message.symbols), message.frames)
    : message.mel;
  const decoderMs = decoding ? performance.now() - started : 0;
  await vocode(mel, message);
  self.postMessage({ type: "vocoded", id: message.id, frames: message.frames, decoderMs,
                     vocoderMs: performance.now() - started - decoderMs });
}

async function vocode(decoded, message) {
  const { frames, vocoder } = message;
  const padded = Math.max(frames, vocoder.min_frames);   // very short mels: repeat the last frame, cut back after
  const mel = new Float32Array(padded * BINS);
  mel.set(decoded.subarray(0, frames * BINS));
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
      } else if (message.type === "hidden" || message.type === "mel") {
        await speak(message);
      } else if (message.type === "pause") {
        self.postMessage({ type: "audio", id: message.id, phrase: message.phrase, pause: true,
                           samples: new Float32Array(message.samples) });
      } else if (message.type === "end" || message.type === "phrase") {
        self.postMessage({ type: message.type, id: message.id });
      }
    } catch (error) {
      self.postMessage({ type: "failed", id: message.id, message: String(error && error.message || error) });
    }
  });
};
