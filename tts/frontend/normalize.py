"""Text normalization: written Chinese → the words the voice should say.

``normalize(text)`` rewrites numbers, dates, times, money, units, codes, maths and
symbols into Chinese characters, the way a Mandarin speaker reads them aloud, and
keeps Chinese sentence punctuation (，。！？、；：) for the pause and sentence rules
downstream; ASCII sentence punctuation becomes its Chinese form.

Latin words are kept as Latin (iPhone, IPTV, 5G → 五G) for tts.frontend.latin, which
reads each one for every voice; tn/latin.py only rewrites the signs around them.

Never raises: any Unicode string gives a string. Emoji, control and format
characters are dropped; other scripts pass through. No ASCII digit survives.

The rules live in ``tts.frontend.tn``; this module only fixes their order, which
matters: each pass sees the text the earlier ones left, and every pass turns the
digits it claims into characters, so later passes cannot claim them again.
"""

from __future__ import annotations

import re
from typing import Callable

from .tn import codes, dates, latin, quantities, text

Pass = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

_PASSES: tuple[Pass, ...] = (
    *latin.EARLY_PASSES,  # café → cafe, C++
    *codes.PASSES,  # URLs, e-mail, phones, cued codes (尾号1702) before anything splits them
    *latin.PASSES,  # Wi-Fi, COVID-19, report_final.pdf, #话题#: the signs between Latin words
    *dates.DATE_PASSES,  # 2008-08-08 before ranges, 2008.08.08 before versions
    *codes.DOTTED_PASSES,  # 127.0.0.1
    *quantities.MATH_AND_SCORE_PASSES,  # 9-6=3, 中国1-2, 比分17:16 before times, fractions, ranges
    *dates.TIME_PASSES,
    *quantities.PASSES,  # money, percentages, units, fractions, ranges
    *codes.LATE_PASSES,  # leftover 110, 0421, 27930122: codes, not quantities
    *quantities.NUMBER_PASSES,  # every digit left
)


def normalize(text_in: str) -> str:
    """The spoken form of `text_in`, in Chinese characters and punctuation."""
    spoken = text.prepare(text_in)
    for pattern, rewrite in _PASSES:
        spoken = pattern.sub(rewrite, spoken)
    return text.finish(spoken)
