r"""Content-type weights from the long-term profile and the dialogue state (part 3 of the recommender).

:func:`type_weights` is pure and deterministic: same inputs, same output, no global state.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, Mapping, Optional, Sequence

from recommender.state import DialogueState

#: Content types that serve a customer after the sale (not promotion): raised during after-sales, kept when
#: frustration suppresses product promotion.
SUPPORT_TYPES = ("help_article", "service")


@dataclass(frozen=True)
class WeightParams:
    """Hyper-parameters of :func:`type_weights` (symbols as in its formula).

    Attributes:
        mention: ``beta_m``, pseudo-mass added to a type mentioned in the last turn (recency 1).
        complement: ``beta_c``, pseudo-mass added to the complements of mentioned types.
        after_sales: ``beta_a``, pseudo-mass added to each support type at full after-sales need.
        negative: ``beta_n``, log-damping of a returned / complained-about type at strength 1.
        frustration_power: ``gamma``, product types are multiplied by ``(1 - f)^gamma``.
        floor: ``epsilon``, added to the prior so that every type can be revived by the dialogue.
        support_types: the types exempt from frustration damping and raised by after-sales.
    """

    mention: float = 2.0
    complement: float = 0.5
    after_sales: float = 1.5
    negative: float = 2.0
    frustration_power: float = 2.0
    floor: float = 0.01
    support_types: Sequence[str] = SUPPORT_TYPES


def type_weights(
    profile: Mapping[str, float],
    state: Optional[DialogueState],
    *,
    complements: Optional[Mapping[str, Mapping[str, float]]] = None,
    types: Optional[Sequence[str]] = None,
    params: Optional[WeightParams] = None,
) -> Dict[str, float]:
    r"""Weight of each content type for the next recommendation.

    With :math:`\pi_t` the profile share (prior), :math:`m_t \in [0,1]` the recency of the last mention of
    :math:`t`, :math:`c_{s,t} \in [0,1]` the complement strength of :math:`t` for :math:`s` (co-purchase lift,
    :math:`c_{s,s} = 0`), :math:`r` the ``related_items`` need, :math:`a` the ``after_sales`` need,
    :math:`n_t` the negative strength of :math:`t`, :math:`f` the frustration and :math:`S` the support types:

    .. math::

        \rho_t = \pi_t + \varepsilon + \beta_m m_t + \beta_c (1 + r) \sum_{s \ne t} m_s c_{s,t}
                 + \beta_a\, a\, [t \in S]

        \tilde w_t = \rho_t \cdot e^{-\beta_n n_t} \cdot \big((1 - f)^{\gamma}\big)^{[t \notin S]}
        \qquad w_t = \tilde w_t / \textstyle\sum_{t'} \tilde w_{t'}

    The dialogue adds evidence as pseudo-mass to the prior (a Bayesian update of a categorical distribution:
    a mention can lift a type the customer never touched, which a purely multiplicative boost of a near-zero
    prior could not), then negative evidence and frustration act multiplicatively (log-additively). Product
    types vanish as :math:`f \to 1` when support types are among ``types``; if none is, frustration is ignored.

    Properties (tested): :math:`w_t \ge 0`, :math:`\sum_t w_t = 1`; increasing :math:`m_t` raises :math:`w_t`;
    increasing :math:`n_t` lowers it; increasing :math:`f` lowers the total weight of product types;
    increasing :math:`a` raises the support types.

    Args:
        profile: ``{type: share}`` prior (need not be normalised; missing types count 0).
        state: the dialogue state, or ``None`` (prior only).
        complements: ``{s: {t: c_st}}`` from :func:`recommender.complements.type_complements`.
        types: the types to weigh (default: those in the profile, the state and the complements, sorted).
        params: :class:`WeightParams`.

    Returns:
        ``{type: weight}`` in the order of ``types``.
    """
    p = params or WeightParams()
    state = state or DialogueState()
    complements = complements or {}
    if types is None:
        types = sorted(set(profile) | set(state.mentioned_types) | set(state.negative_types) | set(complements))
    types = list(types)
    if not types:
        raise ValueError("type_weights needs at least one content type")
    total = sum(max(0.0, float(profile.get(t, 0.0))) for t in types)
    prior = {t: (max(0.0, float(profile.get(t, 0.0))) / total if total > 0 else 1.0 / len(types)) for t in types}
    mentions = {t: _unit(v) for t, v in sorted(state.mentioned_types.items())}
    a = _unit(state.need("after_sales"))
    r = _unit(state.need("related_items"))
    f = _unit(state.frustration)
    support = set(p.support_types)
    damp_products = bool(support.intersection(types))
    out = {}
    for t in types:
        comp = sum(m * _unit(complements.get(s, {}).get(t, 0.0)) for s, m in mentions.items() if s != t)
        rho = prior[t] + p.floor + p.mention * mentions.get(t, 0.0) + p.complement * (1 + r) * comp
        rho += p.after_sales * a * (t in support)
        w = rho * math.exp(-p.negative * _unit(state.negative_types.get(t, 0.0)))
        if damp_products and t not in support:
            w *= (1.0 - f) ** p.frustration_power
        out[t] = w
    z = sum(out.values())
    return {t: w / z for t, w in out.items()}


def _unit(x: float) -> float:
    """Clip to [0, 1] (NaN -> 0): state values are strengths."""
    x = float(x)
    return min(1.0, max(0.0, x)) if x == x else 0.0
