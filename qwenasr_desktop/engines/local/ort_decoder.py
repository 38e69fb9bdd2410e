"""Whisper's text decoder as an int8 ONNX Runtime graph, built in memory from the CT2 weights.

CTranslate2 offers no hook to change scores during beam search, so weighted hotwords need a
decoder we step ourselves, and torch would add ~750 MB to every installer. The first version was
float32 NumPy: memory-bound (it streamed ~230 MB of weights per step, 30-37 ms a step for base on
an idle core), which alone kept base with hotwords above the RTF target. Here every linear layer
is an 8-bit `MatMulNBits` (blocks of 32, int8 compute on VNNI/AVX2) and the log-softmax and top-k
run in the graph too: ~8 ms a step for 5 beams on 2 idle cores, the benchmark's WER/B-WER
identical to float32 (docs/benchmarks.md). ONNX Runtime is already installed for faster-whisper's
VAD; `onnx` only builds the graph. `quantize=False` builds the same graph in float32: the
reference the tests compare against.

Weights are shared and read-only; an `OrtDecoderState` holds everything one decode changes, so
threads can decode concurrently with one instance.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .ct2_weights import Ct2FormatError, DequantizedVariables, read_ct2_variables

F32 = np.float32
MS = "com.microsoft"
BLOCK = 32


def decoder_layer_count(variables: Mapping) -> int:
    return len({k.split("/")[1] for k in variables if re.match(r"decoder/layer_\d+/", k)})


def quantize_blocks(w_out_in: np.ndarray, rows_per_pass: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """MatMulNBits' 8-bit layout: uint8 [N, K/32, 32] with zero point 128, float scales [N, K/32].

    A few thousand rows at a time: the float32 temporaries of base's 51865-row embedding at once
    would add ~400 MB to the peak memory of loading the model."""
    N, K = w_out_in.shape
    q = np.empty((N, K // BLOCK, BLOCK), np.uint8)
    scale = np.empty((N, K // BLOCK), F32)
    for r in range(0, N, rows_per_pass):
        blocks = np.asarray(w_out_in[r:r + rows_per_pass], F32).reshape(-1, K // BLOCK, BLOCK)
        s = np.abs(blocks).max(-1) / F32(127.0)
        s[s == 0] = 1.0
        q[r:r + rows_per_pass] = np.clip(np.rint(blocks / s[..., None]), -127, 127) + 128
        scale[r:r + rows_per_pass] = s
    return q, scale


class _GraphBuilder:
    """A few lines over onnx.helper: every op gets a fresh output name."""

    def __init__(self, quantize: bool = True) -> None:
        self.quantize = quantize
        self.nodes: list = []
        self.inits: list = []
        self._n = 0

    def const(self, name: str, arr: np.ndarray) -> str:
        from onnx import numpy_helper

        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def op(self, op_type: str, inputs: list[str], domain: str | None = None, outputs: int = 1,
           names: list[str] | None = None, **attrs):
        """Add a node; `names` fixes its output names (graph outputs), else they are fresh."""
        from onnx import helper

        self._n += 1
        names = names or [f"{op_type.lower()}_{self._n}_{i}" for i in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, names, domain=domain, **attrs))
        return names[0] if len(names) == 1 else names

    def linear(self, x: str, name: str, w_out_in: np.ndarray, bias: np.ndarray | None,
               scale: float = 1.0) -> str:
        """x @ W^T + b with W as CT2 stores it ([out, in]); `scale` folds a constant in.

        int8 in blocks of 32 along the input dimension (MatMulNBits, accuracy level 4: int8
        activations per block too). Per-tensor dynamic quantization of the activations
        (DynamicQuantizeMatMul) was tried first: 10 % faster, but base's U-WER rose by 1 point;
        blocks keep the benchmark's WER identical to float32."""
        w = np.asarray(w_out_in, F32) * F32(scale)
        b = None if bias is None else self.const(name + ".b", np.asarray(bias, F32) * F32(scale))
        if not self.quantize:
            y = self.op("MatMul", [x, self.const(name + ".w", np.ascontiguousarray(w.T))])
            return y if b is None else self.op("Add", [y, b])
        q, s = quantize_blocks(w)
        return self.nbits(x, name, q, s, b)

    def nbits(self, x: str, name: str, q: np.ndarray, s: np.ndarray, bias: str | None = None,
              q_name: str | None = None) -> str:
        """MatMulNBits over quantize_blocks' output; `q_name` reuses weights already in the graph."""
        N, n_blocks, _ = q.shape
        inputs = [x, q_name or self.const(name + ".q", q), self.const(name + ".s", s.reshape(-1))]
        if bias is not None:
            inputs += ["", "", bias]  # no zero points (128 implied), no group index
        return self.op("MatMulNBits", inputs, domain=MS, K=n_blocks * BLOCK, N=N, bits=8,
                       block_size=BLOCK, accuracy_level=4)

    def layer_norm(self, x: str, name: str, v: Mapping, prefix: str) -> str:
        g = self.const(name + ".g", np.asarray(v[prefix + "gamma"], F32))
        b = self.const(name + ".b", np.asarray(v[prefix + "beta"], F32))
        return self.op("LayerNormalization", [x, g, b], axis=-1, epsilon=1e-5)


