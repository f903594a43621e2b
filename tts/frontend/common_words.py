"""Everyday words whose reading g2p takes as fixed, whatever the classifier says.

The polyphone classifier learnt from Wikipedia prose and is sometimes confidently wrong
about everyday vocabulary (了解, 头发, 着急, 中奖), and pypinyin's phrase dictionary has
some words wrong (质朴 piao2, 率部 lv4, 落差 cha4, 夹克 jia2: the readings here are the
standard dictionary's); these words have one reading in ordinary use, so no context can
change it. Readings are lexical (before sandhi), tone 5
for a lexically neutral syllable. Keep entries unambiguous: a word with two readings in
use (穿着, 大夫, 同行) does not belong here.
"""

from __future__ import annotations

_TABLE = """
银行 yin2 hang2 | 行长 hang2 zhang3 | 行业 hang2 ye4 | 排行 pai2 hang2 | 内行 nei4 hang2
外行 wai4 hang2 | 步行 bu4 xing2 | 旅行 lv3 xing2 | 行人 xing2 ren2 | 进行 jin4 xing2
举行 ju3 xing2 | 行李 xing2 li5 | 长大 zhang3 da4 | 校长 xiao4 zhang3 | 成长 cheng2 zhang3
生长 sheng1 zhang3 | 增长 zeng1 zhang3 | 家长 jia1 zhang3 | 长相 zhang3 xiang4
长城 chang2 cheng2 | 长江 chang2 jiang1 | 长度 chang2 du4 | 擅长 shan4 chang2 | 特长 te4 chang2
重要 zhong4 yao4 | 严重 yan2 zhong4 | 重新 chong2 xin1 | 重复 chong2 fu4 | 重写 chong2 xie3
重建 chong2 jian4 | 重庆 chong2 qing4 | 尊重 zun1 zhong4 | 重视 zhong4 shi4 | 体重 ti3 zhong4
还是 hai2 shi4 | 还有 hai2 you3 | 归还 gui1 huan2 | 还钱 huan2 qian2 | 还书 huan2 shu1
偿还 chang2 huan2 | 觉得 jue2 de5 | 记得 ji4 de5 | 显得 xian3 de5 | 使得 shi3 de5 | 值得 zhi2 de5
懂得 dong3 de5 | 获得 huo4 de2 | 取得 qu3 de2 | 得到 de2 dao4 | 舍不得 she3 bu4 de5
不得不 bu4 de2 bu4 | 了解 liao3 jie3 | 为了 wei4 le5 | 除了 chu2 le5 | 受不了 shou4 bu4 liao3
了不起 liao3 bu4 qi3 | 不了 bu4 liao3 | 不得了 bu4 de2 liao3 | 着急 zhao2 ji2 | 睡着 shui4 zhao2
着火 zhao2 huo3 | 着凉 zhao2 liang2 | 着手 zhuo2 shou3 | 着想 zhuo2 xiang3 | 接着 jie1 zhe5
随着 sui2 zhe5 | 沿着 yan2 zhe5 | 意味着 yi4 wei4 zhe5 | 土地 tu3 di4 | 地方 di4 fang1
当地 dang1 di4 | 的确 di2 que4 | 目的 mu4 di4 | 目的地 mu4 di4 di4 | 快乐 kuai4 le4 | 音乐 yin1 yue4
乐器 yue4 qi4 | 娱乐 yu2 le4 | 乐观 le4 guan1 | 乐队 yue4 dui4 | 方便 fang1 bian4 | 便宜 pian2 yi5
随便 sui2 bian4 | 顺便 shun4 bian4 | 传说 chuan2 shuo1 | 传统 chuan2 tong3 | 宣传 xuan1 chuan2
自传 zi4 zhuan4 | 传记 zhuan4 ji4 | 调查 diao4 cha2 | 空调 kong1 tiao2 | 调整 tiao2 zheng3
强调 qiang2 diao4 | 协调 xie2 tiao2 | 声调 sheng1 diao4 | 单调 dan1 diao4 | 调皮 tiao2 pi2
睡觉 shui4 jiao4 | 午觉 wu3 jiao4 | 感觉 gan3 jue2 | 发觉 fa1 jue2 | 数一数 shu3 yi1 shu3
数一下 shu3 yi1 xia4 | 数学 shu4 xue2 | 数量 shu4 liang4 | 数字 shu4 zi4 | 数据 shu4 ju4
数不清 shu3 bu4 qing1 | 因为 yin1 wei4 | 为什么 wei4 shen2 me5 | 成为 cheng2 wei2 | 作为 zuo4 wei2
认为 ren4 wei2 | 以为 yi3 wei2 | 行为 xing2 wei2 | 首都 shou3 du1 | 都市 du1 shi4 | 成都 cheng2 du1
暖和 nuan3 huo5 | 和面 huo2 mian4 | 和平 he2 ping2 | 要求 yao1 qiu2 | 需要 xu1 yao4 | 只有 zhi3 you3
只是 zhi3 shi4 | 只要 zhi3 yao4 | 只好 zhi3 hao3 | 只能 zhi3 neng2 | 船只 chuan2 zhi1
供给 gong1 ji3 | 给予 ji3 yu3 | 补给 bu3 ji3 | 交给 jiao1 gei3 | 送给 song4 gei3
中奖 zhong4 jiang3 | 中毒 zhong4 du2 | 打中 da3 zhong4 | 击中 ji1 zhong4 | 命中 ming4 zhong4
中暑 zhong4 shu3 | 其中 qi2 zhong1 | 考中 kao3 zhong4 | 看中 kan4 zhong4 | 选中 xuan3 zhong4
猜中 cai1 zhong4 | 射中 she4 zhong4 | 困难 kun4 nan2 | 难民 nan4 min2 | 灾难 zai1 nan4
遇难 yu4 nan4 | 难过 nan2 guo4 | 苦难 ku3 nan4 | 头发 tou2 fa4 | 理发 li3 fa4 | 发型 fa4 xing2
发现 fa1 xian4 | 发展 fa1 zhan3 | 出发 chu1 fa1 | 干净 gan1 jing4 | 干活 gan4 huo2 | 干部 gan4 bu4
能干 neng2 gan4 | 干燥 gan1 zao4 | 饼干 bing3 gan1 | 转身 zhuan3 shen1 | 转圈 zhuan4 quan1
转变 zhuan3 bian4 | 转弯 zhuan3 wan1 | 爱好 ai4 hao4 | 好奇 hao4 qi2
好客 hao4 ke4 | 嗜好 shi4 hao4 | 好吃 hao3 chi1 | 好看 hao3 kan4 | 少年 shao4 nian2 | 少女 shao4 nv3
减少 jian3 shao3 | 多少 duo1 shao3 | 至少 zhi4 shao3 | 放假 fang4 jia4 | 请假 qing3 jia4
假如 jia3 ru2 | 教室 jiao4 shi4 | 教育 jiao4 yu4 | 处理 chu3 li3 | 到处 dao4 chu4 | 好处 hao3 chu4
种子 zhong3 zi5 | 种植 zhong4 zhi2 | 相信 xiang1 xin4 | 照相 zhao4 xiang4 | 差不多 cha4 bu4 duo1
出差 chu1 chai1 | 应该 ying1 gai1 | 答应 da1 ying5 | 当时 dang1 shi2 | 上当 shang4 dang4
还款 huan2 kuan3 | 还清 huan2 qing1 | 还债 huan2 zhai4 | 还贷 huan2 dai4 | 还给 huan2 gei3
还原 huan2 yuan2 | 还击 huan2 ji1 | 还手 huan2 shou3 | 还嘴 huan2 zui3 | 还价 huan2 jia4
退还 tui4 huan2 | 送还 song4 huan2 | 交还 jiao1 huan2 | 返还 fan3 huan2 | 生还 sheng1 huan2
数数 shu3 shu3 | 数数看 shu3 shu3 kan4 | 数落 shu3 luo5 | 数得清 shu3 de5 qing1 | 数不过来 shu3 bu4 guo4 lai2
数不胜数 shu3 bu4 sheng4 shu3 | 数一数二 shu3 yi1 shu3 er4 | 屈指可数 qu1 zhi3 ke3 shu3
数以万计 shu4 yi3 wan4 ji4 | 不计其数 bu4 ji4 qi2 shu4 | 没完没了 mei2 wan2 mei2 liao3
有空 you3 kong4 | 没空 mei2 kong4
空闲 kong4 xian2 | 改行 gai3 hang2 | 行当 hang2 dang4 | 商量 shang1 liang5
划船 hua2 chuan2 | 笼罩 long3 zhao4 | 眩晕 xuan4 yun4 | 煞车 sha1 che1 | 甚么 shen2 me5
质朴 zhi4 pu3 | 简朴 jian3 pu3 | 古朴 gu3 pu3 | 淳朴 chun2 pu3 | 薄膜 bo2 mo2 | 夹克 jia1 ke4
率部 shuai4 bu4 | 落差 luo4 cha1 | 反差 fan3 cha1 | 高差 gao1 cha1 | 卷柏 juan3 bai3 | 玄参 xuan2 shen1
催吐 cui1 tu4 | 书吧 shu1 ba1 | 木杆 mu4 gan1 | 泊地 bo2 di4 | 一下子 yi1 xia4 zi5 | 这下子 zhe4 xia4 zi5
教书 jiao1 shu1 | 教课 jiao1 ke4 | 衣着 yi1 zhuo2 | 种树 zhong4 shu4 | 种地 zhong4 di4 | 种菜 zhong4 cai4
种花 zhong4 hua1 | 种田 zhong4 tian2 | 背包 bei1 bao1 | 背书包 bei1 shu1 bao1
温差 wen1 cha1 | 胸闷 xiong1 men4 | 结扎 jie2 za1 | 褪色 tui4 se4 | 褪去 tui4 qu4 | 辟谷 bi4 gu3
蠡测 li2 ce4 | 伸缩缝 shen1 suo1 feng4 | 干支流 gan4 zhi1 liu2 | 虎跑泉 hu3 pao2 quan2
一哄而起 yi1 hong4 er2 qi3 | 一哄而散 yi1 hong4 er2 san4 | 阿塞拜疆 a1 sai4 bai4 jiang1
埃塞俄比亚 ai1 sai4 e2 bi3 ya4 | 后燕 hou4 yan1 | 南燕 nan2 yan1 | 北燕 bei3 yan1 | 前燕 qian2 yan1
西燕 xi1 yan1 | 劲歌 jing4 ge1 | 加劲梁 jia1 jing4 liang2 | 守擂 shou3 lei4 | 打擂 da3 lei4 | 加缪 jia1 miu4
都指挥使 du1 zhi3 hui1 shi3 | 都督 du1 du1 | 更好 geng4 hao3 | 更迭 geng1 die2 | 舍入 she3 ru4
干辣椒 gan1 la4 jiao1 | 绝少 jue2 shao3 | 一处 yi1 chu4 | 多处 duo1 chu4 | 两处 liang3 chu4 | 几处 ji3 chu4
此处 ci3 chu4 | 各处 ge4 chu4 | 何处 he2 chu4 | 催吐剂 cui1 tu4 ji4 | 大喝一声 da4 he4 yi1 sheng1 | 草垛 cao3 duo4
转悠 zhuan4 you1 | 转转 zhuan4 zhuan4 | 当成 dang4 cheng2 | 当作 dang4 zuo4 | 当做 dang4 zuo4 | 当真 dang4 zhen1 | 重担 zhong4 dan4 | 担子 dan4 zi5 | 担子菌 dan1 zi3 jun1 | 脊梁 ji3 liang2 | 会计 kuai4 ji4 | 个子 ge4 zi5 | 妻子 qi1 zi5 | 教教 jiao1 jiao1 | 系紧 ji4 jin3
系好 ji4 hao3 | 年假 nian2 jia4 | 婚假 hun1 jia4 | 产假 chan3 jia4 | 病假 bing4 jia4
事假 shi4 jia4 | 休假 xiu1 jia4 | 寒假 han2 jia4 | 暑假 shu3 jia4 | 丧假 sang1 jia4
弹着点 dan4 zhuo2 dian3 | 变差 bian4 cha4 | 几只 ji3 zhi1
水分 shui3 fen4 | 水分子 shui3 fen1 zi3 | 华山 hua4 shan1 | 九华山 jiu3 hua2 shan1 | 好动 hao4 dong4
好胜 hao4 sheng4 | 卷子 juan4 zi5 | 一着不慎 yi1 zhao1 bu4 shen4 | 该行 gai1 hang2 | 似的 shi4 de5
"""

READINGS: dict[str, tuple[str, ...]] = {
    word: tuple(syllables)
    for entry in _TABLE.replace("\n", "|").split("|")
    if entry.strip()
    for word, *syllables in [entry.split()]
}
