"""Long-term interest of each customer in each content type (part 1 of the recommender).

For customer ``u`` and content type ``t`` (``T`` types, ``a`` = age of an interaction in days relative to the
reference time, ``h`` = half-life in days, ``w_k`` = :data:`KIND_WEIGHTS`)::

    e[u,t]  = max(0, sum_{interactions of u on items of type t} w_k * 2^(-a/h))      decayed evidence
    tf[u,t] = e[u,t] / sum_t' e[u,t']                                                    share of u's evidence
    idf[t]  = log(1 + n_users / (1 + n_users with e[.,t] > 0)) ^ idf_power                rarer types count more
    q[u,t]  = tf[u,t] * idf[t] / sum_t' tf[u,t'] * idf[t']                               TF-IDF share
    g[t]    = (sum_u e[u,t] + 1) / (sum_u,t' e[u,t'] + T)                                 global type distribution
    p[u,t]  = (E[u] * q[u,t] + m * g[t]) / (E[u] + m),   E[u] = sum_t e[u,t]             additive smoothing

so a customer with no (or only returned) history gets exactly ``g`` and one with much evidence gets their own
TF-IDF share; ``m`` (``prior_strength``, in the units of :data:`KIND_WEIGHTS`, e.g. 6 = two fresh purchases) is
the evidence mass at which both count equally. Every row of ``p`` is non-negative and sums to 1.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Sequence

import numpy as np
import pandas as pd

#: Evidence per interaction kind: a purchase says more than a cart, a cart more than a view; a return counts
#: against the type (it cancels the purchase it undoes). Used by the profile; the collaborative-filtering
#: confidence uses the positive kinds only (returned items are zeroed, see ``model.py``).
KIND_WEIGHTS: Dict[str, float] = {"purchase": 3.0, "cart": 2.0, "view": 1.0, "return": -3.0}


@dataclass(frozen=True)
class ProfileParams:
    """Hyper-parameters of :func:`interest_profiles`.

    Attributes:
        half_life_days: age (days) at which an interaction counts half.
        prior_strength: ``m``, pseudo-evidence pulling thin histories toward the global type distribution.
        idf_power: exponent of the IDF factor (0 disables the popularity normalisation).
    """

    half_life_days: float = 90.0
    prior_strength: float = 6.0
    idf_power: float = 1.0


def decay(at: pd.Series, reference: Optional[pd.Timestamp], half_life_days: float) -> np.ndarray:
    """``2^(-age/h)`` per timestamp (float64, shape ``(len(at),)``); reference = max(at) when ``None``.

    Interactions after the reference count fully (age clipped at 0)."""
    at = pd.to_datetime(at)
    ref = at.max() if reference is None else pd.Timestamp(reference)
    if len(at) == 0 or pd.isna(ref):
        return np.ones(len(at))
    age_days = np.clip((ref - at).dt.total_seconds().to_numpy() / 86400.0, 0.0, None)
    return np.exp2(-age_days / float(half_life_days))


def interest_profiles(
    user_idx: np.ndarray,
    type_idx: np.ndarray,
    kind: pd.Series,
    at: pd.Series,
    n_users: int,
    n_types: int,
    *,
    reference: Optional[pd.Timestamp] = None,
    params: ProfileParams = ProfileParams(),
) -> tuple[np.ndarray, np.ndarray]:
    """Interest profiles of all customers at once (vectorised; formula in the module docstring).

    Args:
        user_idx: int array (n_interactions,), customer row index in ``[0, n_users)``.
        type_idx: int array (n_interactions,), content type index in ``[0, n_types)``.
        kind: interaction kinds (n_interactions,), values in :data:`KIND_WEIGHTS`.
        at: timestamps (n_interactions,).
        reference: "now" for the decay; default the latest timestamp in ``at``.

    Returns:
        ``(P, g)``: ``P`` float32 (n_users, n_types), rows sum to 1; ``g`` float64 (n_types,) the global distribution.
    """
    unknown = set(pd.unique(kind)) - set(KIND_WEIGHTS)
    if unknown:
        raise ValueError(f"unknown interaction kinds {sorted(unknown)}; expected {sorted(KIND_WEIGHTS)}")
    w = kind.map(KIND_WEIGHTS).to_numpy(dtype=np.float64) * decay(at, reference, params.half_life_days)
    e = np.zeros((n_users, n_types))
    np.add.at(e, (np.asarray(user_idx), np.asarray(type_idx)), w)
    e = np.clip(e, 0.0, None)
    g = (e.sum(0) + 1.0) / (e.sum() + n_types)
    mass = e.sum(1, keepdims=True)
    idf = np.log1p(n_users / (1.0 + (e > 0).sum(0))) ** params.idf_power
    q = e * idf
    q_sum = q.sum(1, keepdims=True)
    q = np.divide(q, q_sum, out=np.zeros_like(q), where=q_sum > 0)
    m = params.prior_strength
    P = (mass * q + m * g) / (mass + m)
    return (P / P.sum(1, keepdims=True)).astype(np.float32), g


def as_dict(row: np.ndarray, types: Sequence[str]) -> Dict[str, float]:
    """Profile row (n_types,) -> ``{type: share}``."""
    return {t: float(v) for t, v in zip(types, row)}
