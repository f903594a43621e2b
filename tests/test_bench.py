"""The bench's plumbing on tiny inputs, so `python -m tts.bench` keeps working. No timing thresholds."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tts.bench import load, memory, quality, report, soak
from tts.bench.clients import Outcome, summarize
from tts.bench.plot import load_plot
from tts.bench.server import BenchServer
from tts.bench.texts import SIZES, fresh
from tts.request import parse_request

pytestmark = pytest.mark.bench


def test_fresh_texts_do_not_repeat():
    made = {fresh(i, 50) for i in range(200)}
    assert len(made) == 200
    assert SIZES["medium"] != SIZES["long"]


def test_the_soak_and_memory_mixes_are_requests_the_server_takes():
    """The mixes once asked for async jobs with `stream` too, which POST /tts refuses."""
    bodies = [soak.varied(i) for i in range(5000)] + memory.full_queue_bodies(100, 5000)
    for body in bodies:
        parse_request(body, voices=("baker", "zf_xiaobei", "zm_yunxi"), max_chars=5000)


def test_summary_counts_every_request():
    outcomes = [Outcome("ok", 1.0, 3.0), Outcome("ok", 2.0, 3.0, rejections=1), Outcome("rejected", 5.0, rejections=4),
                Outcome("lost", 0.5, detail="reset")]
    row = summarize(outcomes, wall_s=6.0)
    assert (row["ok"], row["rejected"], row["lost"]) == (2, 1, 1)
    assert row["throughput_audio_s_per_s"] == 1.0
    assert row["share_503"] == pytest.approx(5 / 8)   # 5 answers of 503 among 8 attempts


def test_load_level_against_a_live_server(live_server):
    row = load.measure_level(live_server.url, live_server.process.pid, clients=2, per_client=2, characters=10)
    assert row["ok"] + row["rejected"] + row["lost"] + row["client_errors"] == 4
    assert row["lost"] == 0 and row["ok"] >= 1
    assert row["audio_s"] > 0 and row["cpu_s"] > 0 and row["peak_rss_mb"] > 0
    assert row["probe_p50_ms"] is not None


def test_soak_samples_memory_and_writes_outputs(live_server, tmp_path):
    row = soak.measure(live_server.url, live_server.process.pid, requests=20, payload_for=soak.varied)
    assert row["ok"] + row["rejected"] == 20 and row["lost"] == 0
    assert len(row["samples"]) == 11 and row["rss_end_mb"] > 0
    result = {"requests": 20, "target_growth": soak.TARGET_GROWTH, "rows": [{"server": "ours", **row}]}
    markdown = report.write("soak", result, soak.table(result), tmp_path)
    assert "| ours | 20 |" in markdown.read_text(encoding="utf-8")
    assert json.loads((tmp_path / "soak.json").read_text(encoding="utf-8"))["rows"][0]["server"] == "ours"


def test_the_baseline_server_answers():
    with BenchServer("baseline") as server:
        row = load.measure_level(server.url, server.pid, clients=1, per_client=2, characters=10)
    assert row["ok"] == 2 and row["lost"] == 0 and row["audio_s"] > 0


def test_load_table_ratios_and_plot(tmp_path):
    rows = [{"server": kind, "clients": n, "ok": 4, "lost": 0, "share_503": 0.0, "throughput_audio_s_per_s": t * n,
             "p50_s": 1.0, "p95_s": 2.0 * n, "p99_s": 2.0 * n, "probe_max_ms": 5.0, "cpu_s_per_audio_s": 0.1,
             "peak_rss_mb": 400.0} for kind, t in (("ours", 2.0), ("baseline", 1.0)) for n in (1, 2)]
    result = {"rows": rows, "ratios": load.ratios(rows), "per_client": 2, "characters": 50, "p95_bound_s": 3.0,
              "max_concurrency": {k: load.max_concurrency([r for r in rows if r["server"] == k], 3.0)
                                  for k in ("ours", "baseline")}}
    assert result["ratios"][0]["throughput_audio_s_per_s"] == 2.0
    assert result["max_concurrency"] == {"ours": 1, "baseline": 1}
    assert "Ours ÷ baseline" in load.table(result)
    assert load_plot(result, tmp_path / "load.png").stat().st_size > 1000


def test_error_rates_compare_normalized_text():
    scored = quality.errors("二零二三年，他去了北京", "2023年他去了北京。")
    assert scored["cer"] == 0 and scored["pinyin_error_rate"] == 0
    homophone = quality.errors("她去了北京", "他去了北京")
    assert homophone["cer"] == pytest.approx(0.2) and homophone["pinyin_error_rate"] == 0


def test_recognizer_hears_the_voice(synthesizer):
    from tts.request import SynthesisRequest

    samples, rate = synthesizer.synthesize(SynthesisRequest(text="今天天气很好。", voice="baker"))
    scored = quality.transcribe_errors(samples, rate, "今天天气很好。")
    assert scored["heard"] and scored["cer"] < 0.5
    assert quality.transcribe(np.asarray(samples), rate) == scored["heard"]


def test_the_header_walk_accepts_the_real_whisper_base_model():
    """The format tests/test_bench_judge.py writes is the one CTranslate2 writes."""
    quality.check_model_bin(quality.model_dir() / "model.bin")


def test_playback_stalls_only_when_a_chunk_comes_after_it_is_due():
    from tts.bench.kokoro import playback_stall

    assert playback_stall([(0.8, 1.5), (1.5, 2.0), (3.0, 4.0)]) == 0.0    # each arrives before the last ends
    assert playback_stall([(0.8, 1.0), (2.3, 2.0)]) == pytest.approx(0.5)  # due at 1.8, came at 2.3
    assert playback_stall([(0.8, 1.0), (2.3, 0.5), (2.7, 1.0)]) == pytest.approx(0.5)  # the wait shifts what is due


def test_paired_ratio_compares_the_same_sentences_and_repeats_its_interval():
    ours, theirs = [0.1, 0.0, 0.2, 0.1], [0.2, 0.1, 0.2, 0.1]
    first = quality.paired_ratio(ours, theirs)
    assert first["ratio"] == pytest.approx(0.4 / 0.6, abs=1e-3)
    assert first["low_5"] <= first["ratio"] <= first["high_95"]
    assert quality.paired_ratio(ours, theirs) == first            # fixed seed: same interval every run


def test_loss_split_separates_what_every_voice_misses_from_the_embedded_voice_own():
    def row(engine, cers):
        return {"engine": engine, "path": "ours, as served",
                "details": [{"cer": c, "pinyin_error_rate": c / 2} for c in cers]}

    rows = [row("embedded", [0.2, 0.1, 0.0]), row("kokoro", [0.1, 0.3, 0.0]), row("kokoro", [0.1, 0.0, 0.2]),
            {**row("embedded", [1.0, 1.0, 1.0]), "path": "ours, eco"}]   # other settings do not count
    cer = quality.loss_split(rows)[0]
    assert cer["measure"] == "cer" and cer["embedded"] == pytest.approx(0.1)
    assert cer["shared_by_all_voices"] == pytest.approx(0.1 / 3, abs=1e-4)   # only the first sentence
    assert cer["embedded_only"] == pytest.approx(0.1 - 0.1 / 3, abs=1e-4)


def test_feed_classes_against_misaki_name_what_differs():
    from tts.bench import kokoro_feed

    found = kokoro_feed.classify(["我们一起去展览馆看看吧。", "花儿开了。"])
    classes = {row["class"]: row["syllables"] for row in found["classes"]}
    assert classes["third-tone sandhi (ours 2, misaki 3)"] == 2     # 展览馆: zhan2 lan2 guan3
    assert classes["erhua merged into the syllable before"] == 1
    assert sum(found["word_gaps"].values()) > 0


def test_each_feed_changes_only_its_own_class():
    from tts.bench.kokoro_feed import feed
    from tts.engines.kokoro_phonemes import phrase_phonemes

    def phonemes(name):
        return [phrase_phonemes(p) for p in feed("我们一起去展览馆看看吧。", name)]

    ours = phonemes("ours")
    assert ours == [phrase_phonemes(p) for p in analyze_whole("我们一起去展览馆看看吧。")]
    assert phonemes("lexical third tones, as misaki")[0].count("↓") > ours[0].count("↓")
    assert "i→ʨʰi" in phonemes("lexical 一 and 不, as misaki")[0] and "i↘ʨʰi" in ours[0]
    assert phonemes("misaki's word spaces")[0].replace(" ", "") == ours[0].replace(" ", "")


def analyze_whole(text):
    from tts.frontend import analyze

    return analyze(text, None)


def test_browser_vocoder_server_side_measures_the_same_speech_three_ways(live_server):
    from tts.bench import browser_vocoder

    rows = browser_vocoder.server_side(live_server.url, live_server.process.pid, [fresh(0, 20), fresh(1, 20)])
    by = {row["variant"]: row for row in rows}
    assert list(by) == ["wav", "opus", "browser"]
    assert by["browser"]["audio_s"] == by["wav"]["audio_s"] > 0      # the hidden states stand for the same speech
    assert by["browser"]["bytes_per_audio_s"] < by["wav"]["bytes_per_audio_s"]
    assert all(row["server_cpu_s"] >= 0 for row in rows)


def test_latin_scores_english_words_found_and_only_the_chinese_around_them():
    from tts.bench import latin

    assert latin.english_words("用iPhone访问www.example.com") == ["iPhone", "www", "example", "com"]
    assert latin.recovered(["GPU", "iPhone"], "这块G P U很强") == 1   # letters count with spaces between
    text = "他是Microsoft的工程师"
    assert latin.chinese_cer("他是麦克索夫特的工程师", text) == 0.0   # whatever Whisper wrote for the word is free
    assert latin.chinese_cer("他是Microsoft的工程", text) == 1 / 6   # a Chinese character lost still counts


def test_latin_dev_sentences_share_no_english_word_and_no_sentence_with_the_bench():
    """English readings are decided on latin_dev_texts and confirmed on latin_texts: a word in both
    would let the bench pick the change it is meant to confirm."""
    from tts.bench import latin, latin_dev_texts, latin_texts

    def words(sentences):
        return {word.lower() for text in sentences for word in latin.english_words(text)}

    dev = words(latin_dev_texts.SENTENCES)
    assert len(latin_dev_texts.KOKORO_SENTENCES) >= 60 and len(latin_dev_texts.EMBEDDED_SENTENCES) >= 60
    assert len(dev) >= 120
    assert not dev & words(latin_texts.SENTENCES)
    assert not set(latin_dev_texts.SENTENCES) & set(latin_texts.SENTENCES)
    assert len(set(latin_dev_texts.SENTENCES)) == len(latin_dev_texts.SENTENCES)


def test_latin_levers_pair_words_recovered_per_sentence_against_the_served_engine():
    from tts.bench import latin_levers

    def row(lever, hits):
        details = [{"text": f"s{i}", "hits": h, "words": 2, "chinese_cer": 0.1} for i, h in enumerate(hits)]
        return {"lever": lever, "voice": "zf_xiaobei", "recovered": sum(hits), "words": 2 * len(hits),
                "chinese_cer": 0.1, "details": details}

    rows = [row("served", [1, 0, 2, 1]), row("english 1.0", [0, 0, 1, 1])]
    (delta,) = latin_levers.deltas(rows)
    assert (delta["lever"], delta["recovered"], delta["delta"]) == ("english 1.0", "4 → 2", -2)
    assert (delta["sentences_gained"], delta["sentences_lost"]) == (0, 2)
    low, high = (int(x) for x in delta["interval_90"].strip("[]").split(", "))
    assert low <= -2 <= high <= 0


def test_a_latin_levers_run_that_fails_midway_leaves_the_engine_as_served():
    """The levers are set on the engine's class: before, a failed run left them on for the process."""
    from tts.bench import latin_levers
    from tts.engines.kokoro import EDGE_SPEED, ENGLISH_SPEED, KokoroEngine

    with pytest.raises(KeyError):   # a voice nobody serves, after the lever was set
        latin_levers.heard(("english 1.0",), ("no-such-voice",), ("你好。",))
    assert (KokoroEngine.english_speed, KokoroEngine.edge_speed) == (ENGLISH_SPEED, EDGE_SPEED)


