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
    builder = flatbuffers.Builder(len(buffer) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=_FILE_IDENTIFIER)
    names = [graph.tensors[i].name.decode() for i in new_inputs]
    return bytes(builder.Output()), names
