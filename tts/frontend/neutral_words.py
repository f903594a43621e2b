"""Words spoken with a neutral tone on their last syllable (轻声词: 姑娘 gu1 niang5, 明白
ming2 bai5), some only in one of their meanings (东西 "thing" dong1 xi5, "east and west"
dong1 xi1).

Dictionaries, pypinyin's included, give these words their citation tones (事情 shi4 qing2),
and so does the CPP corpus the polyphone figure is measured on (收拾 shi2, 丈夫 fu1): g2p
keeps those lexical readings, and sandhi.py neutralizes the syllables listed here, as a
speaker does. The list is the everyday core of the neutral-tone words of the Putonghua
proficiency test's word list (普通话水平测试用必读轻声词语表), in standard readings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Always neutral on the last syllable, whatever the context.
_ALWAYS = set("""
姑娘 先生 明白 事情 朋友 衣服 知道 告诉 休息 意思 豆腐 窗户 舒服 漂亮 认识 清楚 麻烦 消息
客气 喜欢 眼睛 耳朵 脑袋 萝卜 打扮 收拾 笑话 聪明 糊涂 凉快 热闹 老实 护士 太阳 月亮 玻璃
葡萄 琵琶 钥匙 胳膊 指甲 嘴巴 尾巴 篱笆 巴掌 包袱 扁担 称呼 动静 风筝 甘蔗 疙瘩 功夫 工夫
规矩 核桃 合同 狐狸 活泼 机灵 家伙 见识 交情 戒指 姐夫 咳嗽 口袋 窟窿 喇叭 老婆 老爷 力气
溜达 啰嗦 马虎 码头 眉毛 苗条 名字 蘑菇 木头 奴才 盘算 脾气 欺负 亲戚 勤快 拳头 扫帚
上司 烧饼 舌头 牲口 师父 师傅 石榴 时候 算盘 岁数 抬举 跳蚤 铁匠 头发 妥当 唾沫 挖苦 晚上
委屈 稳当 窝囊 稀罕 媳妇 女婿 下巴 吓唬 相声 小气 心思 秀才 秀气 学问 学生 丫头 衙门 哑巴
胭脂 秧歌 吆喝 妖精 衣裳 应酬 冤枉 云彩 在乎 早上 扎实 眨巴 栅栏 张罗 帐篷 招呼 招牌 折腾
芝麻 主意 庄稼 状元 祖宗 东家 苍蝇 畜生 结实 踏实 别扭 暖和 商量 便宜 伙计 点心 故事 困难
骨头 馒头 枕头 念头 指头 喉咙 厉害 打听 打量 运气 本事 比方 补丁 裁缝 财主 柴火 出息 刺猬 凑合
打发 打算 耽误 道士 灯笼 嘀咕 弟兄 嘟囔 队伍 对付 哆嗦 恶心 福气 富余 高粱 膏药 跟头 跟前 工钱
官司 棺材 罐头 闺女 蛤蟆 含糊 和尚 红火 后头 厚道 胡琴 皇上 火候 脊梁 记号 记性 架势 嫁妆 将就
叫唤 街坊 芥末 客人 快活 阔气 喇嘛 累赘 里头 利落 利索 痢疾 连累 粮食 骆驼 麻利 忙活 冒失 媒人
眯缝 迷糊 名堂 模糊 木匠 难为 念叨 娘家 疟疾 牌楼 屁股 婆家 铺盖 上头 少爷 石匠 拾掇 使唤 世故
收成 首饰 舒坦 疏忽 爽快 思量 算计 特务 挑剔 烟筒 养活 月饼 转悠 壮实
""".split())

# Words with a second meaning read in full tones: the context that selects it (the text
# just before the word, the text just after), else the neutral reading; or, for words
# that are full by default, the context that selects the neutral one.


@dataclass(frozen=True)
class _Meaning:
    """When a two-meaning word is neutral: by default, unless its context selects the other meaning."""

    neutral_by_default: bool
    left: re.Pattern[str] | None = None     # matched against the text before the word (its end)
    right: re.Pattern[str] | None = None    # matched against the text after the word (its start)

    def neutral(self, before: str, after: str) -> bool:
        other = bool(self.left and self.left.search(before) or self.right and self.right.match(after))
        return self.neutral_by_default != other


def _left(words: str) -> re.Pattern[str]:
    """Alternatives that end the text before a word."""
    return re.compile(f"(?:{words})$")


def _right(words: str) -> re.Pattern[str]:
    """Alternatives that start the text after a word."""
    return re.compile(f"(?:{words})")


_DEGREE = "很|真|挺|太|更|最|多|怪|蛮|够|特别|非常|十分|有点|不"
_CONTEXTS: dict[str, _Meaning] = {
    # "east and west": a direction, extent or the two sides (东西走向, 东西长约, 横贯东西)
    "东西": _Meaning(True, _left("横|贯|穿|跨|从"), _right(
        "走向|向|长约|长[0-9一二三四五六七八九十百千几]|宽|两|各|方|部|侧|岸|段|贯|跨|约|相距|距|南北"
        "|城|区|线|轴|直径|延伸|狭|窄|对峙|合璧|文化|之间|交流|差异")),
    # "local" before what a locality has (地方政府, 地方戏), or opposite the centre (中央和地方)
    "地方": _Meaning(True, _left("中央和|中央与|中央、|各级|及"), _right(
        "政府|官|性|志|戏|病|财政|经济|武装|党|部队|法规|税|保护|自治|当局|特色|割据|剧|民兵|军|长官"
        "|干部|企业|国营|工业|口音|主义|利益|银行|选举|议会|立法|事务|行政|法院|债|政权|势力|豪强")),
    # "experts" (贻笑大方, 大方之家) and 大方向 "general direction"
    "大方": _Meaning(True, _left("笑"), _right("向|针|略|案|之家")),
    # "household" after a measure or a kind of family (几户人家, 有钱人家, 别人家的孩子)
    "人家": _Meaning(True, _left("户|钱|穷|富|农|书香|庄户|好|别"), _right("户")),
    # "a true man" (大丈夫)
    "丈夫": _Meaning(True, _left("大|伟")),
    # "interests" (利害关系, 利害攸关)
    "利害": _Meaning(True, None, _right("关系|冲突|得失|攸关|相关|一致")),
    # "vitality" (生意盎然)
    "生意": _Meaning(True, None, _right("盎然")),
    # "careless" after a degree word or a warning (太大意了, 别大意); else "main idea"
    "大意": _Meaning(False, _left(f"{_DEGREE}|别|可|一时|过于|麻痹|这么|那么")),
    # "authentic" after a degree word or of speech (很地道, 一口地道的…); else "tunnel"
    "地道": _Meaning(False, _left(f"{_DEGREE}|得|口|纯|正")),
    # "lively" after a degree word or 有 (很精神, 挺有精神); else "spirit"
    "精神": _Meaning(False, _left(f"{_DEGREE}|有|显得")),
    # "business" after what does or measures it (做买卖, 一笔买卖); else "buying and selling"
    "买卖": _Meaning(False, _left("做|小|笔|桩|门|这|那|好")),
    # "buddy, younger brother" (好兄弟, 小兄弟); else "brothers"
    "兄弟": _Meaning(False, _left("小|好|老")),
    # "how many" (多少钱); "more or less" before what it qualifies (多少有点, 多少会)
    "多少": _Meaning(True, None, _right("有|会|带|能|也|还|受|沾|懂|知道|了解|影响")),
}
_WORDS = _ALWAYS | set(_CONTEXTS)


def neutral_positions(text: str, spans: list[tuple[int, int]], flat: list[str]) -> list[int]:
    """Indices into text (= into flat) whose syllable is neutral by the words above.

    An occurrence counts when it is a whole word of the segmentation, the start or the end
    of one word (jieba merges 东西长, 太大意), or the end of one word and a one-character
    word (很大|方); never other straddles (首先|生产 holds no 先生) nor a word's middle
    (明明白白 holds no 明白).
    """
    found = []
    for (a, b), (_, d) in zip(spans, spans[1:] + [(len(text), len(text) + 1)]):
        for i in range(a, b):
            pair = text[i : i + 2]
            aligned = i == a or i + 2 == b or (i + 1 == b and d == b + 1)
            if pair not in _WORDS or not aligned:
                continue
            meaning = _CONTEXTS.get(pair)
            if meaning is None or meaning.neutral(text[:i], text[i + 2 :]):
                found.append(i + 1)
    return found
