"""Measure the Chinese frontend on the shared dev data.

Run ``python -m tts.frontend.eval [--show-errors N] [--data DIR] [--polyphones FILE]``. It prints
text-normalization accuracy of ``normalize`` (lenient, as ``data/README.md``
defines it, and strict exact match) and polyphone accuracy of our ``to_pinyin``
next to plain pypinyin, both scored by the same code so the figures compare, each
also on the two halves of the polyphone set (``held_out``); then both scores on our own
held-out sentences (HELD_OUT: everyday text written for the frontend, not from the dev sets),
per part: "audit" was read to find classes of errors to fix, "blind" never was.

The labelled sets score one character per sentence, so a rule's damage elsewhere in a sentence is
invisible to them. ``--sweep FILE`` writes the reading of every position of every sentence (the
polyphone set and the held-out ones) to FILE; ``--against OLD`` then lists each reading that differs
from OLD, a sweep of the code before the change: read that list before merging a rule.
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import re
import statistics
import sys
import time
import unicodedata
import zlib
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "data"
HELD_OUT = PROJECT_ROOT / "tests" / "frontend" / "data"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TONE = re.compile(r"[1-5]$")
# 50 characters mixing the categories: the speed target is a median under 1 ms for it.
BENCH_SENTENCE = "2024年3月5日3:30在¥12.50的店买2杯茶，花了预算的30%，电话13812345678。"
BENCH_CALLS = 500


class Case(NamedTuple):
    """One scored item: what went in, what was expected, what came out."""

    given: str
    expected: str
    got: str
    ok: bool


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of a dev file; quoting off because sentences contain quote marks."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def lenient_form(text: str) -> str:
    """The README's lenient key: NFKC, no whitespace or punctuation, 幺 as 一."""
    text = unicodedata.normalize("NFKC", text).replace("幺", "一")
    return "".join(c for c in text if not c.isspace() and not unicodedata.category(c).startswith("P"))


def pinyin_key(syllable: str) -> str:
    """Compare syllables the README's way: lower case, ü = v = u:, no tone = 5."""
    s = syllable.strip().lower().replace("u:", "v").replace("ü", "v")
    return s if _TONE.search(s) else s + "5"


def _safe(fn: Callable[[str], str], text: str) -> str:
    """Call the system under test; an exception is scored as a wrong answer."""
    try:
        return fn(text)
    except Exception as exc:  # noqa: BLE001 - the report must survive any bug
        return f"<{type(exc).__name__}: {exc}>"


def score_tn(rows: Iterable[dict[str, str]], fn: Callable[[str], str]) -> tuple[list[Case], list[Case], list[float]]:
    """Lenient and strict results per row, plus the time of each call in ms."""
    lenient, strict, times = [], [], []
    for row in rows:
        start = time.perf_counter()
        got = _safe(fn, row["input"])
        times.append((time.perf_counter() - start) * 1000)
        lenient.append(Case(row["input"], row["expected"], got, lenient_form(got) == lenient_form(row["expected"])))
        strict.append(Case(row["input"], row["expected"], got, got == row["expected"]))
    return lenient, strict, times


def bench_ms(fn: Callable[[str], str], text: str) -> float:
    """Median wall time of one call in ms, after a warm-up call."""
    fn(text)
    times = []
    for _ in range(BENCH_CALLS):
        start = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def syllable_at(syllables: object, sentence: str, index: int) -> str:
    """The syllable for sentence[index] from a per-character or per-Han-character list.

    to_pinyin's output shape is owned by g2p.py; accept a list aligned with every
    character, or one aligned with the Han characters only (non-Han text dropped).
    """
    if isinstance(syllables, str):
        syllables = syllables.split()
    items = [s[0] if isinstance(s, (list, tuple)) else s for s in syllables]  # type: ignore[union-attr]
    if len(items) == len(sentence):
        return str(items[index])
    if len(items) == len(_HAN.findall(sentence)):
        return str(items[len(_HAN.findall(sentence[:index]))])
    return f"<unaligned: {len(items)} syllables for {len(sentence)} characters>"


def score_polyphones(rows: list[dict[str, str]], fn: Callable[[str], object]) -> list[Case]:
    """Whether fn's reading of the annotated character matches the label."""
    cases = []
    for row in rows:
        sentence, index = row["sentence"], int(row["index"])
        try:
            got = syllable_at(fn(sentence), sentence, index)
        except Exception as exc:  # noqa: BLE001 - one bad sentence must not end the report
            got = f"<{type(exc).__name__}: {exc}>"
        label = f"{sentence[index]}@{index} {sentence}"
        cases.append(Case(label, row["pinyin"], got, pinyin_key(got) == pinyin_key(row["pinyin"])))
    return cases


