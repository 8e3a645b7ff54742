"""Behaviour of ``Recommender``: filtering, diversity, determinism, reasons, artefacts, fusion helpers."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from recommender import ArtefactError, DialogueState, Recommender
from recommender.fusion import allocate, calibrate, fill_topk, fuse_dense

pytestmark = pytest.mark.unit

STATES = [
    None,
    DialogueState(mentioned_types={"electronics": 1.0}, mentioned_categories={"cameras": 1.0}),
    DialogueState(mentioned_items={"BK-000001": 1.0}, needs={"related_items": 0.8}),
    DialogueState(needs={"after_sales": 0.9}, negative_items={"CL-000002": 1.0}, frustration=0.4),
]
CUSTOMERS = [None, 1, 2, 5, 10_000]                      # 10_000 never interacted


def ids(recs):
    return [r.item_id for r in recs]


def owned(interactions, customer):
    mine = interactions[(interactions.customer_id == customer) & interactions.kind.isin(["purchase", "return"])]
    return set(mine.item_id)


@pytest.mark.parametrize("customer", CUSTOMERS)
@pytest.mark.parametrize("state", STATES)
def test_never_recommends_bought_returned_out_of_stock_or_excluded(model, items, interactions, customer, state):
    first = ids(model.recommend(customer, state, k=10))
    exclude = first[:3]
    recs = model.recommend(customer, state, k=10, exclude=exclude)
    out_of_stock = set(items.loc[items.stock <= 0, "id"])
    got = set(ids(recs))
    assert len(recs) == 10 and len(got) == 10
    assert not got & set(exclude)
    assert not got & out_of_stock
    assert not got & owned(interactions, customer)
    if state is not None:
        assert not got & set(state.negative_items)
    assert all(r.reason and r.title and r.content_type for r in recs)
    assert [r.score for r in recs] == sorted((r.score for r in recs), reverse=True)


def test_customer_with_no_history_gets_popular_diverse_items(model, interactions):
    for customer in (None, 10_000):
        recs = model.recommend(customer, k=10)
        assert len({r.content_type for r in recs}) >= 3
        counts = interactions.item_id.value_counts()
        assert np.mean([counts.get(r.item_id, 0) for r in recs]) > 2 * counts.mean()


def test_mentioning_a_type_shifts_the_list_toward_it(model):
    for customer in (None, 2):
        base = sum(r.content_type == "electronics" for r in model.recommend(customer, k=10))
        asked = model.recommend(customer, DialogueState(mentioned_types={"electronics": 1.0}), k=10)
        assert sum(r.content_type == "electronics" for r in asked) > base
        assert any(r.reason == "because you asked about electronics" for r in asked)


def test_mentioned_category_and_item_give_reasons(model):
    recs = model.recommend(None, DialogueState(mentioned_categories={"cameras": 1.0}), k=10)
    assert any(r.reason == "because you asked about cameras" for r in recs)
    recs = model.recommend(None, DialogueState(mentioned_items={"BK-000000": 1.0}), k=10)
    assert any(r.reason.startswith("often bought with ") for r in recs)
    assert "BK-000000" not in ids(recs)


def test_frustration_suppresses_products(model):
    products = {"books", "clothing", "electronics", "home"}
    recs = model.recommend(3, DialogueState(frustration=1.0), k=10)
    assert recs and all(r.content_type not in products for r in recs)


def test_after_sales_brings_help(model):
    recs = model.recommend(3, DialogueState(needs={"after_sales": 1.0}), k=10)
    assert sum(r.content_type in ("help_article", "service") for r in recs) >= 5
    assert "help with your return" in {r.reason for r in recs}


@pytest.mark.parametrize("customer", [None, 1, 2, 5])
@pytest.mark.parametrize("topic", ["returns", "delivery"])
def test_the_topic_of_the_conversation_orders_the_help(model, customer, topic):
    """Help articles and services follow the topic the customer is on, whatever others read most."""
    state = DialogueState(needs={"after_sales": 1.0}, mentioned_categories={topic: 1.0})
    articles = [r for r in model.recommend(customer, state, k=10) if r.content_type == "help_article"]
    assert articles and articles[0].title.startswith(topic), [r.title for r in articles]


def test_same_seed_same_output(interactions, items, params, model):
    again = Recommender(params).fit(interactions, items, seed=0)
    for customer in CUSTOMERS:
        for state in STATES:
            assert model.recommend(customer, state) == again.recommend(customer, state)


def test_save_load_round_trip(model, tmp_path):
    model.save(tmp_path / "m")
    loaded = Recommender.load(tmp_path / "m")
    for customer in CUSTOMERS:
        for state in STATES:
            assert loaded.recommend(customer, state, k=10) == model.recommend(customer, state, k=10)


@pytest.mark.parametrize("damage", ["missing_meta", "missing_arrays", "truncated", "flipped", "bad_json", "version"])
def test_corrupt_artefact_raises_artefact_error(model, tmp_path, damage):
    d = model.save(tmp_path / "m")
    arrays, meta = d / "arrays.npz", d / "meta.json"
    if damage == "missing_meta":
        meta.unlink()
    elif damage == "missing_arrays":
        arrays.unlink()
    elif damage == "truncated":
        arrays.write_bytes(arrays.read_bytes()[:1000])
    elif damage == "flipped":
        data = bytearray(arrays.read_bytes())
        data[len(data) // 2] ^= 0xFF
        arrays.write_bytes(bytes(data))
    elif damage == "bad_json":
        meta.write_text("{not json")
    else:
        meta.write_text(json.dumps({**json.loads(meta.read_text()), "format_version": 999}))
    with pytest.raises(ArtefactError):
        Recommender.load(d)


def test_load_or_fallback_uses_popularity(items, interactions, tmp_path, caplog):
    fallback = Recommender.load_or_fallback(tmp_path / "nothing", lambda: (items, interactions))
    assert "falling back to popularity" in caplog.text
    recs = fallback.recommend(None, k=10)
    assert len(recs) == 10 and len({r.content_type for r in recs}) >= 3
    assert Recommender.load_or_fallback(tmp_path / "nothing", lambda: (items, None)).recommend(1, k=3)


def test_bad_input_is_rejected(items, interactions):
    with pytest.raises(ValueError, match="missing columns"):
        Recommender().fit(interactions.drop(columns="kind"), items)
    with pytest.raises(ValueError, match="empty"):
        Recommender().fit(interactions, items.iloc[:0])


# ---------------------------------------------------------------- fusion helpers
def test_calibrate_is_per_type_and_monotone():
    scores = np.array([1.0, 2.0, 3.0, 100.0, 200.0, 300.0])
    types = np.array([0, 0, 0, 1, 1, 1])
    c = calibrate(scores, types)
    assert np.allclose(c[:3], c[3:]) and np.all(np.diff(c[:3]) > 0) and ((c > 0) & (c < 1)).all()


def test_fuse_dense_is_a_soft_boost():
    rng = np.random.default_rng(0)
    scores, types = rng.normal(size=200), np.arange(200) % 4
    uniform = fuse_dense(scores, types, np.full(4, 0.25))
    assert (np.argsort(-uniform) == np.argsort(-scores)).all()       # no information -> stateless order
    boosted = fuse_dense(scores, types, np.array([0.7, 0.1, 0.1, 0.1]), strength=0.5)
    top = np.argsort(-boosted)[:20]
    assert (types[top] == 0).mean() > 0.5 and (types[top] != 0).any()  # lifted, not filtered
    hard = fuse_dense(scores, types, np.array([0.7, 0.1, 0.1, 0.1]), strength=20.0)
    assert (types[np.argsort(-hard)[:50]] == 0).all()
    assert (np.argsort(-fuse_dense(scores, types, np.array([0.7, 0.1, 0.1, 0.1]), strength=0.0))
            == np.argsort(-scores)).all()


def test_allocate_largest_remainder_and_capacity():
    assert allocate(np.array([0.5, 0.3, 0.2]), 10).tolist() == [5, 3, 2]
    assert allocate(np.array([0.55, 0.25, 0.2]), 4).tolist() == [2, 1, 1]
    assert allocate(np.array([0.8, 0.1, 0.1]), 10, np.array([2, 50, 50])).tolist() == [2, 4, 4]
    assert allocate(np.array([0.0, 1.0]), 5, np.array([9, 2])).tolist() == [0, 2]


def test_fill_topk_respects_quotas_and_skips_masked():
    fused = np.array([5.0, 4.0, 3.0, 2.0, 1.0, -np.inf])
    types = np.array([0, 0, 0, 1, 1, 1])
    assert fill_topk(fused, types, np.array([0.5, 0.5]), 4).tolist() == [0, 1, 3, 4]
    assert fill_topk(fused, types, np.array([0.5, 0.5]), 6).tolist() == [0, 1, 2, 3, 4]
