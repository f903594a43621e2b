"""Chinese text → phrases of pinyin with breaks: normalize → sentences → g2p → sandhi → prosody.

`normalize` and `to_pinyin` are the stable entry points other tools call; `analyze`
is what the synthesizer uses.
"""

from __future__ import annotations

from tts.frontend.g2p import to_pinyin, words
from tts.frontend.normalize import normalize
from tts.frontend.phrase import Phrase
from tts.frontend.prosody import build_phrase, fit
from tts.frontend.sandhi import apply as apply_sandhi
from tts.frontend.sentences import split_sentences

__all__ = ["Phrase", "analyze", "normalize", "to_pinyin"]


def analyze(text: str, max_syllables: int = 100) -> list[Phrase]:
    """The phrases to synthesize for `text`, in order; empty when nothing is speakable."""
    phrases = []
    for sentence, pause_ms in split_sentences(normalize(text)):
        segmented = words(sentence)
        pinyin = apply_sandhi(segmented)
        phrase = build_phrase([(w.text, p) for w, p in zip(segmented, pinyin)], pause_ms, sentence)
        if phrase.syllables:
            phrases.extend(fit(phrase, max_syllables))
    return phrases