def pypinyin_baseline() -> Callable[[str], list[str]]:
    """Plain pypinyin, one item per character so that indices line up."""
    from pypinyin import Style, lazy_pinyin

    def run(sentence: str) -> list[str]:
        return lazy_pinyin(sentence, style=Style.TONE3, neutral_tone_with_five=True, errors=list)

    return run


def our_to_pinyin() -> Callable[[str], object] | str:
    """g2p.py is written in parallel: the function, or why it cannot be imported yet."""
    try:
        from tts.frontend.g2p import to_pinyin
    except Exception as exc:  # noqa: BLE001 - a half-written module must not end the report
        return f"{type(exc).__name__}: {exc}"
    return to_pinyin


def held_out(sentence: str) -> bool:
    """The half of the polyphone dev set kept out of rule writing (issue 17): rules were
    written from the errors of the other half only, so this half's figure is an honest one."""
    return zlib.crc32(sentence.encode("utf-8")) % 2 == 1


def percent(cases: list[Case]) -> str:
    """'97.66% (125/128)' style summary."""
    good = sum(c.ok for c in cases)
    return f"{100 * good / max(len(cases), 1):.2f}% ({good}/{len(cases)})"


def print_errors(title: str, cases: list[Case], limit: int) -> None:
    """The first `limit` failing cases, for --show-errors."""
    failures = [c for c in cases if not c.ok][:limit]
    if failures:
        print(f"  {title}: first {len(failures)} errors")
    for c in failures:
        print(f"    in:   {c.given}\n    want: {c.expected}\n    got:  {c.got}")


def report_tn(data: Path, show: int) -> None:
    """Text-normalization section of the report."""
    from tts.frontend.normalize import normalize

    rows = read_tsv(data / "tn_dev.tsv")
    lenient, strict, times = score_tn(rows, normalize)
    print(f"text normalization ({data / 'tn_dev.tsv'}), tts.frontend.normalize.normalize")
    print(f"  lenient {percent(lenient)}   strict {percent(strict)}")
    print(f"  time per case: median {statistics.median(times):.3f} ms, max {max(times):.3f} ms")
    print(f"  {len(BENCH_SENTENCE)}-character sentence: median {bench_ms(normalize, BENCH_SENTENCE):.3f} ms")
    print_errors("lenient", lenient, show)


def read_polyphones(path: Path) -> list[dict[str, str]]:
    """Polyphone rows from a TSV like polyphone_dev.tsv, or from a CPP split as g2pM publishes
    it (`test.sent`, the polyphone between two U+2581 marks, beside `test.lb`)."""
    if path.suffix != ".sent":
        return read_tsv(path)
    rows = []
    labels = path.with_suffix(".lb").read_text(encoding="utf-8").splitlines()
    for marked, label in zip(path.read_text(encoding="utf-8").splitlines(), labels, strict=True):
        i = marked.index("\u2581")
        rows.append({"sentence": marked[:i] + marked[i + 1] + marked[i + 3 :], "index": str(i), "pinyin": label.strip()})
    return rows


def report_polyphones(path: Path, show: int) -> None:
    """Polyphone section: ours (if available) and the pypinyin baseline."""
    rows = read_polyphones(path)
    print(f"polyphones ({path}, {len(rows)} rows)")
    systems = {"pypinyin lazy_pinyin TONE3": pypinyin_baseline(), "tts.frontend.g2p.to_pinyin": our_to_pinyin()}
    for name, fn in systems.items():
        if isinstance(fn, str):
            print(f"  {name}: unavailable ({fn})")
            continue
        start = time.perf_counter()
        cases = score_polyphones(rows, fn)
        seconds = time.perf_counter() - start
        print(f"  {name}: {percent(cases)}  in {seconds:.1f} s")
        split = {part: [c for c, row in zip(cases, rows) if held_out(row["sentence"]) == part] for part in (False, True)}
        print(f"    rules written from: {percent(split[False])}   held out: {percent(split[True])}")
        print_errors(name, cases, show)


