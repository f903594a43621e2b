"""Latin-script writing around words: the signs inside names, files and tags, as spoken.

The words themselves stay Latin for the reader (tts.frontend.latin); these passes only rewrite
what joins or marks them: Wi-Fi and COVID-19 are said without the hyphen, report_final.pdf and
node.js with 下划线 and 点, U.S.A. as letters, #话题# without its marks, C++ as C加加, and
letters with diacritics as their base letters (café → cafe), so no Latin letter is lost.
"""

from __future__ import annotations

import re

from tts.frontend.latin import fold, is_word

_LATIN_NON_ASCII = re.compile(r"[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]+")
_PLUS_PLUS = re.compile(r"(?<![A-Za-z])([A-Za-z])\+\+")
_SHARP = re.compile(r"(?<![A-Za-z])([CF])#(?![A-Za-z0-9])")
# Weibo-style #话题#: the marks frame a topic; a lone # before a word marks a tag (#MeToo).
_TOPIC = re.compile(r"#([^#\s][^#\n]{0,30}?)#")
_TAG = re.compile(r"#(?=[A-Za-z\u4e00-\u9fff])")
_HANDLE = re.compile(r"(?<![A-Za-z0-9._%+\-])@(?=[A-Za-z0-9_])")   # @TechDaily (an e-mail address was read before)
_HYPHENATED = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)+")
_HYPHEN_BEFORE_NUMBER = re.compile(r"(?<=[A-Za-z]{2})-(?=[0-9])")
_UNDERSCORE = re.compile(r"(?<=[A-Za-z0-9])_+(?=[A-Za-z0-9])")
_DOTTED_NAME = re.compile(r"(?<=[A-Za-z0-9]{2})\.(?=[A-Za-z]{2})")
_INITIALS = re.compile(r"(?<![A-Za-z.])((?:[A-Z]\.){2,})")
# "… in English. 请…": a full stop after an English word ends a sentence (not after Mr. or etc.).
_TITLES = frozenset("Mr Mrs Ms Dr St Jr Sr Prof Inc Ltd Co No vs etc Fig Vol".split())
_WORD_BEFORE_STOP = re.compile(r"(?<![A-Za-z])([A-Za-z]{2,})\.(?=\s|$)")

def _hyphenated(words: str) -> str:
    """Wi-Fi, e-mail: one word when the dictionary has it so (wifi, email), else its words (Hong Kong)."""
    joined = words.replace("-", "")
    return joined if is_word(joined) else words.replace("-", " ")


EARLY_PASSES = (
    (_LATIN_NON_ASCII, lambda m: fold(m.group())),
    (_PLUS_PLUS, lambda m: f"{m.group(1)}加加"),
    (_SHARP, lambda m: f"{m.group(1)} sharp"),
)
# After URLs and e-mail addresses (their signs are named by codes.py), before numbers.
PASSES = (
    (_TOPIC, lambda m: f"“{m.group(1)}”"),
    (_TAG, lambda m: ""),
    (_HANDLE, lambda m: "艾特"),
    (_HYPHENATED, lambda m: _hyphenated(m.group())),
    (_HYPHEN_BEFORE_NUMBER, lambda m: ""),
    (_UNDERSCORE, lambda m: "下划线"),
    (_DOTTED_NAME, lambda m: "点"),
    (_INITIALS, lambda m: m.group(1).replace(".", "")),
    (_WORD_BEFORE_STOP, lambda m: m.group() if m.group(1) in _TITLES else m.group(1) + "。"),
)
