"""Candidate scorers: small estimators over an implicit-feedback matrix.

Every scorer follows the same two-method contract (scikit-learn / ``implicit`` style):

* ``fit(X) -> self`` where ``X`` is a ``scipy.sparse.csr_matrix`` of shape ``(n_users, n_items)`` holding
  non-negative float32 confidences (1.0 for a plain interaction);
* ``score(users, X_rows) -> np.ndarray`` of shape ``(len(users), n_items)``, float32, where ``users`` are row indices
  into the fitted ``X`` and ``X_rows`` (``len(users) x n_items`` csr) is the history to score from. Item-based
  scorers read only ``X_rows`` (so a history that grew after ``fit`` is used as is); factor models read the user
  factors learned by ``fit`` (and recompute them from ``X_rows`` for users beyond the fitted ones).

Higher is better; scores are not masked (the caller masks the history) and not comparable across scorers (see
``zscore`` for a per-user calibration). Scoring is vectorised: one sparse or dense product per batch of users.
All scorers are deterministic for a given ``seed``.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import scipy.linalg
import scipy.sparse as sp

__all__ = ["Popularity", "ItemKNN", "EASE", "ALS", "JointMF", "Blend", "zscore"]


def _csr(X) -> sp.csr_matrix:
    X = sp.csr_matrix(X, dtype=np.float32)
    X.sum_duplicates()
    return X


def zscore(scores: np.ndarray) -> np.ndarray:
    """Per-row standardisation ``(s - mean) / std`` of a ``(n_users, n_items)`` score matrix (float32)."""
    s = np.asarray(scores, dtype=np.float32)
    std = s.std(axis=1, keepdims=True)
    return (s - s.mean(axis=1, keepdims=True)) / np.where(std > 0, std, 1.0).astype(np.float32)


class Popularity:
    """Number of users who interacted with each item (cold-start fallback); same row for every user."""

    def fit(self, X) -> "Popularity":
        X = _csr(X)
        self.counts_ = np.asarray((X > 0).sum(axis=0), dtype=np.float32).ravel()
        return self

    def score(self, users, X_rows) -> np.ndarray:
        return np.broadcast_to(self.counts_, (len(users), self.counts_.size)).copy()


class ItemKNN:
    """Item-item cosine similarity with shrinkage, keeping the ``k`` nearest neighbours of each item.

    ``sim(i, j) = <x_i, x_j> / (|x_i| |x_j| + shrink)`` over item columns of ``X``; for each candidate item ``j``
    only its ``k`` most similar items are kept (sparse ``W`` of shape ``(n_items, n_items)``, column ``j`` = the
    neighbours of ``j``), and ``score = X_rows @ W``.
    """

    def __init__(self, k: int = 100, shrink: float = 0.0, chunk: int = 2048):
        self.k, self.shrink, self.chunk = k, shrink, chunk

    def fit(self, X) -> "ItemKNN":
        X = _csr(X)
        n = X.shape[1]
        co = (X.T @ X).tocsr()
        norms = np.sqrt(co.diagonal()).astype(np.float32)
        k = min(self.k, n - 1)
        rows, cols, vals = [], [], []
        for i0 in range(0, n, self.chunk):
            block = co[i0:i0 + self.chunk].toarray()
            block /= norms[i0:i0 + self.chunk, None] * norms[None, :] + self.shrink + 1e-12
            idx = np.arange(block.shape[0])
            block[idx, idx + i0] = 0.0
            if k <= 0:
                continue
            top = np.argpartition(-block, k - 1, axis=1)[:, :k]
            v = np.take_along_axis(block, top, axis=1)
            keep = v > 0
            rows.append(np.repeat(idx + i0, k)[keep.ravel()])
            cols.append(top[keep])
            vals.append(v[keep])
        cat = (lambda parts, dt: np.concatenate(parts).astype(dt) if parts else np.zeros(0, dt))
        # block row j holds the neighbours of item j -> W[neighbour, j]
        self.W_ = sp.csr_matrix((cat(vals, np.float32), (cat(cols, np.int64), cat(rows, np.int64))), shape=(n, n))
        return self

    def score(self, users, X_rows) -> np.ndarray:
        return np.asarray((_csr(X_rows) @ self.W_).todense(), dtype=np.float32)


class EASE:
    """Embarrassingly Shallow Autoencoder (Steck 2019): closed-form item-item linear model.

    ``P = (X^T X + l2 I)^-1``, ``B = -P / diag(P)`` column-wise with ``diag(B) = 0``; ``score = X_rows @ B``.
    Dense ``(n_items, n_items)`` float32: ~4 n^2 bytes (0.6 GB for 12k items), one Cholesky inverse.
    """

    def __init__(self, l2: float = 250.0):
        self.l2 = l2

    def fit(self, X) -> "EASE":
        X = _csr(X)
        G = np.asarray((X.T @ X).todense(), dtype=np.float32)
        G[np.diag_indices_from(G)] += np.float32(self.l2)
        c, info = scipy.linalg.lapack.spotrf(G, lower=0, overwrite_a=1)
        if info != 0:
            raise np.linalg.LinAlgError(f"Cholesky failed (info={info})")
        P, info = scipy.linalg.lapack.spotri(c, lower=0, overwrite_c=1)
        P = np.triu(P) + np.triu(P, 1).T  # spotri fills the upper triangle only
        B = P / (-np.diag(P))[None, :]
        B[np.diag_indices_from(B)] = 0.0
        self.B_ = B.astype(np.float32, copy=False)
        return self

    def score(self, users, X_rows) -> np.ndarray:
        return np.asarray(_csr(X_rows) @ self.B_, dtype=np.float32)


class ALS:
    """Weighted matrix factorisation for implicit feedback (Hu, Koren, Volinsky 2008) via ``implicit`` (CPU).

    Confidence ``alpha * x_ui``; ``score = U[users] @ V^T`` with ``factors`` dimensions. ``num_threads`` is set
    explicitly (the result does not depend on it: each ALS half-step solves users / items independently).
    """

    def __init__(self, factors: int = 64, regularization: float = 0.05, iterations: int = 15, alpha: float = 10.0,
                 seed: int = 0, num_threads: int = 2):
        self.factors, self.regularization, self.iterations = factors, regularization, iterations
        self.alpha, self.seed, self.num_threads = alpha, seed, num_threads

    def _weighted(self, X: sp.csr_matrix) -> sp.csr_matrix:
        return X

    def fit(self, X) -> "ALS":
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        X = self._weighted(_csr(X))
        with threadpool_limits(1, "blas"):  # implicit's own threads do the work (its recommended set-up)
            self.model_ = AlternatingLeastSquares(
                factors=self.factors, regularization=self.regularization, iterations=self.iterations,
                alpha=self.alpha, random_state=self.seed, num_threads=self.num_threads, calculate_training_loss=False)
            self.model_.fit(X, show_progress=False)
        self.user_factors_ = np.asarray(self.model_.user_factors, dtype=np.float32)
        self.item_factors_ = np.asarray(self.model_.item_factors, dtype=np.float32)
        return self

    def score(self, users, X_rows, items: Optional[np.ndarray] = None) -> np.ndarray:
        """``(len(users), n_items)`` scores, or only the columns ``items`` when given."""
        users = np.asarray(users)
        U = np.empty((len(users), self.user_factors_.shape[1]), dtype=np.float32)
        known = users < self.user_factors_.shape[0]
        U[known] = self.user_factors_[users[known]]
        if (~known).any():  # unseen customers: solve their factors from the given history
            rows = self._weighted(_csr(X_rows)[np.flatnonzero(~known)])
            U[~known] = self.model_.recalculate_user(np.arange(rows.shape[0]), rows)
        V = self.item_factors_ if items is None else self.item_factors_[items]
        return U @ V.T


class JointMF(ALS):
    """Implicit-feedback factorisation over all content types jointly, with shared customer factors.

    One customer vector serves every content type (the multi-task part: what a customer did in one type informs
    the ranking in another). ``item_type`` (int per column) enables per-type confidence balancing: the confidences
    of type ``t`` are multiplied by ``(nnz_total / (n_types * nnz_t)) ** balance`` so that a big type does not drown a
    small one in the shared factors (``balance = 0``: plain joint ALS; ``1``: every type carries the same total
    confidence). The per-type baseline is the same class fitted on one type's columns (``item_type=None``).
    """

    def __init__(self, factors: int = 64, regularization: float = 0.05, iterations: int = 15, alpha: float = 10.0,
                 balance: float = 0.5, item_type: Optional[Sequence[int]] = None, seed: int = 0, num_threads: int = 2):
        super().__init__(factors, regularization, iterations, alpha, seed, num_threads)
        self.balance = balance
        self.item_type = None if item_type is None else np.asarray(item_type)

    def _weighted(self, X: sp.csr_matrix) -> sp.csr_matrix:
        if self.item_type is None or not self.balance:
            return X
        if not hasattr(self, "type_scale_"):
            nnz = np.bincount(self.item_type[X.indices], minlength=self.item_type.max() + 1).astype(np.float64)
            present = nnz > 0
            scale = np.ones_like(nnz)
            scale[present] = (nnz.sum() / (present.sum() * nnz[present])) ** self.balance
            self.type_scale_ = scale.astype(np.float32)
        return _csr(X @ sp.diags(self.type_scale_[self.item_type]))


class Blend:
    """Calibrated linear blend: ``sum_m w_m * zscore(score_m)`` of already-fitted scorers (per-user z-scores)."""

    def __init__(self, scorers: Sequence, weights: Sequence[float]):
        self.scorers, self.weights = list(scorers), np.asarray(weights, dtype=np.float32)

    def fit(self, X) -> "Blend":
        for s in self.scorers:
            s.fit(X)
        return self

    def score(self, users, X_rows) -> np.ndarray:
        return self.combine([s.score(users, X_rows) for s in self.scorers], self.weights)

    @staticmethod
    def combine(parts: Sequence[np.ndarray], weights, standardised: bool = False) -> np.ndarray:
        """Weighted sum of per-user z-scored ``(n_users, n_items)`` matrices (zero weights skipped;
        ``standardised=True``: the parts are already z-scored)."""
        out = None
        for part, w in zip(parts, weights):
            if w:
                z = (part if standardised else zscore(part)) * np.float32(w)
                out = z if out is None else out + z
        return out if out is not None else np.zeros_like(parts[0])
