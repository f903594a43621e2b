"""Rewrites of TFLite flatbuffers so that LiteRT's builtin kernels can run them.

The embedded FastSpeech2 keeps Keras dropout on at inference (the upstream recipe does
so on purpose), which compiles to TensorFlow's `RandomUniform`, a Flex op LiteRT lacks.
Rather than change what the model computes, we cut the random source out of the graph
and make its output a graph input, so the caller feeds the same uniform noise from a
seeded generator: the trained behaviour, but reproducible per request.
"""

from __future__ import annotations

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as schema

_FILE_IDENTIFIER = b"TFL3"


def _opcode_name(model: "schema.ModelT", op: "schema.OperatorT") -> str:
    code = model.operatorCodes[op.opcodeIndex]
    if code.customCode:
        return code.customCode.decode()
    return str(max(code.builtinCode, code.deprecatedBuiltinCode))


def _producer(graph: "schema.SubGraphT", tensor: int) -> int | None:
    for index, op in enumerate(graph.operators):
        if tensor in op.outputs:
            return index
    return None


def _consumers(graph: "schema.SubGraphT", tensor: int) -> list[int]:
    return [index for index, op in enumerate(graph.operators) if tensor in op.inputs]


def feed_random_uniform_from_inputs(buffer: bytes, custom_code: str = "FlexRandomUniform") -> tuple[bytes, list[str]]:
    """Replace every `custom_code` op by a new graph input carrying its output.

    The op's shape-computing producer goes too when nothing else reads it. Returns the
    new flatbuffer and the names of the new inputs, in graph order; their shapes are
    dynamic, so the caller resizes them to the shape the op would have produced.
    """
    model = schema.ModelT.InitFromPackedBuf(buffer, 0)
    graph = model.subgraphs[0]
    doomed: set[int] = set()
    new_inputs: list[int] = []
    for index, op in enumerate(graph.operators):
        if _opcode_name(model, op) != custom_code:
            continue
        doomed.add(index)
        (shape_tensor,) = op.inputs
        producer = _producer(graph, shape_tensor)
        if producer is not None and _consumers(graph, shape_tensor) == [index]:
            doomed.add(producer)
        (noise,) = op.outputs
        new_inputs.append(int(noise))
    if not new_inputs:
        raise ValueError(f"no {custom_code} op in the model")
    graph.operators = [op for i, op in enumerate(graph.operators) if i not in doomed]
    graph.inputs = np.concatenate([graph.inputs, np.array(new_inputs, dtype=np.int32)])
    names = [graph.tensors[i].name.decode() for i in new_inputs]
    return _packed(model, len(buffer)), names


def keep_outputs(buffer: bytes, names: list[str]) -> bytes:
    """The graph cut down to what computes the tensors `names` (by name, in that order), which
    become its outputs: every op nothing reads any more is dropped, so LiteRT runs only the
    part asked for (how the benchmark prices the acoustic model's halves)."""
    model = schema.ModelT.InitFromPackedBuf(buffer, 0)
    graph = model.subgraphs[0]
    index = {tensor.name.decode(): i for i, tensor in enumerate(graph.tensors)}
    missing = [name for name in names if name not in index]
    if missing:
        raise ValueError(f"no tensor named {missing} in the model")
    graph.outputs = np.array([index[name] for name in names], np.int32)
    _drop_unread(graph)
    return _packed(model, len(buffer))


def _constant(model: "schema.ModelT", graph: "schema.SubGraphT", tensor: int) -> np.ndarray | None:
    data = model.buffers[graph.tensors[tensor].buffer].data
    return None if data is None else np.frombuffer(bytes(data), np.int32)


def _builtin(model: "schema.ModelT", op: "schema.OperatorT") -> int:
    code = model.operatorCodes[op.opcodeIndex]
    return max(code.builtinCode, code.deprecatedBuiltinCode)


def fold_dilated_convolutions(buffer: bytes) -> tuple[bytes, int]:
    """Turn each SPACE_TO_BATCH_ND → EXPAND_DIMS → CONV_2D(VALID) → SQUEEZE → BATCH_TO_SPACE_ND
    chain (how TensorFlow lowers a dilated 1-D convolution) into one dilated CONV_2D.

    The converter's chain pads the time axis up to a multiple of the dilation, convolves
    the interleaved phases and crops the padding off again: exactly a dilated VALID
    convolution, which XNNPACK runs directly. Same numbers (a test checks it over many
    lengths), fewer ops and copies. Returns the new flatbuffer and how many chains were folded.
    """
    ops = schema.BuiltinOperator
    model = schema.ModelT.InitFromPackedBuf(buffer, 0)
    graph = model.subgraphs[0]
    readers: dict[int, list[int]] = {}
    for index, op in enumerate(graph.operators):
        for tensor in op.inputs:
            readers.setdefault(int(tensor), []).append(index)
    expected = [ops.EXPAND_DIMS, ops.CONV_2D, ops.SQUEEZE, ops.BATCH_TO_SPACE_ND]
    doomed: set[int] = set()
    for index, op in enumerate(graph.operators):
        if _builtin(model, op) != ops.SPACE_TO_BATCH_ND:
            continue
        chain, tensor = [], int(op.outputs[0])
        while len(chain) < len(expected) and len(readers.get(tensor, [])) == 1:
            (following,) = readers[tensor]
            chain.append(following)
            tensor = int(graph.operators[following].outputs[0])
        block = _constant(model, graph, int(op.inputs[1]))
        if [_builtin(model, graph.operators[i]) for i in chain] != expected or block is None or len(block) != 1:
            continue
        expand, conv, squeeze, batch_to_space = (graph.operators[i] for i in chain)
        axis = _constant(model, graph, int(expand.inputs[1]))
        options = conv.builtinOptions
        if axis is None or options.padding != schema.Padding.VALID or int(axis[0]) % 4 not in (1, 2):
            continue
        if int(axis[0]) % 4 == 1:
            options.dilationWFactor = int(block[0])
        else:
            options.dilationHFactor = int(block[0])
        expand.inputs = np.array([op.inputs[0], expand.inputs[1]], np.int32)
        squeeze.outputs = np.array([batch_to_space.outputs[0]], np.int32)
        doomed |= {index, chain[-1]}
    graph.operators = [op for i, op in enumerate(graph.operators) if i not in doomed]
    _drop_unread(graph)
    return _packed(model, len(buffer)), len(doomed) // 2


def _packed(model: "schema.ModelT", size: int) -> bytes:
    builder = flatbuffers.Builder(size + 1024)
    builder.Finish(model.Pack(builder), file_identifier=_FILE_IDENTIFIER)
    return bytes(builder.Output())


def _drop_unread(graph: "schema.SubGraphT") -> None:
    """Remove ops whose outputs nothing reads (the padding arithmetic of folded chains)."""
    outputs = {int(t) for t in graph.outputs}
    while True:
        read = {int(t) for op in graph.operators for t in op.inputs} | outputs
        kept = [op for op in graph.operators if any(int(t) in read for t in op.outputs)]
        if len(kept) == len(graph.operators):
            return
        graph.operators = kept
