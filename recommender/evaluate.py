"""Offline evaluation: ``python -m recommender.evaluate --dataset beauty|sports|ml-100k|cross:sport_cloth|
cross:phone_electronic|demo|all --data-dir ../shared/data --out reports/``.

Three experiments (see issue 3; protocol details in each function's docstring):

* **ranking** (every data set): leave-last-out, full ranking, history masked, HR@10 / NDCG@10 for Pop, ItemKNN,
  ALS, EASE (and JointMF when items are typed) and ShopMate's blend (per-user z-scored EASE + ItemKNN + MF), all
  hyper-parameters picked on the validation item (small grids), then refitted on train + validation for the test;
* **sharing** (cross-domain pairs): joint factorisation over both domains vs the per-type model, overall and for
  customers with <= 3 interactions in the target domain, with and without "twin" test cases;
* **dialogue** (typed data sets): stateless vs oracle type filter vs state-aware fusion (``recommender.fusion.
  fuse_dense`` with ``recommender.weights.type_weights``) when a right / wrong / 80%-right type is revealed.

Prints tables, writes ``<out>/eval_<dataset>.json`` and ``<out>/eval_<dataset>.png``. Missing data: a one-line
instruction on stderr and exit status 2.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from tqdm.auto import tqdm

from recommender import datasets as D
from recommender.metrics import evaluate_ranks, mask_history, ndcg, summarise
from recommender.scorers import ALS, EASE, Blend, ItemKNN, JointMF, Popularity, zscore

K = 10
ALL = ("beauty", "sports", "ml-100k", "cross:sport_cloth", "cross:phone_electronic", "demo")
EASE_MAX_ITEMS = 20000  # dense n x n float32 inverse: 1.6 GB at 20k items
MF_GRID = [dict(factors=f, regularization=r, alpha=a) for f, r, a in
           ((64, 0.05, 10.0), (128, 0.05, 10.0), (128, 0.5, 20.0), (64, 0.5, 40.0))]
STRENGTHS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0)


def log(msg: str) -> None:
    tqdm.write(msg, file=sys.stderr)


def _single(model) -> Callable:
    return lambda u, X: {"s": model.score(u, X)}


def tune(family: str, make: Callable, grid: Sequence[dict], X_fit, users, history, targets, extra=None):
    """Fit ``make(**params)`` for each grid point on ``X_fit``; pick the best NDCG@10 on the validation cases.

    Returns ``(params, model, {str(params): NDCG@10})``."""
    best, table, t0 = None, {}, time.time()
    for params in grid:
        model = make(**params).fit(X_fit)
        r = evaluate_ranks(_single(model), users, history, targets, desc=f"valid {family}")["s"]
        table[json.dumps(params)] = round(ndcg(r, K), 5)
        if best is None or ndcg(r, K) > best[0]:
            best = (ndcg(r, K), params, model)
    log(f"  {family}: chose {best[1]} (valid NDCG@10 {best[0]:.4f}; {len(grid)} fits, {time.time() - t0:.0f} s)")
    return best[1], best[2], table


# ---------------------------------------------------------------------------------------------- ranking
def families(ds: D.Dataset) -> Dict[str, tuple]:
    """Scorer families ``name -> (constructor, grid)`` for a data set (EASE only where the catalogue fits)."""
    big = ds.n_items > 15000
    fam = {
        "Pop": (Popularity, [{}]),
        "ItemKNN": (ItemKNN, [dict(k=k, shrink=s) for k, s in ((50, 0.0), (100, 0.0), (100, 10.0), (200, 10.0))]),
        "ALS": (ALS, MF_GRID),
    }
    if ds.n_items <= EASE_MAX_ITEMS:
        fam["EASE"] = (EASE, [dict(l2=v) for v in ((250.0, 1000.0) if big else (100.0, 250.0, 500.0, 1000.0))])
    if ds.item_type is not None:
        fam["JointMF"] = (lambda **p: JointMF(item_type=ds.item_type, **p),
                          [dict(MF_GRID[0], balance=b) for b in (0.5, 1.0)])
    return fam


BLEND_GRID = [(1.0, a, b) for a in (0.0, 0.25, 0.5) for b in (0.0, 0.1, 0.25)]


def run_ranking(ds: D.Dataset) -> dict:
    """Leave-last-out ranking table: baselines + ShopMate blend, tuned on validation, refitted for the test."""
    split = D.leave_last_out(ds.sequences, ds.n_items)
    fam = families(ds)
    chosen, val_models, grids = {}, {}, {}
    for name, (make, grid) in fam.items():
        chosen[name], val_models[name], grids[name] = tune(
            name, make, grid, split.train, split.valid_users, split.train, split.valid_items)
    parts = [p for p in ("EASE", "ItemKNN", "JointMF" if "JointMF" in fam else "ALS") if p in fam]
    grid_w = BLEND_GRID if "EASE" in fam else [(0.0, 1.0, b) for b in (0.0, 0.1, 0.25, 0.5)]

    def blends(models):
        def fn(u, X):  # a generator: one blend matrix alive at a time
            z = [zscore(models[p].score(u, X)) for p in parts]
            for w in grid_w:
                yield str(w), Blend.combine(z, w[-len(parts):], standardised=True)
        return fn

    r = evaluate_ranks(blends(val_models), split.valid_users, split.train, split.valid_items, desc="valid blend")
    w_best = max(grid_w, key=lambda w: ndcg(r[str(w)], K))
    grids["ShopMate"] = {str(w): round(ndcg(r[str(w)], K), 5) for w in grid_w}
    log(f"  ShopMate blend of {parts}: chose weights {w_best}")
    val_blend = Blend([val_models[p] for p in parts], w_best[-len(parts):]) if ds.item_type is not None else None
    del val_models  # (kept alive through val_blend only for typed data sets: the dialogue experiment needs them)
    t0 = time.time()
    models = {name: fam[name][0](**chosen[name]).fit(split.trainval)
              for name in tqdm(fam, desc="refit on train+valid", leave=False)}
    blend = Blend([models[p] for p in parts], w_best[-len(parts):])

    def all_scores(u, X):  # a generator: only the blend's parts are kept alive across variants
        kept = {}
        for name, m in models.items():
            s = m.score(u, X)
            if name in parts:
                kept[name] = s
            yield name, s
        yield "ShopMate", Blend.combine([kept[p] for p in parts], blend.weights)

    ranks = evaluate_ranks(all_scores, split.test_users, split.trainval, split.test_items, desc="test")
    results = {name: summarise(r_, K) for name, r_ in ranks.items()}
    chosen["ShopMate"] = {"parts": parts, "weights": list(w_best[-len(parts):])}
    target = {"ShopMate_NDCG": results["ShopMate"]["NDCG@10"], "EASE_NDCG": results.get("EASE", {}).get("NDCG@10")}
    target["met"] = bool(target["EASE_NDCG"] is not None and target["ShopMate_NDCG"] >= target["EASE_NDCG"])
    return {"results": results, "chosen": chosen, "validation_grid": grids, "target_ShopMate_ge_EASE": target,
            "test_seconds": round(time.time() - t0, 1), "_models": (split, blend, val_blend)}


# ---------------------------------------------------------------------------------------------- sharing
def twin_cases(ds: D.Dataset, users: np.ndarray, targets: np.ndarray, min_users: int = 3) -> np.ndarray:
    """Bool per test case: the target has a twin (an item of the other domain with the identical user set over all
    known interactions, train + both test files, >= ``min_users`` users) in the same user's training data."""
    rows = [np.asarray(s) for s in ds.sequences]
    extra_u = [np.flatnonzero(t >= 0) for t in (ds.test_items, ds.test_items_other)]
    r = np.concatenate([np.repeat(np.arange(ds.n_users), [len(s) for s in rows])] + extra_u)
    c = np.concatenate(rows + [ds.test_items[extra_u[0]], ds.test_items_other[extra_u[1]]])
    full = sp.csc_matrix((np.ones(len(r), np.float32), (r, c)), shape=(ds.n_users, ds.n_items))
    full.sum_duplicates()
    keys = {}
    for j in range(ds.n_items):
        us = full.indices[full.indptr[j]:full.indptr[j + 1]]
        if len(us) >= min_users:
            keys.setdefault(us.tobytes(), []).append(j)
    twins = {}  # item -> items of the other domain with the same user set
    for group in keys.values():
        for j in group:
            others = [o for o in group if ds.item_type[o] != ds.item_type[j]]
            if others:
                twins[j] = others
    train = sp.csr_matrix(D.to_csr(ds.sequences, ds.n_items))
    return np.array([any(train[u, o] for o in twins.get(t, ())) for u, t in zip(users, targets)], dtype=bool)