def _model_bytes(g: _GraphBuilder, inputs: list, outputs: list) -> bytes:
    from onnx import helper

    graph = helper.make_graph(g.nodes, "whisper_decoder", inputs, outputs, initializer=g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(MS, 1)])
    model.ir_version = 8
    return model.SerializeToString()


def _step_graph(v: Mapping, n_layers: int, H: int, dh: int, quantize: bool = True) -> bytes:
    """One decoder step for B hypotheses.

    In: tokens [B,T], positions [T], mask [T,S] (causal, for the prompt), select [Q] (positions
    whose scores are wanted), suppress [Q,V] (added to those logits), k [1], and per layer the
    self-attention cache past_k/v [B,H,P,dh] and the window's cross_k [H,dh,F] / cross_v [H,F,dh].
    Out: logp [B,Q,V] (log-softmax after suppression), top [B,Q,k] (indices of the k best) and
    the grown caches present_k/v [B,H,P+T,dh]. Normalising and ranking 51865 scores per row here
    in C++ saves the beam search ~3 ms a step of NumPy work.
    """
    from onnx import TensorProto, helper

    D = H * dh
    g = _GraphBuilder(quantize)
    sc = float(dh) ** -0.5
    emb = v["decoder/embeddings/weight"]  # float16 as stored; float32 only where needed
    pos = g.const("pos", np.asarray(v["decoder/position_encodings/encodings"], F32))
    if quantize:
        # One int8 copy serves the embedding lookup and the tied output projection.
        emb_q, emb_s = quantize_blocks(emb)
        rows = g.op("Cast", [g.op("Gather", [g.const("emb.rows", emb_q), "tokens"], axis=0)],
                    to=TensorProto.FLOAT)
        rows = g.op("Sub", [rows, g.const("emb.zero", np.array(128, F32))])
        scale = g.op("Unsqueeze", [g.op("Gather", [g.const("emb.scales", emb_s), "tokens"], axis=0),
                                   g.const("emb.axis", np.array([-1], np.int64))])
        x = g.op("Reshape", [g.op("Mul", [rows, scale]),
                             g.const("shape_btd0", np.array([0, 0, D], np.int64))])
    else:
        x = g.op("Gather", [g.const("emb", np.asarray(emb, F32)), "tokens"], axis=0)
    x = g.op("Add", [x, g.op("Gather", [pos, "positions"], axis=0)])
    shape_bthd = g.const("shape_bthd", np.array([0, 0, H, dh], np.int64))
    shape_btd = g.const("shape_btd", np.array([0, 0, D], np.int64))
    shape_nhd = g.const("shape_nhd", np.array([-1, H, dh], np.int64))
    inputs = [helper.make_tensor_value_info("tokens", TensorProto.INT64, ["B", "T"]),
              helper.make_tensor_value_info("positions", TensorProto.INT64, ["T"]),
              helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["T", "S"]),
              helper.make_tensor_value_info("select", TensorProto.INT64, ["Q"]),
              helper.make_tensor_value_info("suppress", TensorProto.FLOAT, ["Q", "V"]),
              helper.make_tensor_value_info("k", TensorProto.INT64, [1])]
    outputs = []
    for i in range(n_layers):
        p = f"decoder/layer_{i}/"
        n = f"l{i}"
        for kind in ("k", "v"):
            inputs.append(helper.make_tensor_value_info(f"past_{kind}{i}", TensorProto.FLOAT,
                                                        ["B", H, "P", dh]))
        inputs.append(helper.make_tensor_value_info(f"cross_k{i}", TensorProto.FLOAT, [H, dh, "F"]))
        inputs.append(helper.make_tensor_value_info(f"cross_v{i}", TensorProto.FLOAT, [H, "F", dh]))
        # Self-attention; the query columns carry 1/sqrt(d_head).
        h = g.layer_norm(x, n + ".ln1", v, p + "self_attention/layer_norm/")
        w = np.asarray(v[p + "self_attention/linear_0/weight"], F32).copy()
        b = np.asarray(v[p + "self_attention/linear_0/bias"], F32).copy()
        w[:D] *= sc
        b[:D] *= sc
        qkv = g.linear(h, n + ".qkv", w, b)
        q, k, vv = g.op("Split", [qkv, g.const(n + ".split", np.array([D, D, D], np.int64))],
                        outputs=3, axis=-1)
        heads = [g.op("Transpose", [g.op("Reshape", [t, shape_bthd])], perm=[0, 2, 1, 3]) for t in (q, k, vv)]
        kc = g.op("Concat", [f"past_k{i}", heads[1]], names=[f"present_k{i}"], axis=2)
        vc = g.op("Concat", [f"past_v{i}", heads[2]], names=[f"present_v{i}"], axis=2)
        att = g.op("MatMul", [heads[0], g.op("Transpose", [kc], perm=[0, 1, 3, 2])])
        att = g.op("Softmax", [g.op("Add", [att, "mask"])], axis=-1)
        o = g.op("Reshape", [g.op("Transpose", [g.op("MatMul", [att, vc])], perm=[0, 2, 1, 3]), shape_btd])
        x = g.op("Add", [x, g.linear(o, n + ".o", v[p + "self_attention/linear_1/weight"],
                                     v[p + "self_attention/linear_1/bias"])])
        # Cross-attention: all beams and positions are query rows against one audio window.
        h = g.layer_norm(x, n + ".ln2", v, p + "attention/layer_norm/")
        q = g.linear(h, n + ".xq", v[p + "attention/linear_0/weight"], v[p + "attention/linear_0/bias"], sc)
        q = g.op("Transpose", [g.op("Reshape", [q, shape_nhd])], perm=[1, 0, 2])  # [H, B*T, dh]
        att = g.op("Softmax", [g.op("MatMul", [q, f"cross_k{i}"])], axis=-1)
        o = g.op("Transpose", [g.op("MatMul", [att, f"cross_v{i}"])], perm=[1, 0, 2])
        o = g.op("Reshape", [o, g.op("Shape", [x])])
        x = g.op("Add", [x, g.linear(o, n + ".xo", v[p + "attention/linear_2/weight"],
                                     v[p + "attention/linear_2/bias"])])
        h = g.layer_norm(x, n + ".ln3", v, p + "ffn/layer_norm/")
        f = g.op("Gelu", [g.linear(h, n + ".w1", v[p + "ffn/linear_0/weight"], v[p + "ffn/linear_0/bias"])],
                 domain=MS)
        x = g.op("Add", [x, g.linear(f, n + ".w2", v[p + "ffn/linear_1/weight"], v[p + "ffn/linear_1/bias"])])
        outputs += [helper.make_tensor_value_info(f"present_{kind}{i}", TensorProto.FLOAT, ["B", H, "S", dh])
                    for kind in ("k", "v")]
    y = g.layer_norm(x, "ln_f", v, "decoder/layer_norm/")
    y = g.op("Gather", [y, "select"], axis=1)
    if quantize:
        logits = g.nbits(y, "proj", emb_q, emb_s, q_name="emb.rows")
    else:
        logits = g.linear(y, "proj", emb, None)
    logp = g.op("LogSoftmax", [g.op("Add", [logits, "suppress"])], names=["logp"], axis=-1)
    g.op("TopK", [logp, "k"], names=["top_values", "top"], axis=-1, largest=1, sorted=1)
    outputs[:0] = [helper.make_tensor_value_info("logp", TensorProto.FLOAT, ["B", "Q", "V"]),
                   helper.make_tensor_value_info("top", TensorProto.INT64, ["B", "Q", "k"])]
    return _model_bytes(g, inputs, outputs)


