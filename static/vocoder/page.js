// "在本机合成": the embedded voice made in this browser. The server sends per call hidden states and
// durations (POST /tts/hidden); local.js, imported on first use, has a Worker run the decoder and the
// vocoder and hands the audio to app.js's player (the `synthesis.source` hook). The switch falls back to
// server audio, saying why (#local-note): off, pitch, another voice, no wasm, no model.
// window.browserVocoder.last keeps what it made last (samples, timings) for tests.
const KEY = "tts.local";

const $ = (id) => document.getElementById(id);
const option = $("local");
const note = $("local-note");
const eco = $("eco");
const voice = $("voice");
// The voice a run asks for, as app.js's request has it: none in eco mode (the server's choice)
const chosenVoice = () => (voice.value && !eco.checked ? voice.value : undefined);

const wasmSupported = (() => {
  try { return typeof WebAssembly === "object" && WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); }
  catch { return false; }
})();

const remembered = () => { try { return localStorage.getItem(KEY); } catch { return null; } };

// On by default in eco mode when the browser has WebAssembly; the listener's own choice is remembered.
function applyDefault() {
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
  const synthesis = window.ttsPage && window.ttsPage.synthesis;
  if (!option || !synthesis) return;
  applyDefault();
  eco.addEventListener("change", applyDefault);
  option.addEventListener("change", () => {
    try { localStorage.setItem(KEY, option.checked ? "1" : "0"); } catch { /* this visit only */ }
    if (!option.checked) note.textContent = "";   // what it said was about audio made here
    if (option.checked) local().then((made) => made.prefetch(chosenVoice())).catch(() => { /* said when it is used */ });
  });
  const server = synthesis.source;
  synthesis.source = async (request, signal, waitingFor) => {
    if (option.disabled) return server(request, signal, waitingFor);   // its note says why, for good
    note.textContent = "";   // each run says afresh why it fell back, or what its download is
    if (!option.checked) return server(request, signal, waitingFor);
    let made;
    try {
      made = await local();
    } catch {
      if (!signal.aborted) note.textContent = "无法在本机合成（脚本未能加载），已改由服务器合成。";   // else: the next run's note
      return server(request, signal, waitingFor);
    }
    return (await made.localSource(request, signal, waitingFor)) ?? server(request, signal, waitingFor);
  };
}

let machinery = null;   // local.js, imported once, on first use
const local = () => (machinery ??= import("./local.js").catch((error) => { machinery = null; throw error; }));
// After app.js has restored the eco switch (module scripts run before DOMContentLoaded).
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();

window.browserVocoder = { last: null };
