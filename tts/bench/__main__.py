"""`python -m tts.bench [rtf] [--threads 1 2] [--repeats 8] [--json]`."""

from __future__ import annotations

import argparse
import json

from tts.bench import rtf


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tts.bench")
    parser.add_argument("scenario", nargs="?", default="rtf", choices=("rtf",),
                        help="rtf: real-time factor, first audio and peak RSS of one synthesis")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=8)
    parser.add_argument("--text", default=rtf.SENTENCE_50)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a Markdown table")
    args = parser.parse_args()
    results = rtf.run(args.threads, args.text, args.repeats)
    print(json.dumps(results, ensure_ascii=False, indent=2) if args.json else rtf.table(results))


if __name__ == "__main__":
    main()
