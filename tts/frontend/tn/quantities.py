"""Amounts: scores, money, percentages, units, maths, fractions, ranges and plain numbers.

Most passes only rewrite the symbols around the digits into words (¥5 → 5元,
3/4 → 4分之3, 3-5 → 3到5); the last pass reads every number left, looking at the
word after it, so 两 and money rules live in one place.
"""

from __future__ import annotations

import re

from .context import after_latin, is_ordinal, looks_like_score, measure_follows, money_follows, quantity_follows
from .numbers import read_digits, read_number
from .vocab import (
    CURRENCY_CODES, CURRENCY_SIGNS, LATIN_UNITS, LIANG_MEASURES, MEASURES, SHORT_LATIN_UNITS, TEMPERATURE_UNITS,
    alternation,
)

# Numbers start only where no digit precedes: besides being right, this keeps every
# pass linear on long digit runs (no retry from each digit of the run).
_NUM = r"(?<![0-9.,])[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?"
_SIGN = r"(?:(?<![0-9A-Za-z)])(-))?"
_STOP = r"(?![0-9]|\.[0-9])"

_PAIR = re.compile(r"(?<![0-9.])(?<![0-9][:/-])([0-9]{1,3}) ?([:/\-]) ?([0-9]{1,3})(?![0-9]|[.:/-][0-9])")
_MONEY_BEFORE = re.compile(
    rf"{_SIGN}(?:({alternation(CURRENCY_SIGNS)})|(?<![A-Za-z])({alternation(CURRENCY_CODES)}))\s?({_NUM})"
    r"\s?(万亿|千万|百万|万|亿)?"
)
_MONEY_AFTER = re.compile(rf"({_NUM})\s?(万|亿)?\s?({alternation(CURRENCY_CODES)})(?![A-Za-z])")
_PERCENT_SPAN = re.compile(rf"{_SIGN}({_NUM})\s?%?\s?[-~到至]\s?(-)?({_NUM})\s?%")
_PERCENT = re.compile(rf"{_SIGN}({_NUM})\s?([%‰])")
_UNIT = re.compile(
    rf"(?:{_SIGN}(?<![0-9.])({_NUM}) ?[-~] ?)?{_SIGN}({_NUM})( ?)({alternation(LATIN_UNITS)})"
    rf"(?:/({alternation(LATIN_UNITS)}))?(?![A-Za-z])"
)
# 元/斤, 次/分, 微克/立方米: a slash after a Chinese word and before a unit is 每
_PER = re.compile(
    rf"(?<=[\u4e00-\u9fff])/(?:({alternation(LATIN_UNITS)})(?![A-Za-z])"
    rf"|(?={alternation(MEASURES + ('月',))}))"
)
_OPERATORS = {"+": "加", "-": "减", "*": "乘", "×": "乘", "÷": "除以", "/": "除以", "=": "等于", "==": "等于",
              "<": "小于", ">": "大于", "<=": "小于等于", ">=": "大于等于", "≤": "小于等于", "≥": "大于等于",
              "!=": "不等于", "≠": "不等于", "≈": "约等于", "^": "的"}
# An operand: a number (2x: with one variable letter, not 90m² a unit), a bracketed negative number, or a single letter.
_OPERAND = (r"(?:(?<![0-9.])-?[0-9]+(?:\.[0-9]+)?(?:[A-Za-z](?![A-Za-z]| ?\^))?|\( ?-[0-9]+(?:\.[0-9]+)? ?\)"
            r"|(?<![A-Za-z0-9])[A-Za-z](?![A-Za-z]))")
