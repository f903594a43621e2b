"""`python -m tts.frontend "文本"`: what the frontend makes of a text, stage by stage.

(What each engine makes of the phrases, its symbols or phonemes: `python -m tts symbols "文本"`.)"""

from __future__ import annotations

import argparse
import sys

from tts.errors import TTSError
from tts.frontend import analyze, normalize, to_pinyin
from tts.frontend.markup import is_ssml


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tts.frontend", description=__doc__)
    parser.add_argument("text", nargs="?", help="text or SSML; standard input when omitted")
    args = parser.parse_args(argv)
    text = args.text if args.text is not None else sys.stdin.read()
    try:
        phrases = analyze(text)
    except TTSError as error:
        parser.exit(2, f"error: {error.message}\n")
    if not is_ssml(text):
        spoken = normalize(text)
        print(f"normalized: {spoken}")
        print(f"pinyin:     {' '.join(p for p in to_pinyin(spoken) if p.strip())}")
    for index, phrase in enumerate(phrases):
        marked = " ".join(f"{s}" + (f" #{b}" if b else "") for s, b in zip(phrase.syllables, phrase.breaks))
        print(f"phrase {index} (pause {phrase.pause_ms} ms, rate {phrase.rate:g}): {marked}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
