"""Command line, no server needed:
`python -m tts say "文本" -o out.wav [--eco] [--speed 1.2]`: synthesize;
`python -m tts symbols "文本"`: what the engines read for a text (the embedded voice's symbols,
Kokoro's phonemes), phrase by phrase."""

from __future__ import annotations

import argparse
import sys

from tts.audio.encode import encode
from tts.config import Settings
from tts.errors import TTSError
from tts.request import parse_request
from tts.synthesizer import Synthesizer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tts", description="Chinese text-to-speech")
    commands = parser.add_subparsers(dest="command", required=True)
    say = commands.add_parser("say", help="synthesize text to a WAV file")
    say.add_argument("text", nargs="?", help="the text; read from standard input when omitted")
    say.add_argument("-o", "--output", default="-", help="output file, '-' for standard output (default)")
    say.add_argument("--eco", action="store_true", help="eco mode: 16 kHz output, and the cheapest voice unless --voice names one")
    say.add_argument("--speed", type=float, default=1.0, help="speaking rate, 0.25–4.0 (2 = twice as fast)")
    say.add_argument("--voice", help="voice id")
    say.add_argument("--format", default="wav", choices=("wav", "pcm"))
    symbols = commands.add_parser("symbols", help="print the symbols each engine reads for a text")
    symbols.add_argument("text", nargs="?", help="the text; read from standard input when omitted")
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    text = args.text if args.text is not None else sys.stdin.read()
    if args.command == "symbols":
        try:
            return print_symbols(text)
        except TTSError as error:
            parser.exit(2, f"error: {error.message}\n")
    synthesizer = Synthesizer.from_settings(settings)
    try:
        request = synthesizer.catalogue.bind(parse_request(
            {"text": text, "speed": args.speed, "eco": args.eco, "format": args.format, "voice": args.voice},
            voices=synthesizer.catalogue.names(), max_chars=settings.max_text_chars))
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


def print_symbols(text: str) -> int:
    from tts.engines.baker_symbols import BakerSymbols
    from tts.engines.embedded_assets import locate
    from tts.engines.kokoro_phonemes import phrase_phonemes
    from tts.frontend import analyze

    mapper = locate().load_mapper()
    table, baker = {v: k for k, v in mapper["symbol_to_id"].items()}, BakerSymbols(mapper)
    for index, phrase in enumerate(analyze(text)):
        print(f"phrase {index}: {' '.join(phrase.syllables)}")
        print("  embedded: " + " ".join(table[i] for i in baker.encode(phrase)))
        print("  kokoro:   " + phrase_phonemes(phrase))
    return 0


if __name__ == "__main__":
    sys.exit(main())
