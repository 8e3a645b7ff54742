"""Unit tests of the evaluation harness: metrics, masking, split, scorers, loaders, missing-data message."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recommender import datasets as D
from recommender import evaluate as E
from recommender.metrics import evaluate_ranks, hit_rate, mask_history, ndcg, target_ranks
from recommender.scorers import ALS, EASE, Blend, ItemKNN, JointMF, Popularity, zscore

pytestmark = pytest.mark.unit


def test_metrics_match_hand_computed_values():
    scores = np.array([[0.9, 0.1, 0.5, 0.3],    # target 2 -> rank 1
                       [0.2, 0.8, 0.1, 0.7],    # target 0 -> rank 2
                       [0.1, 0.2, 0.3, 0.4]], dtype=np.float32)  # target 3 -> rank 0
    ranks = target_ranks(scores, np.array([2, 0, 3]))
    assert ranks.tolist() == [1, 2, 0]
    assert hit_rate(ranks, k=2) == pytest.approx(2 / 3)
    assert ndcg(ranks, k=2) == pytest.approx((1 / np.log2(3) + 0 + 1) / 3)
    assert ndcg(ranks, k=10) == pytest.approx((1 / np.log2(3) + 1 / np.log2(4) + 1) / 3)


def test_history_is_masked_and_a_masked_target_never_hits():
    scores = np.array([[5.0, 4.0, 3.0, 2.0]], dtype=np.float32)
    hist = sp.csr_matrix(np.array([[1, 1, 0, 0]], dtype=np.float32))
    masked = mask_history(scores.copy(), hist)
    assert np.isneginf(masked[0, :2]).all() and masked[0, 2] == 3.0
    assert target_ranks(masked, np.array([2])).tolist() == [0]        # history no longer outranks it
    assert target_ranks(masked, np.array([0])).tolist() == [4]        # masked target: never a hit


def test_evaluate_ranks_batches_and_variants():
    S = np.random.default_rng(0).random((7, 5)).astype(np.float32)
    hist = sp.csr_matrix((7, 5), dtype=np.float32)
    t = np.arange(7) % 5
    out = evaluate_ranks(lambda u, X: {"a": S[u], "b": -S[u]}, np.arange(7), hist, t, batch=3)
    assert out["a"].tolist() == target_ranks(S.copy(), t).tolist()
    assert out["b"].tolist() == target_ranks(-S, t).tolist()


def test_leave_last_out_split():
    seqs = [np.array([0, 1, 2, 3]), np.array([4, 2]), np.array([1, 4, 0])]
    s = D.leave_last_out(seqs, 5)
    assert s.test_users.tolist() == [0, 2] and s.test_items.tolist() == [3, 0]
    assert s.valid_items.tolist() == [2, 4]
    assert s.train[0].indices.tolist() == [0, 1] and s.trainval[0].indices.tolist() == [0, 1, 2]
    assert sorted(s.train[1].indices.tolist()) == [2, 4]               # too short: training only
    assert s.train[2].indices.tolist() == [1]


def _blocks(n_users=40, seed=0):
    """Two item blocks {0,1,2} and {3,4,5}; users stay inside one block; item 6 is rare noise."""
    rng = np.random.default_rng(seed)
    rows, cols = [], []
    for u in range(n_users):
        block = [0, 1, 2] if u % 2 == 0 else [3, 4, 5]
        for i in block:
            if rng.random() < 0.8:
                rows.append(u); cols.append(i)
    rows += [0]; cols += [6]
    return sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n_users, 7))


@pytest.mark.parametrize("make", [lambda: ItemKNN(k=3), lambda: EASE(l2=1.0),
                                  lambda: ALS(factors=4, iterations=10, regularization=0.01),
                                  lambda: JointMF(factors=4, iterations=10, regularization=0.01,
                                                  item_type=np.array([0, 0, 0, 1, 1, 1, 1]))])
def test_scorers_rank_co_occurring_item_first(make):
    X = _blocks()
    model = make().fit(X)
    hist = sp.csr_matrix(np.array([[1, 1, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 0, 0]], dtype=np.float32))
    s = mask_history(model.score(np.array([0, 1]), hist), hist)
    assert s.shape == (2, 7) and s.dtype == np.float32
    assert s[0].argmax() == 2 and s[1].argmax() == 5


def test_popularity_ranks_most_interacted_first():
    X = sp.csr_matrix(np.array([[1, 1, 0], [0, 1, 0], [0, 1, 1]], dtype=np.float32))
    assert Popularity().fit(X).score(np.array([0, 1]), X[:2]).argmax(axis=1).tolist() == [1, 1]


def test_ease_equals_closed_form():
    X = _blocks(12, seed=3).toarray()
    l2 = 2.0
    P = np.linalg.inv(X.T @ X + l2 * np.eye(X.shape[1]))
    B = np.eye(X.shape[1]) - P / np.diag(P)
    np.testing.assert_allclose(EASE(l2=l2).fit(sp.csr_matrix(X)).B_, B, atol=1e-4)


def test_factor_models_are_deterministic_for_a_seed():
    X = _blocks()
    a = ALS(factors=4, iterations=5, seed=7).fit(X).score(np.arange(3), X[:3])
    b = ALS(factors=4, iterations=5, seed=7).fit(X).score(np.arange(3), X[:3])
    np.testing.assert_array_equal(a, b)


def test_jointmf_balances_types_and_unseen_users_are_scored():
    X = _blocks()
    types = np.array([0, 0, 0, 1, 1, 1, 1])
    m = JointMF(factors=4, iterations=5, balance=1.0, item_type=types).fit(X)
    nnz = np.bincount(types[X.indices], minlength=2)
    np.testing.assert_allclose(m.type_scale_ * nnz, nnz.sum() / 2, rtol=1e-5)   # equal total confidence per type
    s = m.score(np.array([X.shape[0]]), sp.csr_matrix(np.array([[1, 1, 0, 0, 0, 0, 0]], np.float32)))
    assert s.shape == (1, 7) and np.isfinite(s).all()


def test_blend_of_zscores():
    a = np.array([[1.0, 2.0, 3.0]], np.float32)
    np.testing.assert_allclose(Blend.combine([a, -a], [1.0, 0.0]), zscore(a))
    np.testing.assert_allclose(Blend.combine([a, 10 * a], [1.0, 1.0]), 2 * zscore(a), rtol=1e-6)


def test_amazon_loader(tmp_path):
    (tmp_path / "amazon").mkdir()
    (tmp_path / "amazon" / "Beauty.txt").write_text("1 10 20 30\n2 20 40 10\n")
    ds = D.load_amazon(tmp_path, "beauty")
    assert ds.n_users == 2 and ds.n_items == 4
    assert [s.tolist() for s in ds.sequences] == [[0, 1, 2], [1, 3, 0]]


def test_cross_domain_loader(tmp_path):
    for name, train, test in (("sport_cloth", "0\t5\t1\n0\t7\t1\n1\t7\t1\n", "0\t9\t1\n"),
                              ("cloth_sport", "0\t1\t1\n1\t2\t1\n", "1\t1\t1\n")):
        (tmp_path / "cross_domain" / name).mkdir(parents=True)
        (tmp_path / "cross_domain" / name / "train.txt").write_text(train)
        (tmp_path / "cross_domain" / name / "test.txt").write_text(test)
    ds = D.load_cross_domain(tmp_path, "sport_cloth")
    assert ds.type_names == ["sport", "cloth"] and ds.n_items == 5 and ds.item_type.tolist() == [0, 0, 0, 1, 1]
    assert sorted(ds.sequences[0].tolist()) == [0, 1, 3] and sorted(ds.sequences[1].tolist()) == [1, 4]
    assert ds.test_items.tolist() == [2, -1] and ds.test_items_other.tolist() == [-1, 3]


def test_ml100k_loader_orders_by_time_and_types_by_first_genre(tmp_path):
    (tmp_path / "ml-100k.inter").write_text(
        "user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t2\t5\t30\n1\t1\t3\t10\n2\t1\t4\t20\n")
    (tmp_path / "ml-100k.item").write_text(
        "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n"
        "1\tToy Story\t1995\tAnimation Children's Comedy\n2\tHeat\t1995\tAction Crime Thriller\n")
    ds = D.load_ml100k(tmp_path)
    assert ds.sequences[0].tolist() == [0, 1] and ds.sequences[1].tolist() == [0]
    assert [ds.type_names[t] for t in ds.item_type] == ["Animation", "Action"]


def test_twins_detected_only_in_the_users_training_data():
    # item 0 (domain a; users 1, 2 in train + user 0's test) and item 2 (domain b) have the same users {0, 1, 2}:
    # user 0's target 0 has its twin in training; user 3's target 1 has none
    seqs = [np.array([2, 1]), np.array([0, 2]), np.array([0, 2, 1]), np.array([1])]
    ds = D.Dataset("t", seqs, 3, np.array([0, 0, 1]), ["a", "b"], np.array([0, -1, -1, 1]), np.full(4, -1))
    assert E.twin_cases(ds, np.array([0, 3]), np.array([0, 1])).tolist() == [True, False]
    ds.sequences[0] = np.array([1])  # twin no longer in user 0's training data (and user sets differ)
    assert E.twin_cases(ds, np.array([0]), np.array([0])).tolist() == [False]


def test_fusion_rows_match_core_fuse_dense():
    from recommender.fusion import fuse_dense

    rng = np.random.default_rng(1)
    S = rng.normal(size=(3, 6))
    S[0, 1] = -np.inf
    it = np.array([0, 0, 1, 1, 2, 2])
    W = rng.random((3, 3)) + 0.1
    F = E._fuse_rows(S, it, W, 1.5)
    for i in range(3):
        np.testing.assert_allclose(F[i], fuse_dense(S[i], it, W[i], 1.5))


def test_missing_data_is_one_line_and_exit_2(tmp_path, capsys):
    assert E.main(["--dataset", "beauty", "--data-dir", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "amazon" in err and "--data-dir" in err
    assert E.main(["--dataset", "ml-100k", "--ml100k-dir", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
    assert "make ml100k" in capsys.readouterr().err


def test_evaluate_ranks_accepts_a_generator_and_picks_a_batch():
    S = np.random.default_rng(2).random((9, 4)).astype(np.float32)
    hist = sp.csr_matrix((9, 4), dtype=np.float32)
    t = np.arange(9) % 4

    def gen(u, X):
        yield "a", S[u]
        yield "b", -S[u]

    out = evaluate_ranks(gen, np.arange(9), hist, t)
    assert out["a"].tolist() == target_ranks(S.copy(), t).tolist()
    assert out["b"].tolist() == evaluate_ranks(lambda u, X: {"b": -S[u]}, np.arange(9), hist, t, batch=2)["b"].tolist()


def test_dialogue_targets_by_hand():
    nd = {"stateless": 0.10, "oracle": 0.30, "hard_p80": 0.24, "right": 0.25, "wrong": 0.095, "p80": 0.26}
    r = E._dialogue_targets(nd)
    assert r["right_recovers_%_of_oracle_gain"] == 75.0 and r["wrong_vs_stateless_%"] == -5.0
    assert all(r["targets_met"].values())
    r = E._dialogue_targets({**nd, "right": 0.2, "wrong": 0.08, "p80": 0.2})
    assert not any(r["targets_met"].values())


def test_mask_and_rank_on_a_tiny_full_ranking_example():
    # 2 users x 5 items; user 0 saw items 0, 1; user 1 saw item 4
    scores = np.array([[9.0, 8.0, 1.0, 3.0, 2.0], [0.5, 0.4, 0.3, 0.2, 0.9]], dtype=np.float32)
    hist = sp.csr_matrix(np.array([[1, 1, 0, 0, 0], [0, 0, 0, 0, 1]], dtype=np.float32))
    r = evaluate_ranks(lambda u, X: {"s": scores[u]}, np.array([0, 1]), hist, np.array([4, 2]))["s"]
    assert r.tolist() == [1, 2]                      # 3 > 2 for user 0; 0.5, 0.4 > 0.3 for user 1
    assert ndcg(r, 10) == pytest.approx((1 / np.log2(3) + 1 / np.log2(4)) / 2)
    assert hit_rate(r, 2) == pytest.approx(0.5)
