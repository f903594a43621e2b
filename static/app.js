// The page: POST /tts, play nothing until the user presses play (no autoplay), remember eco mode.
"use strict";

const form = document.getElementById("tts-form");
const text = document.getElementById("text");
const eco = document.getElementById("eco");
const count = document.getElementById("count");
const button = document.getElementById("speak");
const statusLine = document.getElementById("status");
const player = document.getElementById("player");

eco.checked = localStorage.getItem("tts.eco") === "1";
eco.addEventListener("change", () => localStorage.setItem("tts.eco", eco.checked ? "1" : "0"));

const showCount = () => { count.textContent = String(text.value.length); };
text.addEventListener("input", showCount);
showCount();

async function errorMessage(response) {
  try {
    const body = await response.json();
    const retry = response.headers.get("Retry-After");
    return body.error.message + (retry ? `（${retry} 秒后重试）` : "");
  } catch {
    return `服务器错误 ${response.status}`;
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  button.disabled = true;
  statusLine.textContent = "正在合成…";
  try {
    const response = await fetch("/tts", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: text.value, eco: eco.checked }),
    });
    if (!response.ok) {
      statusLine.textContent = await errorMessage(response);
      return;
    }
    const blob = await response.blob();
    if (player.src) URL.revokeObjectURL(player.src);
    player.src = URL.createObjectURL(blob);
    statusLine.textContent = "完成，请按播放。";
  } catch (error) {
    statusLine.textContent = `连接失败：${error.message}`;
  } finally {
    button.disabled = false;
  }
});
