// Gapless playback of 16-bit PCM while it arrives, with Web Audio: each piece an AudioBuffer started
// where the previous one ends, counted in samples (no rounding gap builds up). The page makes a player
// in the user's click (only a click may start sound), at the stream's rate (no buffer resampled on its
// own). It closes when done, handing the audio device back.
//
// Hooks: every piece dispatches "chunk" { samples, sampleRate, at (AudioContext time it starts), ahead
// (seconds from then to `at`), offset (seconds into the utterance) }; time(): seconds played.

const LEAD_SECONDS = 0.15;   // slack before the first piece so the next arrives in time (`lead`: a source's own)
const MOST_LEAD_SECONDS = 2;   // after each stall the slack doubles (audio buffered ahead), up to this

export class StreamPlayer extends EventTarget {
  constructor(sampleRate) {
    super();
    this.rate = sampleRate;
    this.lead = LEAD_SECONDS;
    this.context = new AudioContext({ sampleRate, latencyHint: "playback" });   // larger buffers: fewer wake-ups
    this.segments = [];   // { at, offset, seconds } per piece: context time → utterance time
    this.runStart = 0;    // context time where the current run of back-to-back pieces starts
    this.runFrames = 0;   // frames scheduled in that run
    this.frames = 0;      // frames received in all
    this.stalls = 0;      // times the stream fell behind playback (a gap was heard)
    this.live = new Set();
    this.finished = false;
    this.ended = new Promise((resolve) => { this.settle = resolve; });   // true: played to the end
  }

  async resume() {
    if (this.context.state === "suspended") await this.context.resume();
  }

  get seconds() { return this.frames / this.rate; }

  get playing() { return this.live.size > 0 || !this.finished; }

  push(samples) {
    if (!samples.length) return;
    if (this.context.state === "closed") { this.frames += samples.length; return; }   // silenced: still received
    const now = this.context.currentTime;
    let at = this.runStart + this.runFrames / this.rate;
    if (!this.runFrames || at < now + 0.02) {   // the first piece, or the stream fell behind: a new run
      if (this.runFrames) this.stalls += 1;
      this.runStart = now + Math.min(MOST_LEAD_SECONDS, this.lead * 2 ** this.stalls);
      this.runFrames = 0;
      at = this.runStart;
    }
    const buffer = this.context.createBuffer(1, samples.length, this.rate);
    buffer.copyToChannel(samples, 0);
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.context.destination);
    source.addEventListener("ended", () => { this.live.delete(source); this.check(); });
    source.start(at);
    this.live.add(source);
    const offset = this.seconds;
    this.segments.push({ at, offset, seconds: samples.length / this.rate });
    this.runFrames += samples.length;
    this.frames += samples.length;
    this.dispatchEvent(new CustomEvent("chunk", { detail: { samples, sampleRate: this.rate, at, ahead: at - now, offset } }));
  }

  // Seconds of the utterance played so far.
  time() {
    const now = this.context.currentTime;
    let played = 0;
    for (const s of this.segments) {
      if (s.at > now) break;
      played = s.offset + Math.min(now - s.at, s.seconds);
    }
    return played;
  }

  // No more pieces will come: `ended` settles when the last one has played.
  end() {
    this.finished = true;
    this.check();
  }

  check() {
    if (this.finished && !this.live.size) this.close(true);
  }

  stop() {
    for (const source of this.live) source.stop();
    this.live.clear();
    this.close(false);
  }

  close(whole) {
    this.finished = true;
    if (this.context.state !== "closed") this.context.close().catch(() => { /* already closing */ });
    this.settle(whole);
  }
}

// s16le bytes → float samples, carrying an odd byte from one network read to the next.
export class PcmDecoder {
  constructor() { this.carry = null; }

  decode(bytes) {
    let data = bytes;
    if (this.carry !== null) {
      data = new Uint8Array(bytes.length + 1);
      data[0] = this.carry;
      data.set(bytes, 1);
      this.carry = null;
    }
    const even = data.length & ~1;
    if (even < data.length) this.carry = data[even];
    const view = new DataView(data.buffer, data.byteOffset, even);
    const samples = new Float32Array(even / 2);
    for (let i = 0; i < samples.length; i += 1) samples[i] = view.getInt16(2 * i, true) / 32768;
    return samples;
  }
}

// Float samples → s16le bytes (clipped), as the server would have sent them.
export function pcm16(samples) {
  const view = new DataView(new ArrayBuffer(samples.length * 2));
  samples.forEach((x, i) => view.setInt16(2 * i, Math.max(-32768, Math.min(32767, Math.round(x * 32768))), true));
  return new Uint8Array(view.buffer);
}

// A WAV file around 16-bit mono PCM pieces (the received bytes, unchanged).
export function wavBlob(pieces, rate) {
  const size = pieces.reduce((n, p) => n + p.byteLength, 0);
  const header = new DataView(new ArrayBuffer(44));
  const ascii = (at, s) => { for (let i = 0; i < s.length; i += 1) header.setUint8(at + i, s.charCodeAt(i)); };
  ascii(0, "RIFF"); header.setUint32(4, 36 + size, true); ascii(8, "WAVE");
  ascii(12, "fmt "); header.setUint32(16, 16, true); header.setUint16(20, 1, true); header.setUint16(22, 1, true);
  header.setUint32(24, rate, true); header.setUint32(28, rate * 2, true);
  header.setUint16(32, 2, true); header.setUint16(34, 16, true);
  ascii(36, "data"); header.setUint32(40, size, true);
  return new Blob([header, ...pieces], { type: "audio/wav" });
}