def _thin(ds: D.Dataset, d: int, users: np.ndarray, rng, share: float = 0.25) -> tuple:
    """Copy of the sequences where a random ``share`` of the test users keep only 1-3 random target-domain items
    (the data has >= 4 per user and domain, so no natural <= 3 group exists). Returns (sequences, thinned mask)."""
    seqs = list(ds.sequences)
    thinned = rng.random(len(users)) < share
    for u in users[thinned]:
        s = seqs[u]
        tgt = s[ds.item_type[s] == d]
        keep = rng.choice(tgt, size=min(len(tgt), int(rng.integers(1, 4))), replace=False)
        seqs[u] = np.concatenate([s[ds.item_type[s] != d], np.sort(keep)])
    return seqs, thinned


def _holdout(seqs: List[np.ndarray], item_type, d, users, rng) -> tuple:
    """Validation split: each given user with >= 2 items of domain ``d`` loses one random such item.
    Returns (train sequences, validation users, validation items)."""
    out, vu, vi = list(seqs), [], []
    for u in users:
        s = seqs[u]
        pos = np.flatnonzero(item_type[s] == d) if d is not None else np.arange(len(s))
        if len(pos) >= 2:
            p = pos[rng.integers(len(pos))]
            out[u] = np.delete(s, p)
            vu.append(u)
            vi.append(s[p])
    return out, np.array(vu, np.int64), np.array(vi, np.int64)