def _cross_graph(v: Mapping, n_layers: int, H: int, dh: int, quantize: bool = True) -> bytes:
    """Encoder output [F, D] -> cross-attention K [H, dh, F] and V [H, F, dh] of every layer."""
    from onnx import TensorProto, helper

    D = H * dh
    g = _GraphBuilder(quantize)
    shape = g.const("shape_fhd", np.array([-1, H, dh], np.int64))
    outputs = []
    for i in range(n_layers):
        p = f"decoder/layer_{i}/attention/linear_1/"
        w, b = np.asarray(v[p + "weight"], F32), np.asarray(v[p + "bias"], F32)
        k = g.op("Reshape", [g.linear("audio", f"l{i}.xk", w[:D], b[:D]), shape])
        vv = g.op("Reshape", [g.linear("audio", f"l{i}.xv", w[D:], b[D:]), shape])
        g.op("Transpose", [k], names=[f"cross_k{i}"], perm=[1, 2, 0])
        g.op("Transpose", [vv], names=[f"cross_v{i}"], perm=[1, 0, 2])
        outputs.append(helper.make_tensor_value_info(f"cross_k{i}", TensorProto.FLOAT, [H, dh, "F"]))
        outputs.append(helper.make_tensor_value_info(f"cross_v{i}", TensorProto.FLOAT, [H, "F", dh]))
    inputs = [helper.make_tensor_value_info("audio", TensorProto.FLOAT, ["F", D])]
    return _model_bytes(g, inputs, outputs)


