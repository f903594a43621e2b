"""Kokoro-82M (v1.0, int8 ONNX) with its eight Mandarin voices, fully offline.

The model file comes from `kokoro_model.assemble` (PyPI parts, hash-checked); the
voice packs and the token vocabulary live in the repository (voices/kokoro/). One
onnxruntime session is loaded at construction and reused for every call.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType
from typing import Iterator, Mapping

import numpy as np
import onnxruntime as ort

from tts.engines.base import EngineOptions, Onsets, Voice
from tts.engines.kokoro_model import MODEL_SHA256, sha256_of
from tts.engines.lifecycle import trim_heap
from tts.engines.kokoro_phonemes import EDGE, ENGLISH, phrase_pieces, syllables_fitting, token_roles
from tts.engines.onnx_session import session_options
from tts.frontend.phrase import Phrase

DEFAULT_VOICES_DIR = Path(__file__).resolve().parents[2] / "voices" / "kokoro"
SAMPLE_RATE = 24000
MAX_TOKENS = 510          # the model's positional limit, padding tokens excluded
STYLE_DIM = 256
VOCAB_FILE = "vocab.json"
# Kokoro pads every call with ~0.4 s of silence before and ~0.75 s after the speech;
# we cut to the speech (10 ms frames within 40 dB of the loudest) plus a short margin.
FRAME = SAMPLE_RATE // 100
SILENCE_DB = -40.0
MARGIN_FRAMES = (2, 4)    # kept before / after the speech
COMMA_PAUSE_S = 0.15      # the pause Kokoro itself makes at a comma inside one call: kept after a cut
REVISION = 3              # bump when phonemes, trimming, pauses or speeds change what a phrase sounds like
# Multiples of the call's speed for an English word's tokens and for the breaks setting it off
# (tts.engines.kokoro_phonemes.token_roles); 1.0 says them at the phrase's speed. English words at
# 0.85 (~18 % longer), the Mandarin around them untouched: on 68 sentences of our own (latin_dev)
# zf_xiaobei 27 → 33 of 76 words (paired 90 % interval +2…+10), zm_yunjian 33 → 34; then on the
# latin bench 25 → 30 and 30 → 29 of 47. Too fast, Whisper wrote the word as Mandarin syllables
# (Lego → 赖够, Disney → This is your). 0.75 did as well on ours; longer edges (0.5) gained nothing.
ENGLISH_SPEED = 0.85
EDGE_SPEED = 1.0
# The graph's predicted frames per token (after speed), made an extra output at load: captions.
DURATIONS = "/encoder/Cast_output_0"
SAMPLES_PER_FRAME = 600   # one predicted frame is 25 ms of audio (measured: exact for every call)
ONSET_LEAD = 960          # the sound starts ~40 ms before the durations say (median of 36 calls, 4 voices)


def _voice(voice_id: str, name: str, gender: str, description: str, calibration_db: float) -> Voice:
    return Voice(id=voice_id, engine="kokoro", name=name, gender=gender, language="zh-CN",
                 description=description, calibration_db=calibration_db)


# Descriptions from measured median pitch and pace of each voice on the same sentence. Calibration:
# the gain to tts.audio.loudness.TARGET_LUFS from each voice's own level (−16.0 to −22.9 LUFS), capped
# where one phrase in ten would reach the peak limiter (zm_yunjian, zm_yunxi, zm_yunyang: peaky voices,
# left under the target): `proposed_db` of python -m tts.bench loudness (24 sentences).
VOICES = (
    _voice("zf_xiaobei", "晓北", "female", "女声，中音，语速偏慢 / female, mid pitch, unhurried", 2.1),
    _voice("zf_xiaoni", "晓妮", "female", "女声，音调较低 / female, lower pitch", -0.2),
    _voice("zf_xiaoxiao", "晓晓", "female", "女声，清亮 / female, clear and bright", -2.0),
    _voice("zf_xiaoyi", "晓伊", "female", "女声，音调高、年轻 / female, high and youthful", 0.5),
    _voice("zm_yunjian", "云健", "male", "男声，低沉 / male, deep", 1.6),
    _voice("zm_yunxi", "云希", "male", "男声，年轻、偏高 / male, young and light", 1.1),
    _voice("zm_yunxia", "云夏", "male", "少年男声，音调高 / boy's voice, high", 2.2),
    _voice("zm_yunyang", "云扬", "male", "男声，低沉、语速较快 / male, low and brisk", -0.1),
)


class ModelFileError(Exception):
    """The model file is missing or not the exact file we pinned."""

    def __init__(self, path: Path, expected_sha256: str, actual_sha256: str | None):
        self.path = path
        self.expected_sha256 = expected_sha256
        self.actual_sha256 = actual_sha256
        found = "is missing" if actual_sha256 is None else f"has sha256 {actual_sha256}"
        super().__init__(
            f"Kokoro model file {path} {found}; expected sha256 {expected_sha256}. "
            f"Rebuild it with: python -m tts.engines.kokoro_model --dest {path.parent}"
        )


def verify_model(path: Path) -> None:
    """Refuse a missing or altered model before onnxruntime sees it (a corrupt int8
    weight could load fine and only make noise)."""
    if not path.is_file():
        raise ModelFileError(path, MODEL_SHA256, None)
    actual = sha256_of(path)
    if actual != MODEL_SHA256:
        raise ModelFileError(path, MODEL_SHA256, actual)


def trim_silence(audio: np.ndarray) -> np.ndarray:
    """Cut Kokoro's built-in lead-in and tail: the synthesizer adds its own pauses."""
    start, end = speech_bounds(audio)
    return audio[start:end]


