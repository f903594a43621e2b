"""Context-dependent readings of polyphonic characters from a small BiLSTM classifier.

The weights are g2pM's (PyPI package g2pM, Apache-2.0: one-layer bidirectional LSTM,
64-d character embeddings, 32-d states, two dense layers over 876 pinyin classes),
trained on the CPP corpus. This module is our own numpy inference for them, tuned for
one sentence at a time: the input projections are folded into per-character tables at
load time, both directions run as one fused LSTM (block-diagonal recurrent matrix) and
every gate comes out of a single tanh (sigmoid(x) = (tanh(x/2) + 1) / 2, the halving baked
into the weights), so a 50-character sentence costs about half a millisecond.
"""

from __future__ import annotations

import pickle
import threading
from dataclasses import dataclass
from importlib import resources

import numpy as np

# g2pM's vocabulary marks sentence start/end with these two characters.
_BOS, _EOS, _UNK = "시", "끝", "<UNK>"

Hint = tuple[str, float]  # (reading, logit bonus)

_lock = threading.Lock()
_model: PolyphoneModel | None = None


@dataclass(frozen=True)
class PolyphoneModel:
    """The loaded classifier; immutable, so one instance is shared by all threads.

    candidates: every reading the model's dictionary knows per character ("lv4" style).
    """

    char_ids: dict[str, int]
    candidates: dict[str, tuple[str, ...]]
    class_ids: dict[str, int]
    classes: tuple[str, ...]
    inputs: np.ndarray  # (2, vocab, 4, H): embedding @ W_ih.T + biases per gate, fw and bw
    recurrent: np.ndarray  # (2H, 4 * 2H): fused W_hh.T; gate columns i f g o, each [fw, bw]
    dense: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]

    def predict(self, text: str, positions: list[int], hints: list[Hint | None] | None = None) -> list[str]:
        """The most likely reading, among the character's candidates, at each position.

        hints: per position, a reading another source proposes (a word dictionary) and the
        logit bonus it gets, so the model overrides it only when that much more confident.
        """
        if not positions:
            return []
        states = self._states(text)
        size = self.inputs.shape[-1]
        rows = [p + 1 for p in positions]  # +1 for BOS
        back = [len(states) - 1 - r for r in rows]  # the backward pass ran over reversed text
        logits = self._logits(np.concatenate([states[rows, :size], states[back, size:]], axis=1))
        hints = hints or [None] * len(positions)
        return [self._best(text[p], row, hint) for p, row, hint in zip(positions, logits, hints)]

    def _states(self, text: str) -> np.ndarray:
        """Per step t, [forward state at t, backward state at T-1-t] for BOS + text + EOS."""
        unk = self.char_ids[_UNK]
        ids = [self.char_ids[_BOS], *(self.char_ids.get(c, unk) for c in text), self.char_ids[_EOS]]
        _, _, gates, size = self.inputs.shape
        steps = np.empty((len(ids), gates, 2, size), dtype=np.float32)
        steps[:, :, 0] = self.inputs[0][ids]
        steps[:, :, 1] = self.inputs[1][ids[::-1]]
        width = 2 * size
        h = np.zeros(width, dtype=np.float32)
        c = np.zeros(width, dtype=np.float32)
        out = np.empty((len(ids), width), dtype=np.float32)
        for t, x in enumerate(steps.reshape(len(ids), -1)):
            act = np.tanh(x + h @ self.recurrent)
            sig = act * 0.5 + 0.5  # the i, f, o gates' sigmoids; the g gate stays tanh
            c = sig[width : 2 * width] * c + sig[:width] * act[2 * width : 3 * width]
            h = sig[3 * width :] * np.tanh(c)
            out[t] = h
        return out

    def _logits(self, hidden: np.ndarray) -> np.ndarray:
        """The two dense layers on top of the concatenated LSTM states."""
        w0, b0, w1, b1 = self.dense
        return np.maximum(hidden @ w0.T + b0, 0.0) @ w1.T + b1

    def _best(self, char: str, logits: np.ndarray, hint: Hint | None) -> str:
        """Argmax restricted to the character's own readings, so the answer is always legal."""
        options = [r for r in self.candidates.get(char, ()) if r in self.class_ids]
        if not options:
            return self.classes[int(np.argmax(logits))]
        bonus = dict([hint]) if hint else {}
        return max(options, key=lambda r: logits[self.class_ids[r]] + bonus.get(r, 0.0))


def _load_pickle(name: str):
    """Read one of the data files that ship inside the g2pM wheel."""
    with resources.files("g2pM").joinpath(name).open("rb") as f:
        return pickle.load(f)


def _normalize(reading: str) -> str:
    """Write g2pM's readings the project's way: ü as v, tone 5 for neutral."""
    reading = reading.replace("u:", "v").replace("ü", "v")
    return reading if reading[-1:].isdigit() else reading + "5"


def _build() -> PolyphoneModel:
    """Load weights and fold embeddings into per-character input projections."""
    w = _load_pickle("np_ckpt.pkl")
    class_ids = {_normalize(k): v for k, v in _load_pickle("class2idx.pkl").items()}
    classes = [""] * len(class_ids)
    for reading, i in class_ids.items():
        classes[i] = reading
    emb = w["embedding.weight"].astype(np.float32)
    size = w["lstm.weight_hh_l0"].shape[1]
    halve = np.array([0.5, 0.5, 1.0, 0.5], dtype=np.float32)[:, None]  # i f g o: see module doc
    inputs = np.empty((2, len(emb), 4, size), dtype=np.float32)
    recurrent = np.zeros((2, size, 4, 2, size), dtype=np.float32)
    for d, suffix in enumerate(("", "_reverse")):
        bias = w[f"lstm.bias_ih_l0{suffix}"] + w[f"lstm.bias_hh_l0{suffix}"]
        inputs[d] = (emb @ w[f"lstm.weight_ih_l0{suffix}"].T + bias).reshape(-1, 4, size) * halve
        recurrent[d, :, :, d] = w[f"lstm.weight_hh_l0{suffix}"].T.reshape(size, 4, size) * halve
    cedict = _load_pickle("digest_cedict.pkl")
    return PolyphoneModel(
        char_ids=_load_pickle("char2idx.pkl"),
        candidates={ch: tuple(dict.fromkeys(_normalize(r) for r in rs)) for ch, rs in cedict.items()},
        class_ids=class_ids,
        classes=tuple(classes),
        inputs=inputs,
        recurrent=recurrent.reshape(2 * size, 4 * 2 * size),
        dense=tuple(
            w[k].astype(np.float32)
            for k in ("logit_layer.0.weight", "logit_layer.0.bias", "logit_layer.2.weight", "logit_layer.2.bias")
        ),
    )


def model() -> PolyphoneModel:
    """The shared classifier, loaded on first use (about 0.1 s), once even under threads."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = _build()
    return _model
