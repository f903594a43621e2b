"""Measure the page: click → first audio scheduled, and click → whole text synthesized, in Chromium.

    .venv/bin/python tests/browser/first_sound.py [repeats of the paragraph, default 5 (~590 characters)]

Starts its own server (defaults, sentence cache off), loads the Kokoro model with a short text first, then
times the embedded voice and a Kokoro voice on the same long text. Prints one JSON line per voice.
Needs a quiet machine for figures worth quoting (the browser, the server and the model share the cores).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE.parent), str(HERE)]

from browsing import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from live import LiveServer  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

PARAGRAPH = ("春天的早晨，公园里到处是散步的人。湖边的柳树刚刚发芽，远远望去像一层淡淡的绿雾。"
             "几个孩子在草地上放风筝，风筝越飞越高，笑声也越传越远。老人们坐在长椅上聊天，"
             "说起年轻时候的事情，总有讲不完的故事。太阳慢慢升高，空气里带着泥土和花草的香味。")


def timed(page, voice: str, text: str) -> dict:
    page.select_option("#voice", voice)
    page.fill("#text", text)
    page.evaluate("() => { window.m = { first: null }; "
                  "document.addEventListener('tts:chunk', () => { m.first ??= performance.now(); }); }")
    start = page.evaluate("() => performance.now()")
    page.click("#speak")
    page.wait_for_function("() => /^完成/.test(document.getElementById('status').textContent)", timeout=900_000)
    done, first = page.evaluate("() => [performance.now(), m.first]")
    status = page.locator("#status").text_content()
    page.click("#stop")   # the next text starts in silence
    return {"voice": voice, "characters": len(text), "first_audio_s": round((first - start) / 1000, 2),
            "synthesized_s": round((done - start) / 1000, 2), "status": status}


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    server = LiveServer(TTS_LOG_LEVEL="WARNING", TTS_CACHE_MB="0").wait_ready()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(locale="zh-CN")
            page.goto(server.url + "/")
            page.locator("#voice option:not([value=''])").first.wait_for(state="attached")
            print(json.dumps({"first use, model loading": timed(page, "zf_xiaoxiao", "你好。")}, ensure_ascii=False))
            for voice in ("baker", "zf_xiaoxiao"):
                print(json.dumps(timed(page, voice, PARAGRAPH * repeats), ensure_ascii=False), flush=True)
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