def test_the_quality_levers_as_served_lever_is_the_served_audio(synthesizer):
    """The lever bench drives the engine's parts itself: its baseline must be what users hear."""
    from tts.bench import quality_levers
    from tts.request import SynthesisRequest

    speaker = quality_levers.Speaker()
    text = quality_levers.SUBSETS["held"][-1]
    loud = "小猫趴在窗台上，懒洋洋地晒着太阳。"   # a held sentence whose calibrated peaks pass the soft knee
    for text, fields, lever in ((text, {}, quality_levers.LEVERS["as served (1×)"]),
                                (loud, {}, quality_levers.LEVERS["as served (1×)"]),
                                (text, {"speed": 1.5}, quality_levers.SPEED_LEVERS["1.5×, model 1× + WSOLA"])):
        served, _ = synthesizer.synthesize(SynthesisRequest(text=text, voice="baker", **fields))
        heard = speaker(text, lever, 0)
        assert len(heard) == len(served) and np.abs(heard - served).max() < 2 / 32767   # the int16 step


def test_phrase_breaks_halve_long_runs_of_words_at_their_middle():
    from tts.bench.quality_levers import phrase_breaks

    # 这所#1大学#1今年#1计划#1招收#1本科#1新生#1四千五百人#3比去年多出三百人
    breaks = (1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, 3, 1, 0, 1, 0, 1, 0, 1, 1)
    assert [i for i, b in enumerate(phrase_breaks(breaks)) if b == 2] == [3, 9, 13]
    assert phrase_breaks((1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)) == (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)


