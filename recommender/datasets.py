"""Loaders for the offline evaluation data and the leave-last-out split.

Every loader returns a :class:`Dataset`: per-user item sequences (time order where the source has it), optional item
types (int per item + names), and for the cross-domain pairs the official test items. Missing files raise
:class:`MissingData` whose message is a one-line instruction (the CLI prints it and exits 2).

Sources (see ../shared/data/README.md): Amazon 5-core sequences (``amazon/<Name>.txt``: ``user item item ...``),
DisenCDR cross-domain pairs (``cross_domain/X_Y/{train,test}.txt``: ``user \\t item \\t 1``), MovieLens 100K
(``ml-100k.inter`` / ``ml-100k.item`` from the ``recbole==1.2.1`` wheel; ``python -m recommender.datasets
fetch-ml100k``), and the demo shop database (``interactions`` + ``items`` tables via SQLAlchemy / pandas).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import pandas as pd
import scipy.sparse as sp

AMAZON = {"beauty": "Beauty", "sports": "Sports_and_Outdoors"}
CROSS_PAIRS = ("sport_cloth", "phone_electronic")
ML100K_DIR = Path("data/external/ml-100k")
ML100K_HINT = "run `make ml100k` (or `python -m recommender.datasets fetch-ml100k`)"


class MissingData(Exception):
    """A data file is absent; ``str(exc)`` says which path and how to get it."""


@dataclass
class Dataset:
    """Implicit-feedback data as item sequences.

    Attributes:
        name: data set name.
        sequences: one int array of item indices per user (index = user id), in time order when known.
        n_items: number of items (indices ``0..n_items-1``).
        item_type: ``(n_items,)`` int type index per item, or ``None``; type_names: name per type index.
        test_items: ``(n_users,)`` official test item per user (-1 = none) for sources that ship a split;
        test_items_other: the same for the second domain of a cross-domain pair.
    """

    name: str
    sequences: List[np.ndarray]
    n_items: int
    item_type: Optional[np.ndarray] = None
    type_names: List[str] = field(default_factory=list)
    test_items: Optional[np.ndarray] = None
    test_items_other: Optional[np.ndarray] = None

    @property
    def n_users(self) -> int:
        return len(self.sequences)

    @property
    def n_interactions(self) -> int:
        return int(sum(len(s) for s in self.sequences))


def to_csr(sequences: List[np.ndarray], n_items: int) -> sp.csr_matrix:
    """Binary ``(len(sequences), n_items)`` float32 csr (repeats count once)."""
    lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
    cols = np.concatenate(sequences).astype(np.int64) if lengths.sum() else np.zeros(0, np.int64)
    rows = np.repeat(np.arange(len(sequences)), lengths)
    X = sp.csr_matrix((np.ones(len(cols), np.float32), (rows, cols)), shape=(len(sequences), n_items))
    X.data[:] = 1.0  # duplicates were summed
    return X


@dataclass
class Split:
    """Leave-last-out split: ``train`` (all but the last two items), ``valid_*`` (second-to-last item, scored from
    ``train``), ``trainval`` (all but the last) and ``test_*`` (last item, scored from ``trainval``). Users with fewer
    than 3 items stay in the training data and are not evaluated. Matrices are ``(n_users, n_items)`` csr."""

    train: sp.csr_matrix
    trainval: sp.csr_matrix
    valid_users: np.ndarray
    valid_items: np.ndarray
    test_users: np.ndarray
    test_items: np.ndarray


def leave_last_out(sequences: List[np.ndarray], n_items: int) -> Split:
    long = np.array([len(s) >= 3 for s in sequences], dtype=bool)
    users = np.flatnonzero(long)
    train = [s[:-2] if ok else s for s, ok in zip(sequences, long)]
    trainval = [s[:-1] if ok else s for s, ok in zip(sequences, long)]
    return Split(to_csr(train, n_items), to_csr(trainval, n_items), users,
                 np.array([sequences[u][-2] for u in users], dtype=np.int64), users,
                 np.array([sequences[u][-1] for u in users], dtype=np.int64))


def _need(path: Path, hint: str) -> Path:
    if not path.exists():
        raise MissingData(f"missing {path}: {hint}")
    return path


def _sequences(frame: pd.DataFrame, n_users: int) -> List[np.ndarray]:
    """Group a frame with integer ``user`` / ``item`` columns (already ordered) into per-user arrays."""
    seqs = [np.zeros(0, np.int64)] * n_users
    for u, items in frame.groupby("user", sort=False)["item"]:
        seqs[u] = items.to_numpy(np.int64)
    return seqs


def load_amazon(data_dir, name: str = "beauty") -> Dataset:
    """``<data_dir>/amazon/<Name>.txt``: one line per user, ``user_id item_id ...`` in time order."""
    path = _need(Path(data_dir) / "amazon" / f"{AMAZON.get(name, name)}.txt",
                 "pass --data-dir pointing at the shared data folder (the one holding amazon/)")
    seqs_raw = [np.array(line.split()[1:], dtype=np.int64) for line in path.read_text().splitlines() if line.strip()]
    ids, inv = np.unique(np.concatenate(seqs_raw), return_inverse=True)
    bounds = np.cumsum([0] + [len(s) for s in seqs_raw])
    return Dataset(name, [inv[a:b] for a, b in zip(bounds[:-1], bounds[1:])], len(ids))


def load_ml100k(path=None) -> Dataset:
    """MovieLens 100K (all 100k ratings as implicit feedback, ordered by timestamp; ties keep file order).

    Item type = the movie's first listed genre in ``ml-100k.item`` (genres are listed in the data set's fixed genre
    order, so this is deterministic; ``unknown`` if none)."""
    path = Path(path) if path is not None else ML100K_DIR
    inter = pd.read_csv(_need(path / "ml-100k.inter", ML100K_HINT), sep="\t")
    inter.columns = [c.split(":")[0] for c in inter.columns]
    items = pd.read_csv(_need(path / "ml-100k.item", ML100K_HINT), sep="\t", quoting=3)
    items.columns = [c.split(":")[0] for c in items.columns]
    item_ids = np.unique(np.concatenate([inter["item_id"].to_numpy(), items["item_id"].to_numpy()]))
    user_ids = np.unique(inter["user_id"].to_numpy())
    inter = inter.sort_values("timestamp", kind="stable")
    frame = pd.DataFrame({"user": np.searchsorted(user_ids, inter["user_id"]),
                          "item": np.searchsorted(item_ids, inter["item_id"])})
    genre = items.set_index("item_id")["class"].reindex(item_ids).fillna("unknown").astype(str)
    first = genre.str.split().str[0].fillna("unknown")
    names = sorted(first.unique())
    return Dataset("ml-100k", _sequences(frame, len(user_ids)), len(item_ids),
                   np.searchsorted(names, first.to_numpy()), names)


def load_cross_domain(data_dir, pair: str = "sport_cloth") -> Dataset:
    """A DisenCDR pair ``X_Y``: both domains' items pooled (domain X first, then Y; type = domain), shared users.

    ``sequences`` holds the training interactions of both domains (file order; the files are not time-ordered);
    ``test_items`` holds the official test item per user of domain X (``X_Y/test.txt``, -1 if none) and
    ``test_items_other`` the one of domain Y (``Y_X/test.txt``)."""
    x, y = pair.split("_")
    root = Path(data_dir) / "cross_domain"
    hint = "pass --data-dir pointing at the shared data folder (the one holding cross_domain/)"
    read = lambda p: pd.read_csv(_need(p, hint), sep="\t", header=None, names=["user", "item", "r"])  # noqa: E731
    parts = {d: (read(root / f"{d}_{o}" / "train.txt"), read(root / f"{d}_{o}" / "test.txt")) for d, o in ((x, y), (y, x))}
    n_users = int(max(f["user"].max() for tr, te in parts.values() for f in (tr, te))) + 1
    offset, frames, tests = 0, [], {}
    for d in (x, y):
        tr, te = parts[d]
        ids = np.unique(np.concatenate([tr["item"], te["item"]]))
        frames.append(pd.DataFrame({"user": tr["user"], "item": np.searchsorted(ids, tr["item"]) + offset}))
        t = np.full(n_users, -1, np.int64)
        t[te["user"].to_numpy()] = np.searchsorted(ids, te["item"]) + offset
        tests[d] = (t, offset, len(ids))
        offset += len(ids)
    item_type = np.concatenate([np.full(tests[d][2], k, np.int64) for k, d in enumerate((x, y))])
    return Dataset(f"cross:{pair}", _sequences(pd.concat(frames, ignore_index=True), n_users), offset, item_type,
                   [x, y], tests[x][0], tests[y][0])


def load_demo(url: Optional[str] = None, kinds=("view", "cart", "purchase")) -> Dataset:
    """The demo shop database (``shop.db.database_url``): interactions of the given kinds ordered by time; item type
    = ``items.content_type``. Returns are left out (they count against an item, not for it)."""
    from sqlalchemy import create_engine, inspect

    from shop.db import database_url

    url = database_url(url)
    engine = create_engine(url)
    try:
        if not inspect(engine).has_table("interactions"):
            raise MissingData(f"no shop data at {url}: run `make data` (python -m shop.demo)")
        inter = pd.read_sql("SELECT customer_id, item_id, kind, at FROM interactions", engine)
        items = pd.read_sql("SELECT id, content_type FROM items ORDER BY id", engine)
    finally:
        engine.dispose()
    inter = inter[inter["kind"].isin(kinds)].sort_values(["at", "customer_id"], kind="stable")
    if inter.empty:
        raise MissingData(f"no interactions in {url}: run `make data` (python -m shop.demo)")
    users = np.unique(inter["customer_id"].to_numpy())
    item_ids = items["id"].to_numpy()
    frame = pd.DataFrame({"user": np.searchsorted(users, inter["customer_id"]),
                          "item": np.searchsorted(item_ids, inter["item_id"])})
    names = sorted(items["content_type"].unique())
    return Dataset("demo", _sequences(frame, len(users)), len(item_ids),
                   np.searchsorted(names, items["content_type"].to_numpy()), names)


def fetch_ml100k(dest=ML100K_DIR, version: str = "1.2.1") -> Path:
    """Download the ``recbole`` wheel (no dependencies, nothing installed) and extract MovieLens 100K into ``dest``."""
    dest = Path(dest)
    if (dest / "ml-100k.inter").exists() and (dest / "ml-100k.item").exists():
        return dest
    prefix = "recbole/dataset_example/ml-100k/"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", f"recbole=={version}", "--no-deps", "-q", "-d", tmp],
                       check=True)
        wheel = next(Path(tmp).glob("recbole-*.whl"))
        dest.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as zf:
            for member in zf.namelist():
                if member.startswith(prefix) and not member.endswith("/"):
                    with zf.open(member) as src, open(dest / member[len(prefix):], "wb") as dst:
                        shutil.copyfileobj(src, dst)
    return dest


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m recommender.datasets")
    sub = parser.add_subparsers(dest="cmd", required=True)
    fetch = sub.add_parser("fetch-ml100k", help="extract MovieLens 100K from the recbole wheel")
    fetch.add_argument("--dest", default=str(ML100K_DIR))
    args = parser.parse_args(argv)
    if args.cmd == "fetch-ml100k":
        try:
            path = fetch_ml100k(args.dest)
        except subprocess.CalledProcessError:
            print("could not download recbole==1.2.1 with pip (network / index?): see ../shared/data/README.md",
                  file=sys.stderr)
            return 2
        print(f"MovieLens 100K in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