def speech_bounds(audio: np.ndarray) -> tuple[int, int]:
    """[start, end) samples of the speech plus a short margin (empty for silence)."""
    frames = audio[: len(audio) // FRAME * FRAME].reshape(-1, FRAME)
    rms = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1))
    if not rms.size or rms.max() == 0:
        return 0, 0
    loud = np.flatnonzero(20 * np.log10(rms / rms.max() + 1e-12) > SILENCE_DB)
    start = max(loud[0] - MARGIN_FRAMES[0], 0)
    end = min(loud[-1] + 1 + MARGIN_FRAMES[1], len(rms))
    return start * FRAME, end * FRAME


def with_durations(model_path: Path) -> bytes:
    """The model with its duration tensor as a second output, and `speed` taking one value per
    token (pads included) as well as one for the call: its only use is dividing the predicted
    frames per token, which broadcasts (a constant vector gives the scalar's audio bit for bit).
    The same computation otherwise; ~0.4 s at load."""
    import onnx

    model = onnx.load(str(model_path))
    model.graph.output.append(onnx.helper.make_value_info(DURATIONS, onnx.TypeProto()))
    speed = next(i for i in model.graph.input if i.name == "speed").type.tensor_type.shape.dim[0]
    speed.ClearField("dim_value")
    speed.dim_param = "speed_length"
    return model.SerializeToString()


def load_voice_packs(voices_dir: Path) -> dict[str, np.ndarray]:
    """Each pack: one 256-dim style row per token count (float32, 510 × 256)."""
    packs = {}
    for voice in VOICES:
        path = voices_dir / f"{voice.id}.bin"
        pack = np.fromfile(path, dtype="<f4")
        if pack.size != MAX_TOKENS * STYLE_DIM:
            raise ValueError(f"voice pack {path} has {pack.size} floats, expected {MAX_TOKENS * STYLE_DIM}")
        packs[voice.id] = pack.reshape(MAX_TOKENS, 1, STYLE_DIM)
    return packs


def load_vocab(voices_dir: Path) -> dict[str, int]:
    """Symbol → token id, as kokoro-onnx's config.json defines it (copied, see SOURCE.md)."""
    with open(voices_dir / VOCAB_FILE, encoding="utf-8") as f:
        return json.load(f)["vocab"]