def _session(model: bytes, threads: int):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # Spinning worker threads collapse when the cores are shared (OpenBLAS's did: 10x slower per
    # step under load, docs/benchmarks.md): never spin.
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    so.log_severity_level = 3
    return ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])


def decoder_threads() -> int:
    """Two threads unless QWENASR_DECODER_THREADS says otherwise. Without spinning they also win
    on a loaded machine: base, 5 beams, 12.7 -> 7.7 ms a step idle, 17.0 -> 13.6 ms with both
    cores busy elsewhere (NumPy's OpenBLAS, which spins, was 10x slower with 2 threads there)."""
    default = min(2, os.cpu_count() or 1)
    try:
        return max(1, int(os.environ.get("QWENASR_DECODER_THREADS", default)))
    except ValueError:
        return default


@dataclass
class OrtDecoderState:
    """What one decode changes: the window's cross-attention K/V and the self-attention cache."""

    cross: dict  # cross_k{i} / cross_v{i}
    cache: dict  # past_k{i} / past_v{i}: [B, H, length, dh]
    length: int = 0


@dataclass
class StepScores:
    logp: np.ndarray  # [B, V] log-probabilities of the next token (suppressed tokens -inf)
    top: np.ndarray  # [B, k] indices of the k best, best first
    extra: np.ndarray | None = None  # [V] unsuppressed log-probabilities at `also_at`, row 0


