"""One evaluation report: ``reports/README.md`` (markdown, images beside it), generated in one command.

Parts (each runs independently; a part that fails is reported in the report and does not stop the others):

1. **NLU** 5-fold cross-validation (``scripts/nlu_report.py --run``: ``rasa test nlu --cross-validation``, DIET
   trained once per fold, 10+ minutes on 2 cores): intent / entity tables and the intent confusion matrix. Gate:
   a macro F1 below ``--fail-below`` (0.85) fails the run.
2. **Stories**: ``rasa test core -m models/shopmate.tar.gz --stories tests/stories --out reports/core``; stories,
   correct, failed (with their names), action-level accuracy, the actions predicted imperfectly.
3. **Recommender**: ``python -m recommender.evaluate --dataset all --data-dir ../shared/data --out reports/``
   (ranking HR@10 / NDCG@10 per data set, sharing across types, dialogue-state targets; its JSON and PNG files
   stay beside the report, its printed tables are kept in ``reports/recommender_eval.txt``).
4. **Weights over a conversation**: a scripted conversation (greet, a camera question, a verified order status, a
   jacket return, a complaint) as the tracker events the actions record; ``actions.state.dialogue_state`` after
   each turn; the type weights ``recommender.weights.type_weights`` for the demo customer Alex Morgan (id 1)
   with the fitted recommender's profile and complements (``Recommender.weights``; a uniform, profile-free prior
   when ``models/recommender`` cannot be loaded): ``reports/weights_over_conversation.png`` and a table.

Exit status 0 when every part that ran succeeded and the NLU gate passed, 1 otherwise (the report is written in
both cases). ``--skip-nlu-cv`` / ``--skip-recommender`` leave out the two slow parts (quick runs);
``--reuse-nlu-cv`` / ``--reuse-recommender`` report the results an earlier run left in ``--out`` (the report says
when they were written) instead of computing them again.

Usage: ``python scripts/eval_report.py [--skip-nlu-cv] [--skip-recommender] [--folds 5] [--out reports]
[--data-dir ../shared/data] [--fail-below 0.85]`` (``make eval`` runs it after ``train-rasa`` and ``ml100k``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts import nlu_report  # noqa: E402

MODEL = ROOT / "models" / "shopmate.tar.gz"
RECOMMENDER_DIR = ROOT / "models" / "recommender"
DEMO_CUSTOMER = 1  # Alex Morgan (shop.demo.DEMO_CUSTOMERS)
PARTS = ("NLU cross-validation", "Story tests", "Recommender evaluation", "Weights over a conversation")


@dataclass
class Part:
    """One section of the report: ``status`` is ``ok``, ``gate failed``, ``failed`` or ``skipped``."""

    title: str
    status: str = "ok"
    seconds: float = 0.0
    headline: str = ""
    lines: List[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "gate failed")


def progress(msg: str) -> None:
    print(f"[eval {dt.datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def run_part(index: int, title: str, fn: Callable[[Part], None], skip: bool = False, reason: str = "") -> Part:
    """Run ``fn(part)``; an exception becomes a ``failed`` part whose section shows the traceback."""
    part = Part(title)
    if skip:
        part.status, part.headline = "skipped", reason
        part.lines = [f"_Skipped ({reason})._", ""]
        progress(f"part {index}/{len(PARTS)} {title}: skipped ({reason})")
        return part
    progress(f"part {index}/{len(PARTS)} {title}: started")
    t0 = time.monotonic()
    try:
        fn(part)
    except Exception as exc:  # noqa: BLE001 - one part's failure must not stop the others
        part.status = "failed"
        part.headline = f"{type(exc).__name__}: {exc}"
        part.lines += ["**This part failed:**", "", "```", traceback.format_exc().rstrip(), "```", ""]
    part.seconds = time.monotonic() - t0
    progress(f"part {index}/{len(PARTS)} {title}: {part.status} in {part.seconds:.0f} s"
             + (f" ({part.headline})" if part.headline else ""))
    return part


def run(cmd: Sequence[str], *, capture: bool = False) -> Tuple[int, str]:
    """Run a command in the repository (output streamed to the terminal; with ``capture`` stdout is also
    returned). Returns ``(exit status, captured stdout)``."""
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", PYTHONPATH=str(ROOT))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    progress("$ " + " ".join(str(c) for c in cmd))
    if not capture:
        return subprocess.run(list(map(str, cmd)), cwd=ROOT, env=env).returncode, ""
    out: List[str] = []
    with subprocess.Popen(list(map(str, cmd)), cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
                          bufsize=1) as proc:
        for line in proc.stdout:  # echo as it comes: the tables appear while the stderr progress bars run
            sys.stdout.write(line)
            sys.stdout.flush()
            out.append(line)
    return proc.returncode, "".join(out)


def fresh(path: Path, since: float) -> bool:
    """Whether ``path`` exists and was written after ``since`` (epoch seconds): not a stale earlier result."""
    return path.exists() and path.stat().st_mtime >= since - 1


def rel(path: Path, out: Path) -> str:
    """``path`` relative to ``out`` when it lies inside it, else absolute (for links and shown commands)."""
    path, out = Path(path).resolve(), Path(out).resolve()
    return os.path.relpath(path, out) if path.is_relative_to(out) else str(path)


def reused_at(path: Path) -> str:
    """When reused results were written, for the report: ``2026-12-04 10:24``."""
    if not path.exists():
        raise RuntimeError(f"nothing to reuse: {path} is missing (run without --reuse-*)")
    return f"{dt.datetime.fromtimestamp(path.stat().st_mtime):%Y-%m-%d %H:%M}"


def fmt(x: Any, digits: int = 4) -> str:
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return "" if x is None else str(x)


# ------------------------------------------------------------------------------------------------ 1. NLU
def nlu_part(args) -> Callable[[Part], None]:
    def fn(part: Part) -> None:
        nlu_dir = args.out / "nlu"
        t0 = time.time()
        md = args.out / "nlu_cv.md"
        if args.reuse_nlu_cv:  # the cross-validation already in --out (scripts/nlu_report.py --run), reformatted
            t0 = 0.0
            code, _ = run([sys.executable, ROOT / "scripts" / "nlu_report.py", "--dir", nlu_dir, "--out", args.out,
                           "--fail-below", args.fail_below])
            part.lines += [f"Reused: the cross-validation of {reused_at(nlu_dir / 'intent_report.json')} "
                           f"(`--reuse-nlu-cv`).", ""]
        else:
            progress(f"NLU: {args.folds}-fold cross-validation trains DIET {args.folds} times (10+ minutes on 2 cores)")
            code, _ = run([sys.executable, ROOT / "scripts" / "nlu_report.py", "--run", "--folds", args.folds,
                           "--dir", nlu_dir, "--out", args.out, "--fail-below", args.fail_below])
        if code not in (0, 1) or not fresh(md, t0):
            raise RuntimeError(f"scripts/nlu_report.py --run exited with status {code} (no fresh {md.name})")
        text = md.read_text().splitlines()
        body = [re.sub(r"^(#+) ", lambda m: "#" * (len(m.group(1)) + 2) + " ", line) if line.startswith("###")
                else line for line in text if not line.startswith("# ")]
        intents, entities = nlu_report.read_reports(nlu_dir)
        macros = nlu_report.gated_macros(intents, entities)
        worst = min(macros.values())
        part.headline = "macro F1 " + ", ".join(f"{k} {v:.3f}" for k, v in macros.items())
        gate = (f"Gate (intents and the entities the actions receive): every macro F1 >= {args.fail_below}: "
                f"**{'passed' if worst >= args.fail_below else 'FAILED'}**")
        if code == 1 or worst < args.fail_below:
            part.status = "gate failed"
        part.lines += [f"`rasa test nlu --nlu data --config config.yml --cross-validation --folds {args.folds} "
                       f"--successes --out {rel(nlu_dir, ROOT)}` via `scripts/nlu_report.py --run`; raw reports "
                       f"in [`{rel(nlu_dir, args.out)}/`]({rel(nlu_dir, args.out)}/).", "", gate, ""] + body + [""]
    return fn


# ------------------------------------------------------------------------------------------------ 2. stories
def story_names(path: Path) -> List[str]:
    if not path.exists():
        return []
    return re.findall(r"^\s*-\s*story:\s*(.+?)\s*$", path.read_text(), flags=re.M)


def stories_part(args) -> Callable[[Part], None]:
    def fn(part: Part) -> None:
        core = args.out / "core"
        t0 = time.time()
        code, _ = run([Path(sys.executable).with_name("rasa"), "test", "core", "-m", MODEL, "--stories",
                       ROOT / "tests" / "stories", "--out", core])
        report = core / "story_report.json"
        if code != 0 or not fresh(report, t0):
            raise RuntimeError(f"rasa test core exited with status {code} (no fresh {rel(report, ROOT)})")
        rep = json.loads(report.read_text())
        conv = rep.get("conversation_accuracy", {})
        total, correct = int(conv.get("total", 0)), int(conv.get("correct", 0))
        failed_names = story_names(core / "failed_test_stories.yml")
        failed = total - correct
        n_actions = rep.get("micro avg", rep.get("weighted avg", {})).get("support")
        labels = {k: v for k, v in rep.items() if isinstance(v, dict) and "f1-score" in v
                  and k not in ("micro avg", "macro avg", "weighted avg")}
        part.headline = (f"{correct}/{total} stories correct, {failed} failed; action accuracy "
                         f"{rep.get('accuracy', float('nan')):.4f}")
        part.lines += [
            f"`rasa test core -m {rel(MODEL, ROOT)} --stories tests/stories --out {rel(core, ROOT)}` "
            f"(raw reports in [`{rel(core, args.out)}/`]({rel(core, args.out)}/)).", "",
            "| stories | correct | failed | with warnings | story accuracy | predicted actions | action accuracy "
            "| action macro F1 | action weighted F1 |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {total} | {correct} | {failed} | {conv.get('with_warnings', 0)} | {fmt(conv.get('accuracy'))} | "
            f"{n_actions} | {fmt(rep.get('accuracy'))} | {fmt(rep.get('macro avg', {}).get('f1-score'))} | "
            f"{fmt(rep.get('weighted avg', {}).get('f1-score'))} |", ""]
        if failed_names:
            part.lines += ["Failed stories (details in "
                           f"[`{rel(core / 'failed_test_stories.yml', args.out)}`]"
                           f"({rel(core / 'failed_test_stories.yml', args.out)})):", ""]
            part.lines += [f"- {name}" for name in failed_names] + [""]
        imperfect = sorted((kv for kv in labels.items() if kv[1]["f1-score"] < 1.0), key=lambda kv: kv[1]["f1-score"])
        if imperfect:
            part.lines += ["Actions not predicted perfectly:", "", "| action | precision | recall | F1 | support |",
                           "|---|---:|---:|---:|---:|"]
            part.lines += [f"| {k} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1-score']:.3f} | "
                           f"{v['support']} |" for k, v in imperfect] + [""]
        else:
            part.lines += [f"All {len(labels)} actions that occur in the test stories are predicted with F1 1.000.",
                           ""]
        png = core / "story_confusion_matrix.png"
        if png.exists():
            part.lines += [f"Action confusion matrix: [`{rel(png, args.out)}`]({rel(png, args.out)}).", ""]
        if failed:
            part.lines += ["_Story failures are reported here, not gated (`make test-stories` is the gate)._", ""]
    return fn


# ------------------------------------------------------------------------------------------------ 3. recommender
def ranking_tables(reports: Dict[str, dict]) -> List[str]:
    ranked = {n: r for n, r in reports.items() if "ranking" in r}
    if not ranked:
        return []
    models = []
    for r in ranked.values():
        models += [m for m in r["ranking"]["results"] if m not in models]
    models.sort(key=lambda m: m == "ShopMate")  # the blend last, next to its target column
    out = ["### Ranking (leave-last-out, full ranking, HR@10 / NDCG@10 on the test item)", "",
           "| data set | users | items | " + " | ".join(models) + " | ShopMate >= EASE |",
           "|---|---:|---:|" + "---:|" * len(models) + "---|"]
    for name, r in ranked.items():
        res = r["ranking"]["results"]
        best = max(v["NDCG@10"] for v in res.values())
        cells = []
        for m in models:
            v = res.get(m)
            cell = f"{v['HR@10']:.4f} / {v['NDCG@10']:.4f}" if v else "–"
            cells.append(f"**{cell}**" if v and v["NDCG@10"] == best else cell)
        met = r["ranking"].get("target_ShopMate_ge_EASE", {}).get("met")
        out.append(f"| {name} | {r['n_users']} | {r['n_items']} | " + " | ".join(cells) + f" | {met} |")
    out += ["", "Cells: HR@10 / NDCG@10; bold = best NDCG@10 of the row. Hyper-parameters chosen on the validation "
            "item:", ""]
    for name, r in ranked.items():
        chosen = "; ".join(f"{m} {json.dumps(c)}" for m, c in r["ranking"]["chosen"].items() if c)
        out.append(f"- **{name}**: {chosen}")
    return out + [""]


def sharing_tables(reports: Dict[str, dict]) -> List[str]:
    out: List[str] = []
    for name, r in reports.items():
        for tgt, s in r.get("sharing", {}).items():
            if not out:
                out = ["### Sharing across types (joint factorisation vs per-type model, NDCG@10)", ""]
            out += [f"**{name}, target domain {tgt}** (twin cases {s['n_twin_cases']}, thinned users "
                    f"{s['n_thinned']}; targets {s['target_met']})", "",
                    "| group | n | joint | per-type | gain % |", "|---|---:|---:|---:|---:|"]
            for g, row in s["results"].items():
                out.append(f"| {g} | {row['joint']['n']} | {row['joint']['NDCG@10']:.4f} | "
                           f"{row['per-type']['NDCG@10']:.4f} | {row['gain_%']} |")
            out.append("")
    return out


def dialogue_tables(reports: Dict[str, dict]) -> List[str]:
    out: List[str] = []
    for name, r in reports.items():
        d = r.get("dialogue")
        if not d:
            continue
        if not out:
            out = ["### Dialogue state (stateless vs oracle type filter vs state-aware fusion; NDCG@10 (HR@10))", ""]
        ops = d["operating_points"]
        out += [f"**{name}**", "", "| condition | " + " | ".join(f"{n} (strength {o['strength']})"
                                                              for n, o in ops.items()) + " |",
                "|---|" + "---:|" * len(ops)]
        for cond in next(iter(ops.values()))["results"]:
            cells = [f"{o['results'][cond]['NDCG@10']:.4f} ({o['results'][cond]['HR@10']:.4f})" for o in ops.values()]
            out.append(f"| {cond} | " + " | ".join(cells) + " |")
        out.append("")
        out += ["| operating point | right recovers % of oracle gain | wrong vs stateless % | right >= 70% of gain "
                "| wrong within 10% | p80 beats stateless and hard |", "|---|---:|---:|---|---|---|"]
        for n, o in ops.items():
            t = o["targets_met"]
            out.append(f"| {n} | {o['right_recovers_%_of_oracle_gain']} | {o['wrong_vs_stateless_%']} | "
                       f"{t['right>=70%_of_oracle_gain']} | {t['wrong_within_10%']} | "
                       f"{t['p80_beats_stateless_and_hard']} |")
        out += ["", "Test NDCG@10 by fusion strength (right / wrong / p80): " + "; ".join(
            f"{lam}: {v['right']:.4f} / {v['wrong']:.4f} / {v['p80']:.4f}" for lam, v in d["test_curve"].items()),
            "", f"All three dialogue targets met at some strength on test: "
                f"**{d['all_three_met_at_some_strength_on_test']}**", ""]
    return out


def recommender_part(args) -> Callable[[Part], None]:
    def fn(part: Part) -> None:
        t0 = time.time()
        summary_path = args.out / "eval_summary.json"
        if args.reuse_recommender:  # the JSON an earlier run left in --out, reformatted
            t0, code = 0.0, 0 if summary_path.exists() else 2
            printed = (args.out / "recommender_eval.txt").read_text() if code == 0 else ""
            part.lines += [f"Reused: the evaluation of {reused_at(summary_path)} (`--reuse-recommender`).", ""]
        else:
            progress("recommender: every data set, tuned baselines + ShopMate blend + sharing + dialogue (long)")
            code, printed = run([sys.executable, "-m", "recommender.evaluate", "--dataset", "all", "--data-dir",
                                 args.data_dir, "--out", args.out], capture=True)
            (args.out / "recommender_eval.txt").write_text(printed)
        if code != 0 or not fresh(summary_path, t0):
            raise RuntimeError(f"python -m recommender.evaluate exited with status {code} "
                               f"(no fresh {summary_path.name}); printed output in recommender_eval.txt")
        summary = json.loads(summary_path.read_text())
        reports, missing = {}, {}
        for name, info in summary.items():
            if not isinstance(info, dict):
                continue
            if "missing" in info:
                missing[name] = info["missing"]
                continue
            path = args.out / f"eval_{name.replace(':', '_')}.json"
            reports[name] = json.loads(path.read_text())
        part.lines += [f"`python -m recommender.evaluate --dataset all --data-dir {args.data_dir} --out "
                       f"{rel(args.out, ROOT)}/` ({summary.get('total_seconds')} s; JSON per data set "
                       "`eval_<data set>.json`, printed tables in [`recommender_eval.txt`](recommender_eval.txt)).",
                       "", "| data set | users | items | interactions | seconds |", "|---|---:|---:|---:|---:|"]
        part.lines += [f"| {n} | {r['n_users']} | {r['n_items']} | {r['n_interactions']} | {r['seconds']} |"
                       for n, r in reports.items()] + [""]
        if missing:
            part.status = "failed"
            part.lines += ["**Data sets not evaluated (data missing):**", ""]
            part.lines += [f"- {n}: {m}" for n, m in missing.items()] + [""]
        part.lines += ranking_tables(reports) + sharing_tables(reports) + dialogue_tables(reports)
        part.lines += ["### Plots (NDCG@10 per panel)", ""]
        for name in reports:
            png = f"eval_{name.replace(':', '_')}.png"
            if (args.out / png).exists():
                part.lines += [f"![{name}]({png})", ""]
        part.lines += ["<details><summary>Printed output of recommender.evaluate</summary>", "", "```",
                       printed.strip(), "```", "", "</details>", ""]
        ranked = {n: r["ranking"]["results"] for n, r in reports.items() if "ranking" in r}
        part.headline = "; ".join(f"{n} ShopMate NDCG@10 {res['ShopMate']['NDCG@10']:.4f}"
                                  for n, res in ranked.items() if "ShopMate" in res)
        if missing:
            part.headline = f"missing data: {', '.join(missing)}; " + part.headline
    return fn


# ------------------------------------------------------------------------------------------------ 4. weights
class Conversation:
    """A tracker's event list as Rasa records it (``action_listen``, user message with parse data, slots, the
    action and the events it returned); ``tracker()`` builds a ``rasa_sdk.Tracker`` like ``tests/actions``."""

    def __init__(self, sender_id: str = "eval-weights"):
        self.sender_id, self.events, self.slots, self.latest = sender_id, [], {}, {}
        self.clock = 1_700_000_000.0

    def _t(self) -> float:
        self.clock += 1.0
        return self.clock

    def user(self, text: str, intent: str, entities: Sequence[Tuple[str, str]] = ()) -> "Conversation":
        parse = {"text": text, "intent": {"name": intent, "confidence": 1.0},
                 "intent_ranking": [{"name": intent, "confidence": 1.0}],
                 "entities": [{"entity": e, "value": v, "start": 0, "end": 0} for e, v in entities]}
        self.events.append({"event": "action", "name": "action_listen", "timestamp": self._t()})
        self.events.append({"event": "user", "text": text, "parse_data": parse, "timestamp": self._t()})
        self.latest = parse
        return self

    def action(self, name: str, events: Sequence[Any] = (), bot: str = "") -> "Conversation":
        self.events.append({"event": "action", "name": name, "timestamp": self._t()})
        if bot:
            self.events.append({"event": "bot", "text": bot, "metadata": {}, "timestamp": self._t()})
        for e in events:
            e = dict(e)
            self.events.append({**e, "timestamp": self._t()})
            if e.get("event") == "slot":
                self.slots[e["name"]] = e["value"]
        return self

    def tracker(self):
        from rasa_sdk import Tracker

        latest_action = next((e["name"] for e in reversed(self.events) if e["event"] == "action"), None)
        return Tracker(self.sender_id, dict(self.slots), dict(self.latest), list(self.events), False, None, {},
                       latest_action)


def slot(name: str, value: Any) -> Dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def demo_items() -> Tuple[Any, Any, List[Any], str]:
    """(camera viewed, jacket returned, lines of order SM-100001, source) from the demo shop; fixed demo ids
    (``shop.demo --seed 0``) when the shop database is not reachable."""
    from types import SimpleNamespace as NS

    try:
        from shop.services import Shop

        shop = Shop()
        camera = shop.catalog.search("compact camera", limit=1)[0]  # what action_product_info resolves
        order1 = shop.orders.status("SM-100001", DEMO_CUSTOMER)
        order2 = shop.orders.status("SM-100002", DEMO_CUSTOMER)
        jacket = next(line for line in order2.lines if line.content_type == "clothing")
        return camera, jacket, list(order1.lines), f"the demo shop ({shop!r})"
    except Exception as exc:  # noqa: BLE001 - the plot still works on the fixed ids
        camera = NS(id="EL-000019", content_type="electronics", category="cameras", title="Nikara KP450 Compact Camera")
        jacket = NS(item_id="CL-000038", content_type="clothing", category="jackets", title="Coastal Wool Jacket")
        lines = [NS(item_id="EL-000019", content_type="electronics", category="cameras"),
                 NS(item_id="EL-000078", content_type="electronics", category="camera bags")]
        return camera, jacket, lines, f"fixed demo ids (shop database unavailable: {type(exc).__name__}: {exc})"


def scripted_turns() -> Tuple[List[Tuple[str, Any]], str]:
    """``[(turn text, rasa_sdk.Tracker after the turn)]`` of the scripted conversation, and the items' source.

    The events are those the actions would record (see ``actions/products.py``, ``actions/orders.py``,
    ``actions/after_sales.py``): the camera question resolves the product (``product`` slot + a ``viewed``
    record), the order status after verification records the order's lines (``ordered``), the return sets
    ``return_item_id`` (a one-line order) and resets it when the return is created, the complaint apologises and
    files a ticket.
    """
    from actions.state import record

    camera, jacket, order_lines, source = demo_items()
    c = Conversation()
    turns: List[Tuple[str, Any]] = [("(start: profile only)", c.tracker())]

    text = "Hi there!"
    c.user(text, "greet").action("utter_greet", bot="Hi! I'm ShopMate.")
    turns.append((text, c.tracker()))

    text = "Do you have a compact camera?"
    c.user(text, "product_info", [("product", "compact camera")])
    c.action("action_product_info", [slot("product", camera.id), record("viewed", [camera])],
             bot=f"{camera.title} ...")
    c.action("utter_offer_related", bot="Shall I suggest related items?")
    turns.append((text, c.tracker()))

    text = "Where is my order SM-100001? I'm alex.morgan@example.com"
    c.user(text, "order_status", [("order_id", "SM-100001"), ("email", "alex.morgan@example.com")])
    c.action("validate_verify_form", [slot("order_id", "SM-100001"), slot("email", "alex.morgan@example.com")])
    c.action("verify_form", [slot("verified", True), slot("customer_id", float(DEMO_CUSTOMER)),
                             slot("verification_failures", 0.0), {"event": "active_loop", "name": None}])
    c.action("action_order_status", [record("ordered", order_lines)], bot="Order SM-100001 has shipped.")
    turns.append((text, c.tracker()))

    text = "I want to return the jacket from SM-100002, it doesn't fit"
    c.user(text, "return_item", [("product", "jacket"), ("order_id", "SM-100002"), ("reason", "doesn't fit")])
    c.action("return_form", [{"event": "active_loop", "name": "return_form"}, slot("order_id", "SM-100002"),
                             slot("return_item_id", jacket.item_id), slot("reason", "doesn't fit"),
                             {"event": "active_loop", "name": None}])
    c.action("action_start_return", [slot("return_item_id", None), slot("reason", None)],
             bot="Your return is registered.")
    turns.append((text, c.tracker()))

    text = "This is unacceptable, nobody answers my emails!"
    c.user(text, "complaint").action("utter_complaint_apology", bot="I'm sorry ...")
    c.action("action_file_complaint", [slot("dialogue_events", [{"kind": "ticket", "about": "complaint",
                                                                 "ticket": "T-0001", "ref": "eval"}])])
    turns.append((text, c.tracker()))
    return turns, source


def weights_part(args) -> Callable[[Part], None]:
    def fn(part: Part) -> None:
        from actions.state import dialogue_state
        from recommender.weights import type_weights

        turns, source = scripted_turns()
        try:
            from recommender.model import Recommender

            rec = Recommender.load(RECOMMENDER_DIR)
            profile = rec.profile(DEMO_CUSTOMER)
            weigh = lambda state: rec.weights(DEMO_CUSTOMER, state)  # noqa: E731 - type_weights + complements
            types = list(rec.types)
            prior_note = (f"profile of customer {DEMO_CUSTOMER} (Alex Morgan) from the fitted recommender "
                          f"(`{rel(RECOMMENDER_DIR, ROOT)}`): `Recommender.weights`, i.e. "
                          "`recommender.weights.type_weights(profile, state, complements=<co-purchase lift>, "
                          "types=<catalog types>)` with the types of mentioned / negative items and categories "
                          "added to the state")
        except Exception as exc:  # noqa: BLE001 - fall back to a prior without a profile
            from shop.models import CONTENT_TYPES

            types = list(CONTENT_TYPES)
            profile = {t: 1.0 for t in types}
            weigh = lambda state: type_weights(profile, state, types=types)  # noqa: E731
            prior_note = (f"**uniform, profile-free prior** (the fitted recommender could not be loaded: "
                          f"{type(exc).__name__}: {exc}); `recommender.weights.type_weights(uniform, state)`")
            part.headline = "profile-free prior (no fitted recommender)"
        rows = []
        for text, tracker in turns:
            state = dialogue_state(tracker)
            rows.append((text, state, weigh(state)))
        png = args.out / "weights_over_conversation.png"
        plot_weights(rows, types, png)
        part.lines += [
            "Scripted conversation (tracker events as the actions record them, built in `scripts/eval_report.py`; "
            f"items from {source}); `actions.state.dialogue_state` after each user turn; weights from the "
            f"{prior_note}.", "",
            f"![content-type weights over the conversation]({png.name})", "",
            "| turn | " + " | ".join(types) + " |", "|---|" + "---:|" * len(types),
            "| (profile share) | " + " | ".join(f"{profile.get(t, 0.0):.3f}" for t in types) + " |"]
        for i, (text, _, w) in enumerate(rows):
            part.lines.append(f"| {i}. {text} | " + " | ".join(f"{w[t]:.3f}" for t in types) + " |")
        part.lines += ["", "Dialogue state after each turn:", "",
                       "| turn | needs | mentioned types | mentioned categories | negative types | negative items "
                       "| frustration |", "|---|---|---|---|---|---|---:|"]
        short = lambda d: ", ".join(f"{k} {v:.2f}" for k, v in d.items()) or "–"  # noqa: E731
        for i, (text, s, _) in enumerate(rows):
            part.lines.append(f"| {i} | {short(s.needs)} | {short(s.mentioned_types)} | "
                              f"{short(s.mentioned_categories)} | {short(s.negative_types)} | "
                              f"{short(s.negative_items)} | {s.frustration:.2f} |")
        part.lines.append("")
        top = [max(w, key=w.get) for _, _, w in rows]
        part.headline = (part.headline + "; " if part.headline else "") + "top type per turn: " + " → ".join(top)
    return fn


def plot_weights(rows: List[Tuple[str, Any, Dict[str, float]]], types: List[str], png: Path) -> None:
    import textwrap

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    x = np.arange(len(rows))
    W = np.array([[w[t] for t in types] for _, _, w in rows]).T  # (types, turns)
    colours = plt.get_cmap("tab10").colors
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(12, 9), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    ax.stackplot(x, W, labels=types, colors=colours[:len(types)], alpha=0.85)
    for i in x:  # shares written inside the bands that are wide enough
        base = 0.0
        for j, t in enumerate(types):
            if W[j, i] >= 0.06:
                ax.text(i, base + W[j, i] / 2, f"{W[j, i]:.2f}", ha="center", va="center", fontsize=8)
            base += W[j, i]
    ax.set_ylim(0, 1)
    ax.set_ylabel("type weight (stacked, sums to 1)")
    ax.set_title("ShopMate: content-type weights over a scripted conversation (customer 1, Alex Morgan)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    for j, t in enumerate(types):
        ax2.plot(x, W[j], marker="o", color=colours[j], label=t)
    ax2.set_ylabel("type weight")
    ax2.set_ylim(0, max(0.05, W.max() * 1.1))
    ax2.grid(alpha=0.3)
    labels = [f"{i}. " + "\n".join(textwrap.wrap(text, 24, break_long_words=False))
              for i, (text, _, _) in enumerate(rows)]
    ax2.set_xticks(x, labels, fontsize=8)
    ax2.set_xlabel("after the user turn")
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110)
    plt.close(fig)


# ------------------------------------------------------------------------------------------------ report
def git_revision() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return (rev + (" (with uncommitted changes)" if dirty else "")) if rev else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def write_report(out: Path, parts: List[Part], args, started: dt.datetime, total: float, final: bool) -> Path:
    if not getattr(args, "revision", None):
        args.revision = git_revision()  # at the start of the run: the parts measure the code as it was then
    lines = ["# ShopMate evaluation report", "",
             f"Generated {started:%Y-%m-%d %H:%M} by `{' '.join(['python scripts/eval_report.py'] + args.argv)}` "
             f"(`make eval` runs it) at revision {args.revision}; Python {platform.python_version()}, "
             f"{os.cpu_count()} CPU cores; total {total:.0f} s." + ("" if final else " **(run in progress)**"), "",
             "| part | status | time | summary |", "|---|---|---:|---|"]
    for i, p in enumerate(parts, 1):
        status = p.status if p.status in ("ok", "skipped") else f"**{p.status.upper()}**"
        lines.append(f"| [{i}. {p.title}](#{i}-{p.title.lower().replace(' ', '-')}) | {status} | "
                     f"{p.seconds:.0f} s | {p.headline.replace('|', '/')} |")
    lines.append("")
    for i, p in enumerate(parts, 1):
        lines += [f"## {i}. {p.title}", ""] + p.lines
    path = out / "README.md"
    path.write_text("\n".join(lines).rstrip() + "\n")
    return path


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-nlu-cv", action="store_true", help="leave out the NLU cross-validation (10+ minutes)")
    ap.add_argument("--skip-recommender", action="store_true", help="leave out the recommender evaluation (long)")
    ap.add_argument("--reuse-nlu-cv", action="store_true",
                    help="report the cross-validation already in --out/nlu instead of running it again")
    ap.add_argument("--reuse-recommender", action="store_true",
                    help="report the recommender evaluation JSON already in --out instead of running it again")
    ap.add_argument("--folds", type=int, default=5, help="NLU cross-validation folds")
    ap.add_argument("--fail-below", type=float, default=0.85, help="NLU gate: minimum macro F1 (intents, entities)")
    ap.add_argument("--data-dir", default="../shared/data", help="public recommender data (amazon/, cross_domain/)")
    ap.add_argument("--out", type=Path, default=ROOT / "reports", help="report folder (README.md and images)")
    args = ap.parse_args(argv)
    args.argv = argv
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    started, t0 = dt.datetime.now(), time.monotonic()
    args.revision = git_revision()
    plan = [(nlu_part(args), args.skip_nlu_cv, "--skip-nlu-cv"), (stories_part(args), False, ""),
            (recommender_part(args), args.skip_recommender, "--skip-recommender"), (weights_part(args), False, "")]
    parts: List[Part] = []
    for i, ((fn, skip, reason), title) in enumerate(zip(plan, PARTS), 1):
        parts.append(run_part(i, title, fn, skip, reason))
        pending = [Part(t, status="pending") for t in PARTS[len(parts):]]
        write_report(args.out, parts + pending, args, started, time.monotonic() - t0, final=False)
    path = write_report(args.out, parts, args, started, time.monotonic() - t0, final=True)
    failed = [p.title + f" ({p.status})" for p in parts if p.failed]
    for i, p in enumerate(parts, 1):
        progress(f"{i}. {p.title}: {p.status}, {p.seconds:.0f} s" + (f" — {p.headline}" if p.headline else ""))
    progress(f"report: {path}" + (f"; FAILED: {', '.join(failed)}" if failed else "; all parts passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