class KokoroEngine:
    """The Engine protocol over one warm Kokoro session."""

    name = "kokoro"
    version = f"kokoro-v1.0-int8-{MODEL_SHA256[:12]}+r{REVISION}"
    sample_rate = SAMPLE_RATE
    voices = VOICES
    max_syllables = syllables_fitting(MAX_TOKENS)
    lead_in_syllables = 8    # ~10x the embedded voice's cost: a first piece of ~1.5 s speech
    cpu_per_audio_second = 0.70   # python -m tts.bench kokoro, 2 threads (tts/bench/results/kokoro.md)
    rate_control = True
    timed = True   # the graph's own durations give each syllable's start
    english_speed = ENGLISH_SPEED
    edge_speed = EDGE_SPEED

    def __init__(self, model_path: str | Path, voices_dir: str | Path, threads: int = 2,
                 tuning: Mapping[str, object] = MappingProxyType({})):
        model_path, voices_dir = Path(model_path), Path(voices_dir)
        verify_model(model_path)
        self._packs = load_voice_packs(voices_dir)
        self._vocab = load_vocab(voices_dir)
        self._session = ort.InferenceSession(
            with_durations(model_path), sess_options=session_options(threads, tuning),
            providers=["CPUExecutionProvider"])
        trim_heap()   # the model's bytes went with the call: hand their ~90 MB back now

    def token_ids(self, phonemes: str) -> list[int]:
        """Phoneme string → ids; an unknown symbol is a bug in our mapping, so it raises."""
        unknown = sorted({p for p in phonemes if p not in self._vocab})
        if unknown:
            raise ValueError(f"symbols not in Kokoro's vocabulary: {unknown} in {phonemes!r}")
        return [self._vocab[p] for p in phonemes]

    def synthesize(self, phrase: Phrase, voice: str, options: EngineOptions,
                   onsets: Onsets | None = None) -> Iterator[np.ndarray]:
        """One model call per phrase, trimmed to its speech: every call pays ~1 s of padding
        silence, so phrases are never cut further here (the frontend's lead-in already makes
        the first one short). The head of a cut sentence keeps a comma's pause after it."""
        pieces = phrase_pieces(phrase)
        phonemes = "".join(sound + after for sound, after in pieces)
        if not phonemes:
            return
        if len(phonemes) > MAX_TOKENS:
            raise ValueError(f"phrase needs {len(phonemes)} tokens, Kokoro takes {MAX_TOKENS}")
        speed = options.speaking_rate * phrase.rate
        audio, durations = self.infer_timed(self.token_ids(phonemes), voice, self.token_speeds(phrase, pieces, speed))
        start, end = speech_bounds(audio)
        pause = round(COMMA_PAUSE_S / speed * SAMPLE_RATE) if phrase.continues else 0
        if onsets is not None:
            # token k of the phonemes is the model's token k + 1 (a pad token leads)
            before = np.concatenate([[0], np.cumsum(durations)]) * SAMPLES_PER_FRAME - ONSET_LEAD
            first = np.cumsum([0] + [len(sound) + len(after) for sound, after in pieces[:-1]]) + 1
            onsets.extend((i, int(np.clip(before[k] - start, 0, end - start))) for i, k in enumerate(first))
            onsets.append((len(pieces), int(end - start + pause)))   # where the phrase's audio ends
        yield audio[start:end]
        if pause:
            yield np.zeros(pause, dtype=np.float32)

    def token_speeds(self, phrase: Phrase, pieces: list[tuple[str, str]], speed: float) -> float | np.ndarray:
        """The call's speed, or one per token (pads included) when an English word's tokens or
        the breaks around it are said at their own multiple of it (`pieces`: the phrase's phrase_pieces)."""
        if not phrase.english or self.english_speed == self.edge_speed == 1.0:
            return speed
        multiple = {ENGLISH: self.english_speed, EDGE: self.edge_speed}
        return speed * np.array([1.0, *(multiple.get(role, 1.0) for role in token_roles(phrase, pieces)), 1.0],
                                dtype=np.float32)

    def close(self) -> None:
        """Drop the session: onnxruntime frees its arena with it."""
        self._session = None

    def infer(self, ids: list[int], voice: str, speed: float) -> np.ndarray:
        """One raw model call, padding silence included; style row n-1 for n tokens, as Kokoro was trained."""
        return self.infer_timed(ids, voice, speed)[0]

    def infer_timed(self, ids: list[int], voice: str,
                    speed: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`infer`'s audio and the frames the model gave each token (pads included); `speed` is one
        number for the call or one per token, the two pads included."""
        speeds = np.atleast_1d(np.asarray(speed, dtype=np.float32))
        if speeds.size not in (1, len(ids) + 2):
            raise ValueError(f"{speeds.size} speeds for {len(ids)} tokens and two pads")
        inputs = {
            "tokens": np.array([[0, *ids, 0]], dtype=np.int64),
            "style": self._packs[voice][len(ids) - 1],
            "speed": speeds,
        }
        audio, durations = self._session.run(["audio", DURATIONS], inputs)
        return np.clip(audio, -1.0, 1.0).astype(np.float32, copy=False), durations.reshape(-1)
