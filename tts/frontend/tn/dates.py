"""Dates and clock times: years digit by digit, months, days and hours as numbers."""

from __future__ import annotations

import re

from .numbers import read_digits, read_integer

_YEAR = r"(?:1[0-9]|20)[0-9]{2}"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_END = r"(?![0-9]|[.:][0-9])"
_AFTER_AMOUNT = r"(?![0-9]|\.[0-9]|\s?(?:%|元|万|亿|美元|块))"

# 2024-03-05, 2024/3/5, 2008.08.08
_YMD = re.compile(rf"(?<![0-9.])({_YEAR})([-/.])({_MONTH})\2({_DAY}){_END}")
# 08-08-2008, 12/25/2024 (month first when it can be a month), 25.12.2024
_DMY = re.compile(rf"(?<![0-9.])([0-9]{{1,2}})([-/.])([0-9]{{1,2}})\2({_YEAR}){_END}")
# 2002/01, 2008-08, 2008.08
_YM = re.compile(rf"(?<![0-9.])({_YEAR})(?:[-/]({_MONTH})|\.(0[1-9]|1[0-2])){_AFTER_AMOUNT}")
# 08-2008, 08.2008, 08/2008
_MY = re.compile(rf"(?<![0-9.])(0[1-9]|1[0-2])[-/.]({_YEAR}){_AFTER_AMOUNT}")
# 08/08, 03-05: zero-padded month/day (an unpadded 3/5 is a fraction, 3-5 a range)
_MD = re.compile(rf"(?<![0-9./-])(0[1-9])[-/]([0-2][0-9]|3[01])(?![0-9./-])"
                 rf"|(?<![0-9./-])({_MONTH})[-/](0[1-9])(?![0-9./-])")
# 2024年, 1990—1995年, 2022-23赛季: years, read digit by digit
_YEARS = re.compile(
    r"(?<![0-9.])([0-9]{4})(?:\s?[-–—~到至]\s?([0-9]{4}|[0-9]{2}))?(?=\s?(?:年|赛季|财年|学年))"
    r"|(?<![0-9.])([0-9]{2})(?:[-~到至]([0-9]{2}))?(?=赛季|年[0-9]{1,2}月)"  # short years: 22-23赛季, 86年8月
)
# A two-digit number before 年 is a year said digit by digit (98年 九八年, 08年 零八年) when
# the text says it is a point in time: a month or season after it (98年冬天, 98年的夏天), an
# event it dates (他98年出生, 08年奥运会), or a preposition of time before it (在98年, 从98年
# 到08年). Otherwise it stays a number of years (有98年的历史, 20年后, 50年代), and so it
# does after words that count years (经过98年, 长达98年), whatever follows.
_SHORT_YEAR = re.compile(r"(?<![0-9.])([0-9]{2})(?=年(?!代|级|龄|纪|轻))")
_YEAR_AFTER = re.compile(
    r"年(?:的)?(?:[春夏秋冬]|初|底|末|至今|年初|年底|年末|上半年|下半年|元旦|春节|国庆|中秋|除夕|那|时|的时候|版|款|生人|生|出生|毕业"
    r"|入学|高考|考上|结婚|退休|去世|加入|成立|创办|开业|上市|发布|推出|参加|入伍|参军|来到|移居|回国|出国|奥运|世界杯|大选|金融危机|洪水|非典)")
_YEAR_BEFORE = re.compile(r"(?:在|于|从|自|到|到了|至|是|直到|截至|早在|那是|回到|生于|始于|建于|成立于)$")
_YEARS_COUNTED = re.compile(r"(?:有|约|近|共|长达|历时|经过|花了|用了|整整|足足|将近|超过|多达|达|这|那|第|每|头|最近|过去|再过|仅|只|已|多)$")


def _short_year(m: re.Match[str]) -> str:
    """九八 for a two-digit year in a time context, else the digits left for the quantity passes."""
    before, after = m.string[: m.start()], m.string[m.end() :]
    if _YEARS_COUNTED.search(before) or not (_YEAR_BEFORE.search(before) or _YEAR_AFTER.match(after)):
        return m.group()
    return read_digits(m.group(1))


