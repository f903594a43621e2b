"""What the user controls: an SSML subset, and inline pinyin in plain text.

Both become a list of Segments. SSML is recognised by a leading `<speak` or `<?xml`; it is parsed
with defusedxml (no entity expansion, no external entities) within limits on size, depth
and element count, and any mistake is an InvalidMarkup naming the problem, never a 500.

Supported SSML: <speak>, <p>, <s>, <break time="500ms|1.5s" strength="..."/>,
<phoneme alphabet="pinyin" ph="hang2">行</phoneme>, <say-as interpret-as="digits|
telephone|cardinal|date">, <prosody rate="slow|fast|120%|1.2">, <sub alias="...">.
Inline pinyin in plain text: 银行{yin2 hang2} gives the characters just before the
braces these readings (one syllable per character).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from tts.errors import InvalidMarkup, shown
from tts.frontend.syllables import is_syllable
from tts.frontend.tn.numbers import read_digits, read_number

MAX_DEPTH = 16
MAX_ELEMENTS = 2000
MAX_BREAK_MS = 10_000
_WORD = re.compile(r"([a-zü]+)([0-9])")
_INLINE = re.compile(r"\{([a-zü0-9 ]+)\}")
_HANZI = re.compile(r"[\u3400-\u9fff]")
_TIME = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)$")
_STRENGTH_MS = {"none": 0, "x-weak": 100, "weak": 200, "medium": 400, "strong": 700, "x-strong": 1200}
_RATE_WORDS = {"x-slow": 0.5, "slow": 0.75, "medium": 1.0, "default": 1.0, "fast": 1.3, "x-fast": 1.7}
_RATE_RANGE = (0.25, 4.0)      # of one <prosody rate>, and of the rate nested ones make together
_PARAGRAPH_MS = 600


@dataclass(frozen=True)
class Segment:
    """A run of text read one way.

    pinyin: fixed readings, one per character of text (phoneme, inline pinyin), or None.
    normalized: the text is already the spoken form (say-as output): skip normalization.
    pause_ms: silence after this segment (a break), which also ends the phrase.
    """

    text: str
    pinyin: tuple[str, ...] | None = None
    normalized: bool = False
    rate: float = 1.0
    pause_ms: int = 0


def is_ssml(text: str) -> bool:
    return text.lstrip().startswith(("<speak", "<?xml"))


def parse(text: str) -> list[Segment]:
    if is_ssml(text):
        return parse_ssml(text)
    return parse_plain(text)


def parse_plain(text: str) -> list[Segment]:
    """Plain text; `字{zi4}` overrides the readings of the characters before the braces."""
    segments: list[Segment] = []
    position = 0
    for match in _INLINE.finditer(text):
        syllables = tuple(match.group(1).split())
        if not _meant_as_readings(syllables):
            continue
        syllables = _readings(syllables, f"{{{match.group(1)}}}")
        before = text[position:match.start()]
        chars = [m.start() for m in _HANZI.finditer(before)]
        if len(chars) < len(syllables):
            raise InvalidMarkup(f"'{{{match.group(1)}}}' needs {len(syllables)} Chinese characters before it",
                               field="text")
        cut = chars[-len(syllables)]
        fixed = before[cut:]
        if len(_HANZI.findall(fixed)) != len(fixed):
            raise InvalidMarkup(f"{shown(fixed + match.group(0))}: inline pinyin must follow the characters directly",
                               field="text")
        segments += [Segment(before[:cut]), Segment(fixed, syllables)]
        position = match.end()
    segments.append(Segment(text[position:]))
    return [s for s in segments if s.text]


def _meant_as_readings(words: tuple[str, ...]) -> bool:
    """Braces of letters-and-a-digit words are readings; a tone out of 1-5 counts as a mistake
    (refused, not read aloud) only after a syllable's letters (`{hang9}`), so `{ipv6}`, `{v8}` stay text."""
    for word in words:
        match = _WORD.fullmatch(word)
        if not match:
            return False
        letters, tone = match.groups()
        if tone not in "12345" and not is_syllable(letters.replace("ü", "v") + "1"):
            return False
    return bool(words)


def _readings(syllables: tuple[str, ...], where: str) -> tuple[str, ...]:
    """User readings, ü written v, each a syllable every engine can say (else InvalidMarkup)."""
    readings = tuple(s.replace("ü", "v") for s in syllables)
    for syllable in readings:
        if not is_syllable(syllable):
            raise InvalidMarkup(f"{where}: {shown(syllable)} is not a Mandarin pinyin syllable "
                               "(letters, then the tone 1-5; ü written v: lv4)", field="text")
    return readings