_OPERATOR = alternation(_OPERATORS)
_MATH = re.compile(rf"{_OPERAND}(?: ?(?:{_OPERATOR}) ?{_OPERAND})+{_STOP}")
# 7x24小时, 3x4: a Latin x between two numbers is a times sign (not 0x1F, a hexadecimal number).
_LETTER_TIMES = re.compile(r"(?<![A-Za-z0-9.])(?!0[xX])([0-9]+) ?[xX] ?(?=[0-9])")
_MATH_TOKEN = re.compile(rf"({_OPERATOR})|(.)", re.DOTALL)
# A comparison sign before a number with no operand on its left (温度≤30度, 年龄>=18岁).
_COMPARISON = re.compile(r"(>=|<=|!=|[≥≤≠≈<>=]) ?(?=-?[0-9])")
_PLAIN_OPERATORS = frozenset("-/")
_POWER = re.compile(r"\^(-?[0-9]+)")
# x², mc²: a letter squared or cubed is read 的平方 / 的立方 (a number keeps 二的十次方).
_LETTER_POWER = re.compile(r"(?<![0-9A-Za-z])(?<![0-9] )([A-Za-z]+)\^([23])(?![0-9])")   # not 120m² (a unit)
# E=mc: an equals sign between Latin names (after the single-letter equations of _MATH).
_LATIN_EQUALS = re.compile(r"(?<=[A-Za-z0-9]) ?= ?(?=[A-Za-z])")
# 1:3:5, three or more parts that are no clock time (12:30:45 is): a ratio, each colon 比.
_RATIO_CHAIN = re.compile(r"(?<![0-9.:])[0-9]{1,3}(?: ?: ?[0-9]{1,3}){2,}(?![0-9]|[.:][0-9])")
# 血压130/85: systolic and diastolic pressure, two readings, not a fraction.
_BLOOD_PRESSURE = re.compile(r"(?<=血压)([是为:：]?\s?)([0-9]{2,3}) ?/ ?([0-9]{2,3})(?![0-9])")
# 视频时长3:45, 用时2:05:30: after a word for a duration, m:ss (h:mm:ss) is a length of time, not a clock time.
_DURATION = re.compile(
    r"(时长|用时|耗时|片长|计时)([为是:：]?\s?)([0-9]{1,2})[:：]([0-5][0-9])(?:[:：]([0-5][0-9]))?(?![0-9]|[:：][0-9])"
)
# A multiplication sign the equations and sizes left (120cm×60cm: between quantities once units are words),
# before a number that is still digits at this pass; 李宁×故宫 (a co-branding) is left alone.
_TIMES_LEFT = re.compile(r" ?× ?(?=[0-9])")
# School grades: A+, B- (C++ was read before).
_GRADE = re.compile(r"(?<![A-Za-z])([A-F])([+-])(?![A-Za-z0-9+\-])")
# 9秒58, 47秒65: hundredths after the seconds of a race time are read digit by digit (九秒五八);
# so are the centimetres of a height after one or two metres (1米75 一米七五, 2米05 两米零五).
_HUNDREDTHS = re.compile(r"(?:(?<=[0-9]秒)|(?<=[12]米)(?<![0-9.][12]米))([0-9]{2})(?![0-9.])")
# A flat's layout (2室1厅1卫, 3室2厅): rooms counted, so a 2 is 两 (两室一厅).
_LAYOUT_TWO = re.compile(r"(?<![0-9.第])2(?=[室厅][0-9][厅卫])|(?<=[0-9][室厅])2(?=[厅卫])")
_FRACTION = re.compile(rf"{_SIGN}(?<![0-9./])([0-9]+) ?[/⁄] ?([0-9]+){_STOP}(?!/)")
_SPAN = re.compile(rf"(?<![0-9.])({_NUM})((?:{alternation(LIANG_MEASURES)})?) ?[-–—~] ?({_NUM}){_STOP}")
# -20℃~-10℃, once units are words: 零下20度~零下10度
_TILDE_SPAN = re.compile(rf"(?<=[0-9])((?:{alternation(MEASURES)})?) ?~ ?(?=(?:零下|-)?[0-9])")
# 1st, No.3: English ordinals become 第, which also keeps 2 from being 两.
_ENGLISH_ORDINAL = re.compile(r"(?<![0-9.])([0-9]+)(?:st|nd|rd|th)(?![A-Za-z])|(?<![A-Za-z])N[oO]\. ?([0-9]+)")
_ANY_DIGITS = re.compile(r"[0-9]+")
_PLUS_MINUS = re.compile(r"±(?= ?(?:[0-9]|百分之|千分之))")
# A plus sign with no operand on its left is the sign of the number: +3℃ 零上三度, +2.5% 正百分之二点五.
_PLUS_TEMPERATURE = re.compile(rf"(?<![0-9A-Za-z)])\+ ?(?=[0-9.]+ ?(?:{alternation(TEMPERATURE_UNITS)}))")
_PLUS_SIGN = re.compile(r"(?<![0-9A-Za-z)\]+])\+ ?(?=[0-9]|百分之|千分之)")
_PLUS_AFTER_NUMBER = re.compile(r"(?<=[0-9万千百亿])\+(?=[\u4e00-\u9fff]|$|[^0-9A-Za-z(])")
_PLUS_BETWEEN_WORDS = re.compile(r"(?<=[\u4e00-\u9fff])\+(?=[\u4e00-\u9fff0-9])")
_NUMBER = re.compile(rf"{_SIGN}((?<![0-9.])[0-9]+(?:,[0-9]{{3}})*(?:\.[0-9]+)?|(?<![0-9A-Za-z.])\.[0-9]+){_STOP}")