# The class of a school year (98级学生, 16级同学, 05届毕业生) is a year too; 10级台风, 第98届 are not.
_CLASS_YEAR = re.compile(r"(?<![0-9.第])([0-9]{2})(?=[级届](?:的)?(?:学生|校友|新生|本科|硕士|博士|研究生|毕业生|学员|同学|新兵|班))")

# 12月20日—12月25日, 12月20日——12月25日 (the Chinese double dash), 3月-5月: a dash between a date and the next is 到.
_DATE_SPAN = re.compile(r"(?<=[0-9][月日号])\s?(?:——|[-–—~])\s?(?=[0-9]{1,2}\s?[月日号])")

# a number before 月/日/号 is a plain number (二月, not 两月)
_DAY_OF = re.compile(r"(?<![0-9.])([0-9]{1,2})(?=\s?(?:月|日|号))")

_CLOCK = r"([01]?[0-9]|2[0-4])[:：]([0-5][0-9])(?:[:：]([0-5][0-9]))?"
_HALF_DAY = r"(?:\s?([ap])\.?m\.?(?![A-Za-z]))?"
_TIME = re.compile(rf"(?<![0-9.])(?<![0-9]:){_CLOCK}{_HALF_DAY}(?:\s?(?:——|[-–—~到至])\s?{_CLOCK}{_HALF_DAY})?(?![0-9]|[:：][0-9])",
                   re.IGNORECASE)
_HALF_DAY_WORDS = {"a": "上午", "p": "下午"}


def _date(year: str | None, month: str | None, day: str | None) -> str:
    """二零二四年三月五日 from whichever parts are known."""
    return (
        (read_digits(year) + "年" if year else "")
        + (read_integer(month, liang=False) + "月" if month else "")
        + (read_integer(day, liang=False) + "日" if day else "")
    )


def _ymd(m: re.Match[str]) -> str:
    """Year, month, day in ISO or dotted order."""
    return _date(m.group(1), m.group(3), m.group(4))


def _dmy(m: re.Match[str]) -> str:
    """Month first when the first part can be a month (US order), else day first."""
    first, second, year = int(m.group(1)), int(m.group(3)), m.group(4)
    month, day = (first, second) if first <= 12 else (second, first)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return m.group()
    return _date(year, str(month), str(day))


def _years(m: re.Match[str]) -> str:
    """Years are read digit by digit, a span of them with 到."""
    first, last = m.group(1) or m.group(3), m.group(2) or m.group(4)
    return read_digits(first) + ("到" + read_digits(last) if last else "")


def _clock(hour: str, minute: str, second: str | None, half_day: str | None) -> str:
    """十四点三十分, 两点零二分, 八点 (no 零分 for a full hour)."""
    spoken = _HALF_DAY_WORDS.get((half_day or "").lower(), "") + ("两" if int(hour) == 2 else read_integer(hour)) + "点"
    if minute != "00" or second:
        spoken += ("零" if minute.startswith("0") else "") + read_integer(minute) + "分"
    if second:
        spoken += ("零" if second.startswith("0") and second != "00" else "") + read_integer(second) + "秒"
    return spoken


def _time(m: re.Match[str]) -> str:
    """A clock time or a span of two (scores were taken by an earlier pass)."""
    spoken = _clock(*m.group(1, 2, 3, 4))
    return spoken + ("到" + _clock(*m.group(5, 6, 7, 8)) if m.group(5) else "")


DATE_PASSES = (
    (_YMD, _ymd),
    (_DMY, _dmy),
    (_YM, lambda m: _date(m.group(1), m.group(2) or m.group(3), None)),
    (_MY, lambda m: _date(m.group(2), m.group(1), None)),
    (_MD, lambda m: _date(None, m.group(1) or m.group(3), m.group(2) or m.group(4))),
    (_YEARS, _years),
    (_SHORT_YEAR, _short_year),
    (_CLASS_YEAR, lambda m: read_digits(m.group(1))),
    (_DATE_SPAN, lambda m: "到"),
    (_DAY_OF, lambda m: read_integer(m.group(), liang=False)),
)
TIME_PASSES = ((_TIME, _time),)
