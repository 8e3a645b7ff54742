r"""Fusion and diversity (part 4): mix scores of several content types under the dialogue's type weights.

* :func:`calibrate` puts every type's scores on one scale: within each type the scores are standardised
  (z-score over that type's items, :math:`z_i = (s_i - \mu_{t(i)}) / \sigma_{t(i)}`) and mapped through the
  logistic function to (0, 1). A type whose scorer produces larger numbers (a different model, more
  interactions) therefore no longer crowds out the others; *how much* of each type to show is the type
  weights' job.
* :func:`fuse_dense` is the soft, state-aware fusion used for full rankings (offline evaluation):
  :math:`\text{fused}_i = z_i + \lambda \log(w_{t(i)} \cdot T)`, i.e. the standardised score plus
  ``strength`` :math:`\lambda` times the log-ratio of the item's type weight to the uniform weight
  :math:`1/T`. Uniform weights leave the ranking unchanged; a revealed type lifts its items by
  :math:`\lambda \log(w T)` standard deviations instead of filtering, so a wrong revelation costs little.
* :func:`allocate` / :func:`fill_topk` build the top-k shown to a customer: each type gets a quota
  proportional to its weight (largest-remainder method), filled with that type's best fused candidates;
  unused quota goes to the best remaining candidates; the result is ordered by fused score.
* :func:`explain` gives each result its one-line reason.
"""
from __future__ import annotations

from typing import Mapping, Optional, Sequence

import numpy as np

#: Default fusion strength (standard deviations per e-fold of type weight over uniform).
DEFAULT_STRENGTH = 1.0


def standardize(scores: np.ndarray, item_type: np.ndarray, *, per_type: bool = True) -> np.ndarray:
    """Z-scores (float64, same shape as ``scores``), within each type (``per_type``) or over all items.

    Non-finite scores (e.g. ``-inf`` for masked items) are kept as ``-inf`` and ignored in the statistics;
    a constant group maps to 0."""
    s = np.asarray(scores, dtype=np.float64)
    item_type = np.asarray(item_type)
    out = np.full(s.shape, -np.inf)
    finite = np.isfinite(s)
    groups = np.unique(item_type[finite]) if per_type else [None]
    for t in groups:
        m = finite & (item_type == t) if per_type else finite
        v = s[m]
        sd = v.std()
        out[m] = (v - v.mean()) / sd if sd > 0 else 0.0
    return out


def calibrate(scores: np.ndarray, item_type: np.ndarray, *, per_type: bool = True) -> np.ndarray:
    """Per-type calibrated scores in [0, 1] (float64, shape (n_items,)): logistic of the per-type z-score.

    Args:
        scores: (n_items,) raw scores of one customer (any scale; ``-inf`` = masked -> 0).
        item_type: int (n_items,) type index of each item.
        per_type: ``False`` standardises over all items at once (keeps the raw cross-type order).
    """
    return 1.0 / (1.0 + np.exp(-standardize(scores, item_type, per_type=per_type)))


def type_boost(item_type: np.ndarray, type_weight_vec: np.ndarray, strength: float = DEFAULT_STRENGTH) -> np.ndarray:
    """``strength * log(w[t(i)] * T)`` per item (float64, (n_items,)); zero weights are floored at 1e-9."""
    w = np.asarray(type_weight_vec, dtype=np.float64)
    if w.ndim != 1 or np.any(w < 0) or w.sum() <= 0:
        raise ValueError("type_weight_vec must be a non-negative 1-d vector with a positive sum")
    w = w / w.sum()
    return strength * np.log(np.maximum(w, 1e-9) * len(w))[np.asarray(item_type)]


def fuse_dense(
    scores: np.ndarray,
    item_type: np.ndarray,
    type_weight_vec: np.ndarray,
    strength: float = DEFAULT_STRENGTH,
    *,
    per_type: bool = False,
) -> np.ndarray:
    r"""State-aware soft fusion over a full item set: :math:`z_i + \lambda \log(w_{t(i)} T)`.

    Args:
        scores: (n_items,) raw scores of one customer; ``-inf`` for masked items stays ``-inf``.
        item_type: int (n_items,) type index in ``[0, n_types)``.
        type_weight_vec: (n_types,) non-negative weights (normalised here).
        strength: :math:`\lambda` >= 0; 0 gives the stateless ranking.
        per_type: standardise within each type (needed when types come from different scorers); the default
            standardises over all items, so uniform weights reproduce the stateless order exactly.

    Returns:
        float64 (n_items,) fused scores (higher = better).
    """
    return standardize(scores, item_type, per_type=per_type) + type_boost(item_type, type_weight_vec, strength)


