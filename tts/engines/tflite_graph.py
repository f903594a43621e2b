"""Rewrites of TFLite flatbuffers so that LiteRT's builtin kernels can run them.

The embedded FastSpeech2 keeps Keras dropout on at inference (the upstream recipe does
so on purpose), which compiles to TensorFlow's `RandomUniform`, a Flex op LiteRT lacks.
Rather than change what the model computes, we cut the random source out of the graph
and make its output a graph input, so the caller feeds the same uniform noise from a
seeded generator: the trained behaviour, but reproducible per request.

The wheel's Tacotron2 has the same kind of random source inside its decoder's while loop
(the prenet's dropout, also kept on at inference by design, as Tacotron2 needs it) and a
TensorFlow `All` in its stop test: `feed_loop_random_uniform` feeds the loop's noise from
graph inputs, one row per decoder step, and `reduce_all_as_builtin` swaps in LiteRT's own
REDUCE_ALL. `bound_loop_iterations` makes a loop's iteration cap an input (the caller's
per-call bound on decoder steps).
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
    """`random_uniform_as_inputs` on a flatbuffer: the new flatbuffer and the new inputs' names."""
    model = unpacked(buffer)
    names = random_uniform_as_inputs(model, custom_code)
    return packed(model, len(buffer)), names


def random_uniform_as_inputs(model: "schema.ModelT", custom_code: str = "FlexRandomUniform") -> list[str]:
    """Replace every `custom_code` op by a new graph input carrying its output, in place.

    The op's shape-computing producer goes too when nothing else reads it. Returns the
    names of the new inputs, in graph order; their shapes are dynamic, so the caller
    resizes them to the shape the op would have produced.
    """
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
    return [graph.tensors[i].name.decode() for i in new_inputs]


def unpacked(buffer: bytes) -> "schema.ModelT":
    """A flatbuffer as an object tree that the in-place rewrites below change; `packed` writes it back.
    Unpacking and packing cost more than any rewrite (~0.2 CPU s each for Tacotron2's 35 MB): a chain of
    rewrites unpacks once and packs once."""
    return schema.ModelT.InitFromPackedBuf(buffer, 0)


def packed(model: "schema.ModelT", size_hint: int = 0) -> bytes:
    builder = flatbuffers.Builder(size_hint + 1024)
    builder.Finish(model.Pack(builder), file_identifier=_FILE_IDENTIFIER)
    return bytes(builder.Output())


def reduce_all_as_builtin(model: "schema.ModelT") -> int:
    """Every TensorFlow `All` (custom code FlexAll; keep_dims false, as the converter writes it
    for a stop test) made LiteRT's builtin REDUCE_ALL, in every subgraph, in place. Returns how
    many ops changed."""
    changed = 0
    for graph in model.subgraphs:
        for op in graph.operators:
            if _opcode_name(model, op) != "FlexAll":
                continue
            options = schema.ReducerOptionsT()
            options.keepDims = False
            _make_builtin(model, op, schema.BuiltinOperator.REDUCE_ALL, schema.BuiltinOptions.ReducerOptions, options)
            changed += 1
    return changed


def feed_loop_random_uniform(model: "schema.ModelT", loop_output: str, rows: int,
                             custom_code: str = "FlexRandomUniform") -> list[str]:
    """Replace every `custom_code` op in the body of the WHILE loop that makes the main graph's
    tensor `loop_output` by a row of a new main-graph input: noise[i] of shape [rows, width] for
    the i-th op (width: the op's output [1, width]), indexed by the loop's step counter (its second
    loop variable, the TensorArray write index) and carried through the loop; in place. Returns the
    new inputs' names, in body order; the caller fills them with uniform [0, 1) noise, `rows` at
    least the steps the loop may run (their shape is dynamic in rows)."""
    loop = _loop_making(model, loop_output)
    body = model.subgraphs[loop.builtinOptions.bodySubgraphIndex]
    targets = [i for i, op in enumerate(body.operators) if _opcode_name(model, op) == custom_code]
    if not targets:
        raise ValueError(f"no {custom_code} op in the loop making {loop_output}")
    counter = int(body.inputs[1])
    step = _add_tensor(body, "step_index", [1], schema.TensorType.INT32)
    shape = _add_constant(model, body, "step_index_shape", np.array([1], np.int32))
    reshape = schema.OperatorT()
    reshape.inputs, reshape.outputs = np.array([counter, shape], np.int32), np.array([step], np.int32)
    _make_builtin(model, reshape, schema.BuiltinOperator.RESHAPE, schema.BuiltinOptions.NONE, None)
    doomed, names = set(), []
    for number, index in enumerate(targets):
        op = body.operators[index]
        width = int(body.tensors[int(op.outputs[0])].shape[-1])
        name = f"{loop_output.split('/')[0]}_noise_{number}"
        carried = _add_loop_variable(model, loop, name, [rows, width], [-1, width], schema.TensorType.FLOAT32)
        (shape_tensor,) = op.inputs
        producer = _producer(body, int(shape_tensor))
        if producer is not None and _consumers(body, int(shape_tensor)) == [index]:
            doomed.add(producer)
        op.inputs = np.array([carried, step], np.int32)
        options = schema.GatherOptionsT()
        options.axis = 0
        _make_builtin(model, op, schema.BuiltinOperator.GATHER, schema.BuiltinOptions.GatherOptions, options)
        names.append(name)
    body.operators = [reshape] + [op for i, op in enumerate(body.operators) if i not in doomed]
    return names


