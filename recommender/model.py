"""The recommender: interest profiles x collaborative filtering x dialogue-state weights (parts 4-5).

``Recommender.fit(interactions, items)`` builds everything once; ``recommend(customer_id, state, k)`` then only
scores a few thousand *candidates* (never all items):

1. candidates = item-item neighbours of the customer's recent items and of the items mentioned in the dialogue
   (ItemKNN over all types, plus per-type EASE where a type has <= ``ease_max_items`` items), the most popular
   in-stock items of every type and of every mentioned category;
2. each candidate gets ``z(cf) + z(mf) + pop_weight * z(log popularity)`` (z = standardised over the candidates;
   ``mf`` = dot product of the JointMF customer factors with the item factors; unknown customers have no
   ``cf`` from history and no ``mf``) plus a bonus for mentioned categories;
3. :func:`recommender.fusion.standardize` calibrates per type, :func:`recommender.weights.type_weights` (profile
   prior x dialogue state) gives the type weights, :func:`recommender.fusion.fill_topk` fills the top-k in
   proportion to them, :func:`recommender.fusion.explain` writes the reasons.

Items the customer bought or returned, out-of-stock items, items the dialogue is negative about and ``exclude``
never appear.

Artefacts (``save`` / ``load``): ``arrays.npz`` (uncompressed numpy arrays, sparse matrices as CSR parts) and
``meta.json`` (format version, parameters, ids, titles, sha256 of ``arrays.npz``), written last so that its
presence marks a complete model. Anything missing, unreadable or inconsistent raises :class:`ArtefactError`;
:meth:`Recommender.load_or_fallback` turns that into a popularity-only model with a logged warning.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recommender import fusion
from recommender.complements import as_nested_dict, complement_strengths, cooccurrence_lift
from recommender.profile import KIND_WEIGHTS, ProfileParams, as_dict, decay, interest_profiles
from recommender.scorers import EASE, ItemKNN, JointMF, Popularity
from recommender.state import DialogueState
from recommender.weights import WeightParams, type_weights

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
ITEM_COLUMNS = ("id", "title", "content_type", "category", "brand", "price", "stock", "product_group")
INTERACTION_COLUMNS = ("customer_id", "item_id", "kind", "at")


class ArtefactError(RuntimeError):
    """A saved model is missing, unreadable, corrupt or of another format version."""


@dataclass(frozen=True)
class Recommendation:
    """One recommended item. ``score`` is the fused score (higher = better; comparable within one call)."""

    item_id: str
    content_type: str
    score: float
    reason: str
    title: str
    price: float

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class RecommenderParams:
    """Hyper-parameters of :class:`Recommender` (constructor arguments, no hidden state).

    Attributes:
        use_cf: fit the collaborative scorers (``False``: popularity + profiles only, the fallback model).
        knn_k / knn_shrink: ItemKNN neighbours kept per item and shrinkage.
        ease_max_items / ease_l2: per-type EASE for types with at most this many items (dense n^2 memory).
        factors / iterations / regularization / alpha / balance: JointMF (see ``scorers.JointMF``).
        seeds: most recent (decayed-confidence) history items used as neighbour seeds.
        heads_per_type / heads_per_category: popular in-stock candidates per type / per category.
        pop_weight / category_bonus: weights of z(log popularity) and of a mentioned category (x recency).
        support_category_bonus: the category bonus for help articles and services (``weights.support_types``):
            for them the topic the customer is on ("returns" during a return) matters more than what other
            customers read, so it outweighs the collaborative signals.
        mention_seed: seed weight of an item mentioned in the dialogue (x recency) relative to the strongest
            history seed.
        strength: fusion strength (see ``fusion.fuse_dense``), orders the mixed list.
        profile / weights: :class:`ProfileParams`, :class:`WeightParams`.
    """

    use_cf: bool = True
    knn_k: int = 50
    knn_shrink: float = 10.0
    ease_max_items: int = 5000
    ease_l2: float = 250.0
    factors: int = 48
    iterations: int = 12
    regularization: float = 0.05
    alpha: float = 10.0
    balance: float = 0.5
    seeds: int = 30
    heads_per_type: int = 100
    heads_per_category: int = 30
    pop_weight: float = 0.3
    category_bonus: float = 1.0
    support_category_bonus: float = 10.0
    mention_seed: float = 2.0
    strength: float = fusion.DEFAULT_STRENGTH
    profile: ProfileParams = ProfileParams()
    weights: WeightParams = WeightParams()


def _sparse_topk_knn(X: sp.csr_matrix, k: int, shrink: float, chunk: int = 8192) -> sp.csr_matrix:
    """ItemKNN's ``W`` (same definition as ``scorers.ItemKNN``: cosine with shrinkage, ``k`` neighbours per item,
    ``W[neighbour, j]``) computed on sparse co-occurrence blocks, so memory and time follow the number of
    co-occurring pairs instead of ``n_items^2`` (``scorers.ItemKNN.fit`` densifies row blocks: too slow at 100k
    items). Returns float32 csr (n_items, n_items)."""
    Xc = X.tocsc()
    n = X.shape[1]
    norms = np.sqrt(np.asarray(X.multiply(X).sum(0)).ravel()).astype(np.float32)
    rows, cols, vals = [], [], []
    for i0 in range(0, n, chunk):
        co = (Xc[:, i0:i0 + chunk].T @ X).tocoo()          # (chunk, n_items)
        keep = co.row + i0 != co.col
        r, c, v = co.row[keep], co.col[keep], co.data[keep]
        v = v / (norms[r + i0] * norms[c] + shrink + 1e-12)
        order = np.lexsort((c, -v, r))
        r, c, v = r[order], c[order], v[order]
        start = np.searchsorted(r, np.arange(co.shape[0]))
        rank = np.arange(len(r)) - start[r]
        top = (rank < k) & (v > 0)
        rows.append(r[top] + i0), cols.append(c[top]), vals.append(v[top])
    cat = (lambda parts, dt: np.concatenate(parts).astype(dt) if parts else np.zeros(0, dt))
    return sp.csr_matrix((cat(vals, np.float32), (cat(cols, np.int64), cat(rows, np.int64))), shape=(n, n))


def _topk_columns(B: np.ndarray, k: int) -> sp.csr_matrix:
    """Keep the ``k`` largest positive entries of each column of a dense (n, n) matrix (float32 csr)."""
    n = B.shape[0]
    k = min(k, n)
    top = np.argpartition(-B, k - 1, axis=0)[:k]              # (k, n) row indices per column
    v = np.take_along_axis(B, top, axis=0)
    cols = np.broadcast_to(np.arange(n), top.shape)
    keep = v > 0
    return sp.csr_matrix((v[keep].astype(np.float32), (top[keep], cols[keep])), shape=(n, n))


def _scaled(M: sp.csr_matrix) -> sp.csr_matrix:
    """Divide by the largest entry (so neighbour sources are on [0, 1])."""
    top = M.data.max() if M.nnz else 0.0
    return M * (1.0 / top) if top > 0 else M


def _z(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)


class Recommender:
    """Ranks catalog items of every content type for a customer under a dialogue state (see module docstring)."""

    def __init__(self, params: Optional[RecommenderParams] = None):
        self.params = params or RecommenderParams()

    # ------------------------------------------------------------------ fit
    def fit(self, interactions: pd.DataFrame, items: pd.DataFrame, *, seed: int = 0,
            reference: Optional[pd.Timestamp] = None, progress: bool = False) -> "Recommender":
        """Fit on an interactions frame (``customer_id, item_id, kind, at``) and the catalog
        (``id, title, content_type, category, brand, price, stock, product_group``).

        Interactions on items missing from the catalog are dropped. ``reference`` is "now" for the decays
        (default: the latest interaction). ``progress`` shows a tqdm bar over the fit steps.
        """
        _require_columns(items, ITEM_COLUMNS[:4] + ("price", "stock"), "items")
        _require_columns(interactions, INTERACTION_COLUMNS, "interactions")
        if items.empty:
            raise ValueError("items: the catalog is empty")
        from tqdm import tqdm

        p = self.params
        steps = ["index", "profiles", "popularity", "item-item neighbours", "EASE per type", "JointMF", "heads"]
        bar = tqdm(total=len(steps), desc="fit recommender", disable=not progress, unit="step")
        self.fit_seconds_: Dict[str, float] = {}
        clock = [time.perf_counter()]

        def step(name):  # a fit step is done: record its wall time (seconds) in ``fit_seconds_``
            now = time.perf_counter()
            self.fit_seconds_[name] = now - clock[0]
            clock[0] = now
            bar.set_postfix_str(name)
            bar.update(1)

        items = items.sort_values("id", kind="mergesort").reset_index(drop=True)
        if items["id"].duplicated().any():
            raise ValueError("items: duplicate ids")
        self.item_ids = items["id"].astype(str).to_numpy(dtype=str)
        self.types = sorted(items["content_type"].astype(str).unique())
        self.categories = sorted(items["category"].astype(str).unique())
        self.item_type = pd.Categorical(items["content_type"].astype(str), self.types).codes.astype(np.int32)
        self.item_cat = pd.Categorical(items["category"].astype(str), self.categories).codes.astype(np.int32)
        self.titles = items["title"].astype(str).tolist()
        self.price = items["price"].astype(float).to_numpy(np.float64)
        self.in_stock = items["stock"].fillna(0).astype(float).to_numpy() > 0

        inter = interactions.loc[interactions["item_id"].isin(self.item_ids)]
        self.customer_ids = np.unique(inter["customer_id"].to_numpy(np.int64))
        u = np.searchsorted(self.customer_ids, inter["customer_id"].to_numpy(np.int64))
        i = np.searchsorted(self.item_ids, inter["item_id"].astype(str).to_numpy())
        kind = inter["kind"].astype(str)
        n_u, n_i, n_t = len(self.customer_ids), len(self.item_ids), len(self.types)
        shape = (n_u, n_i)
        positive = kind.map(KIND_WEIGHTS).clip(lower=0).to_numpy(np.float32)
        returned = sp.csr_matrix(((kind == "return").to_numpy(np.float32), (u, i)), shape=shape)
        purchased = sp.csr_matrix(((kind == "purchase").to_numpy(np.float32), (u, i)), shape=shape)
        keep_mask = lambda M: M - M.multiply(returned > 0)  # noqa: E731 - zero the returned (user, item) cells
        X = keep_mask(sp.csr_matrix((positive, (u, i)), shape=shape))
        X.eliminate_zeros()
        at = pd.to_datetime(inter["at"])
        fresh = (positive * decay(at, reference, p.profile.half_life_days)).astype(np.float32)
        self.seed_m = keep_mask(sp.csr_matrix((fresh, (u, i)), shape=shape)).tocsr()
        self.seed_m.eliminate_zeros()
        self.banned = ((purchased + returned) > 0).astype(np.int8).tocsr()
        step("index")

        self.profiles, self.global_profile = interest_profiles(
            u, self.item_type[i], kind, at, n_u, n_t, reference=reference, params=p.profile)
        kept = keep_mask(purchased)
        kept.eliminate_zeros()
        self.complements = complement_strengths(cooccurrence_lift(kept, self.item_type, n_t))
        step("profiles")

        self.popularity = Popularity().fit(X).counts_ if n_u else np.zeros(n_i, np.float32)
        step("popularity")

        nbr = sp.csr_matrix((n_i, n_i), dtype=np.float32)
        if p.use_cf and X.nnz:
            nbr = _scaled(_sparse_topk_knn(X, p.knn_k, p.knn_shrink))
        step("item-item neighbours")
        if p.use_cf and X.nnz:
            for t in range(n_t):
                cols = np.flatnonzero(self.item_type == t)
                Xt = X[:, cols]
                if not 2 <= len(cols) <= p.ease_max_items or Xt.nnz == 0:
                    continue
                B = _topk_columns(EASE(l2=p.ease_l2).fit(Xt).B_, p.knn_k).tocoo()
                nbr = nbr + _scaled(sp.csr_matrix((B.data, (cols[B.row], cols[B.col])), shape=(n_i, n_i)))
        self.neighbours = nbr.tocsr().astype(np.float32)
        self.neighbours.sort_indices()
        step("EASE per type")

        self.user_factors = np.zeros((n_u, 0), np.float32)
        self.item_factors = np.zeros((n_i, 0), np.float32)
        if p.use_cf and X.nnz and min(shape) > p.factors:
            from threadpoolctl import threadpool_limits  # implicit parallelises itself: keep BLAS single-threaded

            with threadpool_limits(1, "blas"):
                mf = JointMF(factors=p.factors, regularization=p.regularization, iterations=p.iterations,
                             alpha=p.alpha, balance=p.balance, item_type=self.item_type, seed=seed).fit(X)
            self.user_factors, self.item_factors = mf.user_factors_, mf.item_factors_
        step("JointMF")

        self._build_heads()
        step("heads")
        bar.close()
        self._index()
        return self

    def _build_heads(self) -> None:
        """Popular in-stock candidates per type and per category (index arrays with CSR-like pointers)."""
        order = np.lexsort((np.arange(len(self.item_ids)), -self.popularity))
        order = order[self.in_stock[order]]

        def heads(group: np.ndarray, n_groups: int, per: int) -> Tuple[np.ndarray, np.ndarray]:
            g = group[order]
            by = np.lexsort((np.arange(len(order)), g))          # stable: popularity order within group
            g_sorted, idx = g[by], order[by]
            start = np.searchsorted(g_sorted, np.arange(n_groups))
            take = (np.arange(len(idx)) - start[g_sorted]) < per
            ptr = np.concatenate([[0], np.cumsum(np.bincount(g_sorted[take], minlength=n_groups))])
            return idx[take].astype(np.int32), ptr.astype(np.int64)

        self.type_heads, self.type_heads_ptr = heads(self.item_type, len(self.types), self.params.heads_per_type)
        self.cat_heads, self.cat_heads_ptr = heads(self.item_cat, len(self.categories), self.params.heads_per_category)

    def _index(self) -> None:
        """Lookup tables derived from the arrays (rebuilt after load, never saved)."""
        self._item_pos = {x: n for n, x in enumerate(self.item_ids.tolist())}
        self._cust_pos = {int(c): n for n, c in enumerate(self.customer_ids.tolist())}
        self._type_pos = {t: n for n, t in enumerate(self.types)}
        self._cat_pos = {c: n for n, c in enumerate(self.categories)}
        self._complements_dict = as_nested_dict(self.complements, self.types)

    # ------------------------------------------------------------------ query
    def profile(self, customer_id: Optional[int]) -> Dict[str, float]:
        """Interest profile ``{type: share}`` of a customer (the global distribution if unknown / ``None``)."""
        row = self._cust_pos.get(int(customer_id)) if customer_id is not None else None
        return as_dict(self.global_profile if row is None else self.profiles[row], self.types)

    def weights(self, customer_id: Optional[int], state: Optional[DialogueState] = None) -> Dict[str, float]:
        """Type weights for this customer and dialogue (mentioned / negative items count for their types)."""
        return type_weights(self.profile(customer_id), self._effective_state(state),
                            complements=self._complements_dict, types=self.types, params=self.params.weights)

    def _effective_state(self, state: Optional[DialogueState]) -> DialogueState:
        """The state with the types of mentioned items / categories added to ``mentioned_types`` and the types of
        negative items to ``negative_types`` (max of the strengths)."""
        state = state or DialogueState()
        mentioned, negative = dict(state.mentioned_types), dict(state.negative_types)
        cat_type = {}
        for c, pos in self._cat_pos.items():
            members = self.item_type[self.item_cat == pos] if c in state.mentioned_categories else None
            if members is not None and len(members):
                cat_type[c] = self.types[int(np.bincount(members).argmax())]
        sources = [(state.mentioned_items, mentioned, self._item_type_name),
                   (state.mentioned_categories, mentioned, cat_type.get),
                   (state.negative_items, negative, self._item_type_name)]
        for src, dst, to_type in sources:
            for key, w in src.items():
                t = to_type(key)
                if t is not None:
                    dst[t] = max(dst.get(t, 0.0), float(w))
        return dataclasses.replace(state, mentioned_types=mentioned, negative_types=negative)

    def _item_type_name(self, item_id: str) -> Optional[str]:
        pos = self._item_pos.get(item_id)
        return None if pos is None else self.types[self.item_type[pos]]

    def recommend(self, customer_id: Optional[int] = None, state: Optional[DialogueState] = None, k: int = 10,
                  exclude: Iterable[str] = ()) -> List[Recommendation]:
        """Top-``k`` items for a customer (``None`` or unknown: popular, diverse items) under a dialogue state.

        Returns at most ``k`` :class:`Recommendation` (fewer when frustration leaves only support types and they
        run out, or the catalog is small), best first.
        """
        if k <= 0:
            return []
        p = self.params
        state = state or DialogueState()
        row = self._cust_pos.get(int(customer_id)) if customer_id is not None else None
        eff = self._effective_state(state)
        w = type_weights(self.profile(customer_id), eff, complements=self._complements_dict, types=self.types,
                         params=p.weights)
        wvec = np.array([w[t] for t in self.types])

        # seeds: recent history + items mentioned in the dialogue
        seed_idx, seed_w = np.zeros(0, np.int64), np.zeros(0, np.float64)
        if row is not None:
            lo, hi = self.seed_m.indptr[row], self.seed_m.indptr[row + 1]
            idx, val = self.seed_m.indices[lo:hi], self.seed_m.data[lo:hi].astype(np.float64)
            if len(idx) > p.seeds:
                top = np.argpartition(-val, p.seeds - 1)[:p.seeds]
                idx, val = idx[top], val[top]
            seed_idx, seed_w = idx.astype(np.int64), val / (val.max() if len(val) else 1.0)
        mentioned = [(self._item_pos[x], r) for x, r in sorted(state.mentioned_items.items()) if x in self._item_pos]
        if mentioned:
            m_idx, m_w = np.array(mentioned, dtype=np.float64).T
            seed_idx = np.concatenate([seed_idx, m_idx.astype(np.int64)])
            seed_w = np.concatenate([seed_w, p.mention_seed * np.clip(m_w, 0, 1)])

        # candidates: neighbours of the seeds, type heads, heads of mentioned categories
        nb = self.neighbours[seed_idx] if len(seed_idx) else None
        cf_idx = nb.indices if nb is not None else np.zeros(0, np.int32)
        cf_val = nb.data * np.repeat(seed_w, np.diff(nb.indptr)) if nb is not None else np.zeros(0)
        cat_rec = {self._cat_pos[c]: float(r) for c, r in state.mentioned_categories.items() if c in self._cat_pos}
        parts = [cf_idx, self.type_heads] + [self.cat_heads[self.cat_heads_ptr[c]:self.cat_heads_ptr[c + 1]]
                                             for c in sorted(cat_rec)]
        cand, inv = np.unique(np.concatenate(parts).astype(np.int64), return_inverse=True)
        cf = np.bincount(inv[:len(cf_idx)], weights=cf_val, minlength=len(cand))

        allowed = self.in_stock[cand].copy()
        if row is not None:
            allowed[np.isin(cand, self.banned.indices[self.banned.indptr[row]:self.banned.indptr[row + 1]])] = False
        blocked = [self._item_pos[x] for x in list(exclude) + list(state.negative_items) + list(state.mentioned_items)
                   if x in self._item_pos]
        if blocked:
            allowed[np.isin(cand, blocked)] = False
        cand, cf = cand[allowed], cf[allowed]
        if len(cand) == 0:
            return []

        raw = p.pop_weight * _z(np.log1p(self.popularity[cand].astype(np.float64)))
        if len(seed_idx):
            raw += _z(cf)
        if row is not None and self.user_factors.shape[1]:
            raw += _z(self.item_factors[cand] @ self.user_factors[row]).astype(np.float64)
        ctype = self.item_type[cand]
        if cat_rec:
            support = [self._type_pos[t] for t in p.weights.support_types if t in self._type_pos]
            bonus = np.where(np.isin(ctype, support), p.support_category_bonus, p.category_bonus)
            raw += bonus * np.array([cat_rec.get(c, 0.0) for c in self.item_cat[cand]])
        fused = fusion.standardize(raw, ctype) + fusion.type_boost(ctype, wvec, p.strength)
        pick = fusion.fill_topk(fused, ctype, wvec, k)
        return self._explain(cand[pick], fused[pick], seed_idx, seed_w, row, eff, state)

    def _explain(self, chosen, scores, seed_idx, seed_w, row, eff: DialogueState, state: DialogueState):
        """Recommendations with reasons for the chosen item indices."""
        contrib = None
        if len(seed_idx):
            contrib = np.asarray(self.neighbours[seed_idx][:, chosen].todense()) * seed_w[:, None]
        prof = self.profiles[row] if row is not None else None
        mentioned = {t: v for t, v in eff.mentioned_types.items() if v > 0}
        out = []
        for n, (j, s) in enumerate(zip(chosen.tolist(), scores.tolist())):
            t = int(self.item_type[j])
            tname = self.types[t]
            neighbour_of = None
            if contrib is not None and contrib[:, n].max() > 0:
                neighbour_of = self.titles[int(seed_idx[int(contrib[:, n].argmax())])]
            comp = next((m for m in sorted(mentioned, key=lambda m: (-mentioned[m], m))
                         if self.complements[self._type_pos[m], t] > 0), None)
            reason = fusion.explain(
                type_name=tname, category=self.categories[self.item_cat[j]], mentioned_types=eff.mentioned_types,
                mentioned_categories=state.mentioned_categories, neighbour_of=neighbour_of,
                after_sales=state.need("after_sales"), complement_of=comp,
                likes_type=prof is not None and prof[t] > 1.2 / len(self.types),
                support_types=self.params.weights.support_types)
            out.append(Recommendation(self.item_ids[j], tname, float(s), reason, self.titles[j], float(self.price[j])))
        return out

    def update_stock(self, stock: Dict[str, int]) -> None:
        """Refresh stock levels (``{item_id: stock}``) without refitting; unknown ids are ignored."""
        for item_id, n in stock.items():
            pos = self._item_pos.get(item_id)
            if pos is not None:
                self.in_stock[pos] = n > 0

    # ------------------------------------------------------------------ artefacts
    _ARRAYS = ("item_ids", "customer_ids", "item_type", "item_cat", "price", "in_stock", "profiles", "global_profile",
               "complements", "popularity", "user_factors", "item_factors", "type_heads", "type_heads_ptr",
               "cat_heads", "cat_heads_ptr")
    _SPARSE = ("seed_m", "banned", "neighbours")

    def save(self, directory) -> Path:
        """Write ``arrays.npz`` then ``meta.json`` (atomically renamed) into ``directory``; returns the path."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        arrays = {name: getattr(self, name) for name in self._ARRAYS}
        for name in self._SPARSE:
            m = getattr(self, name)
            arrays.update({f"{name}.data": m.data, f"{name}.indices": m.indices, f"{name}.indptr": m.indptr,
                           f"{name}.shape": np.array(m.shape)})
        np.savez(d / "arrays.npz", **arrays)
        meta = {"format_version": FORMAT_VERSION, "params": dataclasses.asdict(self.params), "types": self.types,
                "categories": self.categories, "titles": self.titles, "sha256": _sha256(d / "arrays.npz")}
        fd, tmp = tempfile.mkstemp(dir=d, suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(meta, fh)
        os.chmod(tmp, 0o644)
        os.replace(tmp, d / "meta.json")
        return d

    @classmethod
    def load(cls, directory, *, verify: bool = True) -> "Recommender":
        """Load a saved model (no refitting). Raises :class:`ArtefactError` if anything is missing or corrupt
        (``verify`` checks the sha256 of ``arrays.npz`` against ``meta.json``)."""
        d = Path(directory)
        try:
            meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
            if meta.get("format_version") != FORMAT_VERSION:
                raise ArtefactError(f"{d}: format version {meta.get('format_version')!r}, expected {FORMAT_VERSION}")
            if verify and _sha256(d / "arrays.npz") != meta["sha256"]:
                raise ArtefactError(f"{d / 'arrays.npz'}: checksum mismatch (corrupt or partially written)")
            params = meta["params"]
            params["profile"] = ProfileParams(**params["profile"])
            params["weights"] = WeightParams(**{**params["weights"],
                                                "support_types": tuple(params["weights"]["support_types"])})
            self = cls(RecommenderParams(**params))
            with np.load(d / "arrays.npz", allow_pickle=False) as z:
                for name in cls._ARRAYS:
                    setattr(self, name, z[name])
                for name in cls._SPARSE:
                    setattr(self, name, sp.csr_matrix(
                        (z[f"{name}.data"], z[f"{name}.indices"], z[f"{name}.indptr"]),
                        shape=tuple(z[f"{name}.shape"])))
            self.types, self.categories, self.titles = meta["types"], meta["categories"], meta["titles"]
            if len(self.titles) != len(self.item_ids) or self.profiles.shape != (len(self.customer_ids),
                                                                                  len(self.types)):
                raise ArtefactError(f"{d}: inconsistent artefact shapes")
        except ArtefactError:
            raise
        except Exception as exc:  # missing file, bad JSON, BadZipFile, missing array, wrong dtype, ...
            raise ArtefactError(f"cannot load recommender from {d}: {type(exc).__name__}: {exc}") from exc
        self._index()
        return self

    @classmethod
    def load_or_fallback(cls, directory, fallback_data: Callable[[], Tuple[pd.DataFrame, Optional[pd.DataFrame]]]
                         ) -> "Recommender":
        """:meth:`load`, or on :class:`ArtefactError` a popularity-only model (``use_cf=False``: profiles,
        popularity, complements; fits in seconds) from ``fallback_data() -> (items, interactions | None)``, with
        a logged warning. For the action server: ``Recommender.load_or_fallback("models/recommender",
        lambda: (items_df, interactions_df))``."""
        try:
            return cls.load(directory)
        except ArtefactError as exc:
            log.warning("recommender artefacts unusable (%s); falling back to popularity", exc)
            items, interactions = fallback_data()
            if interactions is None:
                interactions = pd.DataFrame({"customer_id": pd.Series(dtype=np.int64),
                                             "item_id": pd.Series(dtype=str), "kind": pd.Series(dtype=str),
                                             "at": pd.Series(dtype="datetime64[ns]")})
            return cls(RecommenderParams(use_cf=False)).fit(interactions, items)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def _require_columns(df: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: missing columns {missing} (expected {list(columns)})")
