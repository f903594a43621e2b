"""The dev-set scorer's held-out split: fixed by the sentence alone, about half of the set."""

from tts.frontend.eval import held_out, pinyin_key


def test_the_held_out_half_depends_on_the_sentence_only():
    assert held_out("他在银行上班。") == held_out("他在银行上班。")
    share = sum(held_out(f"第{i}句话。") for i in range(400)) / 400
    assert 0.4 < share < 0.6


def test_pinyin_keys_compare_the_readme_way():
    assert pinyin_key("lu:4") == pinyin_key("lv4") == pinyin_key("LÜ4")
    assert pinyin_key("le") == "le5"