def bound_loop_iterations(model: "schema.ModelT", loop_output: str, name: str = "max_iterations") -> None:
    """The WHILE loop making `loop_output` compares its first loop variable (the iteration count)
    with a constant cap in its condition: make the cap a scalar int32 input `name` of the main
    graph, in place, so each call sets its own bound (at most the constant: the loop's arrays are
    that long)."""
    loop = _loop_making(model, loop_output)
    cond = model.subgraphs[loop.builtinOptions.condSubgraphIndex]
    counter = int(cond.inputs[0])
    less = [op for op in cond.operators if _builtin(model, op) == schema.BuiltinOperator.LESS and int(op.inputs[0]) == counter]
    if len(less) != 1 or model.buffers[cond.tensors[int(less[0].inputs[1])].buffer].data is None:
        raise ValueError(f"the loop making {loop_output} has no constant iteration cap")
    carried_in_cond = _add_loop_variable(model, loop, name, [], None, schema.TensorType.INT32, cond_needs=True)
    less[0].inputs = np.array([counter, carried_in_cond], np.int32)


def rewire(model: "schema.ModelT", output: str, inputs: list[str | np.ndarray]) -> None:
    """The main graph's op that makes the tensor `output` reads `inputs`, in place: tensors by name,
    or new constants (numpy scalars or arrays, int32 or float32). A tensor made by that op or one after it
    is refused: ops run in list order (the pruning relies on it), so it would be read before it is made."""
    graph = model.subgraphs[0]
    index = {tensor.name.decode(): i for i, tensor in enumerate(graph.tensors)}
    missing = [name for name in [output, *inputs] if isinstance(name, str) and name not in index]
    if missing:
        raise ValueError(f"no tensor named {missing} in the model")
    producer = _producer(graph, index[output])
    if producer is None:
        raise ValueError(f"no op makes {output}")
    later = [name for name in inputs if isinstance(name, str)
             and (made := _producer(graph, index[name])) is not None and made >= producer]
    if later:
        raise ValueError(f"{later} made by the op making {output} or by one after it: it cannot read them")
    graph.operators[producer].inputs = np.array(
        [index[x] if isinstance(x, str) else _add_constant(model, graph, f"{output}_constant_{n}", np.asarray(x))
         for n, x in enumerate(inputs)], np.int32)
    _drop_unread(graph)


def _loop_making(model: "schema.ModelT", output: str) -> "schema.OperatorT":
    main = model.subgraphs[0]
    for op in main.operators:
        if _builtin(model, op) == schema.BuiltinOperator.WHILE and any(
                main.tensors[int(t)].name.decode() == output for t in op.outputs):
            return op
    raise ValueError(f"no WHILE loop makes a tensor named {output}")


