"""Sentences the quality bench listens to: written for this project (none from the dev sets).

Each group exercises one part of the frontend as everyday text does: plain news prose,
numbers that normalization must read (dates, money, units, codes, identifiers, decade
words), the frequent polyphones with the contexts that decide them, dialogue with its
particles and question intonation, descriptive verse-like lines, and erhua. Every sentence
is the first of its request, so a voice that cuts first sentences for early audio is heard
with its cut.
"""

from __future__ import annotations

NEWS = (
    "市气象台发布消息，今晚到明天白天有中到大雨，请市民注意出行安全。",
    "经过三年的建设，这座跨江大桥终于在上周末正式通车了。",
    "据统计，今年一季度全省新增就业岗位十二万个，同比增长百分之六。",
    "博物馆新开设的青铜器展厅吸引了大批游客前来参观。",
    "专家提醒，夏季饮食要注意卫生，剩饭剩菜最好不要隔夜食用。",
    "这所大学今年计划招收本科新生四千五百人，比去年多出三百人。",
    "农民们正忙着收割小麦，田野里到处是一片金黄。",
    "新的垃圾分类规定将从下个月一号起实行。",
)
NUMBERS = (
    "航班预计于2025年7月12日晚上8点45分到达。",
    "这款手机的屏幕分辨率是2400x1080，电池容量为5000mAh。",
    "请到3楼的302房间办理手续，电话是010-62751234。",
    "今年参赛的选手大多是90后和00后。",
    "我的体温是37.5℃，比昨天低了0.3度。",
    "这件外套打完折是¥168，原价要三百多块。",
    "他的成绩是第2名，总分比第1名少了15分。",
    "老师在黑板上写下5-(-3)=8，让大家想一想为什么。",
    "全程马拉松的距离是42.195公里。",
    "本店营业时间为每天9:00-21:30，周末照常营业。",
    "小区一共有12栋楼，每栋楼有18层。",
    "这次地震的震级为5.8级，震源深度10千米。",
)
POLYPHONES = (
    "我下个月发了工资就还你钱。",
    "他还没数清楚到底来了多少人。",
    "你数一数，盒子里还剩几块糖。",
    "她穿着一件红色的大衣，笑着向我们走来。",
    "外面下着大雨，你得带上雨伞。",
    "孩子们高高兴兴地跑进了教室。",
    "这件事我已经了解了，你放心吧。",
    "为了孩子的将来，父母付出了很多。",
    "这条路不好走，你一个人行吗？",
    "这位老行长在银行工作了三十年。",
    "几年不见，小姑娘长高了不少。",
    "这个箱子太重了，我们重新打包一下吧。",
    "请把空调的温度调高一点。",
    "这里的东西很便宜，交通也很方便。",
    "你要是想去，就早点告诉我。",
)
DIALOGUE = (
    "喂，你好，请问王老师在家吗？",
    "别着急，慢慢说，到底发生了什么事？",
    "我觉得这部电影挺好看的，你觉得呢？",
    "明天早上七点在学校门口集合，千万别迟到啊！",
    "不好意思，我刚才没听清楚，能再说一遍吗？",
    "服务员，麻烦再给我们加一壶热茶。",
    "他笑着说：“这点小事儿，不用客气。”",
    "你把钥匙放哪儿了？我找了半天也没找着。",
)
VERSE = (
    "春风吹绿了江边的柳树，燕子又飞回了屋檐下。",
    "山间的小路弯弯曲曲，一直通向白云深处。",
    "月光洒在湖面上，像铺了一层薄薄的银纱。",
    "秋天的落叶轻轻飘下，好像在和大树告别。",
    "小孩儿在院子里玩儿，一会儿就跑没影了。",
)
SENTENCES = NEWS + NUMBERS + POLYPHONES + DIALOGUE + VERSE
