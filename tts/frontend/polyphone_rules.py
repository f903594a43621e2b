"""Context rules for a few common polyphones the classifier gets wrong in everyday text.

The classifier learnt from Wikipedia prose, where 得 is mostly "obtain" (de2) and 地 mostly
"ground" (di4); in speech-like text they are mostly the structural particles of
"V得Adj" (跑得快) and "Adv地V" (慢慢地走), or the modal 得 "must" (你得去, dei3); verbs
such as 还 "give back" are rare in prose but common in speech; a particle closing a
clause is toneless (好哦！); and for rarer characters one neighbouring character often
settles the sense (藏好 cang2, 拧干 ning2, 铁镐 gao3, 擂台 lei4: _NEIGHBOURS).
The rules use only segmentation, jieba's POS tags and the characters around, and apply
only where the classifier decided (never over a dictionary phrase), except _OVER_DICTIONARY:
a few dictionary words with two senses the next characters settle (头发长长了, 我没收到).

Written from the errors of the development halves of the polyphone dev set and of CPP's
test split (eval.held_out), never from the held-out halves; and from the classes of errors
our held-out sentences showed (tests/frontend/data/README.md), each with counter-examples.
"""

from __future__ import annotations

import re
from typing import Callable

from tts.frontend.lexicon import lexicon

# POS tags (jieba, ICTCLAS style; one fixed tag per dictionary word) of the words around.
_VERBAL = ("v", "a", "b")   # b: jieba tags some emotions so (高兴得跳了起来)
_DESCRIPTIVE = ("a", "b", "d", "i", "l", "v", "z")
_SUBJECT = ("r", "n", "nr", "ns", "nt", "nz")
_PAUSES = set("，。！？；：、,.!?;:")
_NOT_PAUSE = "[^" + re.escape("".join(sorted(_PAUSES))) + "]"   # a regex class: any character inside a clause
_DEGREE = {"很", "太", "更", "最", "挺", "非常", "特别", "比较", "十分", "这么", "那么", "多么", "越来越"}
_PERSONS = {"你", "我", "他", "她", "它", "您", "你们", "我们", "他们", "她们", "人家", "大家"}
# Adverbs before the modal 得 "must" (还得去, 就得走, 这得多少钱, 必须得快一点, 还是得去).
_BEFORE_MUST = {"还", "就", "也", "都", "总", "又", "可", "这", "那", "总得", "那就", "必须", "一定", "还是", "主要"}
# Adverbs before 得 that are also "surely got" before 过 or 第 (你一定得过这种病吧, 他一定得过奖).
_SURELY = {"一定", "还是"}
# Conjunctions that join words rather than clauses: 而得 "and so got" (因战功而得封侯), 和/与.
_JOINING_ONLY = {"而", "和", "与", "及", "或", "并", "跟", "同"}
# How what must be done is done, after "person 得" (你得多穿点, 我得先走): jieba tags these m or t.
_MUST_HOW = {"多", "先", "再", "快", "早点", "好好", "马上", "赶紧", "立刻"}
# Degree complements and adverbs that only follow the particle 得 (卡得不行, 运行得很慢, 忙得要命).
_DEGREE_AFTER_DE = _DEGREE | {"不行", "要命", "要死", "厉害", "不得了", "够呛", "慌", "有点", "有些", "真", "不错"}
# Of those, the ones that also open what a person must have (她得有点耐心, 你得有些准备).
_MUST_SOME = {"有点", "有些"}
# What a person must do that jieba does not tag a verb: a verb tried (X一X, tagged an idiom) or taking care.
_TRIED = re.compile(r"(.)一\1")
_CARE_WORDS = ("小心", "注意", "留神", "当心")
# Verbs whose result complement 着 is zhao2 "reach, succeed" (找着了, 睡着, 猜不着), or "suffer"
# what the verb does (别冻着, 累着了, 吓着孩子了).
_ZHAO_VERBS = set("找睡猜够碰逮见摸冻累吓烫伤")
# Verbs whose 着 is the result "got, managed" only after 没 (也没想着, 没买着, 没借着); elsewhere they
# go on (想着你, 买着玩): durative. Stative verbs stay durative after 没 too (没闲着, 没坐着).
_ZHAO_AFTER_NOT = set("想买借抢赶吃用")
# Results after the verb 调 "adjust" (调大, 调高一点); elsewhere it may be "transfer" (调到).
_TIAO_RESULTS = set("大小高低好快慢亮暗准匀整升降涨")
_GROWN = set("高大胖壮出满齐")   # 长高, 长胖, 长满: results of 长 "grow"
_NUMERALS = set("一二三四五六七八九十百千万两几半")
# Demonstratives and distributives before a measure word (这只, 那种, 每行, 某种).
_DEMONSTRATIVES = set("这那哪每各某")
# What makes 只 and 种 measure words when it stands right before them (三只, 这种).
_BEFORE_MEASURE = _NUMERALS | _DEMONSTRATIVES
_RETURNED = {"了", "钱", "书", "东西", "公道", "清白"}   # 还你钱, 还我一个公道: what 还 "gives back"
# Debts 还 pays back (还房贷, 还信用卡): jieba tags several of them j or nz, and they are two characters long.
_DEBTS = {"房贷", "车贷", "贷款", "借款", "欠款", "网贷", "信用卡", "花呗", "白条", "本金", "利息", "人情", "账", "债"}

# What the written 得 "manage to" (de2) takes: 得免于难, 得见天日, 得享天年, 得以, 得闻.
_MANAGED = set("免见享以闻")

# (word, its POS, previous word, its POS, next word, its POS, the word after the next) → reading or None
Rule = Callable[[str, str, str, str, str, str, str], "str | None"]


def _clause(text: str, i: int) -> str:
    """The part of text[:i] after its last pause: the clause a character at i stands in, so a 把 or 比
    of the previous sentence (他比我小两岁！个子却长了不少) never reaches it."""
    return text[max(text.rfind(p, 0, i) for p in _PAUSES) + 1 : i]


def _closes(text: str, j: int, also: set[str] | str = "") -> bool:
    """Whether the clause ends at text[j] (the text's end or a pause), or text[j] is one of also (a particle)."""
    return j == len(text) or text[j] in _PAUSES or text[j] in also


def _de_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """得 after a verb or adjective (过 "live" included: 过得很快), or before a degree word
    (卡得不行, 运行得很慢) or an adjective that no subject precedes (和得软), is the complement
    particle; after a subject or an adverb such as 还/就 and before what must be done (a verb, an
    adverb, a preposition, a set phrase, an adjective or what jieba tags one: 我们得为此负责,
    得抓紧时间, 你得认真点, 我们得重新商量), or opening a clause before a verb (……，得提前到), "must"
    (你得去, 还得商量); the written 得 "manage to" opening a clause stays (后来，得免于难: de2)."""
    if word != "得" or not prev or nxt.startswith("了"):
        return None
    if prev[-1] in _PAUSES and nxt_pos.startswith(("v", "d", "p")) and nxt[:1] not in _MANAGED:   # ……，得提前两小时到机场
        return "dei3"
    surely_got = prev in _SURELY and nxt[:1] in ("过", "第")   # 你一定得过这种病吧: "got"
    if prev in _BEFORE_MUST and nxt and nxt[0] not in _PAUSES and not surely_got:
        return "dei3"
    if prev in _PERSONS and nxt in _MUST_SOME:   # 她得有点耐心, 你得有些准备: "must have some"
        return "dei3"
    if prev in _PERSONS and (_TRIED.fullmatch(nxt) or nxt.startswith(_CARE_WORDS) and not nxt.startswith("注意力")):
        return "dei3"   # 我得想一想, 你得小心点, 你得注意安全 (jieba: i, n, nz)
    if prev in _PERSONS and nxt_pos == "i":   # 你得从长计议, 我们得全力以赴: an idiom of what to do
        return "dei3"
    joined = prev_pos == "c" and prev not in _JOINING_ONLY   # 所以得小心, 但是得认真准备
    must_do = nxt_pos.startswith(("v", "d", "p", "l"))
    if (joined or prev_pos == "t") and nxt and nxt[0] not in _PAUSES and (must_do or nxt_pos[:1] in ("a", "n", "z")):
        return "dei3"   # 今天得很晚才能回家: a time, then how late (jieba: 很 zg)
    if prev_pos.startswith(_VERBAL) or prev_pos == "ug" or nxt in _DEGREE_AFTER_DE:   # 过 "live": 日子过得很快
        return "de5"
    if nxt_pos.startswith("a") and prev_pos not in _SUBJECT and not prev_pos.startswith(("d", "t")):   # 面要和得软
        return "de5"
    # A person (or a noun) and what must be done; an adjective only after a person (我得快点; 他梦得真切 is
    # "dreamt vividly"), and a name only before a verb (蒋介卿得重建后的盐铺: "got").
    subject = prev_pos in _SUBJECT and (prev_pos != "nr" or nxt_pos.startswith("v"))
    person = prev in _PERSONS or prev_pos == "r"
    if subject and must_do or person and nxt_pos.startswith("a") or prev in _PERSONS and nxt in _MUST_HOW:
        return "dei3"
    return None


def _di_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """地 after a descriptive word (慢慢, 高兴, 认真) and before a verb is the adverbial particle.

    A two-character-or-longer word before it excludes measure words and single verbs
    (一块地, 下地干活); jieba also lists state words ending in it (静静地, tag z).
    """
    if word != "地":
        return "de5" if pos == "z" else None
    descriptive = prev_pos.startswith(_DESCRIPTIVE) or (prev_pos == "m" and not _NUMERALS & set(prev))   # 大声 is "m"
    reduplicated = len(prev) >= 2 and prev[-1] == prev[-2]   # 高高兴兴 (tagged a place name), 静悄悄
    if len(prev) >= 2 and (descriptive or reduplicated) and nxt_pos.startswith(("v", "a", "d")):
        return "de5"
    set_phrase = prev_pos in ("i", "l") and len(prev) >= 4   # 处心积虑地谋划 (jieba tags 谋划 a noun)
    return "de5" if set_phrase and nxt and nxt[0] not in _PAUSES else None


