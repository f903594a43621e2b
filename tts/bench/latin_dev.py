"""English in Chinese text on our development sentences (latin_dev_texts), not the bench's own.

`python -m tts.bench latin_dev`: the same measure as `latin` (English words recovered, Chinese-part
CER next to the pure-Chinese CER) for the embedded voice and two Kokoro voices of each gender.
Changes to how a voice says English are decided here and then confirmed on `python -m tts.bench latin`.
"""

from __future__ import annotations

from tts.bench.latin import measure, table
from tts.bench.latin_dev_texts import SENTENCES

VOICES = ("baker", "zf_xiaobei", "zm_yunjian", "zf_xiaoni", "zm_yunxi")

__all__ = ["run", "table"]


def run(quick: bool = False, voices: tuple[str, ...] | None = None) -> dict:
    return measure(SENTENCES[::3] if quick else SENTENCES, voices or VOICES)