def test_the_mel_post_filter_levers_scale_deviations_from_their_reference():
    from tts.bench.quality_levers import mel_contrast

    mel = np.random.default_rng(0).normal(size=(1, 50, 80)).astype(np.float32)
    frame = mel_contrast(mel, "frame", 1.2)
    assert np.allclose(frame.mean(axis=2), mel.mean(axis=2), atol=1e-5)            # each frame keeps its level
    assert np.allclose(frame.std(axis=2), 1.2 * mel.std(axis=2), rtol=1e-4)
    call = mel_contrast(mel, "call", 1.3)
    assert np.allclose(call.mean(axis=1), mel.mean(axis=1), atol=1e-5)            # each bin keeps its mean over time
    assert np.allclose(call.std(axis=1), 1.3 * mel.std(axis=1), rtol=1e-4)
    assert np.allclose(mel_contrast(mel, "corpus", 1.1), 1.1 * mel)                # the corpus mean is 0 here
    upper = mel_contrast(mel, "frame", 1.2, low_bin=20)
    assert np.array_equal(upper[:, :, :20], mel[:, :, :20]) and not np.array_equal(upper, mel)
    tilt = mel_contrast(mel, "tilt", 0.3, low_bin=40) - mel
    assert np.allclose(tilt[0, 7], np.r_[np.zeros(40), np.linspace(0, 0.3, 40)], atol=1e-6)
    assert mel_contrast(mel, "frame", 1.0) is mel and mel_contrast(mel, "none", 1.3) is mel


