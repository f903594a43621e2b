"""pypinyin reading its phrase dictionary from the compact table answers exactly as a stock pypinyin."""

import json
import random
import subprocess
import sys

import tts.frontend  # noqa: F401  (installs the compact table before pypinyin loads)
from pypinyin import Style, pinyin
from pypinyin.constants import PHRASES_DICT
from pypinyin.seg.mmseg import seg

from tts.bench.texts import SIZES
from tts.frontend.phrase_table import CompactPhrases

STOCK = """
import json, sys
from pypinyin import Style, pinyin
from pypinyin.constants import PHRASES_DICT
from pypinyin.seg.mmseg import seg
texts = json.load(sys.stdin)
print(json.dumps({
    "pinyin": [pinyin(t, style=Style.TONE3, neutral_tone_with_five=True) for t in texts],
    "heteronym": [pinyin(t, heteronym=True) for t in texts[:2000]],
    "cut": [list(seg.cut(t)) for t in texts],
    "is_phrase": [t in PHRASES_DICT for t in texts],
    "phrases": len(PHRASES_DICT),
}))
"""


def inputs() -> list[str]:
    """Every 5th dictionary phrase, the bench texts, and seeded random strings of their characters."""
    phrases = sorted(PHRASES_DICT)[::5]
    rng = random.Random(17)
    alphabet = sorted(set("".join(SIZES.values()) + "".join(phrases[:3000])) | set("ab1 ，。"))
    noise = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(3000)]
    return phrases + list(SIZES.values()) + noise


def test_pypinyin_uses_the_compact_table():
    assert isinstance(PHRASES_DICT, CompactPhrases)


def test_pypinyin_answers_as_with_its_own_dictionary():
    texts = inputs()
    stock = json.loads(subprocess.run([sys.executable, "-c", STOCK], input=json.dumps(texts), capture_output=True,
                                      text=True, check=True).stdout)
    assert len(PHRASES_DICT) == stock["phrases"]
    assert [t in PHRASES_DICT for t in texts] == stock["is_phrase"]
    assert [list(seg.cut(t)) for t in texts] == stock["cut"]
    assert [pinyin(t, style=Style.TONE3, neutral_tone_with_five=True) for t in texts] == stock["pinyin"]
    assert [pinyin(t, heteronym=True) for t in texts[:2000]] == stock["heteronym"]