def run_sharing(ds: D.Dataset, seed: int = 0) -> dict:
    """Joint (both domains, shared customer factors) vs per-type JointMF, ranking only the target domain's items.

    For each direction (target = domain X, then Y): test item = the official ``test.txt`` item; a seeded 25% of the
    test users are thinned to 1-3 target-domain training items (the "<= 3" group); validation = one random
    target-domain training item held out per user (the files are not time-ordered); both models' hyper-parameters
    are tuned on it separately."""
    out = {}
    for d, name in enumerate(ds.type_names):
        rng = np.random.default_rng(seed + d)
        tt = ds.test_items if d == 0 else ds.test_items_other
        users = np.flatnonzero(tt >= 0)
        targets = tt[users]
        cols = np.flatnonzero(ds.item_type == d)
        off = cols[0]
        seqs, thinned = _thin(ds, d, users, rng)
        n_target = np.array([(ds.item_type[seqs[u]] == d).sum() for u in users])
        tr_seqs, vu, vi = _holdout(seqs, ds.item_type, d, users, rng)
        Xv = D.to_csr(tr_seqs, ds.n_items)
        X = D.to_csr(seqs, ds.n_items)
        log(f"  sharing, target {name}: {len(users)} test users, {int((n_target <= 3).sum())} with <= 3 target items")
        makers = {
            "joint": (lambda **p: _Target(JointMF(item_type=ds.item_type, seed=seed, **p), cols),
                      [dict(g, balance=b) for g in MF_GRID for b in (0.0, 1.0)]),
            "per-type": (lambda **p: _Target(JointMF(seed=seed, **p), cols, slice_fit=True), MF_GRID),
        }
        chosen, ranks = {}, {}
        for m, (make, grid) in makers.items():
            chosen[m], _, _ = tune(f"{name} {m}", make, grid, Xv, vu, Xv[:, cols], vi - off)
            model = make(**chosen[m]).fit(X)
            ranks[m] = evaluate_ranks(_single(model), users, X[:, cols], targets - off, desc=f"test {m}")["s"]
        twin = twin_cases(ds, users, targets)
        groups = {"all": np.ones(len(users), bool), "le3": n_target <= 3}
        res = {}
        for g, gm in groups.items():
            for tw, tm in (("with_twins", np.ones(len(users), bool)), ("without_twins", ~twin)):
                sel = gm & tm
                row = {m: summarise(ranks[m][sel], K) for m in ranks}
                j, p = row["joint"]["NDCG@10"], row["per-type"]["NDCG@10"]
                row["gain_%"] = round(100 * (j / p - 1), 2) if p else None
                res[f"{g}/{tw}"] = row
        met_le3 = (res["le3/without_twins"]["gain_%"] or -1e9) >= 5.0
        met_all = res["all/without_twins"]["joint"]["NDCG@10"] >= res["all/without_twins"]["per-type"]["NDCG@10"]
        out[name] = {"results": res, "chosen": chosen, "n_twin_cases": int(twin.sum()),
                     "n_thinned": int(thinned.sum()), "target_met": {"le3_gain>=5%": bool(met_le3),
                                                                      "overall_not_worse": bool(met_all)}}
    return out


