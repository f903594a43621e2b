"""A table of mixed Chinese–Latin sentences: no Latin token is dropped, and every reading is stable.

The table (our own sentences, by category: English words and brands, camelCase, acronyms spelled
or said as words, letters with digits, units, URLs, e-mail, @handles, #tags, file names, versions,
code-like names, whole English clauses, diacritics, pinyin, other scripts, over-long runs) lists
the Latin tokens each sentence must be read with and how each is read (latin.TokenReading.how);
units and signs that normalization turns into Chinese are no token (16GB → 十六吉字节).
latin_readings.json pins the exact Mandarin syllables and ARPAbet of every token; after a
deliberate change to the readings, rewrite it with `python -m tests.frontend.test_latin_table`
and review the diff.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tts.frontend import analyze_text, normalize
from tts.frontend.latin import MAX_TOKEN_LETTERS

READINGS = Path(__file__).with_name("latin_readings.json")
OMITTED = "omitted"

TABLE = (
    ('我用iPhone 15给AI助手发了条微信，OK吗？', 'iPhone=dictionary AI=letters OK=letters'),
    ('Hello world, this is English.', 'Hello=dictionary world=dictionary this=dictionary is=dictionary English=dictionary'),
    ('请访问example.com/docs了解详情。', 'example=dictionary com=dictionary docs=dictionary'),
    ('NASA今天发布了新的火星图片。', 'NASA=dictionary'),
    ('这块GPU的算力很强。', 'GPU=letters'),
    ('新款iPad支持Apple Pencil。', 'iPad=dictionary Apple=dictionary Pencil=dictionary'),
    ('家里的WiFi信号不好。', 'WiFi=dictionary'),
    ('咖啡店的Wi-Fi密码是多少？', 'WiFi=dictionary'),
    ('我们公司正在研发5G技术。', 'G=letters'),
    ('COVID-19疫情改变了生活方式。', 'COVID=dictionary'),
    ('他在Google做软件工程师。', 'Google=dictionary'),
    ('我每天都看YouTube上的视频。', 'YouTube=dictionary'),
    ('请用PowerPoint做一份报告。', 'PowerPoint=dictionary'),
    ('JavaScript和Python都是编程语言。', 'JavaScript=dictionary Python=dictionary'),
    ('这台MacBook Pro的屏幕很好。', 'MacBook=dictionary Pro=dictionary'),
    ('我的macOS升级到了最新版本。', 'macOS=parts'),
    ('iOS系统的更新很频繁。', 'iOS=letters'),
    ('他用ChatGPT写了一篇文章。', 'ChatGPT=parts'),
    ('OpenAI发布了新模型。', 'OpenAI=parts'),
    ('TikTok在海外很受欢迎。', 'TikTok=rules'),
    ('请在WeChat上联系我。', 'WeChat=dictionary'),
    ('我们用Zoom开视频会议。', 'Zoom=dictionary'),
    ('这家公司的CEO辞职了。', 'CEO=letters'),
    ('美国NBA总决赛开始了。', 'NBA=letters'),
    ('她在IBM工作了十年。', 'IBM=letters'),
    ('我们需要一个API接口。', 'API=letters'),
    ('请把PDF文件发给我。', 'PDF=letters'),
    ('这个App很好用。', 'App=letters'),
    ('欢迎收看CCTV新闻。', 'CCTV=letters'),
    ('世界卫生组织WHO发布了报告。', 'WHO=letters'),
    ('这款SUV的油耗很低。', 'SUV=letters'),
    ('他的IQ很高。', 'IQ=letters'),
    ('这个DIY项目很有趣。', 'DIY=letters'),
    ('我买了一台4K电视。', 'K=letters'),
    ('这是一款H5N1疫苗。', 'H=letters N=letters'),
    ('我的手机是iPhone 14 Pro Max。', 'iPhone=dictionary Pro=dictionary Max=dictionary'),
    ('他开着一辆BMW X5。', 'BMW=letters X=letters'),
    ('特斯拉Model Y降价了。', 'Model=dictionary Y=letters'),
    ('RTX4090显卡很贵。', 'RTX=letters'),
    ('这台电脑有16GB内存。', ''),
    ('时速120km/h是限速。', ''),
    ('今天气温25°C。', ''),
    ('这个充电宝有10000mAh。', ''),
    ('他跑了5km。', ''),
    ('这袋米有10kg重。', ''),
    ('硬盘容量是2TB。', ''),
    ('网速达到了100Mbps。', ''),
    ('请发邮件到zhang.san@example.com。', 'zhang=pinyin san=dictionary example=dictionary com=dictionary'),
    ('客服邮箱是support@company.cn。', 'support=dictionary company=dictionary cn=letters'),
    ('官网是https://www.python.org。', 'www=letters python=dictionary org=dictionary'),
    ('请访问www.baidu.com搜索。', 'www=letters baidu=pinyin com=dictionary'),
    ('关注我们的微博@人民日报。', ''),
    ('欢迎关注@TechCrunch的报道。', 'TechCrunch=dictionary'),
    ('这条微博带了#春节#话题。', ''),
    ('他发了一条#MeToo的推文。', 'MeToo=dictionary'),
    ('请打开report_final.pdf查看。', 'report=dictionary final=dictionary pdf=letters'),
    ('把config.yaml改一下。', 'config=compound yaml=rules'),
    ('我写了一个main.py脚本。', 'main=dictionary py=rules'),
    ('这个项目用了node.js框架。', 'node=dictionary js=letters'),
    ('请下载setup.exe安装程序。', 'setup=dictionary exe=rules'),
    ('当前版本是v2.1.3。', 'v=letters'),
    ('Python 3.12已经发布了。', 'Python=dictionary'),
    ('请升级到V8引擎。', 'V=letters'),
    ('这个函数叫getUserName。', 'getUserName=dictionary'),
    ('变量名是max_length。', 'max=dictionary length=dictionary'),
    ('他精通C++和C#。', 'C=letters C=letters sharp=dictionary'),
    ('我在学习HTML和CSS。', 'HTML=letters CSS=letters'),
    ('我们的数据是JSON格式。', 'JSON=dictionary'),
    ('这个bug已经修复了。', 'bug=dictionary'),
    ('今天的meeting改到下午了。', 'meeting=dictionary'),
    ('这个idea很不错。', 'idea=dictionary'),
    ('我们下周有一个deadline。', 'deadline=dictionary'),
    ('这件事真的很cool。', 'cool=dictionary'),
    ('他是一个很nice的人。', 'nice=dictionary'),
    ('我觉得这个plan可行。', 'plan=dictionary'),
    ('谢谢你的help。', 'help=dictionary'),
    ('周末一起去shopping吧。', 'shopping=dictionary'),
    ('我最喜欢的乐队是Coldplay。', 'Coldplay=compound'),
    ('我在听Taylor Swift的新歌。', 'Taylor=dictionary Swift=dictionary'),
    ('这部电影叫Inception。', 'Inception=dictionary'),
    ('他在读Harry Potter。', 'Harry=dictionary Potter=dictionary'),
    ('我的偶像是Michael Jordan。', 'Michael=dictionary Jordan=dictionary'),
    ('来自U.S.A.的游客很多。', 'USA=letters'),
    ("我们在McDonald's吃午饭。", "McDonald's=dictionary"),
    ("I don't know what to say.", "I=letters don't=dictionary know=dictionary what=dictionary to=dictionary say=dictionary"),
    ("It's a beautiful day.", "It's=dictionary a=dictionary beautiful=dictionary day=dictionary"),
    ('她说了一句Thank you very much。', 'Thank=dictionary you=dictionary very=dictionary much=dictionary'),
    ('这家café的咖啡很好喝。', 'cafe=dictionary'),
    ('他叫José，来自西班牙。', 'Jose=dictionary'),
    ('Müller是德国常见的姓。', 'Muller=dictionary'),
    ('这是一段Ελληνικά文字。', 'Ελληνικά=omitted'),
    ('他说Привет是你好的意思。', 'Привет=omitted'),
    ('我在Amazon上买了书。', 'Amazon=dictionary'),
    ('华为Huawei和小米Xiaomi都是中国品牌。', 'Huawei=pinyin Xiaomi=pinyin'),
    ('我在Beijing工作。', 'Beijing=pinyin'),
    ('阿里巴巴的英文是Alibaba。', 'Alibaba=pinyin'),
    ('我用Microsoft Office写文档。', 'Microsoft=dictionary Office=dictionary'),
    ('我们用Slack和Notion协作。', 'Slack=dictionary Notion=dictionary'),
    ('LinkedIn上有很多招聘信息。', 'LinkedIn=dictionary'),
    ('他在Instagram上有很多粉丝。', 'Instagram=dictionary'),
    ('这款Android手机很便宜。', 'Android=dictionary'),
    ('他是NVIDIA的工程师。', 'NVIDIA=dictionary'),
    ('在AWS上部署服务。', 'AWS=letters'),
    ('我们使用Docker和Kubernetes。', 'Docker=dictionary Kubernetes=dictionary'),
    ('请用Git提交代码。', 'Git=dictionary'),
    ('他在GitHub上开源了项目。', 'GitHub=dictionary'),
    ('这篇论文被CVPR接收了。', 'CVPR=letters'),
    ('我们团队在做NLP研究。', 'NLP=letters'),
    ('这个LLM的参数很多。', 'LLM=letters'),
    ('ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOP是一串字母。', 'ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOP=omitted'),
    ('他的密码是xK9mQ2。', 'xK=letters mQ=letters'),
    ('e.g.这里是一个例子。', ''),
    ('A股和B股。', 'A=letters B=letters'),
    ('X光检查没有问题。', 'X=letters'),
    ('T恤衫很便宜。', 'T=letters'),
    ('他是一名PhD学生。', 'PhD=letters'),
    ('我们的KPI完成了。', 'KPI=letters'),
    ('这是一款B2B产品。', 'B=letters to=dictionary B=letters'),
)


def _tokens(expected: str) -> list[tuple[str, str]]:
    return [tuple(item.rsplit("=", 1)) for item in expected.split()]


def test_the_table_is_large_and_has_every_category():
    assert len(TABLE) >= 100
    hows = {how for _, expected in TABLE for _, how in _tokens(expected)}
    assert hows >= {"dictionary", "letters", "pinyin", "compound", "rules", "parts", OMITTED}


@pytest.mark.parametrize(("text", "expected"), TABLE, ids=[text[:24] for text, _ in TABLE])
def test_every_latin_token_is_read_as_listed(text, expected):
    analysis = analyze_text(text)
    assert [(t.text, t.how) for t in analysis.tokens] == _tokens(expected)


@pytest.mark.parametrize(("text", "expected"), TABLE, ids=[text[:24] for text, _ in TABLE])
def test_no_latin_letter_is_dropped_silently(text, expected):
    """Every Latin letter the normalized text keeps is in a token that is read (has syllables),
    or in one reported as omitted, which only a run over MAX_TOKEN_LETTERS letters can be."""
    analysis = analyze_text(text)
    kept = "".join(re.findall(r"[A-Za-z]", normalize(text)))
    assert "".join(re.findall(r"[A-Za-z]", "".join(t.text for t in analysis.tokens))) == kept
    for token in analysis.tokens:
        latin = re.fullmatch(r"[A-Za-z'’]+", token.text)
        assert token.syllables or not latin or len(token.text) > MAX_TOKEN_LETTERS


@pytest.mark.parametrize(("text", "expected"), TABLE, ids=[text[:24] for text, _ in TABLE])
def test_readings_are_stable(text, expected):
    pinned = json.loads(READINGS.read_text(encoding="utf-8"))[text]
    assert [[t.text, " ".join(t.syllables), t.arpabet] for t in analyze_text(text).tokens] == pinned


def test_omitted_tokens_are_what_no_voice_reads():
    analysis = analyze_text("Ελληνικά和Русский都读不了，English可以。")
    assert analysis.omitted == ("Ελληνικά", "Русский")
    assert [t.text for t in analysis.tokens if not t.omitted] == ["English"]


if __name__ == "__main__":   # rewrite the pinned readings after a deliberate change
    READINGS.write_text(json.dumps({text: [[t.text, " ".join(t.syllables), t.arpabet]
                                           for t in analyze_text(text).tokens] for text, _ in TABLE},
                                   ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