def allocate(weights: np.ndarray, k: int, available: Optional[np.ndarray] = None) -> np.ndarray:
    """Slots per type for a top-``k`` list (int (n_types,), sums to ``min(k, available.sum())``).

    Largest-remainder apportionment of ``k * w``: floors first, then the largest remainders (ties -> lower
    type index, deterministic). A type cannot get more slots than it has ``available`` candidates; the
    slots it cannot use go, by the same rule, to the types that still have candidates. Types of weight 0 get
    no slot (so the list may be shorter than ``k``).
    """
    w = np.asarray(weights, dtype=np.float64)
    avail = np.full(len(w), k) if available is None else np.asarray(available)
    quota = np.zeros(len(w), dtype=np.int64)
    left = min(k, int(avail[w > 0].sum()))
    while left > 0:
        open_ = (quota < avail) & (w > 0)
        share = np.where(open_, w, 0.0)
        ideal = left * share / share.sum()
        add = np.minimum(np.floor(ideal).astype(np.int64), avail - quota)
        rem = left - add.sum()
        if rem > 0:
            order = np.lexsort((np.arange(len(w)), -(ideal - np.floor(ideal))))
            for t in order:
                if rem == 0:
                    break
                if open_[t] and quota[t] + add[t] < avail[t]:
                    add[t] += 1
                    rem -= 1
        quota += add
        left -= int(add.sum())
    return quota


def fill_topk(fused: np.ndarray, cand_type: np.ndarray, type_weight_vec: np.ndarray, k: int) -> np.ndarray:
    """Positions (into the candidate arrays) of the top-``k``, types in proportion to their weights.

    Args:
        fused: float (n_candidates,) fused scores; ``-inf`` = not allowed.
        cand_type: int (n_candidates,) type index of each candidate.
        type_weight_vec: (n_types,) weights.

    Returns:
        int array (<= k,) of candidate positions, best fused score first (ties -> lower position).
    """
    fused = np.asarray(fused, dtype=np.float64)
    ok = np.flatnonzero(np.isfinite(fused))
    order = ok[np.lexsort((ok, -fused[ok]))]                       # best first, stable
    n_types = len(type_weight_vec)
    t_sorted = np.asarray(cand_type)[order]
    quota = allocate(type_weight_vec, k, np.bincount(t_sorted, minlength=n_types))
    rank_in_type = np.zeros(len(order), dtype=np.int64)
    for t in np.unique(t_sorted):
        m = t_sorted == t
        rank_in_type[m] = np.arange(m.sum())
    return order[rank_in_type < quota[t_sorted]]


def explain(
    *,
    type_name: str,
    category: str,
    mentioned_types: Mapping[str, float],
    mentioned_categories: Mapping[str, float],
    neighbour_of: Optional[str] = None,
    after_sales: float = 0.0,
    complement_of: Optional[str] = None,
    likes_type: bool = False,
    support_types: Sequence[str] = ("help_article", "service"),
) -> str:
    """One-line reason for a recommended item, most specific evidence first.

    Args:
        type_name / category: the item's content type and sub-category.
        mentioned_types / mentioned_categories: from the dialogue state (recency weights).
        neighbour_of: title of the seed item whose collaborative-filtering neighbour this is, if any.
        after_sales: the after-sales need strength.
        complement_of: a mentioned type this item's type complements, if any.
        likes_type: the customer's long-term profile favours this type.
    """
    label = type_name.replace("_", " ")
    if type_name in support_types and after_sales >= 0.3:
        return "help with your return" if type_name == "help_article" else "a service that can help with your order"
    if mentioned_categories.get(category, 0.0) > 0:
        return f"because you asked about {category.replace('_', ' ')}"
    if neighbour_of:
        return f"often bought with {neighbour_of}"
    if mentioned_types.get(type_name, 0.0) > 0:
        return f"because you asked about {label}"
    if complement_of:
        return f"goes well with {complement_of.replace('_', ' ')}"
    if likes_type:
        return f"matches your interest in {label}"
    return f"popular in {label}"