def _pair(m: re.Match[str]) -> str:
    """1-2 after a team is a score; 3:1 that is no clock time is a ratio; both read 比.

    So is a descending pair such as 2-0 that counts nothing: ranges go upwards.
    """
    first, sign, second = m.groups()
    ratio = sign == ":" and (len(second) != 2 or int(first) > 24)
    descending = sign == "-" and int(second) < int(first) and not quantity_follows(m.string, m.end())
    if ratio or descending or looks_like_score(m.string, m.start(), m.end()):
        return f"{first}比{second}"
    return m.group()


# Words that start with 元 after a price (¥99元旦特价, ¥199元宵节): the price still needs its 元.
_WORDS_OF_YUAN = ("元旦", "元宵", "元素", "元气", "元月", "元老")


def _money_before(m: re.Match[str]) -> str:
    """¥12.50 → 12.50元, A$13.5 → 13.5澳元, CNY 1.25 → 1.25人民币 (the digits are read later);
    ¥1,000元, $100美元 keep the one word they have."""
    minus, symbol, code, amount, multiplier = m.groups()
    word = CURRENCY_SIGNS[symbol] if symbol else CURRENCY_CODES[code]
    written = m.string.startswith((word, "块") if word == "元" else word, m.end())
    if written and not m.string.startswith(_WORDS_OF_YUAN, m.end()):   # ¥1,000元: the word is written already; ¥99元旦特价 not
        word = ""
    return f"{minus or ''}{amount}{multiplier or ''}{word}"


def _percent(minus: str | None, amount: str, sign: str = "%") -> str:
    """百分之三十, 负百分之五; ‰ is 千分之."""
    return ("负" if minus else "") + ("百分之" if sign == "%" else "千分之") + amount


def _unit(m: re.Match[str]) -> str:
    """Spell a unit after its number: 10km/h → 每小时10公里, -10°C → 零下10度; a range
    before it shares it (0-100km/h → 每小时0到100公里), a temperature's below-zero sign too
    (-5~3℃ → 零下5度到3度)."""
    low_minus, low, minus, amount, space, unit, per = m.groups()
    short = unit in SHORT_LATIN_UNITS
    if short and (space or after_latin(m.string, m.start(4))):
        return m.group()
    word = LATIN_UNITS[unit]
    temperature = unit in TEMPERATURE_UNITS
    sign = ("零下" if temperature else "-") if minus else ""
    if low and low_minus:
        low = f"零下{low}{word}" if temperature else f"-{low}"   # 零下5度到3度, as a speaker repeats the unit
    quantity = f"{low}到{sign}{amount}{word}" if low else f"{sign}{amount}{word}"
    return f"每{LATIN_UNITS[per]}{quantity}" if per else quantity


def _letter_power(m: re.Match[str]) -> str:
    """a² → a的平方, x³ → x的立方."""
    return m.group(1) + ("的平方" if m.group(2) == "2" else "的立方")


def _math(m: re.Match[str]) -> str:
    """1+2=3 → 1加2等于3; a lone 3-5 or 3/4 is left to the range and fraction rules.

    A minus where an operand is due (at the start, after an operator or an opening
    bracket) is the sign of a number: 3-5=-2 → 3减5等于负2, 5-(-3)=8 → 5减负3等于8; the
    brackets around a signed number are not read.
    """
    expression = m.group()
    operators = {op for op, _ in _MATH_TOKEN.findall(expression) if op}
    if operators <= _PLAIN_OPERATORS:
        return expression
    spoken, operand_due = [], True
    expression = _LETTER_POWER.sub(_letter_power, expression)
    for operator, other in _MATH_TOKEN.findall(_POWER.sub(lambda p: f"^{p.group(1)}次方", expression)):
        if operator:
            spoken.append("负" if operator == "-" and operand_due else _OPERATORS[operator])
            operand_due = True
        elif other not in " ()":
            spoken.append(other)
            operand_due = False
    return "".join(spoken)


