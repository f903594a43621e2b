"""Word lists the rules consult: units, currencies, measure words and context cues.

Kept apart from the rules so that adding a unit or a cue word needs no regex edit;
the rules build their alternations from these tables once, at import.
"""

from __future__ import annotations

import re
from typing import Iterable

# Latin unit symbols after a number, as spoken. Case matters (m = 米, M = 兆).
# "^2"/"^3" are how the text pass writes ²/³, so m² reaches the rules as m^2.
LATIN_UNITS = {
    "km": "公里", "m": "米", "dm": "分米", "cm": "厘米", "mm": "毫米", "μm": "微米", "um": "微米", "nm": "纳米",
    "mi": "英里", "ft": "英尺", "yd": "码",
    "km^2": "平方公里", "m^2": "平方米", "cm^2": "平方厘米", "mm^2": "平方毫米", "km2": "平方公里", "m2": "平方米",
    "cm2": "平方厘米", "m^3": "立方米", "cm^3": "立方厘米", "m3": "立方米", "cm3": "立方厘米", "ha": "公顷",
    "kg": "千克", "g": "克", "mg": "毫克", "μg": "微克", "t": "吨", "lb": "磅", "lbs": "磅", "oz": "盎司",
    "L": "升", "l": "升", "ml": "毫升", "mL": "毫升",
    "h": "小时", "hr": "小时", "min": "分钟", "s": "秒", "ms": "毫秒", "μs": "微秒", "ns": "纳秒",
    "°C": "度", "°F": "华氏度", "°": "度", "℃": "度", "℉": "华氏度",
    "Hz": "赫兹", "kHz": "千赫兹", "MHz": "兆赫兹", "GHz": "吉赫兹",
    "KB": "千字节", "kB": "千字节", "MB": "兆字节", "GB": "吉字节", "TB": "太字节",
    "bps": "比特每秒", "kbps": "千比特每秒", "Mbps": "兆比特每秒", "Gbps": "吉比特每秒",
    "W": "瓦", "kW": "千瓦", "kw": "千瓦", "MW": "兆瓦", "kWh": "千瓦时", "kwh": "千瓦时",
    "V": "伏", "kV": "千伏", "mV": "毫伏", "mA": "毫安", "mAh": "毫安时",
    "Pa": "帕", "kPa": "千帕", "MPa": "兆帕", "dB": "分贝", "cal": "卡", "kcal": "千卡", "J": "焦耳", "kJ": "千焦",
    "mol": "摩尔", "mmol": "毫摩尔", "μmol": "微摩尔", "dL": "分升", "dl": "分升", "rpm": "转每分", "mph": "英里每小时", "w": "万", "mmHg": "毫米汞柱",
}
# Single-letter units count only when written tight after a number that is not part
# of a Latin name: 5s is 五秒 but iPhone 5s keeps its s.
SHORT_LATIN_UNITS = frozenset(u for u in LATIN_UNITS if len(u) == 1 and u.isascii() and u.isalpha())
TEMPERATURE_UNITS = frozenset(u for u, word in LATIN_UNITS.items() if word.endswith("度"))

# Currency signs before an amount and ISO codes before or after it.
CURRENCY_SIGNS = {
    "US$": "美元", "A$": "澳元", "HK$": "港元", "NT$": "新台币", "C$": "加元", "S$": "新加坡元", "$": "美元",
    "R$": "巴西雷亚尔", "J¥": "日元",
    "¥": "元", "€": "欧元", "£": "英镑", "₩": "韩元", "₹": "印度卢比", "₽": "卢布", "₣": "法郎", "฿": "泰铢",
}
CURRENCY_CODES = {
    "CNY": "人民币", "RMB": "人民币", "USD": "美元", "EUR": "欧元", "GBP": "英镑", "JPY": "日元", "HKD": "港元",
    "AUD": "澳元", "CAD": "加元", "KRW": "韩元", "TWD": "新台币", "SGD": "新加坡元", "CHF": "瑞士法郎",
    "RUB": "卢布", "INR": "印度卢比", "THB": "泰铢", "SEK": "瑞典克朗", "TRY": "土耳其里拉", "AED": "阿联酋迪拉姆",
}

# Words opening with the measure 处 that are verbs or titles, not places counted.
NOT_PLACE_WORDS = ("处理", "处于", "处置", "处警", "处罚", "处长")

