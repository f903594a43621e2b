"""The Mandarin syllables a user may write as readings (`<phoneme ph>`, `字{zi4}`).

A reading the frontend passes on is one every engine can say: an unknown one used to be
skipped by the embedded voice (silent audio) and raised inside Kokoro (a 500). The list
is the toneless readings of pypinyin's character dictionary (a test keeps it so), ü written
v, without ê (no engine has a symbol for it); an erhua form (huar) is its syllable plus r.
"""

from __future__ import annotations

import re

SYLLABLES = frozenset("""
    a ai an ang ao e ei en eng er m n ng o ou
    ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bong bu
    pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu
    ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu
    fa fan fang fei fen feng fiao fo fou fu
    da dai dan dang dao de dei den deng di dia dian diao die din ding diu dong dou du duan dui dun duo
    ta tai tan tang tao te tei teng ti tian tiao tie ting tong tou tu tuan tui tun tuo
    na nai nan nang nao ne nei nen neng ni nia nian niang niao nie nin ning niu nong nou nu nuan nun nuo nv nve
    la lai lan lang lao le lei len leng li lia lian liang liao lie lin ling liu lo long lou lu luan lun luo lv lve
    ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo
    ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo
    ha hai han hang hao he hei hen heng hm hng hong hou hu hua huai huan huang hui hun huo
    ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun
    qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun
    xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun
    zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo
    cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo
    sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo
    ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo
    za zai zan zang zao ze zei zen zeng zi zong zou zu zuan zui zun zuo
    ca cai can cang cao ce cei cen ceng ci cong cou cu cuan cui cun cuo
    sa sai san sang sao se sen seng si song sou su suan sui sun suo
    ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun
    wa wai wan wang wei wen weng wo wong wu
""".split())

_TONED = re.compile(r"([a-z]+)([1-5])")


def is_syllable(syllable: str) -> bool:
    """True for a tone-numbered syllable ('hang2', 'lv4', 'huar1'; tone 5 = neutral)."""
    match = _TONED.fullmatch(syllable)
    if not match:
        return False
    base = match.group(1)
    return base in SYLLABLES or (base.endswith("r") and base[:-1] in SYLLABLES and base != "err")
