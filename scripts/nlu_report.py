"""NLU cross-validation report: a markdown table and an intent confusion-matrix image under ``reports/``.

Reads what ``rasa test nlu --cross-validation --folds 5 --successes --out reports/nlu`` writes (``intent_report.json``,
``<extractor>_report.json`` for each entity extractor, ``intent_successes.json`` / ``intent_errors.json``) and
writes ``reports/nlu_cv.md`` (macro / weighted F1 per part, per-intent and per-entity F1 with support) and
``reports/nlu_intent_confusion.png`` (rows: true intent, columns: predicted, row-normalised).
``--run`` runs the cross-validation first (slow: one DIET training per fold). Exit status 1 when a macro F1 falls
below ``--fail-below`` (default 0.85: a regression gate, not a target).

Usage: ``python scripts/nlu_report.py [--run] [--folds 5] [--dir reports/nlu] [--fail-below 0.85]``
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SUMMARY_KEYS = ("macro avg", "weighted avg", "micro avg", "accuracy")


def gated_macros(intents: dict, entity_reports: dict) -> dict[str, float]:
    """``{part: macro F1}`` of the parts the gate applies to: intents and every entity extractor that reports
    (``nlu.entities.EntityResolver`` tags every entity the actions receive, so it is the only one)."""
    macros = {"intents": intents["macro avg"]["f1-score"]}
    macros.update({f"entities ({name})": rep["macro avg"]["f1-score"] for name, rep in entity_reports.items()
                   if "macro avg" in rep})
    return macros


def learned_macro(report: dict) -> Optional[float]:
    """Macro F1 over the entity labels a model learns, i.e. without those a regex or the catalog's vocabulary
    decides (``nlu.gazetteer``): how well DIET does, apart from the dictionary's share."""
    from nlu.gazetteer import GAZETTEER_ENTITIES, PATTERN_ENTITIES

    scores = [v["f1-score"] for k, v in per_label(report).items() if k not in GAZETTEER_ENTITIES + PATTERN_ENTITIES]
    return float(np.mean(scores)) if scores else None


def read_reports(directory: Path) -> tuple[dict, dict]:
    """``(intent report, {extractor: entity report})`` as ``rasa test nlu`` wrote them into ``directory``."""
    entity_reports = {f.stem.removesuffix("_report"): load(f) for f in sorted(directory.glob("*_report.json"))
                      if f.stem not in ("intent_report", "response_selection_report")}
    return load(directory / "intent_report.json"), entity_reports


def load(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def per_label(report: dict) -> dict[str, dict]:
    return {k: v for k, v in report.items() if isinstance(v, dict) and k not in SUMMARY_KEYS and "f1-score" in v}


def table(title: str, report: dict) -> list[str]:
    rows = sorted(per_label(report).items(), key=lambda kv: kv[1]["f1-score"])
    out = [f"### {title}", "", "| label | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    out += [f"| {k} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1-score']:.3f} | {v['support']} |"
            for k, v in rows]
    return out + [""]


def confusion(pred_dir: Path, png: Path) -> bool:
    """Row-normalised confusion matrix of intents from the per-example successes and errors."""
    examples = (load_list(pred_dir / "intent_successes.json") + load_list(pred_dir / "intent_errors.json"))
    if not examples:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    true = [e["intent"] for e in examples]
    pred = [(e.get("intent_prediction") or {}).get("name") or "None" for e in examples]
    labels = sorted(set(true) | set(pred))
    index = {lab: i for i, lab in enumerate(labels)}
    m = np.zeros((len(labels), len(labels)))
    for t, p in zip(true, pred):
        m[index[t], index[p]] += 1
    norm = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(12, 11))
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    for i, j in zip(*np.nonzero(m)):
        ax.text(j, i, int(m[i, j]), ha="center", va="center", fontsize=6, color="white" if norm[i, j] > .5 else "black")
    ax.set_xlabel("predicted intent")
    ax.set_ylabel("true intent")
    ax.set_title("ShopMate NLU cross-validation: intent confusion (counts, colour = row share)")
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=120)
    return True


def load_list(path: Path) -> list:
    return json.loads(path.read_text()) if path.exists() else []


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", action="store_true", help="run `rasa test nlu --cross-validation` first")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--dir", type=Path, default=ROOT / "reports" / "nlu")
    p.add_argument("--out", type=Path, default=ROOT / "reports")
    p.add_argument("--fail-below", type=float, default=0.85)
    args = p.parse_args(argv)
    if args.run:
        rasa = Path(sys.executable).with_name("rasa")
        cmd = [str(rasa), "test", "nlu", "--nlu", "data", "--config", "config.yml", "--cross-validation",
               "--folds", str(args.folds), "--successes", "--out", str(args.dir)]
        env = dict(os.environ, RASA_TELEMETRY_ENABLED="false")
        for stale in [*args.dir.glob("*.json"), *args.dir.glob("*.png")]:  # an earlier pipeline's extractors
            stale.unlink()
        if subprocess.run(cmd, cwd=ROOT, env=env).returncode != 0:
            return 2
    intents, entity_reports = read_reports(args.dir)
    if not intents:
        print(f"no intent_report.json in {args.dir}: run with --run", file=sys.stderr)
        return 2
    parts = {"intents": intents, **{f"entities ({name})": rep for name, rep in entity_reports.items()}}
    lines = [f"# NLU {args.folds}-fold cross-validation", "",
             "| part | macro F1 | weighted F1 | support (examples; tokens for entities) |", "|---|---:|---:|---:|"]
    worst = min(gated_macros(intents, entity_reports).values())
    for name, rep in parts.items():
        macro, weighted = rep.get("macro avg", {}), rep.get("weighted avg", {})
        lines.append(f"| {name} | {macro.get('f1-score', float('nan')):.3f} | "
                     f"{weighted.get('f1-score', float('nan')):.3f} | {macro.get('support', '')} |")
    for name, rep in entity_reports.items():
        learned = learned_macro(rep)
        if learned is not None:
            lines.append(f"| entities ({name}), learned labels only (not gated) | {learned:.3f} | | |")
    lines.append("")
    for name, rep in parts.items():
        lines += table(name, rep)
    png = args.out / "nlu_intent_confusion.png"
    if confusion(args.dir, png):
        lines.append(f"![intent confusion matrix]({png.name})")
    md = args.out / "nlu_cv.md"
    md.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:4 + len(parts)]))
    print(f"report: {md}")
    if worst < args.fail_below:
        print(f"macro F1 {worst:.3f} below {args.fail_below}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
