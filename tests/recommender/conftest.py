"""Tiny synthetic shop for the recommender's unit tests (fits in well under a second).

6 content types x 30 items (2 categories each, every 7th item out of stock); 80 customers, each with a
favourite product type and a fixed complementary type (books <-> home, electronics <-> service, clothing <->
help_article); views, carts and purchases mostly in the favourite type, some purchases of the complement, a
few returns. Everything is drawn from ``numpy.random.default_rng(0)``: the data is the same on every run.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.model import Recommender, RecommenderParams

TYPES = ("books", "electronics", "clothing", "home", "help_article", "service")
PREFIX = {"books": "BK", "electronics": "EL", "clothing": "CL", "home": "HM", "help_article": "HA", "service": "SV"}
CATEGORIES = {"books": ("novels", "cooking"), "electronics": ("cameras", "phones"), "clothing": ("shirts", "shoes"),
              "home": ("kitchen", "garden"), "help_article": ("returns", "delivery"),
              "service": ("repairs", "installation")}
COMPLEMENT = {"books": "home", "home": "books", "electronics": "service", "clothing": "help_article"}
PER_TYPE = 30


def make_items() -> pd.DataFrame:
    rows = []
    for t in TYPES:
        for n in range(PER_TYPE):
            cat = CATEGORIES[t][n % 2]
            rows.append({"id": f"{PREFIX[t]}-{n:06d}", "title": f"{cat} {t} #{n}", "content_type": t, "category": cat,
                         "brand": "acme", "price": 10.0 + n, "stock": 0 if n % 7 == 6 else 5,
                         "product_group": f"{t}-{n // 3}"})
    return pd.DataFrame(rows)


def make_interactions(n_customers: int = 80, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    products = TYPES[:4]
    start = pd.Timestamp("2026-01-01")
    rows = []
    for c in range(1, n_customers + 1):
        fav = products[c % 4]
        comp = COMPLEMENT[fav]
        for _ in range(rng.integers(6, 14)):
            t = fav if rng.random() < 0.8 else comp
            n = int(min(PER_TYPE - 1, rng.zipf(1.6) - 1))          # popular items first
            kind = rng.choice(["view", "cart", "purchase"], p=[0.6, 0.2, 0.2])
            at = start + pd.Timedelta(days=int(rng.integers(0, 300)))
            rows.append((c, f"{PREFIX[t]}-{n:06d}", kind, at))
            if kind == "purchase" and rng.random() < 0.1:
                rows.append((c, f"{PREFIX[t]}-{n:06d}", "return", at + pd.Timedelta(days=5)))
    return pd.DataFrame(rows, columns=["customer_id", "item_id", "kind", "at"])


@pytest.fixture(scope="session")
def items() -> pd.DataFrame:
    return make_items()


@pytest.fixture(scope="session")
def interactions() -> pd.DataFrame:
    return make_interactions()


@pytest.fixture(scope="session")
def params() -> RecommenderParams:
    return RecommenderParams(factors=8, iterations=5, knn_k=20, heads_per_type=20, heads_per_category=10)


@pytest.fixture(scope="session")
def model(interactions, items, params) -> Recommender:
    return Recommender(params).fit(interactions, items, seed=0)