def test_a_levers_paired_delta_is_per_sentence_over_seeds_with_a_bootstrap_interval():
    from tts.bench.quality_levers import paired_delta

    def row(errors: dict[str, list[float]]) -> dict:
        return {"details": [{"text": t, "seed": s, "cer": e} for t, es in errors.items() for s, e in enumerate(es)]}

    base = row({"a": [0.2, 0.4], "b": [0.1, 0.1], "c": [0.0, 0.0], "gone": [0.5, 0.5]})
    lever = row({"a": [0.1, 0.1], "b": [0.1, 0.1], "c": [0.1, 0.1]})
    delta = paired_delta(lever, base, "cer")
    assert (delta["sentences"], delta["better"], delta["worse"]) == (3, 1, 1)   # "gone" is not in both
    assert delta["delta"] == round((-0.2 + 0 + 0.1) / 3, 4)
    assert -0.2 <= delta["low_5"] <= delta["delta"] <= delta["high_95"] <= 0.1   # within the sentences' own Δs
    assert delta == paired_delta(lever, base, "cer")   # a fixed seed: the same interval every run
    same = paired_delta(base, base, "cer")
    assert (same["delta"], same["low_5"], same["high_95"]) == (0, 0, 0)


def test_the_acoustic_models_own_ratios_reach_its_mel():
    """The f0 and energy levers feed the symbol half's f0_ratios / energy_ratios: the mel changes,
    its length (the durations are predicted before them) does not."""
    from tts.bench import quality_levers
    from tts.frontend import analyze

    speaker = quality_levers.Speaker()
    phrase = analyze(quality_levers.HELD_OUT[10], 100, None)[0]
    plain = speaker._mel(phrase, quality_levers.Lever(), 1.0, 0)
    for lever in (quality_levers.Lever(f0=1.2), quality_levers.Lever(energy=1.2)):
        changed = speaker._mel(phrase, lever, 1.0, 0)
        assert changed.shape == plain.shape and np.abs(changed - plain).mean() > 0.01