class _Target:
    """Restrict a scorer to the target domain's columns: fitted on all columns (joint) or on those columns only
    (``slice_fit``: the per-type model); ``score`` returns ``(len(users), len(cols))``."""

    def __init__(self, model, cols, slice_fit=False):
        self.model, self.cols, self.slice_fit = model, cols, slice_fit

    def fit(self, X):
        self.X_ = sp.csr_matrix(X)
        self.model.fit(self.X_[:, self.cols] if self.slice_fit else self.X_)
        return self

    def score(self, users, X_rows):
        if self.slice_fit:
            return self.model.score(users, X_rows)
        return self.model.score(users, self.X_[users], items=self.cols)


# ---------------------------------------------------------------------------------------------- dialogue
def _profiles(history: sp.csr_matrix, item_type: np.ndarray, n_types: int) -> np.ndarray:
    """Interest profile per history row via ``recommender.profile.interest_profiles`` (every interaction a
    purchase at the same time: no decay), ``(n_rows, n_types)`` rows summing to 1."""
    from recommender.profile import interest_profiles

    r, c = history.nonzero()
    n = len(r)
    P, _ = interest_profiles(r, item_type[c], pd.Series(["purchase"] * n), pd.Series(pd.Timestamp("2020-01-01"),
                             index=range(n)), history.shape[0], n_types)
    return np.asarray(P, dtype=np.float64)


