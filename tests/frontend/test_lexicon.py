"""The compact jieba dictionary cuts and looks up exactly as jieba does."""

import logging
import random

import jieba
import jieba.posseg
import pytest

from tts.bench.texts import SIZES
from tts.frontend.lexicon import Lexicon, build, lexicon

jieba.setLogLevel(logging.WARNING)

TEXTS = [
    *SIZES.values(),
    "银行行长在长城上说：2024年3月5日的GDP增长了3.5%，AT&T和B超、c#都是词。",
    "Hello world!\r\n第二行\t有制表符  和空格。iPhone15Pro的价格是￥7999.00元",
    "", " ", "a", "1.5", "我", "〇", "\U00020000", "和平共处五项原则是中华人民共和国外交政策的基石",
]


def jieba_cut(text):
    return [(pair.word, pair.flag) for pair in jieba.posseg.cut(text, HMM=False)]


def random_texts(count: int, seed: int) -> list[str]:
    """Strings from the characters of TEXTS plus separators, digits and Latin letters."""
    rng = random.Random(seed)
    alphabet = sorted(set("".join(TEXTS)) | set("abcXYZ019 .#&_+\t\n\r，。！"))
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(count)]


@pytest.mark.parametrize("text", TEXTS)
def test_cut_is_jiebas(text):
    assert lexicon().cut(text) == jieba_cut(text)


def test_cut_is_jiebas_on_random_text():
    for text in random_texts(1500, seed=14):
        assert lexicon().cut(text) == jieba_cut(text), text


def test_frequencies_are_jiebas_for_words_prefixes_and_strangers():
    jieba.dt.check_initialized()
    keys = sorted(jieba.dt.FREQ)
    sample = random.Random(14).sample(keys, 20000) + ["不存在的词语", "x", "中华人民共和国"]
    assert [lexicon().frequency(word) for word in sample] == [jieba.get_FREQ(word) or 0 for word in sample]


def test_built_tables_load_from_any_directory(tmp_path):
    other = Lexicon(build(tmp_path))
    assert other.cut("今天天气很好") == lexicon().cut("今天天气很好")
