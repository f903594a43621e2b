"""A LiteRT interpreter with named tensors (the embedded voice's acoustic model, Tacotron2's decoder).

The process's first allocation creates LiteRT's XNNPACK delegate, whose notice is kept out of fd 2.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from typing import Callable

import numpy as np
from ai_edge_litert.interpreter import Interpreter

XNNPACK_NOTICE = b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n"
_first_delegate = threading.Lock()
_delegate_made = False


def _without_delegate_notice(allocate: Callable[[], None]) -> None:
    """Run a LiteRT interpreter's allocation; the process's first without the notice it writes to fd 2.

    The first allocation in a process creates LiteRT's XNNPACK delegate, which prints
    XNNPACK_NOTICE straight to fd 2, outside the log's format (TF_CPP_MIN_LOG_LEVEL does not
    reach that logger; the wheel exports no way to set its level; the op resolver that skips it
    also skips XNNPACK, the speed). It prints once per process, so only that first allocation
    (the warm-up's first phrase, on the worker thread) runs with fd 2 pointed at a temporary file;
    afterwards everything captured but the notice goes to the real fd 2. Other threads writing to
    fd 2 meanwhile (the log, during warm-up) lose nothing: their lines come out a few milliseconds later.
    """
    global _delegate_made
    if _delegate_made:
        allocate()
        return
    with _first_delegate:
        sys.stderr.flush()
        real = os.dup(2)
        with tempfile.TemporaryFile() as captured:
            os.dup2(captured.fileno(), 2)
            try:
                allocate()
                _delegate_made = True
            finally:
                sys.stderr.flush()
                os.dup2(real, 2)
                os.close(real)
                captured.seek(0)
                rest = memoryview(captured.read().replace(XNNPACK_NOTICE, b"", 1))
                while rest:
                    rest = rest[os.write(2, rest):]


class LiteRTModel:
    """One LiteRT interpreter with named tensors, reallocated only when shapes change."""

    def __init__(self, content: bytes, threads: int) -> None:
        self._interpreter = Interpreter(model_content=content, num_threads=threads)
        self._inputs = {d["name"]: d["index"] for d in self._interpreter.get_input_details()}
        self._outputs = {d["name"]: d["index"] for d in self._interpreter.get_output_details()}
        self._shapes: dict[str, tuple[int, ...]] = {}

    def run(self, feeds: dict[str, np.ndarray], outputs: tuple[str, ...]) -> list[np.ndarray]:
        it = self._interpreter
        shapes = {name: value.shape for name, value in feeds.items()}
        if shapes != self._shapes:
            for name, shape in shapes.items():
                it.resize_tensor_input(self._inputs[name], list(shape))
            _without_delegate_notice(it.allocate_tensors)
            self._shapes = shapes
        for name, value in feeds.items():
            it.set_tensor(self._inputs[name], value)
        it.invoke()
        return [it.get_tensor(self._outputs[name]) for name in outputs]
