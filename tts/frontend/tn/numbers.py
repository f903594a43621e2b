"""How Mandarin reads a string of ASCII digits: as a quantity, or digit by digit."""

from __future__ import annotations

import re

DIGITS = "零一二三四五六七八九"
_PHONE_DIGITS = str.maketrans("0123456789", "零幺二三四五六七八九")
_PLAIN_DIGITS = str.maketrans("0123456789", DIGITS)
_GROUP_UNITS = ("", "万", "亿", "万亿")
_PLACES = ((1000, "千"), (100, "百"), (10, "十"), (1, ""))
_LEADING_TWO = re.compile(r"^二(?=[百千万亿])")
_NON_DIGIT = re.compile(r"[^0-9]")


def read_digits(digits: str, phone: bool = False) -> str:
    """One character per digit (codes, years, phone numbers); 1 is 幺 on the phone."""
    return _NON_DIGIT.sub("", digits).translate(_PHONE_DIGITS if phone else _PLAIN_DIGITS)


def _read_group(value: int) -> str:
    """A 1..9999 group with 零 for inner gaps (1001 → 一千零一)."""
    out, gap = [], False
    for size, unit in _PLACES:
        digit = value // size % 10
        if digit == 0:
            gap = bool(out)
            continue
        if gap:
            out.append("零")
        out.append(DIGITS[digit] + unit)
        gap = False
    return "".join(out)


def read_integer(digits: str, liang: bool = True) -> str:
    """Cardinal reading of a digit string, grouped by 万 and 亿.

    A leading 1 before 十 is dropped (十五, 十万) and, with `liang`, a leading 2 before
    百/千/万/亿 is read 两 (两百, 两万), the conventions of spoken Mandarin.
    Numbers too long for 万亿 are read digit by digit.
    """
    digits = digits.lstrip("0")
    if not digits:
        return "零"
    if len(digits) > 16:
        return read_digits(digits)
    groups = [int(digits[max(i - 4, 0):i]) for i in range(len(digits), 0, -4)][::-1]
    out, pending_zero = [], False
    for position, value in enumerate(groups):
        unit = _GROUP_UNITS[len(groups) - 1 - position]
        if value == 0:
            pending_zero = bool(out)
            continue
        if out and (pending_zero or value < 1000):
            out.append("零")
        out.append(_read_group(value) + unit)
        pending_zero = False
    text = "".join(out)
    if text.startswith("一十"):
        text = text[1:]
    return _LEADING_TWO.sub("两", text) if liang else text


def read_number(number: str, liang: bool = True, drop_zero_cents: bool = False) -> str:
    """A signed decimal such as -1,234.50: 负一千二百三十四点五零.

    `drop_zero_cents` drops trailing zeros of the fraction, as amounts of money are read
    (36.00元 → 三十六元, 12.50元 → 十二点五元).
    """
    sign = "负" if number.startswith("-") else ""
    whole, _, fraction = number.lstrip("+-").replace(",", "").partition(".")
    if drop_zero_cents:
        fraction = fraction.rstrip("0")
    # 两 before 百/千 in a decimal too (286.5亿 两百八十六点五亿); a lone 2 before the point stays 二 (二点五).
    spoken = read_integer(whole, liang=liang and (not fraction or len(whole) >= 3)) if whole else "零"
    return sign + spoken + ("点" + read_digits(fraction) if fraction else "")
