"""Speed of the recommender at the large demo scale: fit, recommend latency, load, memory; ``implicit`` ALS as reference.

Usage::

    python bench/recommender.py                       # data from shop.demo.generate(--scale large) in memory
    python bench/recommender.py --db sqlite:///var/large.db   # a database made by `python -m shop.demo --scale large`
    python bench/recommender.py --synthetic           # the documented synthetic generator below (no shop needed)

Measures, on one data set: ``Recommender.fit`` wall time (and per step), ``recommend(k=10)`` latency p50/p95/p99 over
``--queries`` calls with dialogue states (known and unknown customers, mentioned types / categories / items,
after-sales, frustration), ``save`` size and time, ``load`` time and resident memory in a fresh process (the action
server's situation), the peak RSS of the fitting process (``VmHWM`` from ``/proc/self/status``), and the fit time of
``implicit``'s ALS (``scorers.ALS``) with the same factors / iterations on the same confidence matrix. Prints a table
and writes ``reports/bench_recommender.json``. Targets: fit <= 120 s, p99 <= 10 ms, load <= 2 s, RSS <= 1 GB.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy.sparse as sp  # noqa: E402

from recommender.model import Recommender  # noqa: E402
from recommender.profile import KIND_WEIGHTS  # noqa: E402
from recommender.state import DialogueState  # noqa: E402

TARGETS = {"fit_s": 120.0, "recommend_p99_ms": 10.0, "load_s": 2.0, "rss_mb": 1024.0}


def rss_mb(field: str = "VmRSS") -> float:
    """Resident memory of this process in MB from ``/proc/self/status`` (``VmRSS`` now, ``VmHWM`` peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def synthetic(n_items: int = 110_000, n_customers: int = 55_000, n_interactions: int = 1_200_000, seed: int = 0):
    """Documented stand-in for the large demo: 4 product types (30/25/30/15% of items) + 300 help articles + 60
    services, 20 categories per product type; each customer has one favourite category (80% of their draws, the
    rest uniform over categories); items are drawn Zipf-like (exponent 1.1) within a category; kinds view 70% /
    cart 15% / purchase 12% / return 3%; timestamps uniform over two years; stock 0 for 5% of the products."""
    rng = np.random.default_rng(seed)
    share = {"books": 0.30, "electronics": 0.25, "clothing": 0.30, "home": 0.15}
    prefix = {"books": "BK", "electronics": "EL", "clothing": "CL", "home": "HM"}
    rows = []
    for t, s in share.items():
        n = int(n_items * s)
        rows.append(pd.DataFrame({"id": [f"{prefix[t]}-{i:06d}" for i in range(n)], "content_type": t,
                                  "category": [f"{t}-{c}" for c in rng.integers(0, 20, n)],
                                  "stock": np.where(rng.random(n) < 0.05, 0, 10)}))
    rows += [pd.DataFrame({"id": [f"HA-{i:06d}" for i in range(300)], "content_type": "help_article",
                           "category": "help", "stock": 1}),
             pd.DataFrame({"id": [f"SV-{i:06d}" for i in range(60)], "content_type": "service", "category": "service",
                           "stock": 1})]
    items = pd.concat(rows, ignore_index=True)
    items["title"], items["brand"], items["price"] = items["id"] + " title", "acme", 10.0
    items["product_group"] = items["id"]
    cats = items["category"].to_numpy()
    cat_names, cat_of = np.unique(cats, return_inverse=True)
    members = [np.flatnonzero(cat_of == c) for c in range(len(cat_names))]
    fav = rng.integers(0, len(cat_names), n_customers)
    cust = rng.integers(0, n_customers, n_interactions)
    cat = np.where(rng.random(n_interactions) < 0.8, fav[cust], rng.integers(0, len(cat_names), n_interactions))
    rank = np.minimum(rng.zipf(1.1, n_interactions) - 1, 10**9)
    item = np.array([members[c][r % len(members[c])] for c, r in zip(cat, rank)])
    kind = rng.choice(["view", "cart", "purchase", "return"], n_interactions, p=[0.70, 0.15, 0.12, 0.03])
    at = pd.Timestamp("2026-11-20") - pd.to_timedelta(rng.uniform(0, 730, n_interactions), unit="D")
    inter = pd.DataFrame({"customer_id": cust + 1, "item_id": items["id"].to_numpy()[item], "kind": kind, "at": at})
    return inter, items


def demo_frames(seed: int):
    """The large demo data in memory (what ``python -m shop.demo --scale large`` writes to the database)."""
    from shop.demo import LARGE_SCALE, generate

    data = generate(seed=seed, scale=LARGE_SCALE, progress=True)
    inter = data.tables["interactions"][["customer_id", "item_id", "kind", "at"]].copy()
    inter["at"] = pd.Timestamp(data.base) + pd.to_timedelta(inter["at"], unit="s")
    items = data.tables["items"]
    return inter, items[["id", "title", "content_type", "category", "brand", "price", "stock", "product_group"]]


def states(model: Recommender, n: int, seed: int):
    """``n`` (customer, state) queries: 80% known customers, 20% anonymous; states drawn from typical dialogues."""
    rng = np.random.default_rng(seed)
    out = []
    for q in range(n):
        customer = int(rng.choice(model.customer_ids)) if rng.random() < 0.8 else None
        kind = q % 5
        t = model.types[rng.integers(len(model.types))]
        item = str(model.item_ids[rng.integers(len(model.item_ids))])
        state = [DialogueState(mentioned_types={t: 1.0}),
                 DialogueState(mentioned_categories={model.categories[rng.integers(len(model.categories))]: 1.0},
                               mentioned_types={t: 0.5}),
                 DialogueState(mentioned_items={item: 1.0}, needs={"related_items": 0.8}),
                 DialogueState(needs={"after_sales": 0.9}, negative_items={item: 1.0}, frustration=0.3),
                 DialogueState(needs={"product_info": 0.5})][kind]
        out.append((customer, state))
    return out


def latency_ms(model: Recommender, queries) -> np.ndarray:
    for customer, state in queries[:50]:  # warm-up
        model.recommend(customer, state, k=10)
    times = []
    for customer, state in queries:
        t0 = time.perf_counter()
        model.recommend(customer, state, k=10)
        times.append((time.perf_counter() - t0) * 1000.0)
    return np.array(times)


def serve_child(model_dir: str, n: int) -> None:
    """In a fresh process: load the model, serve ``n`` queries, print load time and RSS as JSON."""
    t0 = time.perf_counter()
    model = Recommender.load(model_dir)
    load_s = time.perf_counter() - t0
    lat = latency_ms(model, states(model, n, seed=1))
    print(json.dumps({"load_s": load_s, "rss_mb": rss_mb("VmRSS"), "peak_rss_mb": rss_mb("VmHWM"),
                      "p99_ms": float(np.percentile(lat, 99))}))


def confidence(inter: pd.DataFrame, model: Recommender) -> sp.csr_matrix:
    """The confidence matrix the model factorises (positive kinds summed, returned cells zeroed)."""
    inter = inter[inter["item_id"].isin(model.item_ids)]
    u = np.searchsorted(model.customer_ids, inter["customer_id"].to_numpy(np.int64))
    i = np.searchsorted(model.item_ids, inter["item_id"].astype(str).to_numpy())
    kind = inter["kind"].astype(str)
    shape = (len(model.customer_ids), len(model.item_ids))
    X = sp.csr_matrix((kind.map(KIND_WEIGHTS).clip(lower=0).to_numpy(np.float32), (u, i)), shape=shape)
    R = sp.csr_matrix(((kind == "return").to_numpy(np.float32), (u, i)), shape=shape) > 0
    X = (X - X.multiply(R)).tocsr()
    X.eliminate_zeros()
    return X


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="read a shop database (made by `python -m shop.demo --scale large --url ...`)")
    ap.add_argument("--synthetic", action="store_true", help="use the synthetic generator instead of shop.demo")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--out", default=str(ROOT / "reports" / "bench_recommender.json"))
    ap.add_argument("--serve-child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve_child:
        serve_child(args.serve_child, args.queries)
        return 0

    t0 = time.perf_counter()
    if args.db:
        from recommender.train import read_frames

        inter, items = read_frames(args.db, progress=True)
        source = f"database {args.db}"
    elif args.synthetic:
        inter, items = synthetic(seed=args.seed)
        source = "synthetic (bench/recommender.py: synthetic())"
    else:
        inter, items = demo_frames(args.seed)
        source = "shop.demo.generate(scale=large) in memory"
    data_s = time.perf_counter() - t0
    print(f"data: {source}: {len(items):,} items, {len(inter):,} interactions, "
          f"{inter['customer_id'].nunique():,} customers ({data_s:.0f} s)", flush=True)

    t0 = time.perf_counter()
    model = Recommender().fit(inter, items, seed=args.seed, progress=True)
    fit_s = time.perf_counter() - t0
    fit_peak = rss_mb("VmHWM")
    lat = latency_ms(model, states(model, args.queries, seed=args.seed))

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        model.save(tmp)
        save_s = time.perf_counter() - t0
        size_mb = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 2**20
        child = subprocess.run([sys.executable, __file__, "--serve-child", tmp, "--queries", "500"],
                               capture_output=True, text=True, check=True)
        served = json.loads(child.stdout.strip().splitlines()[-1])

    X = confidence(inter, model)
    from threadpoolctl import threadpool_limits

    from recommender.scorers import ALS

    p = model.params
    with threadpool_limits(1, "blas"):
        t0 = time.perf_counter()
        ALS(factors=p.factors, regularization=p.regularization, iterations=p.iterations, alpha=p.alpha,
            seed=args.seed).fit(X)
        als_s = time.perf_counter() - t0

    result = {
        "data": {"source": source, "items": len(items), "interactions": len(inter), "customers": len(model.customer_ids),
                 "matrix_nnz": int(X.nnz)},
        "fit_s": fit_s, "fit_steps_s": model.fit_seconds_,
        "recommend_ms": {"p50": float(np.percentile(lat, 50)), "p95": float(np.percentile(lat, 95)),
                         "p99": float(np.percentile(lat, 99)), "max": float(lat.max()), "queries": len(lat)},
        "save_s": save_s, "artefact_mb": size_mb,
        "load_s": served["load_s"], "serving_rss_mb": served["rss_mb"], "serving_peak_rss_mb": served["peak_rss_mb"],
        "serving_p99_ms": served["p99_ms"], "fit_peak_rss_mb": fit_peak, "implicit_als_fit_s": als_s,
        "targets": TARGETS, "cpus": os.cpu_count(),
    }
    checks = [("fit (s)", fit_s, TARGETS["fit_s"]), ("recommend p50 (ms)", result["recommend_ms"]["p50"], None),
              ("recommend p95 (ms)", result["recommend_ms"]["p95"], None),
              ("recommend p99 (ms)", result["recommend_ms"]["p99"], TARGETS["recommend_p99_ms"]),
              ("p99 in a fresh serving process (ms)", served["p99_ms"], TARGETS["recommend_p99_ms"]),
              ("load (s)", served["load_s"], TARGETS["load_s"]),
              ("serving RSS after load + 500 queries (MB)", served["rss_mb"], TARGETS["rss_mb"]),
              ("peak RSS while fitting (MB)", fit_peak, TARGETS["rss_mb"]),
              ("save (s)", save_s, None), ("artefacts (MB)", size_mb, None),
              ("implicit ALS fit, same matrix (s)", als_s, None)]
    result["met"] = {name: value <= target for name, value, target in checks if target is not None}
    print(f"\n{'measure':<44}{'value':>10}{'target':>10}  met")
    for name, value, target in checks:
        met = "" if target is None else ("yes" if value <= target else "NO")
        print(f"{name:<44}{value:>10.2f}{'' if target is None else f'{target:>10.0f}':>10}  {met}")
    print("fit steps (s): " + ", ".join(f"{k} {v:.1f}" for k, v in model.fit_seconds_.items()))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
