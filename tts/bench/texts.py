"""The texts every scenario speaks: fixed ones for single-utterance timing, fresh ones for servers.

Server scenarios send a different text on every request: a cache (ours, or the
baseline's text LRU) would otherwise answer repeats and hide the cost of synthesis.
"""

from __future__ import annotations

import random

SHORT = "今天天气很好，出去走走。"   # 10 characters
MEDIUM = "今天天气很好，我们一起去公园散步吧。春天来了，花儿都开了，小鸟在树上唱歌，大家都很开心。我们拍了许多照片，傍晚回家。"  # 50
LONG = (  # 500 characters: a news-like passage
    "市政府今天召开新闻发布会，介绍了今年城市建设的主要进展和下一步工作安排，记者们提出了很多问题。"
    "据介绍，全市新建和改造道路一百多条，新增公园绿地四十多处，市民出行和休闲的条件明显改善了。"
    "在公共交通方面，地铁新线路已经开通运营，公交线路也进行了优化调整，早晚高峰的拥堵有所缓解。"
    "教育部门表示，今年秋季新开办学校十二所，增加学位一万多个，基本满足了适龄儿童就近入学需求。"
    "医疗卫生方面，社区卫生服务中心实现全覆盖，居民在家门口就能看病拿药，老年人体检也更方便。"
    "在环境保护方面，空气质量优良天数比去年同期增加了二十天，河流水质持续好转，鱼儿又回来了。"
    "文化活动也很丰富，图书馆和博物馆延长了开放时间，周末常常举办讲座和展览，吸引了很多家庭。"
    "发布会上，有关负责人还回答了关于住房、就业和养老服务的问题，表示将继续加大投入，改善民生。"
    "不少市民表示，这些年身边的变化看得见摸得着，希望城市越来越好，生活越来越方便，越来越舒心。"
    "下一步，市政府将围绕群众关心的热点难点问题，制定更加具体的措施，确保各项工作按时完成目标。"
    "记者在采访中了解到，很多社区都成立了志愿服务队，帮助独居老人买菜做饭，陪他们聊天散步。"
    "专家认为，城市发展既要看速度，也要看质量，更要看老百姓的获得感和幸福感，这才是最重要的。"
    "大家都对未来充满了信心和期待。"
)
PARAGRAPH = (  # 100: what issue 9 times Kokoro's first audio on
    "随着人工智能技术的快速发展，语音合成已经广泛应用于导航、客服和有声读物等领域。"
    "今天的天气真的很好，阳光明媚，我们一起去公园散步吧。"
    "街角那家小店的老板非常热情，每次都会送我们一些自己亲手做的点心，所以大家都很喜欢来这里。"
)
SIZES = {"short": SHORT, "medium": MEDIUM, "long": LONG}

_WORDS = ("今天", "明天", "我们", "大家", "公园", "城市", "春天", "花儿", "小鸟", "唱歌", "朋友", "老师",
          "学校", "图书", "音乐", "电影", "晚上", "早上", "天气", "阳光", "河边", "山上", "风景", "美丽",
          "安静", "热闹", "开心", "快乐", "工作", "学习", "休息", "散步", "跑步", "吃饭", "喝茶", "读书",
          "写字", "画画", "火车", "飞机", "地铁", "马路", "超市", "商店", "医院", "银行", "新闻", "消息",
          "问题", "办法", "时间", "地方", "孩子", "家人", "邻居", "同学", "世界", "国家", "历史", "未来")


def hanzi(text: str) -> int:
    """Chinese characters in `text`: the length the scenarios name (punctuation not counted)."""
    return sum("\u4e00" <= c <= "\u9fff" for c in text)


def fresh(index: int, characters: int, seed: int = 0) -> str:
    """A text of about `characters` characters, distinct for every (index, seed).

    Two-character words drawn at random per clause of ten characters, so not even a
    phrase repeats between requests (a phrase cache would otherwise help one side).
    """
    rng = random.Random(f"{seed}:{index}")
    words = [rng.choice(_WORDS) for _ in range(max(1, characters // 2))]
    clauses = ["".join(words[i:i + 5]) for i in range(0, len(words), 5)]
    return "，".join(clauses) + "。"
