// Captions under the player: the text of the last result, each character marked while it is spoken.
//
// window.ttsCaptions.attach(player, url, headers) fetches a job's captions (GET /tts/jobs/<id>/captions,
// a JSON list of {text, start, end} in seconds of the audio) and follows `player`: a media element, or
// any clock with `currentTime` and `paused` (Web Audio playback), which is then polled every frame.
// The character being spoken is a <mark>, shown under #player; nothing moves or animates. Captions
// are extra: when they cannot be fetched the audio plays as before and the line stays empty.
"use strict";

(() => {
  const GAP_SECONDS = 0.1;   // a longer silence between two captions (a sentence's end) shows as a space
  let detachCurrent = () => {};

  function box(player) {
    let line = document.getElementById("captions");
    if (!line) {
      line = document.createElement("p");
      line.id = "captions";
      line.lang = "zh-CN";
      line.setAttribute("aria-label", "字幕");
      (player instanceof Element ? player : document.getElementById("player")).insertAdjacentElement("afterend", line);
    }
    return line;
  }

  // The caption spoken at `seconds`, or -1 between captions (captions are ordered and do not overlap).
  function spokenAt(captions, seconds) {
    let low = 0;
    let high = captions.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (captions[middle].start <= seconds) { found = middle; low = middle + 1; } else { high = middle - 1; }
    }
    return found >= 0 && seconds < captions[found].end ? found : -1;
  }

  function render(line, captions) {
    line.replaceChildren();
    return captions.map((caption, i) => {
      if (i > 0 && caption.start - captions[i - 1].end > GAP_SECONDS) line.append(" ");
      const span = document.createElement("span");
      span.textContent = caption.text;
      line.append(span);
      return span;
    });
  }

  function swap(node, tag) {
    const other = document.createElement(tag);
    other.textContent = node.textContent;
    node.replaceWith(other);
    return other;
  }

  function follow(player, captions, nodes) {
    let shown = -1;
    let frame = 0;
    const update = () => {
      const now = spokenAt(captions, player.currentTime);
      if (now === shown) return;
      if (shown >= 0) nodes[shown] = swap(nodes[shown], "span");
      if (now >= 0) nodes[now] = swap(nodes[now], "mark");
      shown = now;
    };
    const media = typeof player.addEventListener === "function";
    const tick = () => { update(); frame = media && player.paused ? 0 : requestAnimationFrame(tick); };
    const start = () => { if (!frame) frame = requestAnimationFrame(tick); };
    const events = media ? { play: start, seeked: update, timeupdate: update } : {};
    for (const [name, handler] of Object.entries(events)) player.addEventListener(name, handler);
    if (media) update(); else start();
    return () => {
      cancelAnimationFrame(frame);
      for (const [name, handler] of Object.entries(events)) player.removeEventListener(name, handler);
    };
  }

  async function attach(player, url, headers = {}) {
    detachCurrent();
    const line = box(player);
    line.replaceChildren();
    let captions;
    try {
      const response = await fetch(url, { headers: { ...headers, Accept: "application/json" }, cache: "no-store" });
      if (!response.ok) return;
      ({ captions } = await response.json());
    } catch {
      return;   // no captions: the audio still plays
    }
    const stop = follow(player, captions, render(line, captions));
    detachCurrent = () => { stop(); detachCurrent = () => {}; };
  }

  window.ttsCaptions = { attach, detach: () => detachCurrent(), spokenAt };
})();
