"""Whisper's text decoder in plain NumPy (float32), over the weights of the CT2 model file.

CTranslate2 offers no hook to change scores during beam search, so weighted hotwords need a
decoder we step ourselves; torch would add ~750 MB to every installer, so this is NumPy. It is
token-identical to the float32 reference (design notes §9) and memory-bound: per step it
streams the layer weights and the [D, V] output projection once for all beams.

Weights are shared and read-only; everything that changes during a decode lives in a
`DecoderState`, so any number of threads can decode with one `NumpyWhisperDecoder`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .ct2_weights import Ct2FormatError, read_ct2_variables

F32 = np.float32


def _layer_norm(x, g, b, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    xc = x - mu
    var = np.mean(xc * xc, -1, keepdims=True)
    return xc * (1.0 / np.sqrt(var + eps)).astype(F32) * g + b


def _erf(x):
    # Abramowitz & Stegun 7.1.26, |error| < 1.5e-7: numpy has no erf and scipy is not a dependency.
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
               + 0.254829592) * t * np.exp(-a * a)
    return (s * y).astype(F32)


def _gelu(x):  # exact (erf) GELU, as Whisper and CT2 use
    return x * (0.5 * (1.0 + _erf(x * F32(0.7071067811865476))))


def _softmax_(x):
    x -= x.max(-1, keepdims=True)
    np.exp(x, out=x)
    x /= x.sum(-1, keepdims=True)
    return x


@dataclass
class DecoderState:
    """Per-decode buffers: cross-attention K/V of one audio window and the self-attention cache."""

    xk: list
    xv: list
    kc: list
    vc: list
    length: int = 0


class NumpyWhisperDecoder:
    def __init__(self, variables: dict[str, np.ndarray]) -> None:
        v = variables

        def f(k):
            return np.ascontiguousarray(v[k], dtype=F32)

        # The tied embedding is kept once, as a contiguous [D, V] matrix: the logits sgemm on it
        # is ~35% faster than on the transposed [V, D] view; lookups are column gathers.
        self.ET = np.ascontiguousarray(v["decoder/embeddings/weight"].T, dtype=F32)
        self.D, self.V = self.ET.shape
        self.P = f("decoder/position_encodings/encodings")
        self.H = int(np.asarray(v["decoder/num_heads"]).reshape(-1)[0])
        self.dh = self.D // self.H
        self.n_ctx = self.P.shape[0]
        n_layers = len({k.split("/")[1] for k in v if re.match(r"decoder/layer_\d+/", k)})
        D, sc = self.D, F32(self.dh ** -0.5)
        self.layers = []
        for i in range(n_layers):
            p = f"decoder/layer_{i}/"
            wqkv = f(p + "self_attention/linear_0/weight").copy()
            bqkv = f(p + "self_attention/linear_0/bias").copy()
            wqkv[:D] *= sc  # fold 1/sqrt(d_head) into the query projection
            bqkv[:D] *= sc
            wkv = f(p + "attention/linear_1/weight")
            bkv = f(p + "attention/linear_1/bias")
            self.layers.append(dict(
                ln1=(f(p + "self_attention/layer_norm/gamma"), f(p + "self_attention/layer_norm/beta")),
                wqkv=np.ascontiguousarray(wqkv.T), bqkv=bqkv,
                wo=np.ascontiguousarray(f(p + "self_attention/linear_1/weight").T),
                bo=f(p + "self_attention/linear_1/bias"),
                ln2=(f(p + "attention/layer_norm/gamma"), f(p + "attention/layer_norm/beta")),
                wq=np.ascontiguousarray(f(p + "attention/linear_0/weight").T * sc),
                bq=f(p + "attention/linear_0/bias") * sc,
                wk=np.ascontiguousarray(wkv[:D].T), bk=bkv[:D].copy(),
                wv=np.ascontiguousarray(wkv[D:].T), bv=bkv[D:].copy(),
                wxo=np.ascontiguousarray(f(p + "attention/linear_2/weight").T),
                bxo=f(p + "attention/linear_2/bias"),
                ln3=(f(p + "ffn/layer_norm/gamma"), f(p + "ffn/layer_norm/beta")),
                w1=np.ascontiguousarray(f(p + "ffn/linear_0/weight").T), b1=f(p + "ffn/linear_0/bias"),
                w2=np.ascontiguousarray(f(p + "ffn/linear_1/weight").T), b2=f(p + "ffn/linear_1/bias"),
            ))
        self.ln_f = (f("decoder/layer_norm/gamma"), f("decoder/layer_norm/beta"))

    @classmethod
    def from_bytes(cls, model_bin: bytes) -> NumpyWhisperDecoder:
        spec, variables = read_ct2_variables(model_bin)
        if spec != "WhisperSpec":
            raise Ct2FormatError(f"expected a Whisper model, found {spec}")
        return cls(variables)

    def start(self, audio_features: np.ndarray, max_beams: int) -> DecoderState:
        """Cross-attention K/V for one window ([1500, D] encoder output), computed once."""
        xa = np.ascontiguousarray(audio_features, dtype=F32)
        T = xa.shape[0]
        H, dh = self.H, self.dh
        xk, xv = [], []
        for L in self.layers:
            k = xa @ L["wk"] + L["bk"]
            vv = xa @ L["wv"] + L["bv"]
            xk.append(np.ascontiguousarray(k.reshape(T, H, dh).transpose(1, 2, 0)))  # [H, dh, T]
            xv.append(np.ascontiguousarray(vv.reshape(T, H, dh).transpose(1, 0, 2)))  # [H, T, dh]
        shape = (max_beams, H, self.n_ctx, dh)
        return DecoderState(xk, xv, [np.empty(shape, F32) for _ in self.layers],
                            [np.empty(shape, F32) for _ in self.layers])

    @staticmethod
    def reorder(state: DecoderState, src) -> None:
        """Rearrange the self-attention cache after a beam step (also expands 1 -> B rows)."""
        src = np.asarray(src)
        S = state.length
        if len(src) == state.kc[0].shape[0] and np.array_equal(src, np.arange(len(src))):
            return
        for c in state.kc + state.vc:
            c[: len(src), :, :S] = c[src, :, :S]

    def step(self, state: DecoderState, tokens: np.ndarray, also_at: int | None = None):
        """tokens [B, T] (T > 1 only for the prompt). Returns float32 logits [B, V] of the last position;
        with `also_at`, (last, logits at that position of row 0) - Whisper reads its no-speech
        probability at the `<|startoftranscript|>` position of the prompt."""
        B, T = tokens.shape
        D, H, dh = self.D, self.H, self.dh
        off = state.length
        S = off + T
        x = self.ET[:, tokens].transpose(1, 2, 0) + self.P[off:S]
        mask = np.triu(np.full((T, S), -np.inf, F32), k=off + 1) if T > 1 else None
        for li, L in enumerate(self.layers):
            h = _layer_norm(x, *L["ln1"])
            qkv = (h @ L["wqkv"] + L["bqkv"]).reshape(B, T, 3, H, dh)
            q = qkv[:, :, 0].transpose(0, 2, 1, 3)
            kc, vc = state.kc[li], state.vc[li]
            kc[:B, :, off:S] = qkv[:, :, 1].transpose(0, 2, 1, 3)
            vc[:B, :, off:S] = qkv[:, :, 2].transpose(0, 2, 1, 3)
            att = q @ kc[:B, :, :S].transpose(0, 1, 3, 2)
            if mask is not None:
                att += mask
            _softmax_(att)
            o = (att @ vc[:B, :, :S]).transpose(0, 2, 1, 3).reshape(B, T, D)
            x = x + (o @ L["wo"] + L["bo"])
            # Cross-attention: every beam and position is a query row of one batched matmul.
            h = _layer_norm(x, *L["ln2"])
            q = (h.reshape(B * T, D) @ L["wq"] + L["bq"]).reshape(B * T, H, dh).transpose(1, 0, 2)
            att = q @ state.xk[li]
            _softmax_(att)
            o = (att @ state.xv[li]).transpose(1, 0, 2).reshape(B, T, D)
            x = x + (o @ L["wxo"] + L["bxo"])
            h = _layer_norm(x, *L["ln3"])
            x = x + (_gelu(h @ L["w1"] + L["b1"]) @ L["w2"] + L["b2"])
        state.length = S
        y = _layer_norm(x[:, -1], *self.ln_f)
        if also_at is None:
            return y @ self.ET
        extra = _layer_norm(x[0, also_at], *self.ln_f) @ self.ET
        return y @ self.ET, extra
