"""The dev-set scorer's held-out split: fixed by the sentence alone, about half of the set."""

from tts.frontend.eval import held_out, pinyin_key, read_polyphones


def test_the_held_out_half_depends_on_the_sentence_only():
    assert held_out("他在银行上班。") == held_out("他在银行上班。")
    share = sum(held_out(f"第{i}句话。") for i in range(400)) / 400
    assert 0.4 < share < 0.6


def test_pinyin_keys_compare_the_readme_way():
    assert pinyin_key("lu:4") == pinyin_key("lv4") == pinyin_key("LÜ4")
    assert pinyin_key("le") == "le5"


def test_a_cpp_split_reads_as_the_dev_rows(tmp_path):
    (tmp_path / "test.sent").write_text("他在银\u2581行\u2581上班。\n\u2581了\u2581解\n", encoding="utf-8")
    (tmp_path / "test.lb").write_text("hang2\nliao3\n", encoding="utf-8")
    assert read_polyphones(tmp_path / "test.sent") == [
        {"sentence": "他在银行上班。", "index": "3", "pinyin": "hang2"},
        {"sentence": "了解", "index": "0", "pinyin": "liao3"},
    ]


def test_our_held_out_sentences_are_well_formed():
    """Every polyphone row points at a Chinese character of its sentence, every sentence is in the
    normalization file, and the parts are there: audit, blind, and the later blind rounds (blind10, …)."""
    from tts.frontend.eval import HELD_OUT, read_tsv

    tn = read_tsv(HELD_OUT / "held_out_tn.tsv")
    polyphones = read_tsv(HELD_OUT / "held_out_polyphones.tsv")
    spoken = {row["expected"] for row in tn}
    parts = {row["source"].removeprefix("own:") for row in tn}
    assert len(tn) >= 150 and parts == {"audit", "blind", "blind10", "blind11"}   # name each new round here
    assert {row["part"] for row in polyphones} == parts
    for row in polyphones:
        assert row["sentence"] in spoken
        assert "\u4e00" <= row["sentence"][int(row["index"])] <= "\u9fff", row
        assert pinyin_key(row["pinyin"])[-1] in "12345"


def test_the_held_out_report_scores_each_part_apart(tmp_path, capsys):
    """Each part gets its own figures; the blind row's label is wrong on purpose (还你钱 is huan2), so it scores 0."""
    from tts.frontend.eval import report_held_out

    (tmp_path / "held_out_tn.tsv").write_text(
        "input\texpected\tsource\n买2杯\t买两杯\town:audit\n3/4\t四分之三\town:blind\n", encoding="utf-8")
    (tmp_path / "held_out_polyphones.tsv").write_text(
        "sentence\tindex\tpinyin\tpart\n他在银行上班。\t3\thang2\taudit\n我还你钱。\t1\thai2\tblind\n", encoding="utf-8")
    report_held_out(tmp_path, 0)
    out = capsys.readouterr().out
    assert "audit: normalization lenient 100.00% (1/1)" in out and "polyphones 100.00% (1/1)" in out
    assert "blind: normalization lenient 100.00% (1/1)" in out and "polyphones 0.00% (0/1)" in out


def test_a_sweep_lists_every_reading_that_changed(tmp_path, capsys):
    """The sweep keeps every position, so a change outside the labelled character shows."""
    from tts.frontend.eval import changed_readings, read_sweep, report_sweep, write_sweep

    old = {"我还你钱。": ["wo3", "hai2", "ni3", "qian2", "。"], "好。": ["hao3", "。"]}
    write_sweep(tmp_path / "old.jsonl", old)
    assert read_sweep(tmp_path / "old.jsonl") == old
    report_sweep(tmp_path / "new.jsonl", tmp_path / "old.jsonl", ["我还你钱。", "好。", "我还你钱。"])
    new = read_sweep(tmp_path / "new.jsonl")
    assert changed_readings(old, new) == [("我还你钱。", 1, "hai2", "huan2")]
    out = capsys.readouterr().out
    assert "还@1 hai2 -> huan2  我还你钱。" in out and "changed against" in out and ": 1 readings" in out
