"""Offline ranking metrics with full ranking and history masking.

Protocol (as in RecBole's full-sort evaluation): every item of the catalogue is a candidate, the items in the
user's history are masked out (score ``-inf``), and the rank of the single held-out target is the number of
candidates scoring strictly higher (0 = top). ``HR@k = 1[rank < k]``, ``NDCG@k = 1[rank < k] / log2(rank + 2)``
(one relevant item, so the ideal DCG is 1). Averages are over test cases.
"""
from __future__ import annotations

from typing import Callable, Dict, Optional

import numpy as np
import scipy.sparse as sp
from tqdm.auto import tqdm

#: Score-matrix entries per user batch in :func:`evaluate_ranks` (64 MB of float32).
BATCH_ENTRIES = 1 << 24

__all__ = ["mask_history", "target_ranks", "hit_rate", "ndcg", "summarise", "evaluate_ranks"]


def mask_history(scores: np.ndarray, X_rows: sp.csr_matrix) -> np.ndarray:
    """Set ``scores[u, i] = -inf`` wherever ``X_rows[u, i] != 0`` (in place; returns ``scores``)."""
    X_rows = sp.csr_matrix(X_rows)
    r, c = X_rows.nonzero()
    scores[r, c] = -np.inf
    return scores


def target_ranks(scores: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """0-based rank of ``targets[u]`` in row ``u`` of ``scores`` (count of strictly higher scores), int64.

    A masked target (``-inf``) gets rank ``n_items`` (never a hit).
    """
    targets = np.asarray(targets)
    t = scores[np.arange(len(targets)), targets]
    ranks = (scores > t[:, None]).sum(axis=1).astype(np.int64)
    ranks[np.isneginf(t)] = scores.shape[1]
    return ranks


def hit_rate(ranks: np.ndarray, k: int = 10) -> float:
    return float(np.mean(np.asarray(ranks) < k)) if len(ranks) else float("nan")


def ndcg(ranks: np.ndarray, k: int = 10) -> float:
    ranks = np.asarray(ranks)
    if not len(ranks):
        return float("nan")
    return float(np.mean(np.where(ranks < k, 1.0 / np.log2(ranks + 2.0), 0.0)))


def summarise(ranks: np.ndarray, k: int = 10) -> Dict[str, float]:
    """``{"HR@k", "NDCG@k", "n"}`` for an array of 0-based ranks."""
    return {f"HR@{k}": hit_rate(ranks, k), f"NDCG@{k}": ndcg(ranks, k), "n": int(len(ranks))}


def evaluate_ranks(score_fn: Callable[[np.ndarray, sp.csr_matrix], Dict[str, np.ndarray]], users: np.ndarray,
                   history: sp.csr_matrix, targets: np.ndarray, *, batch: Optional[int] = None,
                   mask: Optional[sp.csr_matrix] = None, desc: str = "ranking") -> Dict[str, np.ndarray]:
    """Ranks of the targets under one or several scoring variants, computed in one pass over user batches.

    Args:
        score_fn: ``(users_b, history_rows_b) -> {variant: scores (len(users_b), n_items)}``, or an iterable of
            ``(variant, scores)`` pairs (a generator keeps only one variant's matrix alive at a time); several
            variants (e.g. blend weights, dialogue-state conditions) share one computation of the base scores.
        users: row indices ``(n_cases,)``; history: ``(n_users, n_items)`` csr, rows used for scoring;
        targets: item index per case ``(n_cases,)``; mask: items to mask (defaults to ``history``);
        batch: users per batch (default: as many as keep one score matrix at about 16M entries, at most 1024).
    Returns: ``{variant: ranks (n_cases,)}``.
    """
    users, targets = np.asarray(users), np.asarray(targets)
    history = sp.csr_matrix(history)
    mask = history if mask is None else sp.csr_matrix(mask)
    if batch is None:
        batch = int(max(32, min(1024, BATCH_ENTRIES // max(history.shape[1], 1))))
    out: Dict[str, list] = {}
    for b0 in tqdm(range(0, len(users), batch), desc=desc, leave=False, unit="batch"):
        u = users[b0:b0 + batch]
        rows, mrows = history[u], mask[u]
        variants = score_fn(u, rows)
        for name, s in (variants.items() if isinstance(variants, dict) else variants):
            s = mask_history(np.array(s, dtype=np.float32, copy=True), mrows)
            out.setdefault(name, []).append(target_ranks(s, targets[b0:b0 + batch]))
    return {name: np.concatenate(parts) for name, parts in out.items()}
