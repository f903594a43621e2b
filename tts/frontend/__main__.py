"""`python -m tts.frontend "文本"`: what the frontend makes of a text, stage by stage.

`--symbols` adds what each Latin token became: its Mandarin syllables (every voice), its English
pronunciation in ARPAbet (voices with English sounds) and how it was read, or that it was omitted.
(What each engine makes of the phrases, its symbols or phonemes: `python -m tts symbols "文本"`.)"""

from __future__ import annotations

import argparse
import sys

from tts.errors import TTSError
from tts.frontend import analyze_text, normalize, to_pinyin
from tts.frontend.markup import is_ssml


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tts.frontend", description=__doc__)
    parser.add_argument("text", nargs="?", help="text or SSML; standard input when omitted")
    parser.add_argument("--symbols", action="store_true", help="show what each Latin token became")
    args = parser.parse_args(argv)
    text = args.text if args.text is not None else sys.stdin.read()
    try:
        analysis = analyze_text(text)
    except TTSError as error:
        parser.exit(2, f"error: {error.message}\n")
    if not is_ssml(text):
        spoken = normalize(text)
        print(f"normalized: {spoken}")
        print(f"pinyin:     {' '.join(p for p in to_pinyin(spoken) if p.strip())}")
    for index, phrase in enumerate(analysis.phrases):
        marked = " ".join(f"{s}" + (f" #{b}" if b else "") for s, b in zip(phrase.syllables, phrase.breaks))
        print(f"phrase {index} (pause {phrase.pause_ms} ms, rate {phrase.rate:g}): {marked}")
    if args.symbols:
        for token in analysis.tokens:
            reading = " ".join(token.syllables) or "(omitted: no voice reads it)"
            english = f" | English {token.arpabet}" if token.arpabet else ""
            print(f"latin {token.text!r} [{token.how}]: {reading}{english}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