def test_a_levers_timing_reaches_the_durations_the_lever_bench_hears():
    """A floor on the rimes only adds frames: the lever's audio is longer than the served one's."""
    from tts.bench import quality_levers

    speaker = quality_levers.Speaker()
    text = quality_levers.SUBSETS["dev"][0]
    served = speaker(text, quality_levers.LEVERS[quality_levers.BASELINE], 0)
    floored = speaker(text, quality_levers.LEVERS["toned rimes ≥ 6 frames"], 0)
    assert len(floored) > len(served)


def test_the_tacotron2_lever_speaks_with_the_wheels_other_acoustic_model_and_prices_it():
    """The acoustic-model lever: Tacotron2's mel through the same vocoder, heard with several seeds
    (its prenet dropout), the same take for the same seed; its CPU and the served model's are kept apart."""
    from tts.bench import quality_levers

    speaker = quality_levers.Speaker()
    text = quality_levers.HELD_OUT[10]   # 你能帮我把这封信寄出去吗？
    lever = quality_levers.LEVERS["acoustic model: Tacotron2 (the wheel's)"]
    assert lever.seeded
    served = speaker(text, quality_levers.LEVERS[quality_levers.BASELINE], 0)
    first, again = speaker(text, lever, 0), speaker(text, lever, 0)
    assert np.array_equal(first, again) and len(first) != len(served)
    assert np.isfinite(first).all() and np.abs(first).max() > 0.1
    rows = {row["acoustic model"]: row for row in quality_levers.costs(speaker.cost)}
    assert set(rows) == {"fastspeech2", "tacotron2"}
    assert rows["tacotron2"]["calls"] == 2 * rows["fastspeech2"]["calls"] and rows["tacotron2"]["calls not stopped"] == 0


def test_the_article_table_says_when_and_how_quietly_its_inputs_were_measured(tmp_path):
    """Before, summary.md bore only its own build time, so a table built from loaded-machine runs (or left
    stale while they were re-run) read as fresh; its energy row named no eco figure, which README quoted."""
    from tts.bench import summary

    machine = {"date": "2026-12-01 02:41:54 UTC", "cpus": 2, "load_average": [11.67, 11.01, 9.6]}
    cost = {"machine": machine, "watts_per_core_assumed": 10.0,
            "rows": [{"variant": "ours normal", "kwh_per_day_at_1000_per_hour": 0.0275},
                     {"variant": "ours eco", "kwh_per_day_at_1000_per_hour": 0.0284},
                     {"variant": "baseline", "kwh_per_day_at_1000_per_hour": 0.043}]}
    (tmp_path / "cost.json").write_text(json.dumps(cost), encoding="utf-8")
    markdown = summary.table(summary.run(tmp_path))
    assert "| energy at 1,000 requests/hour | ~0.8 kWh/day saved at 1,000 requests/hour | 0.043 | 0.0275 | kWh/day (eco 0.0284)" in markdown
    assert "Built from `cost` measured 2026-12-01 02:41:54 UTC (load average [11.67, 11.01, 9.6])." in markdown


def test_the_readme_cites_the_article_table_as_the_results_file_has_it():
    """Before, README's table held figures from before issue 14 (energy 0.050 / 0.048 kWh/day, eco 0.045)
    while tts/bench/results/cost.json said 0.043 / 0.0275 (eco 0.0284)."""
    readme = (report.RESULTS.parent.parent.parent / "README.md").read_text(encoding="utf-8")
    written = (report.RESULTS / "summary.md").read_text(encoding="utf-8")
    rows = [line for line in written.splitlines() if line.startswith("| ") and not line.startswith("| metric")]
    assert rows and all(row in readme.splitlines() for row in rows)
