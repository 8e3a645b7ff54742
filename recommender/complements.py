"""Cross-type complements learned from co-purchases: which content types are bought by the same customers.

For customers ``U`` with at least one purchase, ``B[u,t] = 1`` when ``u`` bought (and kept) an item of type
``t``. With ``P(s) = mean_u B[u,s]`` and ``P(s,t) = mean_u B[u,s] B[u,t]``::

    lift[s,t] = P(s,t) / (P(s) P(t))              (> 1: bought together more often than by chance)
    c[s,t]    = max(0, lift[s,t] - 1) / max_t' max(0, lift[s,t'] - 1),   c[s,s] = 0

``c`` (rows in [0, 1], zero rows when a type has no positive lift) is what :func:`recommender.weights.type_weights`
takes as ``complements``.
"""
from __future__ import annotations

from typing import Dict, Sequence

import numpy as np
import scipy.sparse as sp


def cooccurrence_lift(bought: sp.csr_matrix, item_type: np.ndarray, n_types: int) -> np.ndarray:
    """Type x type lift matrix (float64, (n_types, n_types)); NaN-free (0 where a type was never bought).

    Args:
        bought: (n_users, n_items) matrix, non-zero where the customer bought and kept the item.
        item_type: int (n_items,), type index of each item.
    """
    n_items = bought.shape[1]
    to_type = sp.csr_matrix((np.ones(n_items), (np.arange(n_items), item_type)), shape=(n_items, n_types))
    B = ((bought != 0).astype(np.float64) @ to_type) > 0          # (n_users, n_types)
    B = B[np.asarray(B.sum(1)).ravel() > 0].astype(np.float64)
    n = max(B.shape[0], 1)
    p = np.asarray(B.sum(0)).ravel() / n
    joint = np.asarray((B.T @ B).todense()) / n
    denom = np.outer(p, p)
    return np.divide(joint, denom, out=np.zeros_like(joint), where=denom > 0)


def complement_strengths(lift: np.ndarray) -> np.ndarray:
    """``c`` from ``lift`` as in the module docstring (float64, same shape)."""
    c = np.clip(lift - 1.0, 0.0, None)
    np.fill_diagonal(c, 0.0)
    top = c.max(1, keepdims=True)
    return np.divide(c, top, out=np.zeros_like(c), where=top > 0)


def as_nested_dict(c: np.ndarray, types: Sequence[str]) -> Dict[str, Dict[str, float]]:
    """``c`` -> ``{s: {t: c_st}}`` keeping only positive entries."""
    return {s: {t: float(c[i, j]) for j, t in enumerate(types) if c[i, j] > 0} for i, s in enumerate(types)}
