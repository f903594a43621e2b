"""Command line, no server needed:
`python -m tts say "文本" -o out.mp3 [--voice alloy] [--speed 1.2] [--pitch 2] [--volume -3] [--eco]`:
synthesize (the format from the file's name, or --format; standard output streams WAV by default);
`python -m tts voices`, or `say --voices`: the voices, with their OpenAI names;
`python -m tts symbols "文本"`: what the engines read for a text (the embedded voice's symbols,
Kokoro's phonemes), phrase by phrase.

Errors are one line on standard error and exit status 2 (1 for a failure that is not the
input's); a path that cannot be written is found before any synthesis. What the native
runtimes print while loading (LiteRT's "Created TensorFlow Lite XNNPACK delegate") is kept
off the terminal, and shown only if the command fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from tts.audio.encode import FORMATS, StreamEncoder, encode
from tts.config import Settings, SettingsError
from tts.errors import TTSError
from tts.request import PITCH_RANGE, SPEED_RANGE, VOLUME_RANGE, parse_request
from tts.synthesizer import Synthesizer

SUFFIXES = {".wav": "wav", ".pcm": "pcm", ".raw": "pcm", ".flac": "flac", ".mp3": "mp3", ".opus": "opus",
            ".ogg": "opus", ".oga": "opus", ".aac": "aac", ".adts": "aac"}


class CommandError(Exception):
    """One line for the user; exit status 2."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "voices" or getattr(args, "voices", False):
            return list_voices(Settings.from_env())
        text = args.text if args.text is not None else sys.stdin.read()
        if args.command == "symbols":
            return print_symbols(text)
        return say(args, text)
    except (CommandError, SettingsError, TTSError) as error:
        parser.exit(2, f"error: {error.message if isinstance(error, TTSError) else error}\n")
    except BrokenPipeError:   # `… | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())   # so exiting flushes nowhere
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tts", description="Chinese text-to-speech")
    commands = parser.add_subparsers(dest="command", required=True)
    say = commands.add_parser("say", help="synthesize text to an audio file")
    say.add_argument("text", nargs="?", help="the text; read from standard input when omitted")
    say.add_argument("-o", "--output", default="-",
                     help="output file, its format from its name (.wav .mp3 .aac .opus/.ogg .flac .pcm); "
                          "'-' (default): standard output, streamed as it is made")
    say.add_argument("-f", "--format", choices=tuple(FORMATS), help="the format, whatever the file's name says")
    say.add_argument("--voice", help="a voice id or an OpenAI voice name (alloy, nova, …); see --voices")
    say.add_argument("--voices", action="store_true", help="list the voices and exit")
    say.add_argument("--speed", type=float, default=1.0, help=f"speaking rate, {_span(SPEED_RANGE)} (2 = twice as fast)")
    say.add_argument("--pitch", type=float, default=0.0, help=f"semitones, {_span(PITCH_RANGE)}")
    say.add_argument("--volume", type=float, default=0.0, help=f"gain in dB, {_span(VOLUME_RANGE)} (a limiter keeps peaks)")
    say.add_argument("--sample-rate", type=int, help="output rate in Hz (default: the voice's own)")
    say.add_argument("--seed", type=int, default=0, help="seed of the voice's random part")
    say.add_argument("--eco", action="store_true",
                     help="eco mode: 16 kHz output, and the cheapest voice unless --voice names one")
    commands.add_parser("voices", help="list the voices")
    symbols = commands.add_parser("symbols", help="print the symbols each engine reads for a text")
    symbols.add_argument("text", nargs="?", help="the text; read from standard input when omitted")
    return parser


def _span(bounds: tuple[float, float]) -> str:
    return f"{bounds[0]:g}–{bounds[1]:g}"


def output_format(output: str, chosen: str | None) -> str:
    """--format if given, else the file name's suffix; WAV on standard output."""
    if chosen:
        return chosen
    if output == "-":
        return "wav"
    suffix = Path(output).suffix.lower()
    if suffix not in SUFFIXES:
        raise CommandError(f"cannot tell the format from the name {output!r}; name it "
                           f"{', '.join(sorted(SUFFIXES))} or pass --format")
    return SUFFIXES[suffix]


def say(args: argparse.Namespace, text: str) -> int:
    settings = Settings.from_env()
    fmt = output_format(args.output, args.format)
    synthesizer = Synthesizer.from_settings(settings)
    request = synthesizer.catalogue.bind(parse_request(
        {"text": text, "speed": args.speed, "pitch": args.pitch, "volume": args.volume, "eco": args.eco,
         "format": fmt, "voice": args.voice, "sample_rate": args.sample_rate, "seed": args.seed},
        voices=synthesizer.catalogue.names(), max_chars=settings.max_text_chars))
    with _opened(args.output) as out, _native_output_held():
        if args.output == "-":   # a pipe: every format streams, so the first phrase plays at once
            seconds, rate = _stream_to(out, synthesizer, request)
        else:                    # a file: whole, so MP3 gets its gapless tag and FLAC its length
            samples, rate = synthesizer.synthesize(request)
            out.write(encode(samples, rate, fmt))
            seconds = len(samples) / rate
    if args.output != "-":
        print(f"{args.output}: {fmt}, {seconds:.2f} s at {rate} Hz ({request.voice})", file=sys.stderr)
    return 0


def _stream_to(out: BinaryIO, synthesizer: Synthesizer, request) -> tuple[float, int]:
    encoder, samples, rate = None, 0, 0
    for chunk in synthesizer.stream(request):
        if encoder is None:
            encoder, rate = StreamEncoder(request.format, chunk.sample_rate), chunk.sample_rate
        out.write(encoder.write(chunk.samples))
        out.flush()
        samples += len(chunk.samples)
    if encoder is not None:
        out.write(encoder.finalize())
    return samples / max(rate, 1), rate


@contextmanager
def _opened(output: str) -> Iterator[BinaryIO]:
    """The output, opened before any work (an unwritable path fails first); a file left
    unfinished by an error is removed, if it was ours."""
    if output == "-":
        yield sys.stdout.buffer
        return
    existed = os.path.exists(output)
    try:
        out = open(output, "wb")
    except OSError as error:
        raise CommandError(f"cannot write {output}: {error.strerror}") from None
    try:
        with out:
            yield out
    except BaseException:
        if not existed:
            os.unlink(output)
        raise


@contextmanager
def _native_output_held() -> Iterator[None]:
    """Hold what native code writes to file descriptor 2 while models load and run; replay it
    only when the command fails (then it may explain why)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        except (TTSError, CommandError, BrokenPipeError):
            raise   # the input's fault, or the reader left: one line, or none, says it all
        except BaseException:
            os.dup2(saved, 2)
            held.seek(0)
            sys.stderr.write(held.read().decode("utf-8", "replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def list_voices(settings: Settings) -> int:
    catalogue = Synthesizer.from_settings(settings).catalogue
    for voice in catalogue.voices:
        described = catalogue.describe(voice)
        aliases = ", ".join(described["openai_aliases"]) or "-"
        default = " (default)" if voice.id == catalogue.default_voice else ""
        print(f"{voice.id}\t{voice.gender}\t{voice.engine}\t{voice.name}{default}\tOpenAI: {aliases}\t"
              f"{voice.description}")
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
