// Reading POST /tts/hidden's stream (format: tts/hidden.py): records of
//   u32 little-endian n | n bytes of JSON header | header.bytes bytes of payload,
// handed out as soon as each is complete, however the network cuts the bytes.
"use strict";

export async function* records(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = new Uint8Array(0);
  let want = null;   // the header read, waiting for its payload
  for (;;) {
    for (;;) {
      if (want === null) {
        if (buffer.length < 4) break;
        const size = new DataView(buffer.buffer, buffer.byteOffset, 4).getUint32(0, true);
        if (buffer.length < 4 + size) break;
        want = JSON.parse(decoder.decode(buffer.subarray(4, 4 + size)));
        buffer = buffer.subarray(4 + size);
      }
      if (buffer.length < want.bytes) break;
      const payload = buffer.slice(0, want.bytes);   // a copy: its buffer may be handed to the worker
      buffer = buffer.subarray(want.bytes);
      yield [want, payload];
      want = null;
    }
    const { value, done } = await reader.read();
    if (done) {
      if (buffer.length || want !== null) throw new Error("the stream ended inside a record");
      return;
    }
    const joined = new Uint8Array(buffer.length + value.length);
    joined.set(buffer);
    joined.set(value, buffer.length);
    buffer = joined;
  }
}
