"""Digits that name something rather than count it: read one by one.

Phone numbers, ids, hotlines, IP addresses and versions, URLs and e-mail addresses.
Phone-like codes read 1 as 幺, as Mandarin speakers do on the phone.
"""

from __future__ import annotations

import re

from .context import quantity_follows
from .numbers import read_digits
from .vocab import ABBREVIATIONS, CODE_CUES, FAMOUS_CODES, LATIN_UNITS, NAMED_BEFORE, alternation

_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]+[A-Za-z0-9/]")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_DOMAIN = re.compile(
    r"(?<![A-Za-z0-9.@\-])[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.(?:com|cn|net|org|edu|gov|io|ai)(?![A-Za-z0-9])"
)
_URL_SIGNS = {".": "点", "/": "斜杠", "@": "艾特", "-": "杠", "_": "下划线", ":": "冒号", "?": "问号", "=": "等于",
              "&": "和", "#": "井号", "%": "百分号", "+": "加", "~": "波浪号"}
_URL_PART = re.compile(r"[0-9]+|[^A-Za-z0-9]")
_SCHEME = re.compile(r"^https?://")

# 127.0.0.1, v2.10.3: three or more dotted parts.
_DOTTED = re.compile(r"(?<![0-9.])[0-9]+(?:\.[0-9]+){2,}(?![0-9]|\.[0-9])")
# 138-1234-5678, 400-800-8888, 0421-33441122, +86 13501234567, 13501234567.
_PHONE = re.compile(
    r"(?<![0-9])(?:\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])"
    r"|(?<![0-9])[0-9]{3,4}-[0-9]{7,8}(?![0-9])"
    r"|(?<![0-9.])[0-9]{3,4}(?:-[0-9]{3,8}){2,}(?![0-9])"
)
# Not a list of single counts (口令：1、2、1 is a drill count, 一、二、一).
_CUED = re.compile(rf"({alternation(CODE_CUES)})(号?(?:是|为|:|：|\s)*)([0-9][0-9 \-]*[0-9]|[0-9])(?![0-9.]|、[0-9])")
# B2B, O2O, P2P: the 2 is English "to".
_TO = re.compile(r"(?<![A-Za-z0-9])([BCOPGMFASE])2([BCOPGMFASE])(?![A-Za-z0-9])")
_ABBREVIATION = re.compile(rf"(?<![A-Za-z])({alternation(ABBREVIATIONS)})(?![A-Za-z])")
_LEADING_ZERO = re.compile(r"(?<![0-9.,])0[0-9]+(?![0-9]|[.,][0-9])")
_BARE = re.compile(r"(?<![0-9.,])[0-9]{3,}(?![0-9]|[.,][0-9])")
_CODE_LENGTH = 7  # from this many digits, a number that counts nothing is an id
_IN_SCORE = re.compile(r" ?比 ?[0-9]|[0-9] ?比 ?$")
# Numbers that name rather than count, by the word after them: 1208号 (not 第1208号), 302房间;
# three digits or more, since 3号 is a day or a small number read as one.
_NAMED_BY_NEXT = re.compile(rf"(?<![0-9.,第])([0-9]{{3,}})(?= ?(?:{alternation(NAMED_BEFORE)}))")
# 12栋3单元502, B座1203, 宿舍楼312: three or four digits right after a building, entrance or
# block name a room or a flat (unless a measure follows: 楼300多户).
_NAMED_BY_PREVIOUS = re.compile(r"(?:(?<=单元)|(?<=[栋幢座楼]))([0-9]{3,4})(?![0-9.])")
# 1920x1080: the sizes of a picture are read digit by digit (一九二零乘一零八零).
_RESOLUTION = re.compile(r"(?<![0-9.])([0-9]{3,5}) ?[xX×*] ?([0-9]{3,5})(?![0-9]| ?=)")
# 80后, 95后, 00后: people born in a decade, read as its two digits (八零后).
_DECADE_WORD = re.compile(r"(?<![0-9.])([0-9][05])(?=[后後](?![面来边头]))")
# 2018级, 2020届: a class of students named by its year, read as a year (二零一八级); 2000级台阶, 1999级石阶 count steps.
_COHORT = re.compile(r"(?<![0-9.,第])((?:19|20)[0-9]{2})(?=[级届](?![台石阶梯]))")


# A Chinese licence plate (京A·12345, 粤B 8C123, 沪AD12345): a province's one-character name, a letter, then five or six
# letters and digits, read one by one (京A幺二三四五), never as a quantity.
_PLATE = re.compile(r"(?<=[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z])([·・ ]?)([A-Z0-9]{5,6})(?![A-Za-z0-9])")


