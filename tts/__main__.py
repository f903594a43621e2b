"""Command line: `python -m tts say "文本" -o out.wav [--eco] [--speed 1.2]` (no server needed)."""

from __future__ import annotations

import argparse
import sys

from tts.audio.encode import encode
from tts.config import Settings
from tts.engines import load_engines
from tts.errors import TTSError
from tts.request import parse_request
from tts.synthesizer import Synthesizer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tts", description="Chinese text-to-speech")
    commands = parser.add_subparsers(dest="command", required=True)
    say = commands.add_parser("say", help="synthesize text to a WAV file")
    say.add_argument("text", nargs="?", help="the text; read from standard input when omitted")
    say.add_argument("-o", "--output", default="-", help="output file, '-' for standard output (default)")
    say.add_argument("--eco", action="store_true", help="16 kHz output, the cheapest path")
    say.add_argument("--speed", type=float, default=1.0, help="speaking rate, 0.25–4.0 (2 = twice as fast)")
    say.add_argument("--voice", help="voice id")
    say.add_argument("--format", default="wav", choices=("wav", "pcm"))
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    text = args.text if args.text is not None else sys.stdin.read()
    synthesizer = Synthesizer(load_engines(settings), max_audio_seconds=settings.max_audio_seconds)
    try:
        request = parse_request(
            {"text": text, "speed": args.speed, "eco": args.eco, "format": args.format,
             "voice": args.voice or settings.default_voice},
            voices=[v.id for v in synthesizer.voices], default_voice=settings.default_voice,
            max_chars=settings.max_text_chars)
        samples, rate = synthesizer.synthesize(request)
    except TTSError as error:
        parser.exit(2, f"error: {error.message}\n")
    data = encode(samples, rate, request.format)
    if args.output == "-":
        sys.stdout.buffer.write(data)
    else:
        with open(args.output, "wb") as out:
            out.write(data)
        print(f"{args.output}: {len(samples) / rate:.2f} s at {rate} Hz", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