def _weights(P: np.ndarray, revealed: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """``type_weights(profile, DialogueState(mentioned_types={revealed: 1.0}))`` per row -> ``(n_rows, n_types)``."""
    from recommender.state import DialogueState
    from recommender.weights import type_weights

    W = np.empty_like(P)
    for i, (p, t) in enumerate(zip(P, revealed)):
        w = type_weights(dict(zip(names, p)), DialogueState(mentioned_types={names[t]: 1.0}), types=list(names))
        W[i] = [w[n] for n in names]
    return W


def _fuse_rows(S: np.ndarray, item_type: np.ndarray, W: np.ndarray, strength: float) -> np.ndarray:
    """Row-wise ``recommender.fusion.fuse_dense`` (default ``per_type=False``), vectorised over rows: z-score over
    the finite entries of each row plus ``strength * log(w_t T)``; checked against ``fuse_dense`` on sample rows."""
    fin = np.isfinite(S)
    cnt = fin.sum(1, keepdims=True)
    Z = np.where(fin, S, 0.0).astype(np.float64)
    mu = Z.sum(1, keepdims=True) / cnt
    sd = np.sqrt((np.where(fin, Z - mu, 0.0) ** 2).sum(1, keepdims=True) / cnt)
    Z = np.where(fin, (Z - mu) / np.where(sd > 0, sd, 1.0), -np.inf)
    Wn = W / W.sum(1, keepdims=True)
    return Z + strength * np.log(np.maximum(Wn, 1e-9) * W.shape[1])[:, item_type]


def dialogue_fn(base: Callable, item_type, names, revealed: Dict[str, np.ndarray], targets_type: np.ndarray,
                strengths: Sequence[float]) -> Callable:
    """Score function for :func:`evaluate_ranks` with the dialogue conditions as variants.

    ``revealed`` maps a condition (``right``, ``wrong``, ``p80``) to the revealed type per case (aligned with the
    cases; the closure tracks the batch offset). Variants: ``stateless``, ``oracle`` (only the true type's items),
    ``hard_p80`` (only the 80%-right revealed type's items), ``<cond>@<strength>`` (state-aware fusion)."""
    from recommender.fusion import fuse_dense

    state = {"pos": 0, "checked": False}
    n_types = len(names)

    def fn(u, X):  # a generator: one (n_batch, n_items) float64 matrix alive at a time
        b0, b1 = state["pos"], state["pos"] + len(u)
        state["pos"] = b1
        S = mask_history(base(u, X).astype(np.float64), X)
        tt = targets_type[b0:b1]
        yield "oracle", np.where(item_type[None, :] == tt[:, None], S, -np.inf)
        yield "hard_p80", np.where(item_type[None, :] == revealed["p80"][b0:b1, None], S, -np.inf)
        P = _profiles(X, item_type, n_types)
        for cond, rev in revealed.items():
            W = _weights(P, rev[b0:b1], names)
            for lam in strengths:
                F = _fuse_rows(S, item_type, W, lam)
                if not state["checked"]:  # the vectorised form must equal the core helper's fuse_dense
                    for i in range(min(3, len(u))):
                        ref = fuse_dense(S[i], item_type, W[i], lam)
                        assert np.allclose(F[i], ref, equal_nan=True), "fusion formula drifted from fuse_dense"
                yield f"{cond}@{lam}", F
                del F
            state["checked"] = True
        yield "stateless", S

    return fn


def reveal(targets_type: np.ndarray, type_pop: np.ndarray, rng, p_right: float = 0.8) -> Dict[str, np.ndarray]:
    """Revealed types per case: ``right`` = the target's type; ``wrong`` = another type drawn with probability
    proportional to its share of interactions (a plausible wrong mention); ``p80`` = right with prob. 0.8."""
    T = len(type_pop)
    wrong = np.empty_like(targets_type)
    for t in range(T):
        m = targets_type == t
        p = type_pop.astype(np.float64).copy()
        p[t] = 0.0
        wrong[m] = rng.choice(T, size=m.sum(), p=p / p.sum())
    p80 = np.where(rng.random(len(targets_type)) < p_right, targets_type, wrong)
    return {"right": targets_type, "wrong": wrong, "p80": p80}


def _dialogue_targets(nd: Dict[str, float]) -> dict:
    """The issue's three dialogue targets from NDCG@10 per condition (``stateless``, ``oracle``, ``hard_p80``,
    ``right``, ``wrong``, ``p80``)."""
    gain = nd["oracle"] - nd["stateless"]
    return {
        "right_recovers_%_of_oracle_gain": round(100 * (nd["right"] - nd["stateless"]) / gain, 1) if gain else None,
        "wrong_vs_stateless_%": round(100 * (nd["wrong"] / nd["stateless"] - 1), 1) if nd["stateless"] else None,
        "targets_met": {
            "right>=70%_of_oracle_gain": bool(gain > 0 and (nd["right"] - nd["stateless"]) >= 0.7 * gain),
            "wrong_within_10%": bool(nd["wrong"] >= 0.9 * nd["stateless"]),
            "p80_beats_stateless_and_hard": bool(nd["p80"] > nd["stateless"] and nd["p80"] > nd["hard_p80"]),
        },
    }


def run_dialogue(base_valid: Callable, valid: tuple, base_test: Callable, test: tuple, ds: D.Dataset,
                 seed: int = 0) -> dict:
    """Dialogue-state experiment: ``valid`` / ``test`` = (users, history csr, target items).

    Two operating points of the fusion strength are chosen on validation, then every condition is measured on the
    test at both (and along the whole strength grid, ``test_curve``, to show the trade-off):

    * ``tuned`` (the primary one, ``results``): best NDCG@10 in the 80%-right condition, the realistic case;
    * ``robust``: the largest strength whose wrong-type NDCG@10 stays within 10% of the stateless one.

    One fixed strength cannot serve a right and a wrong revelation at once (the list cannot tell them apart), so
    the curve shows where the targets conflict on a data set."""
    type_pop = np.bincount(ds.item_type[D.to_csr(ds.sequences, ds.n_items).indices], minlength=len(ds.type_names))
    res, curves = {}, {}
    for part, base, (users, hist, targets) in (("valid", base_valid, valid), ("test", base_test, test)):
        rng = np.random.default_rng(seed)
        tt = ds.item_type[targets]
        rev = reveal(tt, type_pop, rng)
        fn = dialogue_fn(base, ds.item_type, ds.type_names, rev, tt, STRENGTHS)
        ranks = evaluate_ranks(fn, users, hist, targets, desc=f"dialogue {part}")
        fixed = {c: summarise(ranks[c], K) for c in ("stateless", "oracle", "hard_p80")}
        curve = {lam: {c: summarise(ranks[f"{c}@{lam}"], K) for c in rev} for lam in STRENGTHS}
        curves[part] = (fixed, curve)
    (vfixed, vcurve), (tfixed, tcurve) = curves["valid"], curves["test"]
    tuned = max(STRENGTHS, key=lambda s: vcurve[s]["p80"]["NDCG@10"])
    ok = [s for s in STRENGTHS if vcurve[s]["wrong"]["NDCG@10"] >= 0.9 * vfixed["stateless"]["NDCG@10"]]
    robust = max(ok) if ok else min(STRENGTHS)
    log(f"  dialogue: strength tuned (best valid p80) {tuned}, robust (valid wrong within 10%) {robust}")
    nd = lambda fixed, row: {**{c: v["NDCG@10"] for c, v in fixed.items()},  # noqa: E731
                             **{c: v["NDCG@10"] for c, v in row.items()}}
    res["strength_grid"] = list(STRENGTHS)
    res["valid_curve"] = {lam: {c: round(v["NDCG@10"], 5) for c, v in row.items()} for lam, row in vcurve.items()}
    res["valid_fixed"] = {c: round(v["NDCG@10"], 5) for c, v in vfixed.items()}
    res["test_curve"] = {lam: {**{c: round(v["NDCG@10"], 5) for c, v in row.items()},
                               **_dialogue_targets(nd(tfixed, row))} for lam, row in tcurve.items()}
    res["operating_points"] = {}
    for name, s in (("tuned", tuned), ("robust", robust)):
        res["operating_points"][name] = {"strength": s, "results": {**tfixed, **tcurve[s]},
                                         **_dialogue_targets(nd(tfixed, tcurve[s]))}
    prim = res["operating_points"]["tuned"]
    res.update({"strength_used": tuned, "results": prim["results"], "targets_met": prim["targets_met"],
                "right_recovers_%_of_oracle_gain": prim["right_recovers_%_of_oracle_gain"],
                "wrong_vs_stateless_%": prim["wrong_vs_stateless_%"],
                "all_three_met_at_some_strength_on_test": any(all(r["targets_met"].values())
                                                              for r in res["test_curve"].values())})
    return res


def run_cross_dialogue(ds: D.Dataset, params: dict, seed: int = 0) -> dict:
    """Dialogue experiment on a pooled cross-domain pair (type = domain), base = joint JointMF with ``params``.
    Test cases = the official test items of both domains (history = all training data); validation = one random
    training item per user held out (any domain), model refitted without them."""
    rng = np.random.default_rng(seed)
    users = np.arange(ds.n_users)
    tr, vu, vi = _holdout(ds.sequences, ds.item_type, None, users, rng)
    Xv, X = D.to_csr(tr, ds.n_items), D.to_csr(ds.sequences, ds.n_items)
    mv = JointMF(item_type=ds.item_type, seed=seed, **params).fit(Xv)
    mt = JointMF(item_type=ds.item_type, seed=seed, **params).fit(X)
    tu = np.concatenate([np.flatnonzero(ds.test_items >= 0), np.flatnonzero(ds.test_items_other >= 0)])
    ti = np.concatenate([ds.test_items[ds.test_items >= 0], ds.test_items_other[ds.test_items_other >= 0]])
    return run_dialogue(mv.score, (vu, Xv, vi), mt.score, (tu, X, ti), ds, seed)


# ---------------------------------------------------------------------------------------------- driver
def load(name: str, data_dir: str, ml100k_dir: str, db_url) -> D.Dataset:
    if name in D.AMAZON:
        return D.load_amazon(data_dir, name)
    if name == "ml-100k":
        return D.load_ml100k(ml100k_dir)
    if name.startswith("cross:"):
        return D.load_cross_domain(data_dir, name.split(":", 1)[1])
    if name == "demo":
        return D.load_demo(db_url)
    raise SystemExit(f"unknown dataset {name!r}; choose from {', '.join(ALL)} or all")


def evaluate_dataset(ds: D.Dataset, seed: int = 0) -> dict:
    rep = {"dataset": ds.name, "n_users": ds.n_users, "n_items": ds.n_items, "n_interactions": ds.n_interactions}
    t0 = time.time()
    if ds.name.startswith("cross:"):
        rep["sharing"] = run_sharing(ds, seed)
        first = next(iter(rep["sharing"].values()))["chosen"]["joint"]
        rep["dialogue"] = run_cross_dialogue(ds, first, seed)
    else:
        rank = run_ranking(ds)
        split, blend, val_blend = rank.pop("_models")
        rep["ranking"] = rank
        if val_blend is not None and len(ds.type_names) > 1:
            # stateless base = ShopMate's blend; strength tuned with the train-fitted blend on the validation item
            rep["dialogue"] = run_dialogue(val_blend.score, (split.valid_users, split.train, split.valid_items),
                                           blend.score, (split.test_users, split.trainval, split.test_items), ds, seed)
    rep["seconds"] = round(time.time() - t0, 1)
    return rep


def print_report(rep: dict) -> None:
    print(f"\n== {rep['dataset']}: {rep['n_users']} users, {rep['n_items']} items, {rep['n_interactions']} "
          f"interactions ({rep['seconds']} s)")
    if "ranking" in rep:
        print(f"{'model':<10} {'HR@10':>8} {'NDCG@10':>8}  chosen")
        for name, r in rep["ranking"]["results"].items():
            print(f"{name:<10} {r['HR@10']:>8.4f} {r['NDCG@10']:>8.4f}  {rep['ranking']['chosen'].get(name)}")
        print(f"target ShopMate >= EASE NDCG@10: {rep['ranking']['target_ShopMate_ge_EASE']}")
    for tgt, s in rep.get("sharing", {}).items():
        print(f"-- sharing, target domain {tgt} (twin cases {s['n_twin_cases']}, thinned users {s['n_thinned']})")
        print(f"{'group':<26} {'n':>6} {'joint':>8} {'per-type':>8} {'gain %':>7}")
        for g, row in s["results"].items():
            print(f"{g:<26} {row['joint']['n']:>6} {row['joint']['NDCG@10']:>8.4f} {row['per-type']['NDCG@10']:>8.4f} "
                  f"{row['gain_%']:>7}")
        print(f"chosen {s['chosen']}; targets {s['target_met']}")
    if "dialogue" in rep:
        d = rep["dialogue"]
        print("-- dialogue state: NDCG@10 (HR@10) per condition, two strengths chosen on validation")
        ops = d["operating_points"]
        print(f"{'condition':<10} " + " ".join(f"{n + ' ' + str(o['strength']):>18}" for n, o in ops.items()))
        for cond in next(iter(ops.values()))["results"]:
            print(f"{cond:<10} " + " ".join(f"{o['results'][cond]['NDCG@10']:>9.4f} ({o['results'][cond]['HR@10']:.4f})"
                                            for o in ops.values()))
        for n, o in ops.items():
            print(f"{n}: right recovers {o['right_recovers_%_of_oracle_gain']}% of oracle gain; wrong vs stateless "
                  f"{o['wrong_vs_stateless_%']}%; targets {o['targets_met']}")
        print("test NDCG@10 by strength (right / wrong / p80): " + "; ".join(
            f"{lam}: {v['right']:.4f}/{v['wrong']:.4f}/{v['p80']:.4f}" for lam, v in d["test_curve"].items()))
        print(f"all three dialogue targets met at some strength on test: {d['all_three_met_at_some_strength_on_test']}")


def plot(rep: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = []
    if "ranking" in rep:
        panels.append(("ranking", {k: v["NDCG@10"] for k, v in rep["ranking"]["results"].items()}))
    for tgt, s in rep.get("sharing", {}).items():
        for g in ("all/without_twins", "le3/without_twins"):
            panels.append((f"{tgt} {g}", {m: s["results"][g][m]["NDCG@10"] for m in ("joint", "per-type")}))
    if "dialogue" in rep:
        panels.append(("dialogue", {k: v["NDCG@10"] for k, v in rep["dialogue"]["results"].items()}))
    fig, axes = plt.subplots(1, len(panels), figsize=(4 * len(panels), 3.5), squeeze=False)
    for ax, (title, vals) in zip(axes[0], panels):
        ax.bar(list(vals), list(vals.values()), color="tab:blue")
        ax.set_title(title, fontsize=9)
        ax.set_ylabel("NDCG@10")
        ax.tick_params(axis="x", rotation=45, labelsize=8)
    fig.suptitle(rep["dataset"])
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _jsonable(o):
    if isinstance(o, dict):
        return {str(k): _jsonable(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_jsonable(v) for v in o]
    if isinstance(o, np.generic):
        return o.item()
    return o


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m recommender.evaluate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", default="all", help=f"one of {', '.join(ALL)} or all")
    ap.add_argument("--data-dir", default="../shared/data", help="folder holding amazon/ and cross_domain/")
    ap.add_argument("--ml100k-dir", default=str(D.ML100K_DIR), help="folder holding ml-100k.inter / .item")
    ap.add_argument("--db-url", default=None, help="demo shop database (default: SHOP_DB_URL or var/shop.db)")
    ap.add_argument("--out", default="reports/")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    names = ALL if args.dataset == "all" else tuple(args.dataset.split(","))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    summary, t_all = {}, time.time()
    for name in names:
        try:
            ds = load(name, args.data_dir, args.ml100k_dir, args.db_url)
        except D.MissingData as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            if len(names) == 1:
                return 2
            summary[name] = {"missing": str(exc)}
            continue
        log(f"{name}: evaluating")
        rep = evaluate_dataset(ds, args.seed)
        print_report(rep)
        stem = "eval_" + name.replace(":", "_")
        (out / f"{stem}.json").write_text(json.dumps(_jsonable(rep), indent=2))
        plot(rep, out / f"{stem}.png")
        summary[name] = {"seconds": rep["seconds"]}
        sys.stdout.flush()
    summary["total_seconds"] = round(time.time() - t_all, 1)
    (out / "eval_summary.json").write_text(json.dumps(summary, indent=2))
    print(f"\ntotal {summary['total_seconds']} s; reports in {out}/")
    return 2 if any("missing" in v for v in summary.values() if isinstance(v, dict)) and len(names) == 1 else 0


if __name__ == "__main__":
    sys.exit(main())