def _ratio_chain(m: re.Match[str]) -> str:
    """1:3:5 → 1比3比5; a time (two-digit minutes and seconds, hours up to 24) is left to the time rules."""
    parts = [part.strip() for part in m.group().split(":")]
    clock = len(parts) == 3 and int(parts[0]) <= 24 and all(len(p) == 2 and int(p) < 60 for p in parts[1:])
    return m.group() if clock else "比".join(parts)


def _duration(m: re.Match[str]) -> str:
    """时长3:45 → 时长3分45秒; 用时2:05:30 → 用时2小时05分30秒 (the zero is read 零 later)."""
    cue, glue, first, second, third = m.groups()
    return f"{cue}{glue}{first}小时{second}分{third}秒" if third else f"{cue}{glue}{first}分{second}秒"


def _hundredths(m: re.Match[str]) -> str:
    """The two digits after 秒 or a height's 米 unless they count something (9秒58, 1米75; but 1秒10米);
    a height's final 0 is not said (1米80: 一米八)."""
    if quantity_follows(m.string, m.end()):
        return m.group()
    height = m.string[m.start() - 1] == "米" and m.group() != "00"
    return read_digits(m.group().rstrip("0") if height else m.group())


def _number(m: re.Match[str]) -> str:
    """Read one number, choosing by the words around it.

    第2 → 第二; 2个 → 两个; 36.00元 → 三十六元; RTX3090 → 三零九零 (long model numbers
    glued to Latin letters are read digit by digit); otherwise a cardinal.
    """
    minus, number = m.groups()
    text, start, end = m.string, m.start(2), m.end()
    sign = "负" if minus else ""
    glued_to_latin = after_latin(text, start) or text[end:end + 1].isalpha() and text[end:end + 1].isascii()
    if glued_to_latin and number.isdigit() and len(number) >= 3:
        return sign + read_digits(number)
    ordinal = is_ordinal(text, start)
    if number == "2" and not sign and not ordinal and measure_follows(text, end):
        return "两"
    return sign + read_number(number, liang=not ordinal, drop_zero_cents=money_follows(text, end))


# Equations first, so the minus in 9-6=3 is not taken for a score or a range.
MATH_AND_SCORE_PASSES = (
    (_LETTER_TIMES, lambda m: f"{m.group(1)}×"),
    (_MATH, _math),
    (_LETTER_POWER, _letter_power),
    (_LATIN_EQUALS, lambda m: "等于"),
    (_COMPARISON, lambda m: _OPERATORS[m.group(1)]),
    (_DURATION, _duration),
    (_GRADE, lambda m: m.group(1) + ("加" if m.group(2) == "+" else "减")),
    (_BLOOD_PRESSURE, lambda m: f"{m.group(1)}{m.group(2)}，{m.group(3)}"),
    (_RATIO_CHAIN, _ratio_chain),
    (_PAIR, _pair),
)
PASSES = (
    (_PLUS_TEMPERATURE, lambda m: "零上"),
    (_MONEY_BEFORE, _money_before),
    (_MONEY_AFTER, lambda m: f"{m.group(1)}{m.group(2) or ''}{CURRENCY_CODES[m.group(3)]}"),
    (_PERCENT_SPAN, lambda m: _percent(m.group(1), m.group(2)) + "到" + _percent(m.group(3), m.group(4))),
    (_PERCENT, lambda m: _percent(*m.groups())),
    (_UNIT, _unit),
    (_PER, lambda m: "每" + (LATIN_UNITS[m.group(1)] if m.group(1) else "")),
    (_FRACTION, lambda m: f"{'负' if m.group(1) else ''}{m.group(3)}分之{m.group(2)}"),
    (_TILDE_SPAN, lambda m: f"{m.group(1)}到"),
    (_SPAN, lambda m: f"{m.group(1)}{m.group(2)}到{m.group(3)}"),
    (_ENGLISH_ORDINAL, lambda m: f"第{m.group(1) or m.group(2)}"),
    (_PLUS_MINUS, lambda m: "正负"),
    (_PLUS_SIGN, lambda m: "正"),
    (_PLUS_AFTER_NUMBER, lambda m: "多"),  # 10+人 is 十多人
    (_PLUS_BETWEEN_WORDS, lambda m: "加"),
    (_TIMES_LEFT, lambda m: "乘"),
    (_LAYOUT_TWO, lambda m: "两"),
)
NUMBER_PASSES = (
    (_HUNDREDTHS, _hundredths),
    (_POWER, lambda m: f"的{m.group(1)}次方"),
    (_NUMBER, _number),
    (_ANY_DIGITS, lambda m: read_digits(m.group())),  # whatever the rules above could not place
)