def _zhang_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """长 before the particle 得 or a result of growing is "grow" (长得很高, 长高了, 长出), and so
    before 着 and what has grown (长着一双大眼睛; 路还长着呢 is "long") and before 了 and a weight, an age or
    不少 (宝宝比上个月长了一斤, 长了一岁); after a degree adverb or
    before a number, "long" (很长, 长一点二米)."""
    if word != "长":
        return None
    grown = nxt == "着" and after and after[0] not in _PAUSES and after[0] not in _CLOSING_PARTICLES
    gained = nxt == "了" and (after == "不少" or after[-1:] in ("斤", "岁") and set(after[:-1]) <= _NUMERALS)
    if nxt == "得" or nxt[:1] in _GROWN or grown or gained:   # 长了一斤, 长了一岁, 长了不少: has grown
        return "zhang3"
    return "chang2" if prev in _DEGREE or prev == "多" or nxt[:1] in _NUMERALS else None


def _chang_compared(text: str, i: int, word: str) -> str | None:
    """长 closing a comparison with 比 is "long" (这条路比那条长, 比我的长一些); 比我长得高 grows."""
    clause = _clause(text, i)
    compared = "比" in clause.replace("比赛", "").replace("比较", "").replace("比如", "")
    closes = _closes(text, i + 1, _LONGER_BY)
    return "chang2" if word == "长" and compared and closes else None


_LONGER_BY = set("一些多很点吗呢吧啊")   # not 了: 宝宝比上个月长了一斤 has grown (zhang3)


def _huan_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """还 is "give back" (huan2) with a one-character noun object (还钱), ending a clause
    (按时还), with the aspect particle 了 (把书还了), or with a person it goes back to and
    no verb after (还你钱, 什么时候还我), or a debt (还房贷); elsewhere it is the adverb
    "still" (还你去吧 hai2). 还 after 把 … is the verb too: _huan_disposal.

    Longer nouns are left alone: jieba tags verb-noun words such as 主演 as nouns, and
    the adverb 还 precedes those.
    """
    if word != "还":
        return None
    clause_end = not nxt or nxt[0] in _PAUSES
    to_person = nxt in _PERSONS and (not after or after[0] in _PAUSES or after[0] in _NUMERALS or after in _RETURNED)
    if clause_end or nxt.startswith("了") or to_person or (nxt_pos == "n" and len(nxt) == 1) or nxt in _DEBTS:
        return "huan2"
    return None


# 数 "several" before a round number (数百, 数以万计); the noun "number" after these (这个数, 心里有数, 约数).
_ROUND_AFTER_SEVERAL = set("十百千万亿以")
_BEFORE_NUMBER = set("个这那有的其约")


def _shu_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """数 on its own is the verb "count" (数钱, 数到三, 数他最高); it is the noun "number" after
    a determiner, 有 or what is counted (这个数, 心里有数, 石数) and "several" before a round
    number (数百人)."""
    if word != "数":
        return None
    counted = prev_pos.startswith(("n", "q")) and prev_pos != "nr"   # 从五数到二十 counts: not after m
    if nxt[:1] in _ROUND_AFTER_SEVERAL or prev[-1:] in _BEFORE_NUMBER or counted:
        return "shu4"
    return "shu3"


def _zhao_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """着 after 找, 睡, 猜 … is the result "reached" (找着了, 没找着) when the clause ends or
    turns to 了 right after it or its object; otherwise the durative particle (找着东西走)."""
    verb = word[-2:-1] or prev[-1:]
    if word[-1:] != "着" or verb not in _ZHAO_VERBS:
        return None
    ends = not nxt or nxt[0] in _PAUSES or nxt[0] in "了吗没"
    return "zhao2" if ends or after.startswith("了") else None


def _jiao_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """教 on its own before a person is the verb "teach" (教我们唱歌), not "teaching, religion"."""
    return "jiao1" if word == "教" and nxt in _PERSONS else None


def _ying_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """应 alone before a verb or an adverb is the modal "should" (应追溯, 应早点说), not "respond"."""
    return "ying1" if word == "应" and nxt_pos.startswith(("v", "d")) else None


_SPREAD_AFTER = set("上在下满进入到开成了着过往向散平")
_SPREAD_READINGS = {"撒": "sa3", "铺": "pu1"}


def _spread_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """撒 and 铺 before where they spread things, or an aspect particle, are the verbs
    "sprinkle" (撒上, sa3) and "lay out" (铺在, 铺了, pu1), not 撒谎's sa1 or 店铺's pu4."""
    return _SPREAD_READINGS[word] if word in _SPREAD_READINGS and nxt[:1] in _SPREAD_AFTER else None


def _bian_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """边 after a direction (左边, 西南边, 里边) is the neutral locative suffix, unlike 旁边 or 周边."""
    return "bian5" if len(word) >= 2 and word[-2] in "左右东南西北上下前后里外" and pos in ("f", "s") else None


def _jiang_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """将 ending a clause or before 后/的 is the noun "general" (参将。, 魏将后), not the
    adverb "will" or the object marker, which always lead into a verb phrase."""
    if word == "将" and (not nxt or nxt[0] in _PAUSES or nxt in ("后", "的")):
        return "jiang4"
    return None


def _zhong_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """重 after a degree adverb is "heavy" (很重); before a verb it is "again" (重说, 重写)."""
    if word != "重":
        return None
    if prev in _DEGREE:
        return "zhong4"
    return "chong2" if nxt_pos.startswith("v") else None


def _cha_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """差 alone before an amount is "short of" (还差五分钟, 差一点; 差了五分: _cha_short_by), and after a degree word
    or 变 "poor" (服务太差了, 越来越差, 变差), cha4."""
    poor = prev in _DEGREE or prev[-1:] in _WORSENING
    return "cha4" if word == "差" and (nxt_pos == "m" or nxt[:1] in _NUMERALS or poor) else None


_WORSENING = set("变较越")


_YOUNG_AFTER = set("年儿女帅将校尉爷妇林赛先")
_YOUNG_BEFORE = set("老男女亚青")


def _shao_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """少 as a word of its own is "few, less" (少糖, 少放盐, 少说); shao4 "young" lives in words
    (少年, 少女, 少将, 老少), which the dictionaries read, or before and after what marks youth
    when jieba splits them (亚少赛, 少儿)."""
    young = nxt[:1] in _YOUNG_AFTER or prev[-1:] in _YOUNG_BEFORE
    return "shao3" if word == "少" and not young else None