def _add_loop_variable(model: "schema.ModelT", loop: "schema.OperatorT", name: str, shape: list[int],
                       signature: list[int] | None, dtype: int, cond_needs: bool = False) -> int:
    """A new main-graph input `name` carried unchanged through the WHILE `loop` (a new last loop
    variable: an input and an output of its condition's and body's subgraphs, the body passing it
    through). Returns its tensor in the body, or in the condition with cond_needs."""
    main = model.subgraphs[0]
    cond = model.subgraphs[loop.builtinOptions.condSubgraphIndex]
    body = model.subgraphs[loop.builtinOptions.bodySubgraphIndex]
    source = _add_tensor(main, name, shape, dtype, signature)
    result = _add_tensor(main, f"{name}_after_loop", shape, dtype, signature)
    main.inputs = np.append(main.inputs, source).astype(np.int32)
    loop.inputs = np.append(loop.inputs, source).astype(np.int32)
    loop.outputs = np.append(loop.outputs, result).astype(np.int32)
    in_cond = _add_tensor(cond, name, shape, dtype, signature)
    cond.inputs = np.append(cond.inputs, in_cond).astype(np.int32)
    in_body = _add_tensor(body, name, shape, dtype, signature)
    body.inputs = np.append(body.inputs, in_body).astype(np.int32)
    body.outputs = np.append(body.outputs, in_body).astype(np.int32)
    return in_cond if cond_needs else in_body


def _add_tensor(graph: "schema.SubGraphT", name: str, shape: list[int], dtype: int,
                signature: list[int] | None = None, buffer: int = 0) -> int:
    tensor = schema.TensorT()
    tensor.name, tensor.type, tensor.buffer = name.encode(), dtype, buffer
    tensor.shape = np.array(shape, np.int32)
    if signature is not None:
        tensor.shapeSignature = np.array(signature, np.int32)
    graph.tensors.append(tensor)
    return len(graph.tensors) - 1


def _add_constant(model: "schema.ModelT", graph: "schema.SubGraphT", name: str, value: np.ndarray) -> int:
    buffer = schema.BufferT()
    buffer.data = np.frombuffer(value.tobytes(), np.uint8)
    model.buffers.append(buffer)
    dtype = {np.dtype(np.int32): schema.TensorType.INT32, np.dtype(np.float32): schema.TensorType.FLOAT32}[value.dtype]
    return _add_tensor(graph, name, list(value.shape), dtype, buffer=len(model.buffers) - 1)


def _make_builtin(model: "schema.ModelT", op: "schema.OperatorT", builtin: int, kind: int, options) -> None:
    """Point `op` at the builtin operator `builtin` (its operator code added if missing)."""
    for index, code in enumerate(model.operatorCodes):
        if not code.customCode and max(code.builtinCode, code.deprecatedBuiltinCode) == builtin:
            break
    else:
        code = schema.OperatorCodeT()
        code.builtinCode, code.deprecatedBuiltinCode, code.version = builtin, min(builtin, 127), 1
        model.operatorCodes.append(code)
        index = len(model.operatorCodes) - 1
    op.opcodeIndex, op.customOptions, op.customOptionsFormat = index, None, 0
    op.builtinOptionsType, op.builtinOptions = kind, options


def keep_outputs(buffer: bytes, names: list[str]) -> bytes:
    """`cut_to_outputs` on a flatbuffer: the new flatbuffer."""
    model = unpacked(buffer)
    cut_to_outputs(model, names)
    return packed(model, len(buffer))


def cut_to_outputs(model: "schema.ModelT", names: list[str]) -> None:
    """The graph cut down, in place, to what computes the tensors `names` (by name, in that order),
    which become its outputs: every op nothing reads any more is dropped, so LiteRT runs only the
    part asked for (the engine's symbol half; how the benchmark prices the acoustic model's halves)."""
    graph = model.subgraphs[0]
    index = {tensor.name.decode(): i for i, tensor in enumerate(graph.tensors)}
    missing = [name for name in names if name not in index]
    if missing:
        raise ValueError(f"no tensor named {missing} in the model")
    graph.outputs = np.array([index[name] for name in names], np.int32)
    _drop_unread(graph)


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
    model = unpacked(buffer)
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
    return packed(model, len(buffer)), len(doomed) // 2


def _drop_unread(graph: "schema.SubGraphT") -> None:
    """Remove ops whose outputs nothing reads (the padding arithmetic of folded chains, the half a cut leaves).
    One pass from the end: ops run in list order, so every reader of an op's outputs comes after it (a pass per
    removed layer, as before, took 264 passes and 0.2 s on FastSpeech2's cut at each server start)."""
    read = {int(t) for t in graph.outputs}
    kept = []
    for op in reversed(graph.operators):
        if any(int(t) in read for t in op.outputs):
            kept.append(op)
            read.update(int(t) for t in op.inputs)
    graph.operators = kept[::-1]
