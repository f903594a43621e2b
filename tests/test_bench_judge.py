"""The quality bench's judge: a Whisper model joined from PyPI parts and checked whole, chosen by name.
No model runs here (fast tier): the parts are a small CTranslate2-format file written by the test."""

from __future__ import annotations

import struct

import pytest

from tts.bench import quality


def _string(text: str) -> bytes:
    raw = text.encode() + b"\0"
    return struct.pack("<H", len(raw)) + raw


def model_bin(variables: dict[str, bytes], aliases: dict[str, str] | None = None) -> bytes:
    """A CTranslate2 format-6 model.bin: header, then each variable (name, rank, shape, type, bytes)."""
    out = struct.pack("<I", 6) + _string("WhisperSpec") + struct.pack("<II", 3, len(variables))
    for name, payload in variables.items():
        out += _string(name) + struct.pack("<BI", 1, len(payload)) + struct.pack("<BI", 1, len(payload)) + payload
    out += struct.pack("<I", len(aliases or {}))
    return out + b"".join(_string(a) + _string(b) for a, b in (aliases or {}).items())


WHOLE = model_bin({"encoder/conv1/weight": bytes(range(200)), "decoder/embeddings/weight": b"\x07" * 333},
                  {"decoder/projection/weight": "decoder/embeddings/weight"})


def parts(tmp_path, cuts: list[int], keep=None) -> dict:
    """WHOLE cut at `cuts` into model.bin.part1…, plus the small files, as installed packages' data/ files."""
    bounds = [0, *cuts, len(WHOLE)]
    files = {}
    for number, (start, end) in enumerate(zip(bounds, bounds[1:]), 1):
        if keep is None or number in keep:
            path = tmp_path / f"dist{number}" / "data" / f"model.bin.part{number}"
            path.parent.mkdir(parents=True)
            path.write_bytes(WHOLE[start:end])
            files[path.name] = path
    for name in quality.SMALL_FILES:
        (tmp_path / name).write_text(f"{{{name!r}: 1}}")
        files[name] = tmp_path / name
    return files


def test_parts_are_joined_in_the_order_of_their_numbers_not_of_their_names(tmp_path):
    cuts = list(range(50, len(WHOLE), 50))                 # 12 slices: part10 sorts before part2 as text
    target = quality.join_parts(parts(tmp_path, cuts), tmp_path / "model")
    assert (target / "model.bin").read_bytes() == WHOLE
    assert sorted(p.name for p in target.iterdir()) == sorted(["model.bin", *quality.SMALL_FILES])


def test_a_model_missing_its_last_part_is_refused_and_nothing_takes_the_real_name(tmp_path):
    files = parts(tmp_path, [300, 500], keep={1, 2})
    with pytest.raises(quality.IncompleteModel, match="end inside variable 2 of 2, 'decoder/embeddings/weight'"):
        quality.join_parts(files, tmp_path / "model")
    assert list((tmp_path / "model").iterdir()) == []       # no model.bin, no temporary file left


def test_a_gap_in_the_part_numbers_or_a_missing_config_is_refused_before_joining(tmp_path):
    with pytest.raises(quality.IncompleteModel, match=r"slices \[1, 3\]"):
        quality.join_parts(parts(tmp_path / "gap", [300, 500], keep={1, 3}), tmp_path / "model")
    files = parts(tmp_path / "config", [300])
    del files["config.json"]
    with pytest.raises(quality.IncompleteModel, match="config.json"):
        quality.join_parts(files, tmp_path / "model")


def test_the_header_walk_refuses_bytes_after_the_end_and_another_format(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(WHOLE)
    quality.check_model_bin(path)
    path.write_bytes(WHOLE + b"\0")
    with pytest.raises(quality.IncompleteModel, match="1 bytes after"):
        quality.check_model_bin(path)
    path.write_bytes(struct.pack("<I", 5) + WHOLE[4:])
    with pytest.raises(quality.IncompleteModel, match="format 5"):
        quality.check_model_bin(path)


def test_an_uninstalled_part_package_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("TTS_BENCH_CACHE", str(tmp_path))
    model = quality.WhisperParts("whisper-test", ("no-such-whisper-part-package",))
    with pytest.raises(quality.IncompleteModel, match="no-such-whisper-part-package is not installed"):
        quality.model_dir(model)


def test_judges_differ_in_how_they_decode_and_the_default_writes_where_it_always_did():
    assert quality.DEFAULT_JUDGE == "base" and quality.JUDGES["base"].beam_size == 1
    assert quality.JUDGES["base-beam5"].model == quality.JUDGES["base"].model   # one model, joined once
    assert quality.JUDGES["base-beam5"].beam_size == 5


def saved_run(judge: str, cer: float) -> dict:
    return {"judge": judge, "recognizer": quality.JUDGES[judge].label, "elapsed_s": 12.0,
            "machine": {"date": "2026-12-01 18:00:00 UTC", "cpus": 2, "load_average": [1.0, 1.0, 1.0]},
            "rows": [{"voice": "baker", "path": "ours, as served", "cer": cer}], "ratios": [], "loss_split": []}


def test_the_default_judge_table_carries_every_other_judge_saved_run(tmp_path):
    import json

    (tmp_path / "quality_base-beam5.json").write_text(json.dumps(saved_run("base-beam5", 0.0421)), encoding="utf-8")
    saved = quality.saved_judges(tmp_path)
    section = quality.table({**saved_run("base", 0.05), "other_judges": saved})
    assert "## Judge `base-beam5`" in section and "2026-12-01 18:00:00 UTC" in section
    assert "python -m tts.bench quality --judge base-beam5" in section and "| 0.0421 |" in section
    assert quality.saved_judges(tmp_path / "nothing saved") == []


def test_the_table_shows_the_judges_runs_it_was_given_not_the_repositorys():
    """`--out /tmp/x` wrote a quality.md with the repository's stale runs of the other judges under fresh figures."""
    assert "## Judge" not in quality.table(saved_run("base", 0.05))