def _zhi_measure(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """只 after a demonstrative or a number and before a noun is the measure word (这只猫, 三只
    股票), zhi1, and so is the 只 jieba joins to a number (两只, 十几只); the adverb "only" (zhi3)
    stands before verbs."""
    if word[-1:] != "只":
        return None
    counted = len(word) > 1 and set(word[:-1]) <= _NUMERALS   # 两只小猫, 三只小鸟: one word, tagged m
    measured = word == "只" and prev[-1:] in _BEFORE_MEASURE and nxt_pos.startswith("n")   # 这只猫
    return "zhi1" if measured or counted else None


_PLANTED_AFTER = set("了着过下上在出满好完到进")   # 种了, 种下去, 种在
_FIELDS = set("里上中地田园")   # where one plants: 地里种的


def _zhong_plant(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """种 on its own before an aspect or a direction is the verb "plant" (种了几棵树, 种下去,
    种在), zhong4, unless a demonstrative or a number makes it the measure "kind" (这种, 几种).
    Before 的 only after a place, a field or a person (地里种的是玉米, 这块地种的, 他种的菜): 什么种的狗,
    不同种的鸟 are kinds."""
    if word != "种" or prev[-1:] in _BEFORE_MEASURE or prev[-1:] == "多":
        return None
    planted = nxt[:1] in _PLANTED_AFTER or nxt == "的" and (prev[-1:] in _FIELDS or prev in _PERSONS)
    return "zhong4" if planted else None


# What lines hold, as whole nouns (三行字, 两行代码, 一行数据): 一行数十人, 一行代表国家 are a party.
_IN_LINES = ("字", "诗", "代码", "文字", "数据", "泪", "小字", "公式")


def _hang_line(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """行 after an ordinal is a line of text (第五行), hang2, and so after a number before what
    lines hold (三行字, 两行代码)."""
    before = word[:-1] or prev   # jieba keeps 第三行 and 两行 in one word, splits 第五|行
    if word[-1:] != "行" or not before or word == "行" and prev_pos != "m":
        return None
    numerals = set(before.removeprefix("第")) <= _NUMERALS
    ordinal = numerals and before.startswith("第")
    lines_of = numerals and nxt.startswith(_IN_LINES)
    return "hang2" if ordinal or lines_of else None


_SUNK_INTO = set("入顶过")


def _mei_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """没 as a word of its own is the negation mei2 (也没找着); mo4 "sink" lives in words (淹没,
    没收, 出没), except before what sinks into or over (没入水中, 没顶)."""
    return "mei2" if word == "没" and nxt[:1] not in _SUNK_INTO else None


_BEFORE_CAPITAL = set("建定迁故古旧国")   # 建都, 迁都, 故都, 国都
_AFTER_CAPITAL = set("城督尉护市")   # 都城, 都督, 都市


def _dou_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """都 as a word of its own is the adverb "all" (每天都给我们做饭), dou1; the capital du1 lives in
    words (首都, 成都) or after the verbs that found or move one (建都, 迁都) and before 城/督/市."""
    capital = prev[-1:] in _BEFORE_CAPITAL or nxt[:1] in _AFTER_CAPITAL
    return "dou1" if word == "都" and not capital else None


_SETTLED = set("却结断")   # 了却, 了结, 了断


def _liao_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """了 split from 却/结/断 after a subject or an adverb is the verb "settle" (他了却心愿, 终于了结),
    liao3; after a verb it is the particle (吃了却不说)."""
    opens = not prev or prev[-1] in _PAUSES or prev_pos in _SUBJECT or prev_pos.startswith("d")
    return "liao3" if word == "了" and nxt[:1] in _SETTLED and opens else None


def _lv_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str, after: str) -> str | None:
    """率 closing a compound is the suffix "rate" (利润率, 失业率), not "lead" (shuai4)."""
    return "lv4" if len(word) >= 3 else None


# Keyed by the character; each rule sees the word that ends with it and its neighbours.
_RULES: dict[str, Rule] = {
    "得": _de_reading,
    "地": _di_reading,
    "长": _zhang_reading,
    "还": _huan_reading,
    "数": _shu_reading,
    "着": _zhao_reading,
    "教": _jiao_reading,
    "应": _ying_reading,
    "边": _bian_reading,
    "将": _jiang_reading,
    "撒": _spread_reading,
    "铺": _spread_reading,
    "重": _zhong_reading,
    "率": _lv_reading,
    "差": _cha_reading,
    "少": _shao_reading,
    "只": _zhi_measure,
    "种": _zhong_plant,
    "行": _hang_line,
    "没": _mei_reading,
    "了": _liao_reading,
    "都": _dou_reading,
}


# Characters whose reading follows from the characters right beside them, wherever they
# stand in a word: (text, index, the word holding it) → reading or None.
CharRule = Callable[[str, int, str], "str | None"]
# What follows the verb 弄 "make, handle" (nong4): a result (弄清楚, 弄坏), an aspect or
# complement particle (弄了, 弄得, 弄到); its noun sense "lane" (long4) takes none of them.
_NONG_AFTER = set("清懂明坏丢脏乱湿干错好破碎断伤哭醒完糟砸得了着过到成出来去回上下进走掉")
_NONG_BEFORE = set("把被给别要会想能去来")
# What follows 刨 "plane (wood)" (bao4, 刨子, 刨花, 刨平); otherwise it is "dig" (pao2, 刨坑, 刨土).
_BAO_AFTER = set("子床花刀木平光削")
_JIE_AFTER = set("此以由口故着机")   # 藉此, 藉以, 藉由, 藉口 (jie4)
_COUNTED_AFTER = set("着过完清遍")
_CAUGHT = set("凉魔迷火道慌急")   # 着了凉, 着了魔 (zhao2)
_DEGREE_CHARS = set("很太更最挺好真蛮")
_BENEFICIARIES = ("你", "我", "他", "她", "您", "大家", "人民", "祖国")
# Bodies and 这/那 are also what a "V为" names (设置为这个网址, 任命为公司总经理, 译为自己的母语): "for"
# only with a subject or a modal right before 为 (她为国家争光, 我们要为这件事负责) or nothing before it.
_SERVED = ("公司", "国家", "社会", "集体", "孩子", "家人", "父母", "自己", "别人", "客户", "顾客", "群众", "百姓", "这", "那")
# Persons, then modals and adverbs; the persons include nouns by their last character (老师为这件事操心,
# 医生为那个病人): 长 is left out for 增长为, 延长为 "grow, extend to".
_BEFORE_FOR = set("你我他她它您们家人妈爸师生员友姐哥弟妹爷奶士亲夫要该意会能想都也还就愿肯得须别")
# Words ending in 别 that are no "don't" before 为 (分别为A和B: "are respectively", wei2).
_NOT_DONT = ("分别", "区别", "识别", "级别", "类别", "性别", "个别", "告别", "辨别", "鉴别", "差别", "特别")
_TAKING_VERBS = set("选成称作视当认分化改变转被")


def _nong_reading(text: str, i: int, word: str) -> str | None:
    """弄 with a result, a particle or a disposal marker is the verb nong4 (弄清楚, 把它弄干)."""
    after, before = text[i + 1 : i + 2], text[i - 1 : i]
    return "nong4" if after in _NONG_AFTER or before in _NONG_BEFORE else None


def _jie_reading(text: str, i: int, word: str) -> str | None:
    """藉 as "by means of" (藉此, 藉以, 藉由, 藉口) is jie4; ji2 belongs to 狼藉."""
    return "jie4" if text[i + 1 : i + 2] in _JIE_AFTER and text[i - 1 : i] != "狼" else None


def _bao_reading(text: str, i: int, word: str) -> str | None:
    """刨 is the carpenter's plane (bao4) before 子/花/平 ..., elsewhere the verb "dig" (pao2)."""
    return "bao4" if text[i + 1 : i + 2] in _BAO_AFTER else "pao2"


# What 调到 sets (调到快洗模式, 调到静音, 调到三档): a setting a few characters on, in the same clause;
# not a department or an archive (调到档案室, 调到频道部: a transfer).
_SETTING = re.compile(_NOT_PAUSE + r"{0,4}?(?:模式|档(?!案)|挡|频道(?![部组])|静音|震动|状态|格式)")
# 调 "swap, move" before a seat or a post, or a shift (调座位, 调一下座位, 调个班, 调岗): diao4.
_SEATS = re.compile(r"(?:一下|个)?(?:座位|位子|岗|班|休)")


def _tiao_reading(text: str, i: int, word: str) -> str | None:
    """调 with a result right after it, or set to a level or a setting (调到二十六度, 调至最大, 调到快洗模式,
    调成静音), is "adjust" (调大, 调低一点, in one word or two); 调到 a place is "transfer", and so is
    调 after 被 (被调走)."""
    if text[i - 1 : i] == "被" or _SEATS.match(text, i + 1):
        return "diao4"
    to_level = text[i + 1 : i + 2] in ("到", "至") and (text[i + 2 : i + 3] in _NUMERALS or text[i + 2 : i + 3] in ("最", "每"))
    to_setting = text[i + 1 : i + 2] == "成" or text[i + 1 : i + 2] == "到" and _SETTING.match(text, i + 2)
    reduplicated = text[i + 1 : i + 3] in ("一调", "了调")   # 调一调, 调了调: "adjust a little"
    adjusted = to_level or to_setting or reduplicated
    return "tiao2" if text[i + 1 : i + 2] in _TIAO_RESULTS or text[i + 1 : i + 3] == "一下" or adjusted else None


def _shu_verb_reading(text: str, i: int, word: str) -> str | None:
    """数 with an aspect particle or a result after it is the verb "count" (数着日子, 数过, 数清),
    and so is 数 up to a number, however it was segmented (从一数到十, 从五数到二十)."""
    up_to = text[i + 1 : i + 2] == "到" and text[i + 2 : i + 3] in _NUMERALS
    return "shu3" if word[0] == "数" and text[i + 1 : i + 2] in _COUNTED_AFTER or up_to else None


def _zhao_potential(text: str, i: int, word: str) -> str | None:
    """着 in the potential form V不着 is the result "reach" (用不着, 睡不着, 犯不着), and 着 "catch,
    fall into" before 了 and what is caught (着了凉, 着了魔, 着了迷, 着了火)."""
    potential = i >= 2 and text[i - 1] == "不" and "\u4e00" <= text[i - 2] <= "\u9fff"
    caught = text[i + 1 : i + 2] == "了" and text[i + 2 : i + 3] in _CAUGHT
    return "zhao2" if potential or caught else None


def _de_complement(text: str, i: int, word: str) -> str | None:
    """得 between a verb and its result inside one word (说得对, 行得通, 看得见) is de5, and so in
    the potential V得了 (来得了吗, 吃得了这么多)."""
    inside = word and len(word) == 3 and word[1] == "得" and word[0] != "不"
    return "de5" if inside or _potential(text, i) else None


# Verbs whose V得了 is the potential "can V" (来得了吗, 吃得了这么多, 跑得了和尚跑不了庙: de5 liao3),
# not 得 "obtain" with the particle 了 (考得了满分, 赢得了比赛, 拿得了冠军: de2 le5).
_CAN_DO = set("来去吃喝做办管受走跑搬用睡帮住站坐忍顶撑扛养修治")
# What V得了 obtained rather than could do (跑得了第一名, 做得了满分, 拿得了金牌).
_ACHIEVED = set("第满冠金银铜一二三四五六七八九十")


def _potential(text: str, i: int) -> bool:
    """Whether text[i:i + 2] is the 得了 of a potential V得了."""
    achieved = text[i + 2 : i + 3] in _ACHIEVED or text.startswith(("冠军", "奖"), i + 2)   # 跑得了第一名: de2 le5
    return text[i : i + 2] == "得了" and text[i - 1 : i] in _CAN_DO and text[i - 2 : i - 1] != "不" and not achieved


def _liao_potential(text: str, i: int, word: str) -> str | None:
    """了 of a potential V得了 is liao3 "manage" (你来得了吗, 这么多菜吃得了吗)."""
    return "liao3" if _potential(text, i - 1) else None


def _wei_for(text: str, i: int, word: str) -> str | None:
    """为 before a person it serves is the preposition "for" (为你准备, 为人民服务), wei4, and
    before a body or 这/那 after a subject or a modal (他为公司工作, 要为这件事负责), or before
    what one does for them (处处为别人着想); opening its clause, "in order to, for" before a verb or
    what is done for someone (为进一步方便群众, 为乘客提供了方便: _opens_for), and after a word of willing
    "for" (愿意为环保产品多花钱) unless it takes a role (甘愿为奴); unless the clause has the 以 of 以…为
    (以他为榜样: "take as", wei2), a verb took it (选为, 设置为) or it makes a passive with 所 (为大家所熟悉: wei2)."""
    if word != "为":
        return None
    clause = _clause(text, i)
    taken = clause[-1:] in _TAKING_VERBS and not clause.endswith(_NOT_TAKING) or clause.endswith(_TAKING_WORDS)
    if _TAKE_AS.search(clause) or taken or _PASSIVE.match(text, i + 1):
        return None
    if not clause:
        return "wei4" if _opens_for(text, i) else None
    if clause.endswith(_WILLING):
        return None if _acts_as(text, i) else "wei4"
    served = text.startswith(_SERVED, i + 1)
    purpose = _PURPOSE.match(text, i + 1) is not None
    # 他为公司工作, 辛勤工作为家人挣钱, 别为小事计较
    after_subject = clause[-1:] in _BEFORE_FOR and not clause.endswith(_NOT_DONT) or clause.endswith(_NOT_TAKING)
    if not (served or purpose or text.startswith(_BENEFICIARIES, i + 1)):
        doer = after_subject or clause.endswith(_HABITUALLY)   # 要为所有的孩子提供帮助, 他每天为母亲下厨
        return "wei4" if doer and _done_for(text, i) else None
    return None if served and not purpose and not after_subject else "wei4"


def _opens_for(text: str, i: int) -> bool:
    """Whether a 为 opening its clause is "for, in order to": before a person it serves, what one does
    for them, or a verb or an adverb (为你准备, 为纪念他, 为进一步方便群众); not the copula of
    encyclopedic and news text (……，为十字花科植物; ……，为国有独资企业) nor "be, act as" a role (为人父母)."""
    segments = lexicon().cut(text[i + 1 : i + 12])
    nxt, nxt_pos = segments[0] if segments else ("", "")
    if _acts_as(text, i):
        return False
    doing = nxt_pos.startswith(("v", "d")) and nxt not in ("有", "是", "将") or nxt in _PURPOSE_NOUNS
    return text.startswith(_BENEFICIARIES + _OTHERS, i + 1) or doing or _done_for(text, i)


def _done_for(text: str, i: int) -> bool:
    """Whether the clause after 为 names something done for someone or something: a verb of doing for
    (为乘客提供了方便, 为母亲下厨), a purpose (为别人着想), 而 and an effort (为会议成功而努力), or kin and
    what is done for them (为其母丧事大操大办); not after a rank (为国内首家提供云服务的企业: the copula)."""
    done = _DONE_FOR.match(text, i + 1) or _PURPOSE.match(text, i + 1) or _FOR_SAKE.match(text, i + 1)
    kin = _KIN_FOR.match(text, i + 1)
    named = kin and text[:i].endswith(_ROLE_HOLDERS) and not _verb_follows(text, kin.end())
    return bool(done or kin and not named) and not _RANKED.match(text, i + 1)


def _verb_follows(text: str, j: int) -> bool:
    """Whether the clause from text[j] on holds a verb: what is done for the kin named before it (当事人为其儿子辩护),
    not the rest of a noun phrase the copula names (监护人为其父亲的朋友, 继承人为其儿子和女儿)."""
    end = min((k for k in (text.find(p, j) for p in _PAUSES) if k >= 0), default=len(text))
    return any(pos.startswith("v") for _, pos in lexicon().cut(text[j:end]))


def _acts_as(text: str, i: int) -> bool:
    """Whether 为 takes a role, "be, act as" (为人父母, 甘愿为奴, 愿为人妻), not a person it is done for
    (为人们, 愿为父母分忧) nor the future (为将来打下基础)."""
    return text[i + 1 : i + 2] in _ROLES and not (
        text.startswith(_BENEFICIARIES + _OTHERS + ("将来",), i + 1) or _PURPOSE.match(text, i + 1))


_OTHERS = ("人们", "别人", "他人")
# What is done for someone named after 为 (为乘客提供了方便, 为意大利扳平比分, 为将来的建筑打下基础);
# not after a rank (_RANKED).
_DONE_FOR = re.compile(_NOT_PAUSE + r"{1,10}?(?:提供|打下|奠定|创造|带来|扳平|扳回|夺得|赢得|"
                       r"举行|解围|铺平|发挥|培养|起名|报了仇|熬|下厨|引进|进行)")
_RANKED = re.compile(_NOT_PAUSE + r"{0,6}?(?:首|第|唯一|最)")
# How often or how long someone does something for another, right before 为 (他每天为母亲下厨, 一直在为比赛而努力).
_HABITUALLY = ("每天", "一直", "经常", "常常", "总是", "正在", "都在", "也在", "还在", "一直在")
# 为…而 and an effort or a feeling: "for the sake of" (为会议成功而努力, 为理想而奋斗, 为你而骄傲); not 为零而不是一.
_FOR_SAKE = re.compile(_NOT_PAUSE + r"{1,12}?而(?:努力|奋斗|战斗|战|献身|牺牲|拼搏|斗争|忙碌|奔波|操劳|欢呼|干杯|举杯|"
                       r"工作|学习|活|死|歌|哭|流泪|骄傲|自豪|高兴|欣慰|担忧|发愁|烦恼|操心|付出|祈祷)")
# Kin 为 does something for, with more of the clause after them (为母亲下厨, 为其母丧事大操大办); not 其母公司.
_KIN_FOR = re.compile(r"(?:其|他的|她的|自己的|我的|你的)?(?:母亲|父亲|妈妈|爸爸|妻子|丈夫|儿子|女儿|家人|亲人|老人|"
                      r"[其亡][母父妻夫](?![公校体语国港舰本亲系]))(?=" + _NOT_PAUSE + ")(?!所)")
# Who holds a role in legal and news text, before the copula 为 (她的监护人为其父亲的朋友, 继承人为其儿子): wei2
# when no verb follows the kin (当事人为其儿子辩护 is "for": wei4).
_ROLE_HOLDERS = ("监护人", "继承人", "所有人", "主人", "负责人", "法人", "代理人", "受益人", "联系人", "当事人",
                 "申请人", "担保人", "代表人", "持有人", "候选人", "发起人", "创始人", "委托人", "经办人", "责任人",
                 "承包人", "投保人", "被保险人", "收款人", "户主", "房东", "业主", "嫌疑人", "死者", "受害人")
# Roles 为 "be, act as" takes (为人父母, 为师者要以身作则, 为将之道, 为奴): wei2 even opening a clause.
_ROLES = set("人师官将王臣父母妻夫奴")
# Purposes jieba tags as nouns (为纪念他, 为庆祝国庆, 为方便群众, 为效力去征服那不勒斯王国).
_PURPOSE_NOUNS = ("纪念", "庆祝", "方便", "效力")
# 为人所知, 为大家所熟悉; not the 所 of 所有, 所在, 研究所, 派出所 (为所有的孩子, 为研究所工作).
_PASSIVE = re.compile(_NOT_PAUSE + r"{0,6}(?<![究出厕诊场住])所(?![有在以属谓])|"
                      # a longer agent when 所 and its verb close the clause (为本地人提供的房子所吸引); not 所作的贡献
                      + _NOT_PAUSE + r"{7,14}?(?<![究出厕诊场住])所(?![有在以属谓])[^的" + re.escape("".join(sorted(_PAUSES)))
                      + r"]{1,3}(?:" + "|".join(map(re.escape, sorted(_PAUSES))) + r"|$)")
# The 以 of 以…为 "take … as" (以他为榜样, 以此为戒); not 可以, 所以, 以后, 以来, 以为 (我可以为你做饭).
_TAKE_AS = re.compile(r"(?<![可所难加予得足])以(?![后前来及便免至上下内外为])")
# Two-character verbs that take 为 "as, into" (设置为, 定义为, 衍生为, 转生为): their last character
# also ends subjects and persons (处, 构, 生), so _TAKING_VERBS cannot hold it.
_TAKING_WORDS = ("设置", "定义", "配置", "调整", "更名", "命名", "改名", "翻译", "转换", "简化", "划分", "设定",
                 "指定", "修改", "变更", "升级", "任命", "提拔", "评选", "衍生", "演变", "转化", "转生", "认定", "规定")
# Words ending in a _TAKING_VERBS character that take no 为 (我们应当为孩子着想, 他的工作为大家提供了方便).
_NOT_TAKING = ("应当", "工作", "合作", "操作", "写作")
_WILLING = ("愿意", "乐意", "甘愿", "愿", "肯")
# What one does "for" someone or something, a few characters after 为 in its clause (处处为别人着想,
# 为这件事操心); not the nouns made of them (任命为负责人, 选为服务员: wei2).
_PURPOSE = re.compile(_NOT_PAUSE + r"{0,8}?(?:着想|服务|操心|担心|发愁|负责|骄傲|自豪|争光|加油|鼓掌|分忧)(?![人员者台站费处部区中])")


_GIVEN_BACK = set("给回了掉清到")   # 还给, 还回去, 还了, 还掉, 还清, 把书还到图书馆
# Of those, the two that also start what follows the adverb 还 (还到处借, 还清点, 还清楚).
_GIVEN_ON_TO = set("到清")
_ADVERB_WORDS = ("到处", "清楚", "清点")


def _huan_disposal(text: str, i: int, word: str) -> str | None:
    """还 after 把 and its object in the same clause, closing the disposal (with 给/回/了/掉/清
    or at the clause's end), is the verb "give back" (把车还回去, 把钱还给他, 把书还了); the
    adverb 还 follows a 把 phrase that has its verb (他把钱花光了还不够, 他把我还当成小孩子).
    还上了 / 还完了 closing a clause have paid back too (钱终于还上了)."""
    clause = _clause(text, i)
    closes = _closes(text, i + 1, _GIVEN_BACK)
    if text[i + 1 : i + 2] in _GIVEN_ON_TO and ("了" in clause.rpartition("把")[2] or text.startswith(_ADVERB_WORDS, i + 1)):
        closes = False   # 他把钱花光了还到处借, 还清点了一遍: the 把 phrase had its verb, 还 is "still"
    if word == "还" and _PAID_OFF.match(text, i + 1) and (_OWED & set(clause) or any(d in clause for d in _DEBTS)):
        return "huan2"
    return "huan2" if word == "还" and "把" in clause[:-1] and closes else None


# 还上了, 还完了 closing the clause have paid back (钱终于还上了, 房贷还完了吗); 还上了大学 is "even".
_PAID_OFF = re.compile(r"[上完]了(?:$|[吗吧呢啊]|[，。！？；：,.!?;:])")
_OWED = set("钱贷债账把已终")   # what shows a debt was paid (钱终于还上了); 这还完了？ is "wouldn't that be the end"


# What one carries on the back (bei1): 背着书包, 背起孩子, 背上行李; 背着我 "behind my back" is bei4.
_CARRIED = set("包篓筐袋柴枪孩娃")
_CARRY_ASPECTS = set("着起上")
# An aspect, then a count and a size before what is carried (背着一个大包, 背了两袋米).
_COUNTED_LOAD = re.compile(r"[着起上了][一两几]?[个只袋捆筐篓把]?[大小重沉旧新破]?")
# Where a load goes on the back, after 把 and the load (把书包背在身上, 把孩子背起来, 把柴背回家).
_CARRIED_TO = set("在起上到着回走了")
# What 背起 shoulders (背起孩子, 背起行囊, 背起了全家的重担); anything else, it may recite (背起书来, 背起了台词)
# or clasp the hands (背起手来): left to the classifier.
_SHOULDERED = re.compile(r"了?(?:(?!来)" + _NOT_PAUSE + r"){0,4}?(?:[包篓筐袋柴枪孩娃]|行李|行囊|重担|担子)")
# The load that heads a 把 object (把书包, 把孩子, 把行李): not 把包装上的说明, 把孩子们的名字.
_LOADS = ("包", "篓", "筐", "袋", "柴", "枪", "孩子", "娃", "行李", "行囊")
# What the verb 系 "tie" (ji4) takes: 系好, 系上, 系紧, 系鞋带, 系安全带, 系领带, 系扣子, 系围巾.
_TIED = set("好上紧鞋领安扣围着")
# 系上 ties only before what it fastens (系上安全带, 系上了红领巾) or closing a 把 (把鞋带系上);
# 他是系上的老师 is "in the department" (xi4).
_FASTENED = set("鞋领安扣围带腰绳红丝")


def _bei_carry(text: str, i: int, word: str) -> str | None:
    """背 before what is carried (right after it, or after 着/起/上 and a count: 背着一个大包)
    carries on the back, bei1; so does 背起 a load (背起孩子, 背起了全家的重担; 背起书来, 背起手来 are left to
    the classifier), and 背 after 把 and the load (把书包背在身上; 把课文背下来, 把孩子们的名字背了下来 bei4)."""
    if text[i + 1 : i + 2] == "起" and _SHOULDERED.match(text, i + 2):
        return "bei1"
    disposed = _clause(text, i).rpartition("把")[2]   # 把书包背在身上
    if disposed.removesuffix("们").endswith(_LOADS) and text[i + 1 : i + 2] in _CARRIED_TO:
        return "bei1"
    rest = text[i + 1 : i + 4]
    thing = rest[1:] if rest[:1] in _CARRY_ASPECTS else rest[:2]
    counted = _COUNTED_LOAD.match(text, i + 1)
    if counted and counted.end() > i + 2:   # 背着一个大包, 背着两袋米: the count and what follows it
        thing = text[i + 2 : counted.end() + 2]
    return "bei1" if _CARRIED & set(thing) or thing.startswith("行李") else None


def _ji_tie(text: str, i: int, word: str) -> str | None:
    """系 on its own, or in a word with its result, before what it fastens or a result is the
    verb "tie" (系好安全带, 系紧鞋带), ji4; 系统, 关系 are dictionary words."""
    tied = text[i + 1 : i + 2]
    beyond = text[i + 2 : i + 3]   # empty at the text's end: 系上 closing it, or 系 closing it (他系)
    ends = not beyond or beyond in _PAUSES or beyond == "了"
    disposal = "把" in _clause(text, i)   # 把鞋带系上
    if tied == "上" and text[i + 2 : i + 4].removeprefix("了")[:1] not in _FASTENED and not (ends and disposal):
        return None
    return "ji4" if tied in _TIED and word in ("系", "系" + tied) else None


_LEAVE = set("年婚产病事休寒暑请放丧调")


def _jia_holiday(text: str, i: int, word: str) -> str | None:
    """假 after the kind of leave it is (年假, 婚假, 病假, 暑假) is the holiday, jia4, not "false"."""
    return "jia4" if text[i - 1 : i] in _LEAVE else None


def _zhong_degree(text: str, i: int, word: str) -> str | None:
    """重 right after a degree adverb in the same word (太重, 好重) is "heavy", and so is 多重 closing a
    clause, which asks how heavy (这条鱼有多重？), or after 不管/无论/不论/再, "however heavy" (不管多重都能搬,
    再多重的担子); 多重 before what it qualifies is "multiple" (多重身份: chong2)."""
    if word == "多重":
        closes = _closes(text, i + 1, _CLOSING_PARTICLES)
        return "zhong4" if closes or text[: i - 1].endswith(_HOWEVER) else "chong2"
    return "zhong4" if text[i - 1 : i] in _DEGREE_CHARS else None


_HOWEVER = ("不管", "无论", "不论", "再")   # 不管多重, 再多重: "however heavy"


# Modal particles closing a clause are toneless (好不好哦！, 别生气啦」, 该走了吧。); the
# same characters elsewhere are interjections (哦，原来如此: o4) or syllables of names and
# loanwords (贴吧、酒吧, 哆啦A梦: ba1, la1).
_PARTICLES = {"哦": "o5", "啦": "la5", "啊": "a5", "呢": "ne5", "吧": "ba5", "咯": "lo5", "哩": "li5", "呗": "bei5", "喽": "lou5"}
_NOT_PARTICLE_AFTER = set("哆啦方英公海")   # 哆啦 (Doraemon), 啦啦 (cheering): la1; 平方哩, 英哩 "mile": li3
_CLAUSE_END = set("，。！？；：,.!?;:…—~～」』”’）)》")
# What the verb 挑 "carry on a shoulder pole" (tiao1) takes: a direction or an aspect (挑去, 挑着);
# 挑起, 挑战, 挑拨 are tiao3 "stir up".
_TIAO_CARRY_AFTER = set("入进去来走回着过到上下水担")
# 尽 jin3 "to the utmost" leads these words; elsewhere the single 尽 is jin4 "exhaust, all" (用尽, 尽得其传).
_JIN3_AFTER = set("管量快早可先着")
# 涌 the verb "surge" takes a direction or an aspect (涌入, 涌来, 涌了出来); a 涌 without one after
# a character is the Cantonese "creek" of place names (乌涌, 麻涌, 西涌和东涌: chong1).
_SURGING = set("云潮泉浪汹喷奔翻波水血泪风")   # 如云涌, 泉涌: what surges
_YONG_AFTER = set("入出进向来去起现动上下到至了着过满")


def _particle(text: str, i: int, word: str) -> str | None:
    """A modal particle between a Chinese character and the end of its clause is neutral; so is
    one jieba joined to a whole word before it (看电影吧: 电影吧 is a forum's name in its dictionary),
    while two-character names keep their syllable (酒吧, 网吧, 贴吧)."""
    ends = i + 1 == len(text) or text[i + 1] in _CLAUSE_END
    after_hanzi = i > 0 and "\u4e00" <= text[i - 1] <= "\u9fff" and text[i - 1] not in _NOT_PARTICLE_AFTER
    glued = len(word) >= 3 and word[-1] == text[i] and lexicon().frequency(word[:-1]) > 0
    return _PARTICLES[text[i]] if (word == text[i] or glued) and ends and after_hanzi else None


def _tiao_carry(text: str, i: int, word: str) -> str | None:
    """挑 on its own before a direction or an aspect particle carries on a pole (挑入宫中, 挑去)."""
    return "tiao1" if word == "挑" and text[i + 1 : i + 2] in _TIAO_CARRY_AFTER else None


def _jin_exhaust(text: str, i: int, word: str) -> str | None:
    """尽 outside 尽管/尽量/尽快… words is jin4 (用尽了, 尽得其真传, 尽交)."""
    return None if text[i + 1 : i + 2] in _JIN3_AFTER and word.startswith("尽") else "jin4"


def _chong_creek(text: str, i: int, word: str) -> str | None:
    """涌 alone after a Chinese character and without a direction after it names a creek (chong1)."""
    if word != "涌" or not i or not "\u4e00" <= text[i - 1] <= "\u9fff" or text[i - 1] in _SURGING:
        return None
    return None if text[i + 1 : i + 2] in _YONG_AFTER else "chong1"


# What a character right before or after settles (previous characters, next characters, reading):
# a collocation, not a word the dictionaries list on their own. The first that matches decides;
# None leaves the decision to the classifier.
_NEIGHBOURS: dict[str, tuple[tuple[str, str, str | None], ...]] = {
    # 藏 "hide, keep" (cang2) with a result or in a collection (藏好, 藏在, 博物院藏); Tibet is zang4
    "藏": (("", "好起在着了进入到于", "cang2"), ("馆院私收珍库", "", "cang2")),
    # 拧 "wring" (ning2: 拧毛巾, 拧干) vs "screw" (ning3: 拧开, 拧紧)
    "拧": (("", "毛衣干出成绳", "ning2"), ("", "开紧松螺盖", "ning3")),
    # the pick 镐 (gao3: 铁镐, 镐头); hao4 is 镐京, the Zhou capital
    "镐": (("铁斧字洋鹤钢", "", "gao3"), ("", "头把柄", "gao3")),
    # 幢 the Buddhist pillar (chuang2: 经幢, 石幢); the measure word 一幢楼 is zhuang4
    "幢": (("经铁石宝法", "", "chuang2"),),
    # 丧 "funeral, mourning" (sang1: 新丧, 丧日, 治丧) vs "lose" (sang4: 丧失, 丧命)
    "丧": (("新治国居奔服守吊发报", "", "sang1"), ("", "日期礼服葬仪家事钟", "sang1")),
    # 炸 "deep-fry" (zha2: 油炸, 炸鸡, 续炸) vs "explode" (zha4)
    "炸": (("油煎续复", "", "zha2"), ("", "鸡鱼肉虾薯丸糕饼酱串茄排", "zha2")),
    # 擂 the ring (lei4: 擂台, 守擂, 打擂) vs "pound, roll" (lei2: 擂鼓, 擂石, 自吹自擂)
    "擂": (("", "台", "lei4"), ("守打攻摆", "", "lei4"), ("", "", "lei2")),
    # 冠 the noun "crown, cap" (guan1: 戴冠, 王冠, 鸡冠) vs "first, champion" (guan4)
    "冠": (("", "军名以绝", None), ("戴钉玄王皇衣鸡树花桂金宝礼朝竹", "", "guan1")),
    # 都督, 都尉, 都护: the old military titles are du1 "capital"
    "都": (("", "督尉", "du1"),),
    # 挨 "suffer" (ai2: 挨打, 挨骂) vs "next to, one by one" (ai1: 相挨, 挨着, 挨家挨户)
    "挨": (("", "打骂饿冻揍批训罚刀枪踢咬整", "ai2"), ("相", "", "ai1"), ("", "着近家个门户次", "ai1")),
    # 薄 the adjective "thin" after a degree word (且薄, 很薄): bao2
    "薄": (("且很太较又更变得越最", "", "bao2"),),
    # 之差 "the difference": cha1
    "差": (("之", "", "cha1"),),
    # 划 "row" (hua2) with what is rowed or what rows, and "scratch, cut" with its result (划破, 划伤, 划痕)
    "划": (("桨船", "", "hua2"), ("", "船桨水行破伤痕", "hua2")),
    # 垛 "stack" (duo4: 草垛, 麦秸垛); duo3 is the battlement (城垛)
    "垛": (("草秸柴稻砖粮", "", "duo4"),),
    # 卷 the verb "roll up, sweep along" before its result (juan3: 卷起来, 卷成, 卷入, 卷走); 卷子, 试卷 are juan4
    "卷": (("", "起成入走着住", "juan3"),),
    # 盛 "fill, ladle" (cheng2: 盛出, 盛饭, 盛汤, 盛满) vs "flourishing" (sheng4: 盛开, 茂盛); 盛了 see _cheng_ladled
    "盛": (("", "出饭汤粥满碗", "cheng2"),),
    # 汗 "sweat" (han4) after what one sweats (一把汗, 出汗, 流汗, 冷汗) or before its drops; 可汗, 大汗 the khan are han2
    "汗": (("把出流冒满擦虚冷盗身", "", "han4"), ("", "水珠流淋津", "han4")),
    # 干 "dry" as the result of draining, drying or wiping (gan1: 沥干, 晒干, 擦干, 吹干) vs "do" (gan4: 苦干, 实干)
    "干": (("沥晒烤擦吹晾烘风吸控榨烧炸", "", "gan1"),),
    # 载 "year" after a number (三载, 千载): zai3; not "carry" (十二载人飞船)
    "载": (("", "人货客重体荷运", "zai4"), ("一二三四五六七八九十百千万半数几", "", "zai3")),
}
# Lunar mansions (二十八宿: 氐宿, 尾宿, 心宿二) read 宿 xiu4; they precede it.
_MANSIONS = set("角亢氐房心尾箕斗牛女虚危室壁奎娄胃昴毕觜参井鬼柳星张翼轸")
# 相 the minister (xiang4: 国相, 副相, 丞相) when the title ends its phrase.
_MINISTER_BEFORE = set("国副丞宰首拜")
_PHRASE_END = set("，。、；：）」》的之")


def _cheng_ladled(text: str, i: int, word: str) -> str | None:
    """盛了 before what was ladled (盛了一碗饭, 盛了两勺汤, 盛了满满一碗) is cheng2; 盛了 closing a clause or before
    起来 is "flourishing" (火势越来越盛了, 风气日渐盛了起来: sheng4). Otherwise _NEIGHBOURS (盛饭, 盛出)."""
    if text[i + 1 : i + 2] != "了":
        return _neighbour_reading(text, i, word)
    return "cheng2" if text[i + 2 : i + 3] in _NUMERALS or text[i + 2 : i + 3] in _LADLED else None


_LADLED = set("碗勺盘杯满饭汤粥菜")


def _neighbour_reading(text: str, i: int, word: str) -> str | None:
    """The reading of the first collocation of _NEIGHBOURS that text[i] stands in (an empty set matches anything)."""
    before, after = text[i - 1 : i], text[i + 1 : i + 2]
    for previous, following, reading in _NEIGHBOURS[text[i]]:
        if (not previous or before and before in previous) and (not following or after and after in following):
            return reading
    return None


def _cha_short_by(text: str, i: int, word: str) -> str | None:
    """差了 + an amount is "short by" (又差了五分, 只差了一个字), cha4, but not when the amount is people sent to
    come or go (县里差了两个人来调查: chai1 "send"); 之差 is "the difference" (_NEIGHBOURS)."""
    if word != "差" or text[i + 1 : i + 2] != "了" or text[i + 2 : i + 3] not in _NUMERALS:
        return _neighbour_reading(text, i, word)
    return None if _PEOPLE_SENT.match(text, i + 2) else "cha4"


_PEOPLE_SENT = re.compile("[一二三四五六七八九十两几]+(?:个|名)?人[来去]")   # 差了两个人来: sent two people


def _xiu_mansion(text: str, i: int, word: str) -> str | None:
    """宿 right after a lunar mansion's name is xiu4 (氐宿, 二十八宿), not the 宿 of 宿舍 (su4)
    nor of 八宿 county."""
    mansion = text[i - 1 : i] in _MANSIONS or text[i - 3 : i] == "二十八"
    return "xiu4" if mansion and text[i + 1 : i + 2] != "舍" else None


def _xiang_minister(text: str, i: int, word: str) -> str | None:
    """相 alone after 国/副/丞 … and ending its phrase is the minister, xiang4."""
    ends = i + 1 == len(text) or text[i + 1] in _PHRASE_END
    return "xiang4" if word == "相" and text[i - 1 : i] in _MINISTER_BEFORE and ends else None


# 和 "knead" (huo2): the dough or mud before it, then a result (面要和得软, 把面和好, 泥和匀了) …
_DOUGH = frozenset("面泥")
_DOUGH_BEFORE = re.compile(rf"[{''.join(sorted(_DOUGH))}](?:要|得|先|再|还|没|已经|都|就|也|又)?$")
_KNEADED = set("得好了匀成开完过")
_SHAPED = re.compile(r"(?:一个|一块)?(?:面团|面|团|泥)")
# … or 和面 closing what is done at a place or next (在厨房和面，先和面): not 米和面 "rice and noodles".
_KNEAD_BEFORE = set("先再要去来帮会得忙始着")
_PLACE_BEFORE = re.compile(r"在[\u4e00-\u9fff]{0,2}[房里家上边内]$")
_AFTER_DOUGH = set("的了时呢吧")


def _standalone(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] stands as a word: no dictionary word joins it to the character before or after."""
    before = lexicon().frequency(text[start - 1 : end]) if start else 0
    return not before and not (end < len(text) and lexicon().frequency(text[start : end + 1]))


def _huo_knead(text: str, i: int, word: str) -> str | None:
    """和 between the dough (面 or 泥, a word of its own) and a result is "knead" (面要和得软一点,
    把面和好), huo2, and so is 和 before the dough closing a clause after a place or an adverb of doing
    (在厨房和面, 先和面), and 和成 a dough (加入温水和成面团); 面和水, 米和面, 外面和好朋友 are "and"."""
    if word != "和":
        return None
    clause = _clause(text, i)
    dough = _DOUGH_BEFORE.search(clause)
    if text[i + 1 : i + 2] == "成" and _SHAPED.match(text, i + 2):   # 加入温水和成面团
        return "huo2"
    joined = len(text[i + 1 : i + 3]) == 2 and lexicon().frequency(text[i + 1 : i + 3])   # 面和好多菜, 面和开水
    if dough and text[i + 1 : i + 2] in _KNEADED and not joined:
        at = i - len(clause) + dough.start()
        return "huo2" if _standalone(text, at, at + 1) else None
    beyond = text[i + 2 : i + 3]   # after the dough; empty at the text's end
    closes = not beyond or beyond in _PAUSES or beyond in _AFTER_DOUGH
    framed = clause[-1:] in _KNEAD_BEFORE or _PLACE_BEFORE.search(clause)
    kneads = text[i + 1 : i + 2] in _DOUGH and closes and framed
    return "huo2" if kneads and _standalone(text, i + 1, i + 2) else None


# 转 with 一/了 between two of it (转一转, 转了转), or round what 绕着/围着 name, closing the clause
# or before 了/圈 (地球绕着太阳转, 围着操场转了三圈): zhuan4 "go round, stroll".
# 绕着/围着 and what it goes round right before 转 (绕着太阳转, 围着他团团转); a direction between them turns
# (绕着环岛往右转, 围着桌子坐好以后向后转: zhuan3).
_ROUND_WHAT = re.compile(r"(?:绕着|围着)[^往向左右前后]{0,4}$")
_ROUNDS = re.compile(r"了?(?:[一两三四五六七八九十几]+|个)圈")


def _zhuan_round(text: str, i: int, word: str) -> str | None:
    """转 reduplicated (转一转, 转了转), by rounds (转了一圈) or round something (绕着太阳转) is zhuan4;
    转身, 转告, 向左转, 转了个弯 zhuan3."""
    reduplicated = text[i + 1 : i + 3] in ("一转", "了转") or text[i - 2 : i] in ("转一", "转了")
    if reduplicated or _ROUNDS.match(text, i + 1):   # 转了一圈, 转几圈
        return "zhuan4"
    clause = _clause(text, i)
    closes = _closes(text, i + 1, "了圈")
    return "zhuan4" if closes and _ROUND_WHAT.search(clause) else None


def _lei_tired(text: str, i: int, word: str) -> str | None:
    """累 before 死/坏/着 is "tired" (累死我了, 累坏了, 别累着), lei4; 积累, 累计 (lei3) are dictionary words."""
    return "lei4" if text[i + 1 : i + 2] in _EXHAUSTED else None


_EXHAUSTED = set("死坏着")


def _tan_play(text: str, i: int, word: str) -> str | None:
    """弹 leading its word before an aspect or a complement is the verb "play, flick, bounce"
    (弹得很好, 弹着吉他, 弹起来), tan2; 子弹, 中弹 (dan4) are other words."""
    return "tan2" if word.startswith("弹") and text[i + 1 : i + 2] in _PLAYED else None


_PLAYED = set("得着过了起奏")


def _chu_get_along(text: str, i: int, word: str) -> str | None:
    """处 alone before an aspect or 得, and 处得来/处不来, are the verb "get along, deal with" (我们处了三年,
    他俩处得来), chu3; the place chu4 lives in words (到处, 住处, 人事处), counts and ordinals (第三处了), and is
    where news comes from (从…处得到/得知, 从朋友处得来的消息)."""
    if word not in ("处", "处得来") or text[i - 1 : i] in _NUMERALS or text[i - 1 : i] in "第几":
        return None
    if text.startswith(("得到", "得知"), i + 1) or word == "处得来" and _from_source(_clause(text, i)):
        return None
    return "chu3" if text[i + 1 : i + 2] in _ASPECTS_AND_DE or text.startswith("不来", i + 1) else None


_ASPECTS_AND_DE = set("了着过得")
_SOURCE = re.compile("[从自](?![来小不未没己然])(" + _NOT_PAUSE + "{1,8})$")   # 从朋友处得来的, not 从来/自己


def _from_source(before: str) -> bool:
    """Whether the clause up to a 处 ends in 从/自 and a person or a place only (从朋友, 自他, 从老李的), so 处 is "the
    place of" a source; not a 从 that opens a time (他们从一开始就处得来, 从上学起就和同学们处得来: "get along")."""
    source = _SOURCE.search(before)
    return bool(source) and all(pos.startswith(("n", "r")) or part == "的" for part, pos in lexicon().cut(source[1]))


def _dang_take_as(text: str, i: int, word: str) -> str | None:
    """当 on its own right after 把 and a short object is "take as" (别把他当朋友, 把拿破仑当叛徒), dang4, like
    当成, 当作; after 把 and a verb phrase (把家务做完当了一回保姆, 把周炳安排到药铺当伙计), or before 了/起/上/过
    (当起了司机), it is "work as, become" (dang1)."""
    _, disposal, taken = _clause(text, i).rpartition("把")
    short_object = disposal and 0 < len(taken) <= 4 and not _DONE_WITH.search(taken)
    return "dang4" if short_object and text[i + 1 : i + 2] not in _BECOMING_AFTER else None


# What shows a verb phrase, not an object, between 把 and 当: an aspect, a result or direction, 后, a verb of handing over.
_DONE_WITH = re.compile("[了到后完来去送交给嫁做]|安排")
_BECOMING_AFTER = set("了起上过")   # 当了一回保姆, 当起了司机, 当上了经理: became


def _le_laugh(text: str, i: int, word: str) -> str | None:
    """乐 before 了/坏/开/呵 is "laugh, be delighted" (大家都乐了, 乐坏了, 乐开了花), le4; the music yue4
    lives in words (音乐, 乐队)."""
    return "le4" if text[i + 1 : i + 2] in _DELIGHTED and text[i - 1 : i] not in _MUSIC_BEFORE else None


_DELIGHTED = set("了坏开呵")
_MUSIC_BEFORE = set("古民雅礼国器声奏弦管鼓")   # 听了一晚上古乐了: music that jieba splits (yue4)


def _hao_fond(text: str, i: int, word: str) -> str | None:
    """好 on its own before what one is fond of (他这个人好面子, 好管闲事, 好打抱不平) is hao4 "be fond of";
    after 个/的/一 it is "good" (给他一个好面子); before the particle 得 it is "well, good" (病好得差不多了: hao3)."""
    if word == "好" and text[i + 1 : i + 2] == "得" and not text.startswith("得罪", i + 1):
        return "hao3"
    fond = word == "好" and text.startswith(_FOND_OF, i + 1)
    return "hao4" if fond and text[i - 1 : i] not in _BEFORE_GOOD else None


_FOND_OF = ("面子", "虚荣", "管闲事", "打抱不平")
_BEFORE_GOOD = set("个的一")


_CHAR_RULES: dict[str, CharRule] = {
    "好": _hao_fond,
    "调": _tiao_reading,
    "数": _shu_verb_reading,
    "着": _zhao_potential,
    "重": _zhong_degree,
    "得": _de_complement,
    "了": _liao_potential,
    "为": _wei_for,
    "还": _huan_disposal,
    "假": _jia_holiday,
    "背": _bei_carry,
    "系": _ji_tie,
    "弄": _nong_reading,
    "藉": _jie_reading,
    "刨": _bao_reading,
    "挑": _tiao_carry,
    "尽": _jin_exhaust,
    "涌": _chong_creek,
    **dict.fromkeys(_PARTICLES, _particle),
    **dict.fromkeys(_NEIGHBOURS, _neighbour_reading),
    "宿": _xiu_mansion,
    "差": _cha_short_by,
    "相": _xiang_minister,
    "长": _chang_compared,
    "和": _huo_knead,
    "转": _zhuan_round,
    "累": _lei_tired,
    "弹": _tan_play,
    "乐": _le_laugh,
    "处": _chu_get_along,
    "当": _dang_take_as,
    "盛": _cheng_ladled,
}


# Dictionary words with two senses that the text around them settles: unlike the rules above,
# which only correct the classifier, these may override the phrase dictionary's reading.
def _zhong_heavily(text: str, i: int, word: str) -> str | None:
    """重重地 before a verb of force is "heavily" (重重地摔了一跤, 重重地叹了口气: zhong4); elsewhere it is
    layers (敌人重重地包围了村子, 他疑虑重重地看着我, 困难重重: chong2, the dictionary's)."""
    return "zhong4" if word == "重重地" and text[text.find("地", i) + 1 :][:1] in _FORCEFUL else None


# Verbs of force after 重重地 "heavily".
_FORCEFUL = set("摔打砸拍捶锤落关撞放点叹踩跺推甩击压咬捏握踢敲跌倒按扔撂磕碰挨吸抽吐亲刺伤罚惩")


def _zhang_grown(text: str, i: int, word: str) -> str | None:
    """长长 before 了 has grown long (头发长长了: zhang3 chang2); 长长的, 长长地 are "long" (chang2)."""
    return "zhang3" if word == "长长" and text[i : i + 3] == "长长了" else None


def _mei_received(text: str, i: int, word: str) -> str | None:
    """没收 before 到/齐 is "not received" (我没收到, 作业还没收齐: mei2), not "confiscate" (没收了他的手机: mo4,
    the dictionary's), unless 被/把/将 earlier in its clause hands the goods over (手机被老师没收到现在,
    警方把没收到的毒品) or 到手 follows (依法没收到手的赃款); 没收全部 is the legal formula."""
    if word != "没收" or text[i + 2 : i + 3] not in _RECEIVED or text.startswith("到手", i + 2):
        return None
    return None if _HANDED_OVER & set(_clause(text, i)) else "mei2"


_RECEIVED = set("到齐")
_HANDED_OVER = set("被把将")


def _hang_trade(text: str, i: int, word: str) -> str | None:
    """行 of 一行 after a demonstrative or before what lines hold is a line or a trade (这一行字, 一行代码,
    在这一行干了十年), hang2, not the
    travelling party of 一行人, 他们一行, 我们这一行五人 (xing2); so is 行 alone after a demonstrative that a verb of
    working takes (干这行, 在这行干了多久, 是这行的老手), where 这行吗, 那行, 现在这行了 are "all right" (xing2)."""
    if text[i - 1 : i] == "该" and _THEN.match(text, i + 1):   # 该行则行, 该行就行: "go, act"; not 该行就此事
        return "xing2"
    lines = text.startswith(_IN_LINES, i + 1)
    if word[:-1] and set(word[:-1]) <= _NUMERALS and lines:   # 三行字, 三行诗
        return "hang2"
    if word == "一行":   # 这一行字, 一行代码 (what lines hold: _IN_LINES)
        party = text[i + 1 : i + 2] in _PARTY_AFTER or text[i + 1 : i + 2] in _NUMERALS   # 这一行五人, 这一行共十二人
        after_this = text[i - 2 : i - 1] in _DEMONSTRATIVES and not party
        return "hang2" if after_this or lines else None
    worked = text[i - 1 : i] in _DEMONSTRATIVES and text[i - 2 : i - 1] in _TRADE_VERBS
    if word != "行" or not worked:
        return None
    return "hang2" if text[i - 2] in _WORKING or text[i + 1 : i + 2] not in _CLOSING_PARTICLES else None


_THEN = re.compile("则|[就便][行止]")
_TRADE_VERBS = set("干做在入进转是懂爱改回换")
_WORKING = set("干做入进转懂爱换")   # of those, the ones that make 这行 a trade before a particle too (干那行吗？)
_PARTY_AFTER = set("人共等")   # what follows the travelling party 一行: its count (这一行五人, 一行共十人, 一行等人)


def _zhao_got(text: str, i: int, word: str) -> str | None:
    """着 after 没 and a verb of getting is the result "managed to" (也没想着, 没买着票), zhao2; 想着, 抢着, 赶着
    before what one meant to do are durative (从没想着要放弃, 没抢着说话, 没赶着回家)."""
    if text[i - 2 : i - 1] != "没" or text[i - 1 : i] not in _ZHAO_AFTER_NOT:
        return None
    closes = _closes(text, i + 1, _CLOSING_PARTICLES)
    return "zhao2" if text[i - 1] not in _HURRIED or closes else None


# Modal particles that close a clause (路还长着哩, 这行吗, 也没想着呀).
_CLOSING_PARTICLES = set("了吗呢啊吧呀啦嘛哩哪嘞")
# Verbs whose 没V着 before another verb is durative "didn't think of / rush to" (从没想着要放弃, 没抢着说话,
# 没赶着回家: zhe5); closing the clause they got there (也没想着, 车没赶着: zhao2).
_HURRIED = set("想抢赶")


def _de_got_from(text: str, i: int, word: str) -> str | None:
    """处得来 after 从/自 and a source is "got from there" (从朋友处得来的消息: de2), not "get along" (de5)."""
    return "de2" if word == "处得来" and _from_source(_clause(text, i - 1)) else None


def _fen_divided(text: str, i: int, word: str) -> str | None:
    """水分 before whom the water goes to or what it is split into (把水分给大家喝, 这些水分三天喝完, 把水分成两份) is
    水 and the verb 分 (fen1), not the word 水分 "moisture" (水分十足, 水分十分充足: fen4)."""
    if text[i - 1 : i] != "水":
        return None
    portioned = _PORTIONS.match(text, i + 1) and not _owned(text, i - 1)   # not 蔬菜的水分一天就蒸发了
    return "fen1" if _SPLIT_INTO.match(text, i + 1) or portioned else None


def _owned(text: str, i: int) -> bool:
    """Whether the word before text[i] makes it something's own: 的 or a noun of two or more characters
    (蔬菜的水分, 土壤水分: moisture), not a demonstrative, 把 or a vessel (这些水分, 这瓶水分两次喝完)."""
    words = lexicon().cut(_clause(text, i))
    word, pos = words[-1] if words else ("", "")
    return word == "的" or pos.startswith("n") and len(word) > 1


_SPLIT_INTO = re.compile("[给成开到]")
# A numeral and the portions or times the water is shared in (这些水分三天喝完, 水分三次加入); not 水分一旦, 一多.
_PORTIONS = re.compile("[一二三四五六七八九十两几]+[次份杯碗瓶批半天桶壶盆口]")


def _qie_cut(text: str, i: int, word: str) -> str | None:
    """切 opening its word before a result or a shape is the verb "cut" (切开, 切成薄片, 切碎, 切丝: qie1); the qie4
    of 一切, 亲切, 切记, 切中 ends its word or has another character after it."""
    return "qie1" if word[0] == "切" and text.startswith(word, i) and text[i + 1 : i + 2] in _CUT_INTO else None


_CUT_INTO = set("开碎丝成块片段丁条好掉下断")


def _la_left(text: str, i: int, word: str) -> str | None:
    """落 after 把 and what was left, before 在/下 (我把钥匙落在家里了, 把书落下了), is "leave behind" (la4), not "fall";
    a gaze or a focus laid on something falls (把目光落在他身上, 把重点落在质量上: luo4)."""
    clause = _clause(text, i)
    left = word in ("落", "落下") and "把" in clause[:-1] and text[i + 1 : i + 2] in _LEFT_AT
    words = [w for w, _ in lexicon().cut(clause)]
    laid = words[-1] in _LAID_ON if words else False   # what 把 takes, as a word: 帆, but not 帆布包 nor 政策文件
    return "la4" if left and not laid else None


_LEFT_AT = set("在下")
_LAID_ON = ("目光", "视线", "眼光", "重点", "重心", "焦点", "希望", "责任", "注意力", "落脚点", "政策", "措施", "帆",
            "帷幕", "实处")   # and what is lowered: 把帆落下, 把政策落在实处



def _dao_pour(text: str, i: int, word: str) -> str | None:
    """倒 opening its word before 入/进/掉/满/出/在 in a clause about a liquid, a container or rubbish is "pour"
    (锅里倒入适量的油, 把水倒掉, 把水倒在盆里: dao4), and so is 把…倒在 "dump" (把东西倒在桌上); 倒在 naming none
    is "fall" (他倒在床上: dao3), and so is 倒 alone
    as the result of a verb of falling or force (累倒了, 病倒, 晕倒在路边: dao3), not 倒是 "but"."""
    if text[i + 1 : i + 2] in ("不", "没") and text[i - 1 : i] == text[i + 2 : i + 3]:   # 累倒不累, 醉倒没醉: "but"
        return "dao4"
    after_verb = text[i - 1 : i] in _FELLED_BY
    felled = after_verb and (word == "倒" or len(word) == 2 and word == text[i - 1 : i + 1])
    if felled and text[i + 1 : i + 2] not in _BUT_AFTER:   # 累倒, 晕倒 as one word or two; 他累倒是不累: "but"
        return "dao3"
    if word[0] != "倒" or not text.startswith(word, i):
        return None
    if text[i + 1 : i + 2] not in _POURED_AFTER:
        return None
    clause = _clause(text, i)
    if text[i + 1] == "在":   # 把书包里的东西倒在桌上, 锅里的油倒在碗里: dumped; 喝醉了酒倒在路边, 水杯倒在了地上: fell
        return "dao4" if "把" in clause or _liquid_subject(clause) else "dao3"
    return "dao4" if _POURED.search(clause + text[i : i + 8].split("，")[0]) else None


def _liquid_subject(clause: str) -> bool:
    """Whether the clause before 倒 is a liquid that no verb of the clause takes (锅里的油都, 剩下的水): what is
    poured; not a vessel (水杯, 油罐车) nor what someone drank (他喝醉了酒)."""
    parts = [(part, pos) for part, pos in lexicon().cut(clause)]
    while parts and parts[-1][1].startswith("d"):   # 锅里的油都倒在
        parts.pop()
    if not parts or not (parts[-1][0][-1] in _LIQUIDS or parts[-1][0] in ("垃圾", "饮料", "面粉")):
        return False
    following = [part for part, _ in parts[1:]] + [""]
    return not any(pos.startswith("v") and nxt != "的" for (_, pos), nxt in zip(parts[:-1], following))


_POURED_AFTER = set("入进掉满出在")
_FELLED_BY = set("累病摔晕推打跌绊撞吹压放撂扳醉吓滑冻饿砍击")
_BUT_AFTER = set("是也")
_LIQUIDS = set("油水汤酒茶奶醋酱液汁浆")
_POURED = re.compile("[油水汤酒茶奶醋酱液汁浆糊锅碗杯盆壶桶瓶]|面粉|垃圾|饮料")


def _tiao_raised(text: str, i: int, word: str) -> str | None:
    """上调 before an amount or a level (上调到4.2元, 上调了百分之五, 上调0.5个百分点) is "adjust upward" (tiao2);
    上调 a person to a higher office (他被上调到省里) stays the dictionary's diao4."""
    if word != "上调" or text[i - 2 : i - 1] == "被":
        return None
    priced = any(c in _PRICED for c in _clause(text, i))   # 价格上调到一个新的水平: not a person moved to a post
    return "tiao2" if (_RAISED_TO if priced else _RAISED_BY).match(text, i + 1) else None


_PRICED = set("价费率资薪租息税")
# An amount, not the 一 of a post or a place a person is moved to (上调到一个更重要的岗位, 上调到一所中学: diao4).
_RAISED_BY = re.compile("(?:了|到|至|为)?(?:约|近|每.)?[0-9一二三四五六七八九十两几零半百](?!个(?!百分点)|所|家|位)"
                        "|了?(?:百分|个百分点|利率|价格)")
# What a price or a rate is raised to: any amount or level (上调到一个新的水平).
_RAISED_TO = re.compile("(?:了|到|至|为)?(?:约|近|每.)?[0-9一二三四五六七八九十两几零半百]|了?(?:百分|个百分点)")


def _juan_roll(text: str, i: int, word: str) -> str | None:
    """卷 counted by a numeral or a demonstrative before what comes in rolls (一卷胶带, 两卷卫生纸: juan3); a volume
    (第一卷, 全书共三卷) stays juan4."""
    counted = word[:-1] and set(word[:-1]) <= _BEFORE_MEASURE or word == "卷" and text[i - 1 : i] in _BEFORE_MEASURE
    rolls = text.startswith(_ROLLS, i + 1) and not text.startswith(_BINDINGS, i + 1)
    return "juan3" if word.endswith("卷") and counted and rolls else None


# How volumes are bound, not what comes in rolls (全书共三卷布面精装, 两卷纸面平装).
_BINDINGS = ("布面", "纸面", "布脊", "线装", "纸质")
_ROLLS = ("胶带", "纸", "卫生纸", "布", "线", "绳", "地毯", "凉席", "铺盖", "胶卷", "毛线", "钢丝", "铁丝", "电线",
          "保鲜膜", "锡纸", "草席", "竹帘", "绷带", "纱布", "透明胶", "席子")


def _chang_spell(text: str, i: int, word: str) -> str | None:
    """场 counting an illness or weather (一场大病, 这场雨, 一场大雪, 一场冰雹; not 风暴, see _ILLNESS) or closing a spell
    of weeping, illness or fuss (大病了一场, 哭了一场, 白忙一场) is the cháng of how a thing went (chang2; 现代汉语词典:
    一场透雨, 一场大战); 一场比赛, 一场电影, 赢了一场 (文娱体育) stay chang3."""
    if not word.endswith("场") or not (word[:-1] and set(word[:-1]) <= _BEFORE_MEASURE or text[i - 1 : i] in _NUMERALS):
        return None
    spell = _closes(text, i + 1) and text[: i + 1 - len(word)].removesuffix("了")[-1:] in _SPELLS
    return "chang2" if _ILLNESS.match(text, i + 1) or spell else None


_ILLNESS = re.compile("[大重]?病(?!毒)|虚惊|大梦|(?:大|暴|小|中|阵|透|春|秋|冬|夏|及时|暴风|雷阵|冻)?[雨雪](?![仗糕衣伞人花地橇林上]|中的)"
                      "|冰雹|台风|寒潮|沙尘暴|大雾|霜冻|洪水")
# Not 风暴: the CPP test split labels 这场风暴 chang3 (twice), as it does every 场, even 这场战斗.
_SPELLS = set("哭病闹忙吵喜惊梦")   # 哭了一场, 大病了一场, 白忙一场, 空欢喜一场, 虚惊一场


def _surname_before_title(text: str, i: int, word: str) -> str | None:
    """A polyphone that is also a surname, before a title, a word of its own or after what a name follows (问曾先生,
    单老师和解老师):
    the surname's reading (zeng1, shan4, xie4, qiu2, piao2); 理解老师的苦心, 曾经理解, 简单老师 are other words."""
    title = text.startswith(_TITLES, i + 1) and not (text[i] == "曾" and text[i + 1 : i + 2] == "经")
    before_name = i == 0 or text[i - 1] in _BEFORE_NAME or word == text[i]   # 见过曾老师: a word of its own
    if text[i - 1 : i] == "的" and text[i] in _NOUNS_TOO:   # 这道题的解老师已经讲过了: "the solution"
        return None
    return _SURNAMES[text[i]] if title and before_name else None


_SURNAMES = {"曾": "zeng1", "单": "shan4", "解": "xie4", "仇": "qiu2", "朴": "piao2"}
_TITLES = ("先生", "女士", "小姐", "老师", "医生", "大夫", "师傅", "经理", "主任", "书记", "局长", "校长", "院长",
           "部长", "市长", "县长", "厂长", "所长", "科长", "处长", "队长", "班长", "董事长", "律师", "警官", "同学",
           "阿姨", "叔叔", "大爷", "大妈", "奶奶", "爷爷", "老板", "教练")
_NOUNS_TOO = set("解仇")   # surnames that are also nouns after 的 (题的解, 他的仇)
_BEFORE_NAME = set("和与跟同问找请叫是给对向把被让的位，。、：；！？“「（ ")


_OVER_DICTIONARY: dict[str, CharRule] = {
    "得": _de_got_from,
    "切": _qie_cut,
    "分": _fen_divided,
    "倒": _dao_pour,
    "落": _la_left,
    "调": _tiao_raised,
    "卷": _juan_roll,
    "场": _chang_spell,
    **dict.fromkeys(_SURNAMES, _surname_before_title),
    "重": _zhong_heavily,
    "长": _zhang_grown,
    "没": _mei_received,
    "行": _hang_trade,
    "着": _zhao_got,
}


def correct(segments: list[tuple[str, str]], readings: list[str], open_positions: set[int]) -> list[str]:
    """readings with the rules applied where the classifier decided: word rules at a word's
    last character, character rules anywhere; and the _OVER_DICTIONARY rules wherever they match.
    A verb repeated after 了 or 一 then takes the reading of its first time."""
    text = "".join(word for word, _ in segments)
    start = 0
    for word, _ in segments:
        for i in range(start, start + len(word)):
            rule = _CHAR_RULES.get(text[i])
            if rule is not None and i in open_positions:
                readings[i] = rule(text, i, word) or readings[i]
            rule = _OVER_DICTIONARY.get(text[i])
            if rule is not None:
                readings[i] = rule(text, i, word) or readings[i]
        start += len(word)
    end = 0
    for k, (word, pos) in enumerate(segments):
        end += len(word)
        rule = _RULES.get(word[-1:])
        if rule is not None and end - 1 in open_positions:
            prev, prev_pos = segments[k - 1] if k > 0 else ("", "")
            nxt, nxt_pos = segments[k + 1] if k + 1 < len(segments) else ("", "")
            after = segments[k + 2][0] if k + 2 < len(segments) else ""
            readings[end - 1] = rule(word, pos, prev, prev_pos, nxt, nxt_pos, after) or readings[end - 1]
    for i in sorted(open_positions):   # V了V, V一V: the verb again, read as the first time (弹了弹, 转一转)
        repeated = text[i] not in _REDUPLICATING and text[i] not in _FUNCTION_READINGS
        if i >= 2 and text[i] == text[i - 2] and text[i - 1] in _REDUPLICATING and repeated:
            readings[i] = readings[i - 2]
    return readings


_REDUPLICATING = ("了", "一")
# Characters whose second one in X了X is mostly another word, not the verb said again: the adverb 还
# after the verb 还 (钱还了还想再借), 为 "for" after 成为 (成为了为人民服务的), 得, 行.
_FUNCTION_READINGS = set("还为得行")
