// python -m tts.bench acoustic: the frame-rate half of the embedded FastSpeech2 on onnxruntime-web's
// wasm backend (the page's runtime file, one thread), in Node. Reads job.json in the directory given:
//   {"runtime": path of ort.wasm.bundle.min.mjs, "graphs": [file, ...],
//    "inputs": [{"hidden": file, "durations": file, "symbols": n}, ...]}
// (float16 / int32 little-endian raw files), writes <graph>.<i>.mel (float32) beside them and prints
// {"<graph>": {"ms": total run time after one warm-up run, "frames": total}} as JSON; with
// "vocoder": {"head": path, "tail": path} it also times the page's vocoder, one pass over each mel the
// first graph made, under "vocoder" (for a ratio measured in the same run).
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const dir = process.argv[2];
const job = JSON.parse(fs.readFileSync(path.join(dir, "job.json"), "utf8"));
const ort = await import(pathToFileURL(path.resolve(job.runtime)).href);
ort.env.wasm.numThreads = 1;
const raw = (file) => { const b = fs.readFileSync(path.join(dir, file)); return b.buffer.slice(b.byteOffset, b.byteOffset + b.length); };
const result = {};
for (const graph of job.graphs) {
  const session = await ort.InferenceSession.create(new Uint8Array(raw(graph)), { executionProviders: ["wasm"],
                                                                                    graphOptimizationLevel: "all" });
  const feeds = job.inputs.map(({ hidden, durations, symbols }) => ({
    hidden: new ort.Tensor("float16", new Uint16Array(raw(hidden)), [1, symbols, 256]),
    durations: new ort.Tensor("int32", new Int32Array(raw(durations)), [1, symbols]),
  }));
  await session.run(feeds[0]);
  let ms = 0, frames = 0;
  for (const [i, feed] of feeds.entries()) {
    const started = performance.now();
    const { mel } = await session.run(feed);
    ms += performance.now() - started;
    frames += mel.dims[1];
    fs.writeFileSync(path.join(dir, `${graph}.${i}.mel`), Buffer.from(mel.data.buffer, mel.data.byteOffset, mel.data.byteLength));
  }
  result[graph] = { ms, frames };
  await session.release();
}
if (job.vocoder) {
  const [head, tail] = await Promise.all([job.vocoder.head, job.vocoder.tail].map(
    (file) => ort.InferenceSession.create(new Uint8Array(fs.readFileSync(file)), { executionProviders: ["wasm"] })));
  const mels = job.inputs.map((_, i) => new Float32Array(raw(`${job.graphs[0]}.${i}.mel`)));
  const vocode = async (mel) => {
    const { features } = await head.run({ mel: new ort.Tensor("float32", mel, [1, mel.length / 80, 80]) });
    await tail.run({ features });
  };
  await vocode(mels[0]);
  let ms = 0, frames = 0;
  for (const mel of mels) {
    const started = performance.now();
    await vocode(mel);
    ms += performance.now() - started;
    frames += mel.length / 80;
  }
  result.vocoder = { ms, frames };
}
console.log(JSON.stringify(result));