class OrtWhisperDecoder:
    def __init__(self, variables: Mapping[str, np.ndarray], threads: int | None = None,
                 quantize: bool = True) -> None:
        """Every size comes from the weights (width, heads, layers, vocabulary, text positions):
        base, tiny.en and any user's model folder build the same way."""
        v = variables
        self.V, self.D = v["decoder/embeddings/weight"].shape
        self.H = int(np.asarray(v["decoder/num_heads"]).reshape(-1)[0])
        self.dh = self.D // self.H
        self.n_ctx = v["decoder/position_encodings/encodings"].shape[0]
        self.n_layers = decoder_layer_count(v)
        threads = threads or decoder_threads()
        self._step = _session(_step_graph(v, self.n_layers, self.H, self.dh, quantize), threads)
        self._cross = _session(_cross_graph(v, self.n_layers, self.H, self.dh, quantize), threads)
        self._cross_names = [o.name for o in self._cross.get_outputs()]
        self._cache_names = [o.name.replace("present", "past") for o in self._step.get_outputs()[2:]]

    @classmethod
    def from_bytes(cls, model_bin: bytes | memoryview, threads: int | None = None,
                   quantize: bool = True) -> OrtWhisperDecoder:
        """From a model.bin's bytes, or a read-only mapping of the file (model_folders.map_model_bin):
        the weights are read as views and converted one at a time."""
        spec, variables = read_ct2_variables(model_bin)
        if spec != "WhisperSpec":
            raise Ct2FormatError(f"expected a Whisper model, found {spec}")
        return cls(DequantizedVariables(variables), threads, quantize)

    def start(self, audio_features: np.ndarray) -> OrtDecoderState:
        """Cross-attention K/V for one window ([F, D] encoder output), computed once."""
        xa = np.ascontiguousarray(audio_features, dtype=F32)
        cross = dict(zip(self._cross_names, self._cross.run(self._cross_names, {"audio": xa}), strict=True))
        empty = np.zeros((1, self.H, 0, self.dh), F32)
        return OrtDecoderState(cross, dict.fromkeys(self._cache_names, empty))

    @staticmethod
    def reorder(state: OrtDecoderState, src) -> None:
        """Rearrange the self-attention cache after a beam step (also expands 1 -> B rows)."""
        src = np.asarray(src)
        first = next(iter(state.cache.values()))
        if len(src) == first.shape[0] and np.array_equal(src, np.arange(len(src))):
            return
        state.cache = {name: c[src] for name, c in state.cache.items()}

    def fresh(self, state: OrtDecoderState) -> OrtDecoderState:
        """A new decode over the same window: its cross-attention K/V, an empty cache."""
        empty = np.zeros((1, self.H, 0, self.dh), F32)
        return OrtDecoderState(state.cross, dict.fromkeys(self._cache_names, empty))

    def sequence_logprobs(self, window: OrtDecoderState, prefix: list[int], seqs: list[list[int]],
                          max_positions: int = 128) -> list[float]:
        """Teacher-forced log-probability of each token sequence after `prefix` (no suppression).

        The prefix and the tokens all sequences share are fed once; only the positions after
        them are projected onto the vocabulary (the costly part), in groups of at most
        `max_positions` rows x positions so the [rows, positions, V] scores stay ~27 MB."""
        common = 0
        while all(len(s) > common + 1 for s in seqs) and len({s[common] for s in seqs}) == 1:
            common += 1
        state = self.fresh(window)
        shared = seqs[0][:common]
        at = list(range(len(prefix) - 1, len(prefix) + common))  # predicting shared[0], ..., s[common]
        head = self._run(state, np.array([prefix + shared], np.int64), at, np.zeros((len(at), self.V), F32),
                         1)[0][0]
        before = float(sum(head[q, t] for q, t in enumerate(shared)))
        totals = [before + float(head[common, s[common]]) for s in seqs]
        rests = [s[common:] for s in seqs]  # feed all but the last token; score the next ones
        width = max(len(r) for r in rests) - 1
        if width <= 0:
            return totals
        per_group = max(1, max_positions // width)
        for g0 in range(0, len(rests), per_group):
            group = rests[g0:g0 + per_group]
            feed = np.array([r[:-1] + [r[-1]] * (width - len(r) + 1) for r in group], np.int64)
            cache = {n: np.repeat(c, len(group), 0) for n, c in state.cache.items()}
            sub = OrtDecoderState(state.cross, cache, state.length)
            logp = self._run(sub, feed, list(range(width)), np.zeros((width, self.V), F32), 1)[0]
            for r, row in enumerate(group):
                idx = np.arange(len(row) - 1)
                totals[g0 + r] += float(logp[r, idx, np.asarray(row[1:])].sum())
        return totals

    def _run(self, state: OrtDecoderState, tokens: np.ndarray, select: list[int], suppress: np.ndarray,
             k: int) -> list:
        T = tokens.shape[1]
        off = state.length
        S = off + T
        mask = np.triu(np.full((T, S), -np.inf, F32), k=off + 1) if T > 1 else np.zeros((1, S), F32)
        feeds = {"tokens": np.ascontiguousarray(tokens, dtype=np.int64),
                 "positions": np.arange(off, S, dtype=np.int64), "mask": mask,
                 "select": np.array(select, np.int64), "suppress": suppress, "k": np.array([k], np.int64),
                 **state.cross, **state.cache}
        out = self._step.run(None, feeds)
        state.cache = dict(zip(self._cache_names, out[2:], strict=True))
        state.length = S
        return out

    def step(self, state: OrtDecoderState, tokens: np.ndarray, suppress: np.ndarray, k: int,
             also_at: int | None = None) -> StepScores:
        """Feed tokens [B, T] (T > 1 only for the prompt); score the next token after the last.

        `suppress` [V] is added to those logits (-inf bans a token). With `also_at`, the scores
        at that prompt position of row 0 come back unsuppressed too: Whisper reads its no-speech
        probability at the `<|startoftranscript|>` position.
        """
        T = tokens.shape[1]
        select = [T - 1] if also_at is None else [T - 1, also_at]
        if also_at is None:
            rows = np.asarray(suppress, F32)[None]
        else:
            rows = np.zeros((2, self.V), F32)
            rows[0] = suppress
        logp, top = self._run(state, tokens, select, rows, k)[:2]
        return StepScores(logp[:, 0], top[:, 0], logp[0, 1] if also_at is not None else None)
