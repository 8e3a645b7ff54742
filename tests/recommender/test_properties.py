"""Property tests across random inputs: weights are distributions and monotone in the evidence (profile history
and dialogue), exclusions hold for random states, recommendations are deterministic."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender import DialogueState, type_weights
from recommender.profile import interest_profiles

pytestmark = pytest.mark.unit

TYPES = ["books", "clothing", "electronics", "help_article", "home", "service"]


def random_state(rng, types=TYPES, items=()):
    pick = lambda n: list(rng.choice(types, size=n, replace=False))  # noqa: E731
    return DialogueState(
        needs={n: float(rng.random()) for n in ("product_info", "after_sales", "related_items") if rng.random() < 0.5},
        mentioned_types={t: float(rng.random()) for t in pick(int(rng.integers(0, 3)))},
        negative_types={t: float(rng.random()) for t in pick(int(rng.integers(0, 2)))},
        negative_items={str(x): 1.0 for x in (rng.choice(items, size=2, replace=False) if len(items) else [])},
        frustration=float(rng.random()) if rng.random() < 0.5 else 0.0)


@pytest.mark.parametrize("seed", range(20))
def test_weights_are_a_distribution_for_random_inputs(seed):
    rng = np.random.default_rng(seed)
    profile = dict(zip(TYPES, rng.dirichlet(np.ones(len(TYPES)))))
    comps = {s: {t: float(rng.random()) for t in TYPES if t != s and rng.random() < 0.3} for s in TYPES}
    out = type_weights(profile, random_state(rng), complements=comps, types=TYPES)
    assert list(out) == TYPES and all(v >= 0 for v in out.values())
    assert sum(out.values()) == pytest.approx(1.0)


def _weights_after(n_purchases: int, t: int = 2):
    """Weights of customer 0 whose history is 4 fixed interactions plus ``n_purchases`` purchases of type ``t``."""
    rows = [(0, 0, "purchase"), (0, 1, "view"), (0, 3, "cart"), (1, 4, "purchase")] + [(0, t, "purchase")] * n_purchases
    df = pd.DataFrame(rows, columns=["u", "t", "kind"])
    P, _ = interest_profiles(df.u.to_numpy(), df.t.to_numpy(), df.kind, pd.Series([pd.Timestamp("2026-01-01")] * len(df)),
                             2, len(TYPES))
    return type_weights(dict(zip(TYPES, P[0])), None, types=TYPES)


def test_weights_are_monotone_in_the_history_evidence():
    shares = [_weights_after(n)["electronics"] for n in range(6)]
    assert all(a < b for a, b in zip(shares, shares[1:]))
    assert all(sum(_weights_after(n).values()) == pytest.approx(1.0) for n in range(6))


@pytest.mark.parametrize("evidence", ["mentioned_types", "negative_types"])
def test_weights_are_monotone_in_the_dialogue_evidence(evidence):
    profile = dict(zip(TYPES, np.full(len(TYPES), 1 / len(TYPES))))
    ws = [type_weights(profile, DialogueState(**{evidence: {"home": s}}), types=TYPES)["home"]
          for s in np.linspace(0, 1, 6)]
    diffs = np.diff(ws)
    assert (diffs > 0).all() if evidence == "mentioned_types" else (diffs < 0).all()


@pytest.mark.parametrize("seed", range(6))
def test_excluded_negative_bought_and_out_of_stock_never_appear_for_random_states(model, items, interactions, seed):
    rng = np.random.default_rng(100 + seed)
    in_stock = items.loc[items.stock > 0, "id"].to_numpy()
    state = random_state(rng, list(model.types), in_stock)
    customer = [None, 1, 7, 33, 10_000][seed % 5]
    exclude = set(rng.choice(in_stock, size=15, replace=False))
    recs = model.recommend(customer, state, k=10, exclude=exclude)
    got = {r.item_id for r in recs}
    owned = set(interactions.loc[(interactions.customer_id == customer)
                                 & interactions.kind.isin(["purchase", "return"]), "item_id"])
    assert recs and len(got) == len(recs)
    assert not got & exclude and not got & set(state.negative_items) and not got & owned
    assert not got & set(items.loc[items.stock <= 0, "id"])
    assert recs == model.recommend(customer, state, k=10, exclude=exclude)      # deterministic query
