"""Fit the recommender only when it is missing or older than the shop database it was fitted on."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "models" / "recommender"


def db_mtime(url: str) -> float | None:
    """Modification time of a SQLite database file; None for server databases (always treated as unchanged)."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        return path.stat().st_mtime if path.exists() else None
    return None


def main() -> int:
    url = os.environ.get("SHOP_DB_URL", f"sqlite:///{ROOT / 'var' / 'shop.db'}")
    marker = OUT / "meta.json"
    db_time = db_mtime(url)
    if marker.exists() and (db_time is None or marker.stat().st_mtime >= db_time):
        print(f"Recommender up to date ({OUT.relative_to(ROOT)})")
        return 0
    cmd = [sys.executable, "-m", "recommender.train", "--db", url, "--out", str(OUT)]
    return subprocess.run(cmd, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
