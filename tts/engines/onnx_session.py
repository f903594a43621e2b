"""onnxruntime session settings shared by the engines that run ONNX graphs (Kokoro, the embedded vocoder)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

import onnxruntime as ort

SPIN_KEY = "session.intra_op.allow_spinning"


def session_options(threads: int, tuning: Mapping[str, object] = MappingProxyType({})) -> ort.SessionOptions:
    """CPU settings for a shared 2-core box; `tuning` overrides them (python -m tts.bench kokoro):
    attribute names, or dotted session config keys such as "session.intra_op.allow_spinning".

    Spinning is off: idle pool threads that spin cost ~30 % more CPU per second of audio
    and, when other work holds a core, made 2 threads slower than 1. The memory pattern
    is off: it plans one block per input shape, and every phrase has a new one; without
    it a 50-syllable Kokoro phrase peaks at ~600 MB instead of ~770 MB, at the same speed."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.enable_mem_pattern = False
    settings = {SPIN_KEY: "0", **tuning}
    for name, value in settings.items():
        if "." in name:
            opts.add_session_config_entry(name, str(value))
        else:
            setattr(opts, name, value)
    return opts