def report_held_out(folder: Path, show: int) -> None:
    """Both scores on our own sentences (held_out_tn.tsv, held_out_polyphones.tsv), per part."""
    from tts.frontend.g2p import to_pinyin
    from tts.frontend.normalize import normalize

    tn_rows = read_tsv(folder / "held_out_tn.tsv")
    polyphone_rows = read_tsv(folder / "held_out_polyphones.tsv")
    print(f"held-out sentences ({folder}): {len(tn_rows)} sentences, {len(polyphone_rows)} polyphones")
    for part in sorted({row["part"] for row in polyphone_rows}):
        lenient, strict, _ = score_tn([r for r in tn_rows if r["source"] == f"own:{part}"], normalize)
        polyphones = score_polyphones([r for r in polyphone_rows if r["part"] == part], to_pinyin)
        print(f"  {part}: normalization lenient {percent(lenient)}   strict {percent(strict)}"
              f"   polyphones {percent(polyphones)}")
        print_errors(f"{part} normalization", lenient, show)
        print_errors(f"{part} polyphones", polyphones, show)


def sweep(sentences: Iterable[str], fn: Callable[[str], object]) -> dict[str, list[str]]:
    """Every position's reading of each sentence (once per distinct sentence)."""
    return {sentence: [str(r) for r in fn(sentence)] for sentence in dict.fromkeys(sentences)}


def write_sweep(path: Path, readings: dict[str, list[str]]) -> None:
    """One JSON array [sentence, readings] per line: sentences may hold tabs and quote marks."""
    path.write_text("".join(json.dumps([s, r], ensure_ascii=False) + "\n" for s, r in readings.items()), encoding="utf-8")


def read_sweep(path: Path) -> dict[str, list[str]]:
    """A file write_sweep wrote."""
    return {s: r for s, r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def changed_readings(old: dict[str, list[str]], new: dict[str, list[str]]) -> list[tuple[str, int, str, str]]:
    """(sentence, index, old reading, new reading) of every position read differently; sentences in
    only one sweep, or cut into another number of readings, are skipped."""
    return [(s, i, a, b) for s, readings in new.items() if len(old.get(s, ())) == len(readings)
            for i, (a, b) in enumerate(zip(old[s], readings)) if a != b]


def report_sweep(path: Path, against: Path | None, sentences: list[str]) -> None:
    """Write the sweep; against an earlier one, print each change and the counts by character."""
    from tts.frontend.g2p import to_pinyin

    readings = sweep(sentences, to_pinyin)
    write_sweep(path, readings)
    print(f"sweep: {len(readings)} sentences, {sum(map(len, readings.values()))} readings -> {path}")
    if against is None:
        return
    changes = changed_readings(read_sweep(against), readings)
    for sentence, i, a, b in changes:
        print(f"  {sentence[i]}@{i} {a} -> {b}  {sentence}")
    counts = collections.Counter((s[i], a, b) for s, i, a, b in changes)
    print(f"changed against {against}: {len(changes)} readings")
    for (char, a, b), n in counts.most_common():
        print(f"  {char} {a} -> {b}: {n}")


def main(argv: list[str] | None = None) -> int:
    """Parse options and print both reports."""
    parser = argparse.ArgumentParser(prog="python -m tts.frontend.eval", description=__doc__.splitlines()[0])
    parser.add_argument("--show-errors", type=int, default=0, metavar="N", help="print the first N failing cases")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"data directory (default {DEFAULT_DATA})")
    parser.add_argument("--polyphones", type=Path, metavar="FILE",
                        help="another polyphone set: a TSV like DATA/polyphone_dev.tsv, or a CPP split's .sent file")
    parser.add_argument("--held-out", type=Path, default=HELD_OUT, metavar="DIR",
                        help=f"folder of our own held-out sentences (default {HELD_OUT})")
    parser.add_argument("--sweep", type=Path, metavar="FILE",
                        help="write every position's reading of the polyphone and held-out sentences to FILE, "
                             "instead of the scores")
    parser.add_argument("--against", type=Path, metavar="OLD", help="with --sweep: list each reading that differs from OLD")
    args = parser.parse_args(argv)
    if args.sweep:
        rows = read_polyphones(args.polyphones or args.data / "polyphone_dev.tsv")
        rows += read_tsv(args.held_out / "held_out_polyphones.tsv")
        report_sweep(args.sweep, args.against, [row["sentence"] for row in rows])
        return 0
    report_tn(args.data, args.show_errors)
    report_polyphones(args.polyphones or args.data / "polyphone_dev.tsv", args.show_errors)
    report_held_out(args.held_out, args.show_errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