# Measure words and units after which a bare 2 is read 两 (两个, 两年, 两公里).
LIANG_MEASURES = tuple(
    "个 位 名 只 条 件 本 张 次 回 遍 趟 天 年 岁 周 倍 成 层 辆 台 架 艘 匹 头 口 家 户 间 套 座 栋 所 块 片 "
    "颗 粒 根 支 枝 朵 棵 株 把 双 对 副 份 杯 瓶 碗 盘 包 袋 箱 盒 斤 克 吨 升 米 里 亩 元 角 毛 人 部 首 篇 封 "
    "句 门 样 类 种 项 组 批 群 队 届 期 场 局 轮 款 段 节 章 集 季 声 下 步 圈 站 点 分 秒 刻 公斤 公里 公分 "
    "千克 千米 厘米 毫米 分钟 小时 秒钟 星期 礼拜 万 千 百 亿 页 题 道 枚 幅 册 卷 笔 通 列 排 盏 扇 顶 桌 例 处".split()
)
# Every word that says what the number before it counts: the measure words and the units as spoken.
MEASURES = LIANG_MEASURES + tuple(LATIN_UNITS.values())
# Compounds starting with a measure word that name an order or a power, not a count (二年级, 二次方).
# 处 opening a verb or a title is no measure (M2处理器, 120处于, 110处置, 12315处理, 处长); 3处分店 still counts.
NOT_LIANG_AFTER = ("年级", "年代", "分之", "号", "次方") + NOT_PLACE_WORDS
# Words that start with a measure word and count nothing (1920x1080分辨率 is a code, not 1080分). Not 分为/分成:
# a score comes before them (110分为全班第一).
NOT_MEASURE_WORDS = ("分辨率", "分辨", "米饭", "度假", "点赞") + NOT_PLACE_WORDS

# Words after an amount that make it money, read without trailing zero cents.
MONEY_WORDS = tuple(sorted(set(CURRENCY_SIGNS.values()) | set(CURRENCY_CODES.values()) | {"块", "块钱", "元"}))

# Other words that mark the digits before them as a quantity, not a code.
QUANTITY_WORDS = tuple("月 日 号 楼 级 等 度 路 多 余 几 来 左右 以上 以下 以内 之 十 % ‰".split()) + MONEY_WORDS

# Words after which a digit string is a code read digit by digit (尾号1702, 拨打10015).
CODE_CUES = (
    "电话 手机 尾号 号码 编号 工号 学号 账号 帐号 卡号 单号 订单号 邮编 邮政编码 密码 验证码 热线 拨打 致电 "
    "呼叫 房间 房号 航班 车次 车牌 门牌 身份证 QQ 微信 分机 传真 代码 代号 序列号 型号 称为 叫做 名为 "
    "取件码 取货码 提货码 取餐码 取票码 兑换码 邀请码 优惠码 激活码 识别码 校验码 核销码 错误码 错误代码 状态码 故障码 口令"
).split()

# Words before which a number of three digits or more names something (a room, a house, a seat, an error: 404错误).
NAMED_BEFORE = "号 室 房 房间 宿舍 寝室 病房 包厢 包间 教室 办公室 会议室 错误".split()

# Well-known numbers that name a service or a programme rather than a quantity.
FAMOUS_CODES = frozenset("110 112 114 119 120 122 12306 12315 10086 10010 985 211 996 007".split())

# Latin abbreviations inside Chinese text, as read aloud (A vs B → A对B).
ABBREVIATIONS = {"vs.": "对", "vs": "对", "VS": "对", "etc.": "等等", "e.g.": "例如",
                 "i.e.": "即", "&": "和", "@": "艾特"}

# Who plays: a digit pair after one of these (or a word ending in 队) is a score.
TEAMS = (
    "中国 日本 韩国 朝鲜 美国 加拿大 墨西哥 巴西 阿根廷 乌拉圭 智利 秘鲁 哥伦比亚 德国 法国 英格兰 英国 苏格兰 "
    "威尔士 西班牙 葡萄牙 意大利 荷兰 比利时 瑞士 瑞典 挪威 丹麦 芬兰 冰岛 波兰 捷克 奥地利 匈牙利 俄罗斯 "
    "乌克兰 克罗地亚 塞尔维亚 土耳其 希腊 澳大利亚 新西兰 伊朗 伊拉克 沙特 卡塔尔 阿联酋 叙利亚 泰国 越南 "
    "印度 印尼 马来西亚 新加坡 菲律宾 埃及 尼日利亚 喀麦隆 加纳 塞内加尔 摩洛哥 突尼斯 南非 国足 国奥 男足 "
    "女足 男篮 女篮 男排 女排 皇马 巴萨 马竞 曼联 曼城 利物浦 切尔西 阿森纳 热刺 拜仁 多特 尤文 国米 米兰 "
    "罗马 拉齐奥 那不勒斯 巴黎 恒大 国安 申花 上港 鲁能 泰山 湖人 勇士 火箭 凯尔特人 热火 公牛"
).split()
# Words around a digit pair that make it a score (比分17:16, 1-3告负).
SCORE_CUES_BEFORE = "比分 总比分 战胜 击败 负于 战平 大胜 险胜 完胜 惜败 憾负 逆转 赛果".split()
SCORE_CUES_AFTER = "获胜 取胜 胜出 战胜 击败 落败 告负 负于 战平 力克 赢 输 胜 负".split()


def alternation(words: Iterable[str]) -> str:
    """A regex alternation that tries longer words first (公里 before 公)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
