"""Fit the recommender on the shop database and save its artefacts.

Usage::

    python -m recommender.train --db $SHOP_DB_URL --out models/recommender [--seed 0]

Reads ``items`` and ``interactions`` (SQLAlchemy + pandas), fits :class:`recommender.model.Recommender` with a
progress bar, and writes ``arrays.npz`` + ``meta.json`` (see ``model.py``). Exit code 2 with a one-line message when
the database is unreachable, has no schema or no items.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pandas as pd

ITEM_SQL = "SELECT id, title, content_type, category, brand, price, stock, product_group FROM items"
INTERACTION_SQL = "SELECT customer_id, item_id, kind, at FROM interactions"


def read_frames(url: str, *, progress: bool = False, chunk: int = 200_000) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(interactions, items)`` from the shop database at ``url`` in the frames ``Recommender.fit`` takes.

    Interactions are read in chunks of ``chunk`` rows (tqdm bar when ``progress``); ``kind`` becomes a category
    and ``at`` datetime64 to keep memory small."""
    from sqlalchemy import text
    from tqdm import tqdm

    from shop.db import get_engine

    engine = get_engine(url)
    with engine.connect() as conn:
        items = pd.read_sql(text(ITEM_SQL), conn)
        total = conn.execute(text("SELECT COUNT(*) FROM interactions")).scalar() or 0
        parts = []
        with tqdm(total=total, desc="read interactions", unit="row", disable=not progress) as bar:
            for part in pd.read_sql(text(INTERACTION_SQL), conn, chunksize=chunk):
                part["kind"] = part["kind"].astype("category")
                part["at"] = pd.to_datetime(part["at"])
                parts.append(part)
                bar.update(len(part))
    columns = ["customer_id", "item_id", "kind", "at"]
    interactions = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    items["price"] = items["price"].astype(float)
    return interactions, items


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m recommender.train", description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=None, help="database URL (default: $SHOP_DB_URL or var/shop.db)")
    ap.add_argument("--out", default="models/recommender", help="artefact directory (default models/recommender)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--quiet", action="store_true", help="no progress bars")
    args = ap.parse_args(argv)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

    from sqlalchemy.exc import SQLAlchemyError

    from recommender.model import Recommender
    from shop.db import _redact, database_url

    url = database_url(args.db)
    t0 = time.perf_counter()
    try:
        interactions, items = read_frames(url, progress=not args.quiet)
    except SQLAlchemyError as exc:
        print(f"error: cannot read the shop database {_redact(url)} ({type(exc).__name__}); "
              f"create it with `make data` or `python -m shop.demo --url ...`", file=sys.stderr)
        return 2
    if items.empty:
        print(f"error: the shop database {_redact(url)} has no items; run `python -m shop.demo --url ...` first",
              file=sys.stderr)
        return 2
    t1 = time.perf_counter()
    model = Recommender().fit(interactions, items, seed=args.seed, progress=not args.quiet)
    t2 = time.perf_counter()
    out = model.save(Path(args.out))
    print(f"recommender: {len(items):,} items, {len(interactions):,} interactions, "
          f"{len(model.customer_ids):,} customers, types {', '.join(model.types)}; "
          f"read {t1 - t0:.1f} s, fit {t2 - t1:.1f} s, saved to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
