"""Train the Rasa model only when its inputs changed.

The inputs (domain, config, training data, and the code of the pipeline components in `nlu/`) are hashed; the
hash is stored next to the model
(`models/shopmate.sha256`). If the model exists and the hash matches, nothing is trained, so
`make test` and `make run` reuse one model for as long as the assistant's files stay the same.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "shopmate.tar.gz"
HASH = ROOT / "models" / "shopmate.sha256"
# nlu/ holds pipeline components (sentence encoder, intent classifier): their code shapes the trained model too.
INPUTS = ["domain.yml", "domain", "config.yml", "data", "nlu"]


def input_files() -> list[Path]:
    files: list[Path] = []
    for name in INPUTS:
        p = ROOT / name
        if p.is_file():
            files.append(p)
        elif p.is_dir():
            files.extend(f for f in sorted(p.rglob("*")) if f.is_file() and f.suffix in {".yml", ".yaml", ".txt", ".py"})
    return files


def inputs_hash() -> str:
    h = hashlib.sha256()
    for f in input_files():
        h.update(str(f.relative_to(ROOT)).encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def main() -> int:
    digest = inputs_hash()
    if MODEL.exists() and HASH.exists() and HASH.read_text().strip() == digest:
        print(f"Rasa model up to date ({MODEL.relative_to(ROOT)}, inputs {digest[:12]})")
        return 0
    print(f"Training the Rasa model (inputs {digest[:12]} changed or no model yet) ...", flush=True)
    MODEL.parent.mkdir(parents=True, exist_ok=True)
    rasa = Path(sys.executable).with_name("rasa")
    start = time.monotonic()
    cmd = [str(rasa), "train", "--fixed-model-name", "shopmate", "--out", str(MODEL.parent), "--force"]
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false")
    result = subprocess.run(cmd, cwd=ROOT, env=env)
    if result.returncode != 0:
        return result.returncode
    HASH.write_text(digest + "\n")
    print(f"Rasa model trained in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