def parse_ssml(markup: str) -> list[Segment]:
    try:
        root = ElementTree.fromstring(markup)
    except DefusedXmlException:
        raise InvalidMarkup("SSML with entity declarations or external references is not accepted", field="text") from None
    except ElementTree.ParseError as error:
        raise InvalidMarkup(f"SSML is not well-formed: {error}", field="text") from None
    if _local(root.tag) != "speak":
        raise InvalidMarkup("SSML must have <speak> as its root", field="text")
    if sum(1 for _ in root.iter()) > MAX_ELEMENTS:
        raise InvalidMarkup(f"SSML has more than {MAX_ELEMENTS} elements", field="text")
    segments: list[Segment] = []
    _walk(root, 1.0, 1, segments)
    return [s for s in segments if s.text or s.pause_ms]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _walk(element: Element, rate: float, depth: int, out: list[Segment]) -> None:
    """Append the segments of `element`'s content, then of its tail is the caller's job."""
    if depth > MAX_DEPTH:
        raise InvalidMarkup(f"SSML is nested deeper than {MAX_DEPTH} levels", field="text")
    if element.text:
        out.append(Segment(element.text, rate=rate))
    for child in element:
        _element(child, rate, depth + 1, out)
        if child.tail:
            out.append(Segment(child.tail, rate=rate))


def _element(element: Element, rate: float, depth: int, out: list[Segment]) -> None:
    tag = _local(element.tag)
    if tag == "break":
        out.append(Segment("", rate=rate, pause_ms=_break_ms(element)))
    elif tag == "phoneme":
        out.append(_phoneme(element, rate))
    elif tag == "say-as":
        out.append(Segment(_say_as(element), normalized=True, rate=rate))
    elif tag == "sub":
        alias = element.get("alias")
        if alias is None:
            raise InvalidMarkup("<sub> needs an alias attribute", field="text")
        out.append(Segment(alias, rate=rate))
    elif tag == "prosody":   # nested rates multiply, within the same range as one
        low, high = _RATE_RANGE
        _walk(element, min(high, max(low, rate * _rate(element.get("rate", "medium")))), depth, out)
    elif tag in ("p", "s", "speak"):
        _walk(element, rate, depth, out)
        out.append(Segment("", rate=rate, pause_ms=_PARAGRAPH_MS if tag == "p" else 0))
    else:
        raise InvalidMarkup(f"SSML element <{tag}> is not supported", field="text")


def _break_ms(element: Element) -> int:
    time = element.get("time")
    if time is None:
        strength = element.get("strength", "medium")
        if strength not in _STRENGTH_MS:
            raise InvalidMarkup(f"<break strength={shown(strength)}> is not one of {', '.join(_STRENGTH_MS)}",
                               field="text")
        return _STRENGTH_MS[strength]
    match = _TIME.match(time.strip())
    if not match:
        raise InvalidMarkup(f"<break time={shown(time)}> must look like 500ms or 1.5s", field="text")
    value = float(match.group(1)) * (1 if match.group(2) == "ms" else 1000)
    if value > MAX_BREAK_MS:
        raise InvalidMarkup(f"<break> is limited to {MAX_BREAK_MS} ms", field="text")
    return int(value)


def _phoneme(element: Element, rate: float) -> Segment:
    alphabet, ph, text = element.get("alphabet", "pinyin"), element.get("ph", ""), element.text or ""
    if alphabet != "pinyin":
        raise InvalidMarkup(f"<phoneme alphabet={shown(alphabet)}>: only pinyin is supported", field="text")
    syllables = tuple(ph.lower().replace("u:", "v").split())
    if not syllables or not all(_WORD.fullmatch(s) for s in syllables):
        raise InvalidMarkup(f"<phoneme ph={shown(ph)}> must be tone-numbered pinyin such as hang2", field="text")
    syllables = _readings(syllables, f"<phoneme ph={shown(ph)}>")
    if len(syllables) != len(text) or not all(_HANZI.match(c) for c in text):
        raise InvalidMarkup(f"<phoneme ph={shown(ph)}> needs one syllable per Chinese character of {shown(text)}",
                           field="text")
    return Segment(text, syllables, rate=rate)


def _say_as(element: Element) -> str:
    kind, text = element.get("interpret-as", ""), (element.text or "").strip()
    digits = re.sub(r"[\s\-]", "", text)
    if kind in ("digits", "characters", "telephone"):
        if not digits.isdigit():
            raise InvalidMarkup(f"<say-as interpret-as={shown(kind)}> takes digits; got {shown(text)}", field="text")
        return read_digits(digits, phone=kind == "telephone")
    if kind in ("cardinal", "number"):
        if not re.fullmatch(r"-?\d+(\.\d+)?", digits):
            raise InvalidMarkup(f"<say-as interpret-as={shown(kind)}> takes a number; got {shown(text)}", field="text")
        return ("负" if digits.startswith("-") else "") + read_number(digits.lstrip("-"))
    if kind == "date":
        from tts.frontend.normalize import normalize
        return normalize(text)
    raise InvalidMarkup(f"<say-as interpret-as={shown(kind)}> is not supported (digits, telephone, cardinal, date)",
                       field="text")


def _rate(value: str) -> float:
    value = value.strip()
    if value in _RATE_WORDS:
        rate = _RATE_WORDS[value]
    else:
        match = re.fullmatch(r"(\d+(?:\.\d+)?)(%?)", value)
        if not match:
            raise InvalidMarkup(f"<prosody rate={shown(value)}> must be a word (slow, fast, ...), a percentage "
                               "or a number", field="text")
        rate = float(match.group(1)) / (100 if match.group(2) else 1)
    if not _RATE_RANGE[0] <= rate <= _RATE_RANGE[1]:
        raise InvalidMarkup(f"<prosody rate={shown(value)}> must be between 25% and 400%", field="text")
    return rate
