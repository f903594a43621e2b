"""g2p: segmentation + lexical pinyin with polyphone disambiguation."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tts.frontend.g2p import Word, to_pinyin, words


def reading(sentence: str, char: str, nth: int = 0) -> str:
    """The reading to_pinyin gives the nth occurrence of char in sentence."""
    index = [i for i, c in enumerate(sentence) if c == char][nth]
    return to_pinyin(sentence)[index]


# Our own sentences for the common polyphone traps: (sentence, character, occurrence, reading).
POLYPHONES = [
    ("他在银行上班", "行", 0, "hang2"),
    ("我们步行去公园", "行", 0, "xing2"),
    ("那位银行行长很忙", "行", 1, "hang2"),
    ("校长来了", "长", 0, "zhang3"),
    ("长江很长", "长", 1, "chang2"),
    ("孩子长得很高", "长", 0, "zhang3"),
    ("我们重新开始吧", "重", 0, "chong2"),
    ("健康非常重要", "重", 0, "zhong4"),
    ("他还没有回来", "还", 0, "hai2"),
    ("明天去图书馆还书", "还", 0, "huan2"),
    ("她跑得很快", "得", 0, "de5"),
    ("他得到了奖励", "得", 0, "de2"),
    ("你得马上去医院", "得", 0, "dei3"),
    ("我吃了早饭", "了", 0, "le5"),
    ("我很了解他", "了", 0, "liao3"),
    ("他看着窗外", "着", 0, "zhe5"),
    ("别着急慢慢来", "着", 0, "zhao2"),
    ("孩子们开心地笑了", "地", 0, "de5"),
    ("这片土地很肥沃", "地", 0, "di4"),
    ("这是我的书", "的", 0, "de5"),
    ("我的目的很简单", "的", 1, "di4"),
    ("他的确很聪明", "的", 0, "di2"),
    ("祝你生日快乐", "乐", 0, "le4"),
    ("她喜欢古典音乐", "乐", 0, "yue4"),
    ("这里交通很方便", "便", 0, "bian4"),
    ("这件衣服很便宜", "便", 0, "pian2"),
    ("这是一个古老的传说", "传", 0, "chuan2"),
    ("他出版了一本自传", "传", 0, "zhuan4"),
    ("警察正在调查", "调", 0, "diao4"),
    ("把空调打开", "调", 0, "tiao2"),
    ("该睡觉了", "觉", 0, "jiao4"),
    ("我觉得不错", "觉", 0, "jue2"),
    ("她的数学很好", "数", 0, "shu4"),
    ("天上的星星数不清", "数", 0, "shu3"),
    ("因为下雨所以没去", "为", 0, "wei4"),
    ("他成为了医生", "为", 0, "wei2"),
    ("大家都来了", "都", 0, "dou1"),
    ("北京是中国的首都", "都", 0, "du1"),
    ("我和你一起去", "和", 0, "he2"),
    ("她提出了要求", "要", 0, "yao1"),
    ("我要喝水", "要", 0, "yao4"),
    ("我只有一个", "只", 0, "zhi3"),
    ("桌上有一只猫", "只", 0, "zhi1"),
    ("请给我一杯水", "给", 0, "gei3"),
    ("保障能源供给", "给", 0, "ji3"),
    ("他买彩票中奖了", "中", 0, "zhong4"),
    ("这个问题很难", "难", 0, "nan2"),
    ("联合国救助难民", "难", 0, "nan4"),
    ("她的头发很长", "发", 0, "fa4"),
    ("科学家发现了新物种", "发", 0, "fa1"),
    ("房间打扫得很干净", "干", 0, "gan1"),
    ("他在地里干活", "干", 0, "gan4"),
    ("他转身离开了", "转", 0, "zhuan3"),
    ("大家好", "大", 0, "da4"),
    ("我的爱好是画画", "好", 0, "hao4"),
    ("今天天气很好", "好", 0, "hao3"),
    ("来的人很少", "少", 0, "shao3"),
    ("少年强则国强", "少", 0, "shao4"),
    ("这个箱子很重", "重", 0, "zhong4"),
    ("请你重写一遍", "重", 0, "chong2"),
    ("借的钱要按时还。", "还", 0, "huan2"),
    ("这件事我管不了", "了", 0, "liao3"),
    ("天色渐渐地暗了", "地", 0, "de5"),
    ("你数一下人数", "数", 0, "shu3"),
    ("今天很暖和", "和", 0, "huo5"),
]

# Everyday readings the Wikipedia-trained classifier got wrong (issue 17), one class each,
# with a sentence of the other reading beside it where the same rule could misfire.
EVERYDAY = [
    ("我明天还你钱。", "还", 0, "huan2"),          # 还 + the person it goes back to + what
    ("你什么时候还我？", "还", 0, "huan2"),
    ("把书还了吧。", "还", 0, "huan2"),            # 还 + 了
    ("他每个月都要还款。", "还", 0, "huan2"),       # dictionary words of returning
    ("钱我已经还清了。", "还", 0, "huan2"),
    ("还你去吧。", "还", 0, "hai2"),
    ("这件衣服还不错。", "还", 0, "hai2"),
    ("他正在数钱。", "数", 0, "shu3"),             # 数 on its own is the verb "count"
    ("我数到三你就跑。", "数", 0, "shu3"),
    ("你数数看有几个。", "数", 0, "shu3"),
    ("这个数很大。", "数", 0, "shu4"),             # after a determiner: "number"
    ("来了数百人。", "数", 0, "shu4"),             # before a round number: "several"
    ("他心里有数。", "数", 0, "shu4"),
    ("这件事还得商量。", "得", 0, "dei3"),          # adverb + 得 + what must be done
    ("你找着钥匙了吗？", "着", 0, "zhao2"),         # result of 找/睡/猜 before 了
    ("他在屋里找着东西。", "着", 0, "zhe5"),
    ("把音量调大。", "调", 0, "tiao2"),             # 调 + its result
    ("他被调到北京工作。", "调", 0, "diao4"),
    ("他教我们唱歌。", "教", 0, "jiao1"),
    ("这条河很长。", "长", 0, "chang2"),            # degree adverb + 长
    ("他大声地喊。", "地", 0, "de5"),
    ("孩子们高高兴兴地跑进了教室。", "地", 0, "de5"),   # after a reduplicated word
    ("像铺了一层薄纱。", "铺", 0, "pu1"),
    ("这事没完没了。", "了", 0, "liao3"),
    ("我今天有空。", "空", 0, "kong4"),
    ("你应早点告诉我。", "应", 0, "ying1"),        # 应 alone before a verb or adverb
    ("这事应交给他。", "应", 0, "ying1"),
    ("在面上撒上一点盐。", "撒", 0, "sa3"),
    ("他的衣着很质朴。", "朴", 0, "pu3"),           # pypinyin's phrase dictionary has piao2
    ("两地的落差很大。", "差", 0, "cha1"),
    ("学校在马路左边。", "边", 0, "bian5"),         # locative suffix after a direction
    ("旁边有人。", "边", 0, "bian1"),
    ("他是一员猛将。", "将", 0, "jiang4"),          # 将 ending a clause: "general"
    ("我们将在明天出发。", "将", 0, "jiang1"),
    # Set phrases of three characters or more keep the dictionary's reading.
    ("他对这里了如指掌。", "了", 0, "liao3"),
    ("说话要有的放矢。", "的", 0, "di4"),
    ("年轻人朝气蓬勃。", "朝", 0, "zhao1"),
    ("她是一名会计师。", "会", 0, "kuai4"),
    # Character rules: what stands right beside the character decides.
    ("你得多穿点衣服。", "得", 0, "dei3"),          # person + 得 + how it must be done
    ("你得多少分？", "得", 0, "de2"),
    ("他说得对。", "得", 0, "de5"),                 # V得C inside one word
    ("这个办法行得通。", "得", 0, "de5"),
    ("把温度调低一点。", "调", 0, "tiao2"),          # 调 + result inside one word
    ("我数着日子等你回来。", "数", 0, "shu3"),       # 数 + aspect particle
    ("这件事用不着你管。", "着", 0, "zhao2"),        # V不着
    ("这个箱子太重了。", "重", 0, "zhong4"),         # degree adverb + 重 in one word
    ("他长高了。", "长", 0, "zhang3"),               # 长 + a result of growing
    ("为人民服务。", "为", 0, "wei4"),               # 为 + whom it serves
    ("这是我为你准备的。", "为", 0, "wei4"),
    ("我们以他为榜样。", "为", 0, "wei2"),           # 以…为…
    ("终于弄清楚了。", "弄", 0, "nong4"),            # 弄 + result
    ("他住在一条弄堂里。", "弄", 0, "long4"),
    ("他想藉此机会道歉。", "藉", 0, "jie4"),
    ("小狗在地上刨坑。", "刨", 0, "pao2"),           # 刨 "dig" unless the plane (刨子, 刨花)
    ("地上都是刨花。", "刨", 0, "bao4"),
    ("他教书三十年了。", "教", 0, "jiao1"),          # everyday verb-object words
    ("他的衣着很朴素。", "着", 0, "zhuo2"),
    ("记得填好信息哦！", "哦", 0, "o5"),             # a modal particle closing its clause is toneless
    ("别生气啦」", "啦", 0, "la5"),
    ("哦，原来是这样。", "哦", 0, "o4"),              # ... but an interjection keeps its tone
    ("我们一起找哆啦。", "啦", 0, "la1"),             # 哆啦 (Doraemon) is a name
    ("面积约77平方哩。", "哩", 0, "li3"),              # 哩 "mile"
    ("他用尽了力气。", "尽", 0, "jin4"),              # 尽 "exhaust" outside 尽管/尽量/尽快
    ("我们尽快出发。", "尽", 0, "jin3"),
    ("他把菜挑去集市卖。", "挑", 0, "tiao1"),          # 挑 + direction: carry on a pole
    ("他挑起了争端。", "挑", 0, "tiao3"),
    ("船停在乌涌，等待天亮。", "涌", 0, "chong1"),     # 涌 "creek" in Cantonese place names
    ("人群涌向广场。", "涌", 0, "yong3"),
    ("客人如云涌，供不应求。", "涌", 0, "yong3"),      # found on CPP's test split: clouds surge
    ("今天的温差很大。", "差", 0, "cha1"),            # words pypinyin's phrase dictionary has wrong
    ("他最近有点胸闷。", "闷", 0, "men4"),
    ("大家一哄而散。", "哄", 0, "hong4"),
    ("他去过阿塞拜疆。", "塞", 0, "sai4"),
]


# Collocations that settle a reading (polyphone_rules._NEIGHBOURS and neighbours), each with
# the other reading beside it where one is common.
COLLOCATIONS = [
    ("他把钱藏好了。", "藏", 0, "cang2"),
    ("博物院藏有古画。", "藏", 0, "cang2"),
    ("驻藏大臣到了。", "藏", 0, "zang4"),
    ("她拧干了衣服。", "拧", 0, "ning2"),
    ("他拧开了瓶盖。", "拧", 0, "ning3"),
    ("工人扛着铁镐上山。", "镐", 0, "gao3"),
    ("寺前有一座石幢。", "幢", 0, "chuang2"),
    ("村里新建了一幢楼。", "幢", 0, "zhuang4"),
    ("父亲新丧，他回家守孝。", "丧", 0, "sang1"),
    ("他丧失了信心。", "丧", 0, "sang4"),
    ("把鱼再续炸两分钟。", "炸", 0, "zha2"),
    ("敌人炸了大桥。", "炸", 0, "zha4"),
    ("他登上擂台。", "擂", 0, "lei4"),
    ("山上投下擂石。", "擂", 0, "lei2"),
    ("国王头戴金冠。", "冠", 0, "guan1"),
    ("他获得了冠军。", "冠", 0, "guan4"),
    ("他被任命为都督。", "都", 0, "du1"),
    ("他挨打了。", "挨", 0, "ai2"),
    ("两家店铺紧紧相挨。", "挨", 0, "ai1"),
    ("这张纸很薄。", "薄", 0, "bao2"),
    ("两个数之差。", "差", 0, "cha1"),
    ("院子里有个麦秸垛。", "垛", 0, "duo4"),
    ("三载寒窗苦读。", "载", 0, "zai3"),
    ("神舟十二载人飞船发射成功。", "载", 0, "zai4"),
    ("古人把星空分为二十八宿。", "宿", 0, "xiu4"),
    ("心宿二是一颗红巨星。", "宿", 0, "xiu4"),
    ("他在学校宿舍住。", "宿", 0, "su4"),
    ("他官至副相。", "相", 0, "xiang4"),
    ("两国相邻。", "相", 0, "xiang1"),
    ("这次效果更好。", "好", 0, "hao3"),
    ("政权更迭频繁。", "更", 0, "geng1"),
]


# Classes of errors found in our held-out sentences (tests/frontend/data), each tested with other words
# than the sentence that showed it, and with the reading the rule must leave alone.
HELD_OUT_CLASSES = [
    # 得: the complement particle before a degree word; "must" between a subject and a preposition
    ("屋里热得不行。", "得", 0, "de5"),
    ("手机充电得很慢。", "得", 0, "de5"),
    ("你们得跟老师说一声。", "得", 0, "dei3"),
    ("他得到了奖励。", "得", 0, "de2"),
    # 调 set to a level is "adjust"; 调到 a place is "transfer"
    ("把亮度调到最大。", "调", 0, "tiao2"),
    ("音量调到三十就够了。", "调", 0, "tiao2"),
    ("她调到北京工作了。", "调", 0, "diao4"),
    ("把亮度调至最低。", "调", 0, "tiao2"),
    # 数 up to a number is the verb "count"
    ("小明从五数到二十。", "数", 0, "shu3"),
    # 还: paying back a debt, and 还 after the disposal marker 把
    ("下个月我得还信用卡。", "还", 0, "huan2"),
    ("记得把伞还回去。", "还", 0, "huan2"),
    ("他把作业做完了，还去打了球。", "还", 0, "hai2"),
    ("我还要一碗。", "还", 0, "hai2"),
    # 差 before an amount is "short of"
    ("离及格还差两分。", "差", 0, "cha4"),
    ("他出差去了。", "差", 0, "chai1"),
    # 少 on its own is "less"; "young" in words and in 亚少赛-like compounds
    ("一杯美式少冰。", "少", 0, "shao3"),
    ("少年宫就在前面。", "少", 0, "shao4"),
    # 只 after a demonstrative or a number and before a noun is the measure word
    ("那只狗一直在叫。", "只", 0, "zhi1"),
    ("我只想睡觉。", "只", 0, "zhi3"),
    # 种 the verb "plant" before an aspect or a direction; the measure "kind" after 这/几
    ("奶奶在阳台上种了一些花。", "种", 0, "zhong4"),
    ("我喜欢这种了不起的人。", "种", 0, "zhong3"),
    # 行 a line of text after an ordinal
    ("请看第三行。", "行", 0, "hang2"),
    ("这样行吗？", "行", 0, "xing2"),
    # 长 before a number is a length
    ("这根绳子长五米。", "长", 0, "chang2"),
    # 背 carrying something on the back; 背着 a person is "behind one's back"
    ("爸爸背起背包出门了。", "背", 0, "bei1"),
    ("他背着我们做了决定。", "背", 0, "bei4"),
    # 系 tying
    ("出门前系紧鞋带。", "系", 0, "ji4"),
    ("他是中文系的学生。", "系", 0, "xi4"),
    # the fourth round: 得 "must" before a set phrase, 种的, 着 "suffer", 为 "for" a body or 这
    ("你们得抓紧时间。", "得", 0, "dei3"),
    ("院子里种的是葡萄。", "种", 0, "zhong4"),
    ("天太热了，别把孩子累着。", "着", 0, "zhao2"),
    ("她为国家争了光。", "为", 0, "wei4"),
    ("他被选为这届的班长。", "为", 0, "wei2"),
    # 没 and 都 on their own are the negation and "all"; 假 after a kind of leave is a holiday
    ("他到现在也没回来。", "没", 0, "mei2"),
    ("船慢慢没入水中。", "没", 0, "mo4"),
    ("妈妈每天都给我们做饭。", "都", 0, "dou1"),
    ("盘庚迁都于殷。", "都", 0, "du1"),
    ("她下个月休产假。", "假", 0, "jia4"),
    ("这幅画是真是假？", "假", 0, "jia3"),
    ("老人终于了却了心愿。", "了", 0, "liao3"),
    ("他昨晚着了凉，今天发烧了。", "着", 0, "zhao2"),
    ("我和同事调一下班。", "调", 0, "diao4"),
    ("把图片调一下位置。", "调", 0, "tiao2"),
    ("他吃了却说没吃。", "了", 0, "le5"),
    # a particle closing a clause that jieba joined to the word before it; 酒吧 is a bar
    ("晚上一起看电影吧。", "吧", 0, "ba5"),
    ("楼下新开了一家酒吧。", "吧", 0, "ba1"),
    # everyday words the classifier read against the dictionary, and the reduplicated verb 教教
    ("她的个子不高。", "子", 0, "zi5"),
    ("他和妻子去旅行了。", "子", 0, "zi5"),
    ("公司招了两个会计。", "会", 0, "kuai4"),
    ("你教教他怎么用。", "教", 0, "jiao1"),
    # what those classes must leave alone (a review's counter-examples): 为 after "V为" is wei2
    ("把首页设置为这个网址", "为", 0, "wei2"),
    ("这个函数定义为这样", "为", 0, "wei2"),
    ("他被提名为公司董事", "为", 0, "wei2"),
    ("他被任命为公司总经理", "为", 0, "wei2"),
    ("这本书译为自己的母语", "为", 0, "wei2"),
    ("他为公司工作了十年。", "为", 0, "wei4"),
    ("我们要为这件事负责。", "为", 0, "wei4"),
    # the adverb 还 after a 把 phrase that has its verb; 还 closing the disposal gives back
    ("他把钱花光了还不够", "还", 0, "hai2"),
    ("他把我还当成小孩子", "还", 0, "hai2"),
    ("把钱还给你", "还", 0, "huan2"),
    ("把书还了", "还", 0, "huan2"),
    # 种的 is the kind after 什么/不同, the verb after a place
    ("这是什么种的狗？", "种", 0, "zhong3"),
    ("不同种的鸟", "种", 0, "zhong3"),
    ("地里种的是玉米。", "种", 0, "zhong4"),
    # a person 得 before 有点/有些 "must"; the particle after a verb
    ("她得有点耐心", "得", 0, "dei3"),
    ("你得有些准备", "得", 0, "dei3"),
    ("电脑卡得不行", "得", 0, "de5"),
    ("运行得很慢", "得", 0, "de5"),
    # 调到 closing the text is "transfer"
    ("他上个月刚调到", "调", 0, "diao4"),
    # 系上 "in the department"; 系上 what it fastens, or closing a 把, ties
    ("他是系上的老师", "系", 0, "xi4"),
    ("请系上安全带。", "系", 0, "ji4"),
    ("把鞋带系上。", "系", 0, "ji4"),
    # 数 up to a number, however jieba cut it (一数 is one word)
    ("从一数到十", "数", 0, "shu3"),
]


# Classes of the held-out misses of session 10 (the audit's and blind round 1's leftovers, and
# blind10's first measurement) and of a self-audit of everyday sentences written for it, each in
# other words than the sentence that showed it, with the readings beside them that the fix must
# leave alone.
SESSION10_CLASSES = [
    # 和 "knead" between the dough and a result, or before the dough after a place or an adverb
    ("饺子皮的面得和得硬一点。", "和", 0, "huo2"),
    ("先把面和好，醒半个小时。", "和", 0, "huo2"),
    ("爸爸在厨房里和面。", "和", 0, "huo2"),
    ("我在超市买了米和面。", "和", 0, "he2"),
    ("面和水的比例是二比一。", "和", 0, "he2"),
    ("他在外面和好朋友聊天。", "和", 0, "he2"),
    ("她的态度很和气。", "和", 0, "he2"),
    # 得 after 过 "live", and before an adjective where no subject precedes it
    ("假期过得很快。", "得", 0, "de5"),
    ("你得快点走。", "得", 0, "dei3"),
    ("你必须得快一点。", "得", 0, "dei3"),   # an adverb of necessity before it: "must"
    ("我们一定得小心。", "得", 0, "dei3"),
    ("他一定得了第一名。", "得", 0, "de2"),
    # 长长 before 了 "has grown long"; 长长的 / 长长地 "long"
    ("院子里的草又长长了。", "长", 0, "zhang3"),
    ("院子里的草又长长了。", "长", 1, "chang2"),
    ("他长长地叹了一口气。", "长", 0, "chang2"),
    ("她留着长长的辫子。", "长", 0, "chang2"),
    # 着 after 没 and a verb of getting is the result; stative verbs and other contexts keep zhe5
    ("演唱会的票我没买着。", "着", 0, "zhao2"),
    ("他一整天都没闲着。", "着", 0, "zhe5"),
    ("我一直想着这件事。", "着", 0, "zhe5"),
    ("他从没想着要放弃。", "着", 0, "zhe5"),
    # 行 of 一行 after a demonstrative is a line or a trade; 一行人 and 他们一行 are a party
    ("我在那一行干过三年。", "行", 0, "hang2"),
    ("这一行字太小了。", "行", 0, "hang2"),
    ("他只写了一行代码。", "行", 0, "hang2"),
    ("这一行人在山里迷了路。", "行", 0, "xing2"),
    ("他们一行五人去了西藏。", "行", 0, "xing2"),
    ("干这行很辛苦。", "行", 0, "hang2"),          # 行 alone after a demonstrative a verb of working takes
    ("他是这行的老手。", "行", 0, "hang2"),
    ("这样行吗？", "行", 0, "xing2"),
    ("那行，就这么办。", "行", 0, "xing2"),
    ("改了一下，现在这行了。", "行", 0, "xing2"),
    # 没收 before 到/齐 is "not received"; confiscating stays mo4
    ("他一直没收到回信。", "没", 0, "mei2"),
    ("作业还没收齐。", "没", 0, "mei2"),
    ("老师没收了他的手机。", "没", 0, "mo4"),
    ("这些假货都被没收了。", "没", 0, "mo4"),
    # 转 reduplicated or round something is zhuan4; turning to a direction or a body zhuan3
    ("下午我们去公园转转。", "转", 0, "zhuan4"),
    ("我们去商场转一转。", "转", 0, "zhuan4"),
    ("他围着操场转了三圈。", "转", 0, "zhuan4"),
    ("他转过身去。", "转", 0, "zhuan3"),
    ("他在操场上转了两圈。", "转", 0, "zhuan4"),
    ("车在路口转了个弯。", "转", 0, "zhuan3"),
    ("到了路口向右转。", "转", 0, "zhuan3"),
    ("请把这句话转告给他。", "转", 0, "zhuan3"),
    # 为 "for" after a person noun before 这/那; a verb's 为 stays wei2
    ("护士为这位老人换了药。", "为", 0, "wei4"),
    ("医生为那个病人做了手术。", "为", 0, "wei4"),
    ("她后来成为老师。", "为", 0, "wei2"),
    ("他被选为班长。", "为", 0, "wei2"),
    # 累 before 死/坏 "tired"; 积累 lei3
    ("爬了一天山，累死了。", "累", 0, "lei4"),
    ("他积累了很多经验。", "累", 0, "lei3"),
    # 背 shouldering (背起, 背着 + a count + what is carried) bei1; reciting or "behind one's back" bei4
    ("他背起行囊出发了。", "背", 0, "bei1"),
    ("他背着一个旧书包。", "背", 0, "bei1"),
    ("这些单词背起来很难。", "背", 0, "bei4"),
    ("他背着我偷偷抽烟。", "背", 0, "bei4"),
    ("他把书包背在身上。", "背", 0, "bei1"),
    ("把课文背下来。", "背", 0, "bei4"),
    # 弹 the verb before an aspect or a complement tan2; 子弹 dan4
    ("他吉他弹得不错。", "弹", 0, "tan2"),
    ("子弹打中了靶心。", "弹", 0, "dan4"),
    # 乐 "laugh" before 了/坏/开 le4; music yue4
    ("孩子们听了都乐坏了。", "乐", 0, "le4"),
    ("他在乐队里弹贝斯。", "乐", 0, "yue4"),
    # 还上了 / 还完了 closing a clause have paid back; 还上了大学 "even"
    ("信用卡的钱终于还上了。", "还", 0, "huan2"),
    ("房贷还完了吗？", "还", 0, "huan2"),
    ("他还上了大学。", "还", 0, "hai2"),
    ("我还完不成。", "还", 0, "hai2"),
    # 差 "poor" after a degree word or 变/越; 出差 chai1
    ("这家饭馆的味道太差了。", "差", 0, "cha4"),
    ("他的视力越来越差。", "差", 0, "cha4"),
    ("他下周出差。", "差", 0, "chai1"),
    # 为 before what one does for someone, within the clause; the nouns made of those verbs after a V为
    ("他处处为别人着想。", "为", 0, "wei4"),
    ("这个机构为老人服务。", "为", 0, "wei4"),
    ("他被任命为负责人。", "为", 0, "wei2"),
    ("她被选为服务员。", "为", 0, "wei2"),
    # 为 opening its clause "in order to", after a word of willing "for"; a passive with 所 wei2
    ("为保障安全，景区将限流。", "为", 0, "wei4"),
    ("我愿意为环境保护出一份力。", "为", 0, "wei4"),
    ("他的事迹为大家所熟悉。", "为", 0, "wei2"),
    ("这个值可以为空。", "为", 0, "wei2"),
    # 调到 a setting, 调成 anything: "adjust"; 调到 a place or a department "transfer"
    ("把空调调到睡眠模式。", "调", 1, "tiao2"),
    ("开会前把手机调成震动。", "调", 0, "tiao2"),
    ("他被调到销售部。", "调", 0, "diao4"),
    ("他调到上海工作。", "调", 0, "diao4"),
    # 和成 a dough is kneading; 和成龙 "and"
    ("用凉水和成一个面团。", "和", 0, "huo2"),
    ("我和成龙合过影。", "和", 0, "he2"),
    # 累着 suffers tiredness
    ("搬东西小心点，别累着。", "累", 0, "lei4"),
    # 得 after an emotion jieba tags b is the complement particle
    ("孩子们高兴得跳了起来。", "得", 0, "de5"),
    # the potential V得了 "can V": de5 liao3; 考得了满分, 赢得了比赛 obtained: de2 le5
    ("这么多菜你吃得了吗？", "了", 0, "liao3"),
    ("明天的会你去得了吗？", "了", 0, "liao3"),
    ("他考得了满分。", "了", 0, "le5"),
    ("他赢得了比赛。", "得", 0, "de2"),
    # 得 opening a clause before a verb "must"; 得 "all right" on its own de2
    ("航班是八点的，得提前两小时到机场。", "得", 0, "dei3"),
    # 差了 an amount "short by"
    ("他这次考试又差了五分。", "差", 0, "cha4"),
    # 处 before an aspect or 得 "get along"; 到处 the place
    ("我们处了三年。", "处", 0, "chu3"),
    ("到处了解情况。", "处", 0, "chu4"),
    # 多重 closing a question "how heavy"; before a noun "multiple"
    ("这条鱼有多重？", "重", 0, "zhong4"),
    ("他有多重身份。", "重", 0, "chong2"),
    # 种的 after a person is what they planted
    ("他种的菜很好吃。", "种", 0, "zhong4"),
    # 当 "take as" (当成, 当作, 当真, 把…当) dang4; 当作家 "become", 当时 dang1
    ("他把我当成朋友。", "当", 0, "dang4"),
    ("他当作没看见。", "当", 0, "dang4"),
    ("别把他当朋友。", "当", 0, "dang4"),
    ("他想当作家。", "当", 0, "dang1"),
    ("我当时不在场。", "当", 0, "dang1"),
    # a time word's 得 before what must be done; 得了, 得奖 obtain
    ("这份报告明天得交。", "得", 0, "dei3"),
    ("今天得了第一名。", "得", 0, "de2"),
    # 长 closing a comparison is "long"; 比我长得高 grows; 长着 what has grown, 长着呢 "long"
    ("这条河比那条长。", "长", 0, "chang2"),
    ("他比我长得高。", "长", 0, "zhang3"),
    ("地里长着庄稼。", "长", 0, "zhang3"),
    ("路还长着呢。", "长", 0, "chang2"),
    # 重重地 "heavily"; 困难重重, 心事重重 layers
    ("他重重地摔了一跤。", "重", 0, "zhong4"),
    ("困难重重。", "重", 0, "chong2"),
    ("他心事重重地走了。", "重", 0, "chong2"),
    # a subject's 得 before an adjective, or what jieba tags one (重新), is "must"; 得了 an illness de2
    ("这件事我们得重新商量。", "得", 0, "dei3"),
    ("你得认真点。", "得", 0, "dei3"),
    ("我得了感冒。", "得", 0, "de2"),
    # a verb repeated after 了 or 一 reads as its first time
    ("他弹了弹身上的灰。", "弹", 1, "tan2"),
    ("你调一调座椅。", "调", 0, "tiao2"),          # 调 reduplicated is "adjust", both times
    ("他调了调音量。", "调", 1, "tiao2"),
    # the measure 只 jieba joined to a number; the adverb "only" elsewhere
    ("院子里有两只小猫。", "只", 0, "zhi1"),
    ("树上有十几只麻雀。", "只", 0, "zhi1"),
    ("他不只会唱歌。", "只", 0, "zhi3"),
    # 还 after 把 closing the disposal with 到 a place
    ("请把书还到图书馆。", "还", 0, "huan2"),
    # the load 担 (dan4) in words the classifier misread; 担心 dan1
    ("他肩上的担子很重。", "担", 0, "dan4"),
    ("你不用担心。", "担", 0, "dan1"),
]


# Review B (session 10's rules read by a native speaker): each overfitting rule's counter-examples,
# with the readings the fix must leave alone.
REVIEW_B_CLASSES = [
    # 弹着点 "point of impact" is one word (dan4 zhuo2); 弹着吉他 plays
    ("炮兵要计算弹着点。", "弹", 0, "dan4"),
    ("弹着点离目标只有五米。", "着", 0, "zhuo2"),
    ("她弹着吉他。", "弹", 0, "tan2"),
    # 变差 "get worse" is cha4 (jieba keeps it as one word)
    ("天气变差了。", "差", 0, "cha4"),
    ("最近睡眠质量变差。", "差", 0, "cha4"),
    # 这一行 before a count is the travelling party (xing2); before what one does there, the trade
    ("我们这一行五人。", "行", 0, "xing2"),
    ("我们这一行共十二人，下午到达。", "行", 0, "xing2"),
    ("我在这一行干了十年。", "行", 0, "hang2"),
    # 没抢着, 没赶着 before a verb: "didn't rush to" (zhe5); closing the clause or before what was got, zhao2
    ("他可没抢着说话。", "着", 0, "zhe5"),
    ("他并没赶着回家，而是去了公园。", "着", 0, "zhe5"),
    ("我没买着票。", "着", 0, "zhao2"),
    ("车没赶着。", "着", 0, "zhao2"),
    # 调到 a department or an archive is a transfer (diao4); 调到 a mode, a channel, a level adjusts
    ("他上个月调到档案室工作了。", "调", 0, "diao4"),
    ("他申请调到市档案馆。", "调", 0, "diao4"),
    ("他调到频道部当编辑。", "调", 0, "diao4"),
    ("把电视调到体育频道。", "调", 0, "tiao2"),
    ("把风扇调到三档。", "调", 0, "tiao2"),
    # 重重地 "heavily" only before a verb of force; layers (chong2, the dictionary's) elsewhere
    ("敌人重重地包围了村子。", "重", 0, "chong2"),
    ("他疑虑重重地看着我。", "重", 0, "chong2"),
    ("他重重地叹了口气。", "重", 1, "zhong4"),
    # X了X is one verb said twice only for real verbs: 还了还 is "gave back … still", 成为了为 "became … for"
    ("他借的钱还了还想再借。", "还", 1, "hai2"),
    ("他把书还了还说谢谢。", "还", 1, "hai2"),
    ("他成为了为人民服务的好干部。", "为", 1, "wei4"),
    ("他转了转眼珠。", "转", 1, "zhuan4"),
    # 还 after a 把 phrase that has its verb is "still", also before 到处/清点; 还到 a place, 还清 give back
    ("他把钱花光了还到处借。", "还", 0, "hai2"),
    ("他把房间收拾好了还清点了一遍东西。", "还", 0, "hai2"),
    ("把欠款还清。", "还", 0, "huan2"),
    ("就把钱还给你。", "还", 0, "huan2"),
    # 背起 a load shoulders it (bei1); 背起书来, 背起了台词 recite and 背起手来 clasps (bei4)
    ("他背起书来很快。", "背", 0, "bei4"),
    ("他很快就背起了台词。", "背", 0, "bei4"),
    ("他背起古诗来摇头晃脑。", "背", 0, "bei4"),
    ("他背起手来在屋里踱步。", "背", 0, "bei4"),
    ("老人背起双手走了。", "背", 0, "bei4"),
    ("他背起行囊出发了。", "背", 0, "bei1"),
    ("他背起了全家的重担。", "背", 0, "bei1"),
    # 背 after 把 and the load that heads its object carries (bei1); 包装, 孩子们的名字 are learnt by heart
    ("他把包装上的说明背了下来。", "背", 0, "bei4"),
    ("他把孩子们的名字背了下来。", "背", 0, "bei4"),
    ("把孩子背起来。", "背", 0, "bei1"),
    # 转 round what 绕着/围着 name right before it (zhuan4); a direction between them turns (zhuan3)
    ("车子绕着环岛往右转。", "转", 0, "zhuan3"),
    ("大家围着桌子坐好以后向后转。", "转", 0, "zhuan3"),
    ("地球绕着太阳转。", "转", 0, "zhuan4"),
    # 没收 confiscates (mo4, the dictionary's) after 被/把/将, before 到手 and in 没收全部; 没收到 "not received"
    ("法院判决没收全部财产。", "没", 0, "mo4"),
    ("依法没收到手的赃款。", "没", 0, "mo4"),
    ("他的手机被老师没收到现在还没还。", "没", 0, "mo4"),
    ("警方把没收到的毒品全部销毁。", "没", 0, "mo4"),
    ("我没收到你的邮件。", "没", 0, "mei2"),
    # 长着 before any clause-final particle is "long" (chang2); before what has grown, "grow"
    ("时间还长着哩。", "长", 0, "chang2"),
    ("路还长着嘞。", "长", 0, "chang2"),
    ("她长着一双大眼睛。", "长", 0, "zhang3"),
    # 长了 and a weight, an age or 不少 has grown (zhang3), 比 or not; 比那条长 is "longer"
    ("宝宝比上个月长了一斤。", "长", 0, "zhang3"),
    ("他比我小两岁！个子却长了不少。", "长", 0, "zhang3"),
    ("比如孩子长了一岁，衣服就得换。", "长", 0, "zhang3"),
    ("这根比我的长一些。", "长", 0, "chang2"),
    # 乐了 after music jieba splits off is the music (yue4); 大家都乐了 laughs
    ("听了一晚上古乐了。", "乐", 0, "yue4"),
    ("大家都乐了。", "乐", 0, "le4"),
    # 还完了 pays back only with a debt in sight
    ("这还完了？", "还", 0, "hai2"),
    ("房贷还完了吗？", "还", 0, "huan2"),
    # 面和 + a result that starts another word is "and" (he2); 把面和好 kneads
    ("我买了面和好多菜。", "和", 0, "he2"),
    ("锅里有面和开水。", "和", 0, "he2"),
    ("把面和好。", "和", 0, "huo2"),
    # V得了 + what was won: 得 obtained (de2); 来得了吗 can (liao3)
    ("他在比赛中跑得了第一名。", "得", 0, "de2"),
    ("他这次做得了满分。", "得", 0, "de2"),
    ("你来得了吗？", "了", 0, "liao3"),
    # 干那行 is a trade before a particle too; 这行吗 "all right?"
    ("干那行吗？", "行", 0, "hang2"),
    ("这行吗？", "行", 0, "xing2"),
    # 这几只 counts (zhi1); 三行字 lines (hang2), a dictionary word jieba keeps whole
    ("这几只小猫。", "只", 0, "zhi1"),
    ("这里有三行字。", "行", 0, "hang2"),
    ("三行诗。", "行", 0, "hang2"),
    # 当 after 把 and a verb phrase, or before 了/起/上/过, works as (dang1); after 把 and a short object, takes as (dang4)
    ("他把家务做完当了一回保姆。", "当", 0, "dang1"),
    ("他把孩子送到学校后当起了司机。", "当", 0, "dang1"),
    ("他把公司交给儿子以后当了个甩手掌柜。", "当", 0, "dang1"),
    ("很多人家都想把女儿嫁到他家来当媳妇。", "当", 0, "dang1"),
    ("把周炳安排到药铺当伙计。", "当", 0, "dang1"),
    ("把拿破仑当叛徒。", "当", 0, "dang4"),
    ("他们把我当吴王。", "当", 0, "dang4"),
    # 处 where news comes from (处得到/得知, 从…处得来) and counted (第三处) is the place (chu4); 处得来/处不来 get along (chu3)
    ("他从安阳仁波切处得到了禅修法。", "处", 0, "chu4"),
    ("惠徵自杨文定处得知自己被罢免。", "处", 0, "chu4"),
    ("这已经是第三处了。", "处", 0, "chu4"),
    ("这是从朋友处得来的消息。", "处", 0, "chu4"),
    ("他俩处得来。", "处", 0, "chu3"),
    ("我和他处不来。", "处", 0, "chu3"),
    ("我们处了三年。", "处", 0, "chu3"),
    # 一行 before a whole noun of what lines hold is a line (hang2); before 数十人, 代表国家 the party (xing2)
    ("代表团一行数十人抵达北京。", "行", 0, "xing2"),
    ("部长一行代表国家出席了会议。", "行", 0, "xing2"),
    ("表格里有一行数据错了。", "行", 0, "hang2"),
    ("他写了几行小字。", "行", 0, "hang2"),
    # 多重 after 不管/无论/不论/再 is "however heavy" (zhong4); before what it qualifies "multiple" (chong2)
    ("不管多重都能搬。", "重", 0, "zhong4"),
    ("再多重的担子他也能扛。", "重", 0, "zhong4"),
    ("无论多重都不怕。", "重", 0, "zhong4"),
    ("他有多重人格。", "重", 0, "chong2"),
    # 差了 + people sent to come or go sends (chai1); 差了 + an amount otherwise is short by (cha4)
    ("县里差了两个人来调查。", "差", 0, "chai1"),
    ("只差了一个字。", "差", 0, "cha4"),
    ("队伍里还差了两个人。", "差", 0, "cha4"),
    # 得 opening a clause before 免/见/享 is the written "manage to" (de2); before another verb "must" (dei3)
    ("后来，得免于难。", "得", 0, "de2"),
    ("后来，得见天日。", "得", 0, "de2"),
    ("这件事，得提前两小时到机场。", "得", 0, "dei3"),
]


@pytest.mark.parametrize(("sentence", "char", "nth", "expected"), POLYPHONES + EVERYDAY + COLLOCATIONS + HELD_OUT_CLASSES + SESSION10_CLASSES + REVIEW_B_CLASSES)
def test_polyphone_reading_depends_on_context(sentence, char, nth, expected):
    assert reading(sentence, char, nth) == expected


def test_words_concatenate_back_to_the_text():
    text = "他说：“Hello，2024年我们去北京！”  好吗？"
    assert "".join(w.text for w in words(text)) == text


def test_every_word_has_one_reading_per_character():
    for w in words("我们在展览馆里看到了很多ABC展品。"):
        assert len(w.pinyin) == len(w.text)


def test_word_is_immutable():
    w = words("你好")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        w.text = "再见"  # type: ignore[misc]


def test_words_carry_jieba_part_of_speech():
    assert [(w.text, w.pos) for w in words("我们的")] == [("我们", "r"), ("的", "uj")]


def test_to_pinyin_is_the_flattened_word_pinyin():
    text = "银行行长说，长江很长。"
    assert to_pinyin(text) == [p for w in words(text) for p in w.pinyin]


def test_non_chinese_characters_stay_as_themselves():
    assert to_pinyin("A1，好!") == ["A", "1", "，", "hao3", "!"]


def test_u_umlaut_is_written_v():
    assert to_pinyin("绿色") == ["lv4", "se4"]


def test_ue_is_written_ve():
    assert to_pinyin("虐待")[0] == "nve4"


def test_neutral_tone_is_five():
    assert to_pinyin("桌子") == ["zhuo1", "zi5"]


def test_yi_and_bu_keep_their_citation_tones_before_sandhi():
    assert to_pinyin("一个不是") == ["yi1", "ge4", "bu4", "shi4"]


def test_a_chinese_character_without_reading_stays_as_itself():
    assert to_pinyin("𪛗") == ["𪛗"]


def test_empty_text_gives_no_words():
    assert words("") == [] and to_pinyin("") == []


def test_word_dataclass_fields():
    assert [f.name for f in dataclasses.fields(Word)] == ["text", "pinyin", "pos"]


def test_concurrent_calls_agree_with_sequential_ones():
    texts = ["银行行长", "长得很高", "他还没还书", "音乐让人快乐"] * 8
    expected = [to_pinyin(t) for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(to_pinyin, texts)) == expected


@settings(max_examples=300, deadline=None)
@given(st.text())
@example("系")   # 系 closing the text: the 系上 rule looked past its end (IndexError)
@example("他系")
@example("和")   # and 和 closing it: the 和面 rule too
def test_to_pinyin_gives_one_entry_per_character_for_any_text(text):
    assert len(to_pinyin(text)) == len(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("一不儿了的行长还得好，。 ABC12😀\u3000")))
def test_words_round_trip_on_mixed_text(text):
    assert "".join(w.text for w in words(text)) == text


def test_every_reading_a_rule_table_gives_is_one_the_character_has():
    from tts.frontend.polyphone_model import model
    from tts.frontend.polyphone_rules import _NEIGHBOURS, _PARTICLES

    candidates = model().candidates
    given = [(ch, r) for ch, entries in _NEIGHBOURS.items() for _, _, r in entries if r] + list(_PARTICLES.items())
    assert [(ch, r) for ch, r in given if r not in candidates[ch]] == []
