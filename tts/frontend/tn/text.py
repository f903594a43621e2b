"""Character-level clean-up before and after the number rules.

Defined behaviour for odd input: control and format characters, emoji and other
pictographs are dropped; line breaks and tabs become spaces; characters of other
scripts pass through unchanged. Full-width forms are folded with NFKC, except the
Chinese sentence punctuation the later stages pause on, which is put back.
"""

from __future__ import annotations

import re
import unicodedata

_DROPPED = re.compile(
    "["
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0/C1 controls except tab and newline
    "\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"  # soft hyphen, zero-width, bidi
    "\ud800-\udfff\ue000-\uf8ff\ufe00-\ufe0f\ufff0-\uffff"  # surrogates, private use, selectors
    "\u2600-\u27bf\u2b00-\u2bff"  # miscellaneous symbols and dingbats
    "\U0001f000-\U0001faff\U000e0000-\U000e01ef\U000f0000-\U0010ffff"  # emoji, tags, selectors, private use
    "]+"
)
_SPACES = re.compile(r"\s+")
# NFKC would turn ，；！？… into ASCII, where ， could pass for a thousands separator
# (请按1，2 is not 1,2) and … for three full stops: park them on private-use code
# points (dropped from the input above) while NFKC runs.
_KEPT = "，；！？…"
_PARKED = "".join(chr(0xE000 + i) for i in range(len(_KEPT)))
_BEFORE_FOLD = str.maketrans({"²": "^2", "³": "^3", "∶": ":", "−": "-", **dict(zip(_KEPT, _PARKED))})
_AFTER_FOLD = str.maketrans(_PARKED, _KEPT)
_NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")

# ASCII punctuation the rules leave behind, written the Chinese way for the sentence splitter.
_CHINESE_PUNCT = str.maketrans({",": "，", "!": "！", "?": "？", ";": "；", ":": "：", "(": "（", ")": "）"})
_CJK = "\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_FULL_STOP = re.compile(rf"(?<=[{_CJK}])\.")
_SPACE_NEXT_TO_CJK = re.compile(rf" (?=[{_CJK}])|(?<=[{_CJK}]) ")


def prepare(text: str) -> str:
    """Drop unreadable characters, fold widths (NFKC) and unify all digits to ASCII."""
    text = _DROPPED.sub("", text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text.translate(_BEFORE_FOLD)).translate(_AFTER_FOLD)
        text = _NON_ASCII_DIGIT.sub(lambda m: str(unicodedata.digit(m.group(), 0)), text)
    return _SPACES.sub(" ", text).strip()


def finish(text: str) -> str:
    """Chinese sentence punctuation, and no spaces left next to Chinese characters."""
    text = _FULL_STOP.sub("。", text.translate(_CHINESE_PUNCT))
    return _SPACE_NEXT_TO_CJK.sub("", text).strip()