def _read_plate(match: re.Match[str]) -> str:
    """The plate's letters kept, its digits one by one; unless a quantity follows (京A12345元 is money)."""
    dot, body = match.groups()
    if quantity_follows(match.string, match.end()):
        return match.group()
    return dot + "".join(read_digits(c, phone=True) if c.isdigit() else c for c in body)


# A masked phone or card number (138****5678): the digits on both sides one by one, the stars left.
_MASKED = re.compile(r"(?<![0-9])([0-9]{2,})(\*{2,}|＊{2,})([0-9]{2,})(?![0-9])")
# Model and room codes with a hyphen: i7-13700H, A-305 (a name with a digit, or one capital, then 3+ digits):
# the hyphen is silent and the digits after it are read one by one (i七一三七零零H, A三零五), not a range.
_HYPHEN_CODE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]+[0-9]+|[A-Z])-([0-9]{3,})([A-Za-z]*)(?![A-Za-z0-9]|[-.][0-9])")


def _read_hyphen_code(match: re.Match[str]) -> str:
    """i7-13700H: the name, the digits one by one, the letters after; a unit after the digits
    (iPhone15-128GB, Mate60-512GB) makes them a quantity, left to the unit pass, the hyphen silent."""
    name, digits, letters = match.groups()
    if len(letters) >= 2 and letters in LATIN_UNITS:
        return f"{name} {digits}{letters}"
    return f"{name}{read_digits(digits)}{letters}"


def _read_url(match: re.Match[str]) -> str:
    """Letters kept, digits one by one, signs named (www点baidu点com)."""
    text = _SCHEME.sub("", match.group())
    return _URL_PART.sub(lambda m: read_digits(m.group()) if m.group().isdigit() else _URL_SIGNS.get(m.group(), ""),
                         text)


def _read_dotted(match: re.Match[str]) -> str:
    """IP addresses and versions: each part digit by digit (一二七点零点零点一)."""
    return "点".join(read_digits(part) for part in match.group().split("."))


def _read_cued(match: re.Match[str]) -> str:
    """A code after a cue word such as 尾号 or 编号."""
    cue, glue, digits = match.groups()
    return cue + glue + read_digits(digits, phone=True)


def _read_named(match: re.Match[str]) -> str:
    """A room or flat number after its building, digit by digit, unless it counts something."""
    if quantity_follows(match.string, match.end()):
        return match.group()
    return read_digits(match.group(), phone=True)


def _read_resolution(match: re.Match[str]) -> str:
    """1920x1080 read digit by digit, unless a unit follows (100x100毫米 is a size, counted later)."""
    if quantity_follows(match.string, match.end()):
        return f"{match.group(1)}乘{match.group(2)}"
    return f"{read_digits(match.group(1))}乘{read_digits(match.group(2))}"


def _read_bare(match: re.Match[str]) -> str:
    """Famous numbers (110, 12306) and long non-round digit strings are codes, unless they count
    something or stand in a score (湖人以112比108)."""
    digits = match.group()
    if quantity_follows(match.string, match.end()) or _IN_SCORE.search(match.string[max(match.start() - 2, 0):match.start()]) \
            or _IN_SCORE.match(match.string, match.end()):
        return digits
    if digits in FAMOUS_CODES or (len(digits) >= _CODE_LENGTH and not digits.endswith("000")):
        return read_digits(digits, phone=True)
    return digits


PASSES = (
    (_URL, _read_url),
    (_EMAIL, _read_url),
    (_DOMAIN, _read_url),
    (_TO, lambda m: f"{m.group(1)} to {m.group(2)}"),
    (_PHONE, lambda m: read_digits(m.group(), phone=True)),  # +86 stays, read 八六
    (_MASKED, lambda m: read_digits(m.group(1), phone=True) + m.group(2) + read_digits(m.group(3), phone=True)),
    (_PLATE, _read_plate),
    (_HYPHEN_CODE, _read_hyphen_code),
    (_CUED, _read_cued),  # 门牌号是1203: the cue, 号, then 是/为/a colon
    (_NAMED_BY_NEXT, lambda m: read_digits(m.group(), phone=True)),
    (_NAMED_BY_PREVIOUS, _read_named),
    (_RESOLUTION, _read_resolution),
    (_DECADE_WORD, lambda m: read_digits(m.group())),
    (_COHORT, lambda m: read_digits(m.group())),
)
# After dates, so 2008.08.08 is a date and not a version.
DOTTED_PASSES = ((_DOTTED, _read_dotted),)
# After units and money, so that only digits that count nothing are left.
LATE_PASSES = (
    (_LEADING_ZERO, lambda m: read_digits(m.group(), phone=True)),
    (_BARE, _read_bare),
    (_ABBREVIATION, lambda m: ABBREVIATIONS[m.group()]),
)
