"""Properties of the interest profile and of ``type_weights`` (pure functions, no fitting)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender import DialogueState, WeightParams, type_weights
from recommender.complements import complement_strengths, cooccurrence_lift
from recommender.profile import KIND_WEIGHTS, interest_profiles

pytestmark = pytest.mark.unit

TYPES = ["books", "clothing", "electronics", "help_article", "home", "service"]
PRODUCTS = ["books", "clothing", "electronics", "home"]
PROFILE = {"books": 0.4, "clothing": 0.2, "electronics": 0.1, "help_article": 0.05, "home": 0.2, "service": 0.05}
STATES = [
    DialogueState(),
    DialogueState(mentioned_types={"books": 0.5, "home": 1.0}, frustration=0.3),
    DialogueState(needs={"after_sales": 0.7}, negative_types={"clothing": 1.0}),
    DialogueState(mentioned_types={"electronics": 1.0}, negative_types={"electronics": 0.5}, frustration=0.9),
]


def w(state, profile=PROFILE, **kw):
    return type_weights(profile, state, types=TYPES, **kw)


@pytest.mark.parametrize("state", STATES)
def test_weights_are_a_distribution_and_deterministic(state):
    out = w(state, complements={"electronics": {"service": 1.0}})
    assert list(out) == TYPES
    assert all(v >= 0 for v in out.values())
    assert sum(out.values()) == pytest.approx(1.0)
    assert out == w(state, complements={"electronics": {"service": 1.0}})


@pytest.mark.parametrize("recency", [0.2, 0.6, 1.0])
def test_mentioning_a_type_raises_it_monotonically(recency):
    weaker = w(DialogueState(mentioned_types={"electronics": recency / 2}))["electronics"]
    stronger = w(DialogueState(mentioned_types={"electronics": recency}))["electronics"]
    assert w(DialogueState())["electronics"] < weaker < stronger


def test_mention_lifts_a_type_the_customer_never_touched():
    profile = {**PROFILE, "electronics": 0.0}
    assert w(DialogueState(mentioned_types={"electronics": 1.0}), profile)["electronics"] > 0.5


def test_complements_of_a_mentioned_type_rise():
    state = DialogueState(mentioned_types={"electronics": 1.0})
    plain = w(state)["service"]
    assert w(state, complements={"electronics": {"service": 1.0}})["service"] > plain
    related = DialogueState(mentioned_types={"electronics": 1.0}, needs={"related_items": 1.0})
    assert (w(related, complements={"electronics": {"service": 1.0}})["service"]
            > w(state, complements={"electronics": {"service": 1.0}})["service"])


@pytest.mark.parametrize("strength", [0.3, 1.0])
def test_a_return_damps_the_returned_type(strength):
    base = w(DialogueState(mentioned_types={"clothing": 1.0}))
    damped = w(DialogueState(mentioned_types={"clothing": 1.0}, negative_types={"clothing": strength}))
    assert damped["clothing"] < base["clothing"]
    assert all(damped[t] > base[t] for t in TYPES if t != "clothing")


def test_frustration_lowers_product_types_down_to_zero():
    shares = [sum(w(DialogueState(frustration=f))[t] for t in PRODUCTS) for f in (0.0, 0.3, 0.6, 0.9, 1.0)]
    assert all(a > b for a, b in zip(shares, shares[1:]))
    assert shares[-1] == pytest.approx(0.0)


def test_frustration_is_ignored_without_support_types():
    out = type_weights(PROFILE, DialogueState(frustration=1.0), types=PRODUCTS)
    assert sum(out.values()) == pytest.approx(1.0) and min(out.values()) > 0


def test_after_sales_raises_help_articles_and_services():
    low = w(DialogueState(needs={"after_sales": 0.2}))
    high = w(DialogueState(needs={"after_sales": 0.9}))
    assert high["help_article"] > low["help_article"] > w(DialogueState())["help_article"]
    assert high["service"] > low["service"]


def test_params_scale_the_effects():
    state = DialogueState(mentioned_types={"electronics": 1.0})
    assert w(state, params=WeightParams(mention=5.0))["electronics"] > w(state)["electronics"]
    assert w(state, params=WeightParams(mention=0.0))["electronics"] == pytest.approx(w(DialogueState())["electronics"])


def test_default_types_and_bad_input():
    out = type_weights({"books": 1.0}, DialogueState(mentioned_types={"home": 1.0}))
    assert set(out) == {"books", "home"} and out["home"] > 0.5
    with pytest.raises(ValueError):
        type_weights({}, None)
    assert type_weights({}, None, types=["a", "b"]) == {"a": 0.5, "b": 0.5}


# ---------------------------------------------------------------- profile and complements
def _profiles(rows, n_users=3, **kw):
    df = pd.DataFrame(rows, columns=["u", "t", "kind", "at"])
    return interest_profiles(df.u.to_numpy(), df.t.to_numpy(), df.kind, pd.to_datetime(df["at"]), n_users, 3, **kw)


def test_profile_rows_sum_to_one_and_unknown_history_gets_the_global_distribution():
    P, g = _profiles([(0, 0, "purchase", "2026-01-01"), (0, 1, "view", "2026-01-02"), (1, 2, "cart", "2026-01-03")])
    assert np.allclose(P.sum(1), 1.0) and (P >= 0).all()
    assert np.allclose(P[2], g, atol=1e-6)                       # user 2 has no history
    assert P[0, 0] > P[0, 1] > P[0, 2]                           # purchase > view > nothing


def test_profile_kind_weights_decay_and_returns():
    assert KIND_WEIGHTS["purchase"] > KIND_WEIGHTS["cart"] > KIND_WEIGHTS["view"] > 0 > KIND_WEIGHTS["return"]
    P, _ = _profiles([(0, 0, "view", "2025-01-01"), (0, 1, "view", "2026-01-01"),
                      (1, 0, "purchase", "2026-01-01"), (1, 0, "return", "2026-01-02"), (1, 1, "view", "2026-01-01")])
    assert P[0, 1] > P[0, 0]                                    # the recent view counts more
    assert P[1, 1] > P[1, 0]                                    # the return cancels the purchase


def test_thin_history_is_smoothed_more_than_rich_history():
    rows = [(0, 0, "view", "2026-01-01")] + [(1, 0, "purchase", "2026-01-01")] * 20 + [(2, 1, "purchase", "2026-01-01")]
    P, g = _profiles(rows)
    assert g[0] < P[0, 0] < P[1, 0]


def test_rejects_unknown_kinds():
    with pytest.raises(ValueError, match="unknown interaction kinds"):
        _profiles([(0, 0, "like", "2026-01-01")])


def test_complements_from_copurchases():
    import scipy.sparse as sp

    bought = sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], dtype=np.float32))
    c = complement_strengths(cooccurrence_lift(bought, np.array([0, 1, 2, 2]), 3))
    assert c[0, 1] == pytest.approx(1.0) and c[1, 0] == pytest.approx(1.0)
    assert c[0, 2] == 0 and np.all(np.diag(c) == 0)
