"""Latency, throughput and memory of the running assistant over REST, against a minimal `rasa init` bot.

Usage::

    python bench/latency.py            # defaults: 100 new conversations, 5 x 20-turn conversations, 30 s of load
    python bench/latency.py --quick    # smoke run: fewer requests, 10 s of load

The assistants run on this machine side by side, with ``scripts.stack.Stack`` on free ports of 127.0.0.1 (state,
logs and a copy of the shop database in a temp folder), each conversation kept in a SQL tracker store on SQLite, and
are measured taking turns (request by request, conversation by conversation, load window by load window), so that
a machine that slows down or speeds up during the run (this one is a VM and does) affects all of them alike:

* **ShopMate**: ``models/shopmate.tar.gz`` + the action server (recommender ``models/recommender``), with the
  project's ``endpoints.yml`` and ``credentials.yml``.
* **baseline** ("rasa init"): the bot of ``rasa init --no-prompt`` (its template's config, domain and data), trained
  with ``rasa train --fixed-model-name baseline`` and cached under ``models/baseline/<hash of its inputs>/``, run
  as generated: the template's ``credentials.yml`` (Rasa's own REST channel), TensorFlow's and OpenBLAS's default
  threads, and
  Rasa's stock ``type: SQL`` tracker store. It has no custom actions, so only its Rasa server runs. (``rasa init
  --no-prompt`` trains a model of its own as well; that one is thrown away and the ``rasa train`` run is timed on a
  fresh cache.) The targets are ratios to this bot.
* **baseline ("same runtime")**: the same model on ShopMate's runtime: ShopMate's ``endpoints.yml`` and
  ``credentials.yml`` (which load ``channels/``: the cached tracker store and the shortcuts for work Rasa repeats)
  and the TensorFlow and OpenBLAS threads ``scripts/stack.py`` sets. Its ratios show how much of ShopMate's time is
  the assistant's own work rather than the runtime's; the table reports both.

For each: start times (``Stack.timings``) and resident memory (``VmRSS`` summed over each server's process group)
after warm-up and after the load; the round trip of ``POST /webhooks/rest/webhook`` (httpx) for (a) new
conversations (one "hi" per new sender) and (b) scripted 20-turn conversations (ShopMate: verification, order
status, a cancellation declined, a return, a refund question and recommendations as the demo customer Alex Morgan;
baseline: the ``rasa init`` bot's own intents); throughput of ``--concurrency`` senders running those conversations
for ``--duration`` seconds in ``--windows`` windows; and, for ShopMate, ``action_recommend`` posted straight to the action server's
``/webhook`` with the tracker (``GET /conversations/<id>/tracker?until=``: the state just before the action ran in a
real conversation) and domain (``GET /domain``) the Rasa server would send. Every turn must get a non-empty reply:
errors, empty replies and replies that don't match the script's expectation are counted (and quoted in the JSON).

Between the sequential ShopMate conversations the benchmark deletes the return (and its interaction) that the
previous conversation registered in its own copy of the shop database, so every conversation does the same work;
during the throughput run it does not (concurrent conversations), and the report says how many registered a return.

Prints a table and writes ``reports/bench_latency.json``. Targets: ShopMate's p50 <= 1.5 x the baseline's at equal
conversation length (20 turns), p99 <= 400 ms at 20 turns, throughput >= 0.8 x the baseline's, action server p99 <=
50 ms for ``action_recommend``. Timings are reported, never asserted. Run it on an otherwise idle machine: the load
average at the start and the end is in the JSON.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from scripts.stack import THREADS, VENV_BIN, Stack, StackConfig  # noqa: E402

TARGETS = {"p50_ratio_20_turns": 1.5, "p99_20_turns_ms": 400.0, "throughput_ratio": 0.8, "action_p99_ms": 50.0}
HOST = "127.0.0.1"
REQUEST_TIMEOUT = 30.0
RECOMMEND_ACTION = "action_recommend"  # actions/recommendations.py: ActionRecommend.name(); listed in domain.yml

# (what the customer says, a regex the bot's reply should match). Found by chatting with the running assistant.
Turns = Sequence[Tuple[str, str]]
SHOPMATE_TURNS: Turns = [
    ("hi", r"ShopMate"),
    ("where is my order?", r"order number"),
    ("SM-100001", r"e-mail address"),
    ("alex.morgan@example.com", r"verified.*SM-100001: shipped"),
    ("yes please", r"You might also like"),
    ("what is the status of SM-100003?", r"SM-100003: placed"),
    ("can I cancel SM-100003?", r"really want to cancel"),
    ("no, keep it", r"haven't changed anything"),
    ("where is my order SM-100002?", r"SM-100002: delivered"),
    ("I want to return the jacket from SM-100002", r"reason for the return"),
    ("it's too small", r"RMA-"),
    ("where is my refund?", r"refund"),
    ("show me related items", r"You might also like"),
    ("what else would you recommend?", r"You might also like"),
    ("do you have a camera?", r"Camera"),
    ("what goes with it?", r"You might also like"),
    ("how long does delivery take?", r"delivery"),
    ("are you a bot?", r"\bbot\b"),
    ("thanks", r"welcome"),
    ("bye", r"bye"),
]
RELATED_TURN = "show me related items"  # the action server benchmark replays the state before this turn's action
RETURN_TABLES = ("return_lines", "refunds", "returns", "interactions")  # what a registered return adds

# The `rasa init` bot: greet / mood_great / mood_unhappy / affirm / deny / goodbye / bot_challenge.
BASELINE_TURNS: Turns = [
    ("hello", r"How are you"),
    ("I am great", r"carry on"),
    ("are you a bot?", r"I am a bot"),
    ("bye", r"Bye"),
    ("hi", r"How are you"),
    ("I am sad", r"cheer you up"),
    ("yes", r"carry on"),
    ("hey there", r"How are you"),
    ("not good", r"cheer you up"),
    ("no", r"Bye"),
    ("good morning", r"How are you"),
    ("perfect", r"carry on"),
    ("am I talking to a human?", r"I am a bot"),
    ("goodbye", r"Bye"),
    ("hello there", r"How are you"),
    ("I am unhappy", r"cheer you up"),
    ("of course", r"carry on"),
    ("are you a human?", r"I am a bot"),
    ("see you later", r"Bye"),
    ("hey", r"How are you"),
]


# --- measuring helpers -------------------------------------------------------------------------------------
def pct(values: Sequence[float]) -> Dict[str, float]:
    if not len(values):
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": float("nan"), "n": 0}
    a = np.asarray(values, dtype=float)
    return {"p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95)),
            "p99": float(np.percentile(a, 99)), "max": float(a.max()), "n": int(len(a))}


def group_rss_mb(pgid: Optional[int]) -> float:
    """Resident memory (``VmRSS``) summed over every process of the process group ``pgid``, in MB."""
    if pgid is None:
        return float("nan")
    total_kb = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[2]) != pgid:  # fields after "(comm)": state ppid pgrp
                continue
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total_kb / 1024.0


def loadavg() -> List[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


def reply_text(replies: List[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def non_empty(replies) -> bool:
    return isinstance(replies, list) and any(
        isinstance(r, dict) and (r.get("text") or r.get("image") or r.get("custom") or r.get("buttons"))
        for r in replies)


class Bot:
    """The REST webhook of one running Rasa server; the same client code measures both assistants."""

    def __init__(self, name: str, rasa_url: str):
        self.name, self.rasa_url = name, rasa_url
        self.webhook = f"{rasa_url}/webhooks/rest/webhook"
        self.client = httpx.Client(timeout=REQUEST_TIMEOUT, trust_env=False)  # no proxy: 127.0.0.1 only

    def close(self) -> None:
        self.client.close()

    def say(self, sender: str, text: str) -> Tuple[float, Optional[List[dict]], Optional[str]]:
        """(round trip in ms, replies or None, error or None)."""
        t0 = time.perf_counter()
        try:
            resp = self.client.post(self.webhook, json={"sender": sender, "message": text})
            ms = (time.perf_counter() - t0) * 1000.0
            if resp.status_code != 200:
                return ms, None, f"HTTP {resp.status_code}: {resp.text[:200]}"
            return ms, resp.json(), None
        except (httpx.HTTPError, ValueError) as exc:
            return (time.perf_counter() - t0) * 1000.0, None, f"{type(exc).__name__}: {exc}"


class Tally:
    """Errors, empty replies and replies that don't match the script, with a few quoted examples."""

    def __init__(self):
        self.errors = self.empty = self.unexpected = 0
        self.examples: List[dict] = []

    def check(self, sender: str, turn: int, text: str, expect: Optional[str], replies, error) -> None:
        problem = None
        if error:
            self.errors += 1
            problem = error
        elif not non_empty(replies):
            self.empty += 1
            problem = "empty reply"
        elif expect and not re.search(expect, reply_text(replies), re.I | re.S):
            self.unexpected += 1
            problem = f"expected /{expect}/"
        if problem and len(self.examples) < 40:
            self.examples.append({"sender": sender, "turn": turn, "said": text, "problem": problem,
                                  "reply": reply_text(replies or [])[:400]})

    def as_dict(self) -> dict:
        return {"errors": self.errors, "empty_replies": self.empty, "unexpected_replies": self.unexpected,
                "examples": self.examples}


def new_sender(tag: str) -> str:
    return f"bench-{tag}-{uuid.uuid4().hex[:12]}"


class Phase:
    """One assistant's measurements of one kind, gathered over the rounds in which the assistants take turns."""

    def __init__(self):
        self.tally, self.times, self.senders = Tally(), [], []
        self.per_turn: Dict[int, List[float]] = {}
        self.counts = {"completed": 0, "conversations_started": 0, "conversations_finished": 0, "late": 0}
        self.seen = {"rma": 0, "already_returned": 0}
        self.duration = 0.0
        self.rounds = 0
        self.cursor: Dict[int, Tuple[str, int]] = {}  # load: where each sender's conversation stopped


def new_conversations(bot: Bot, n: int, acc: Phase) -> None:
    """One "hi" per new sender id, ``n`` times."""
    acc.rounds += 1
    for _ in range(n):
        sender = new_sender("new")
        ms, replies, error = bot.say(sender, "hi")
        acc.tally.check(sender, 1, "hi", None, replies, error)
        if error is None:
            acc.times.append(ms)


def new_conversations_result(acc: Phase) -> dict:
    return {"round_trip_ms": pct(acc.times), "rounds": acc.rounds, **acc.tally.as_dict()}


def conversation(bot: Bot, turns: Turns, acc: Phase, between: Callable[[], None] = lambda: None) -> None:
    """One scripted conversation (``between()`` runs before it)."""
    between()
    sender = new_sender("conv")
    acc.senders.append(sender)
    acc.rounds += 1
    for i, (text, expect) in enumerate(turns):
        ms, replies, error = bot.say(sender, text)
        acc.tally.check(sender, i + 1, text, expect, replies, error)
        if error is None:
            acc.times.append(ms)
            acc.per_turn.setdefault(i, []).append(ms)


def conversations_result(acc: Phase, turns: Turns) -> dict:
    return {"turns": len(turns), "conversations": acc.rounds, "round_trip_ms": pct(acc.times), **acc.tally.as_dict(),
            "per_turn": [{"turn": i + 1, "said": turns[i][0], "p50_ms": pct(acc.per_turn.get(i, []))["p50"],
                          "max_ms": pct(acc.per_turn.get(i, []))["max"]} for i in range(len(turns))],
            "senders": acc.senders}


async def _load(bot: Bot, turns: Turns, concurrency: int, duration: float, acc: Phase) -> None:
    counts, text_seen, tally, times = acc.counts, acc.seen, acc.tally, acc.times
    max_conversations = 10_000  # per sender: a hard bound besides the deadline
    bar = tqdm(desc=f"{bot.name}: {concurrency} senders for {duration:.0f} s", unit="turn", file=sys.stderr,
               leave=False)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT, trust_env=False, limits=limits) as client:
        start = time.monotonic()
        deadline = start + duration

        async def sender_loop(worker: int) -> None:
            # a conversation cut by the end of a window goes on in the next one (acc.cursor), so that windows
            # see the script's turns in the same mix as one long run would
            sender, first = acc.cursor.pop(worker, (None, 0))
            for _ in range(max_conversations):
                if time.monotonic() >= deadline:
                    if sender is not None:
                        acc.cursor[worker] = (sender, first)
                    return
                if sender is None:
                    sender, first = new_sender(f"load{worker}"), 0
                    counts["conversations_started"] += 1
                for i in range(first, len(turns)):
                    text, expect = turns[i]
                    if time.monotonic() >= deadline:
                        acc.cursor[worker] = (sender, i)
                        return
                    t0 = time.perf_counter()
                    replies, error = None, None
                    try:
                        resp = await client.post(bot.webhook, json={"sender": sender, "message": text})
                        if resp.status_code == 200:
                            replies = resp.json()
                        else:
                            error = f"HTTP {resp.status_code}: {resp.text[:200]}"
                    except (httpx.HTTPError, ValueError) as exc:
                        error = f"{type(exc).__name__}: {exc}"
                    ms = (time.perf_counter() - t0) * 1000.0
                    if time.monotonic() > deadline:  # answered after the end: not counted
                        counts["late"] += 1
                        if i + 1 < len(turns):
                            acc.cursor[worker] = (sender, i + 1)
                        return
                    tally.check(sender, i + 1, text, expect, replies, error)
                    if error is None and non_empty(replies):
                        counts["completed"] += 1
                        times.append(ms)
                        said = reply_text(replies)
                        text_seen["rma"] += "RMA-" in said
                        text_seen["already_returned"] += "already been returned" in said
                    bar.update()
                counts["conversations_finished"] += 1
                sender, first = None, 0

        await asyncio.gather(*(sender_loop(w) for w in range(concurrency)))
        acc.duration += min(time.monotonic(), deadline) - start
    acc.rounds += 1
    bar.close()


def throughput(bot: Bot, turns: Turns, concurrency: int, duration: float, acc: Phase) -> None:
    """``concurrency`` senders running ``turns`` over and over for ``duration`` seconds (one load window)."""
    asyncio.run(_load(bot, turns, concurrency, duration, acc))


def throughput_result(acc: Phase, concurrency: int) -> dict:
    return {"concurrency": concurrency, "duration_s": acc.duration, "windows": acc.rounds,
            "turns_per_s": acc.counts["completed"] / acc.duration if acc.duration else float("nan"),
            **acc.counts, "round_trip_ms": pct(acc.times), "replies_with_rma": acc.seen["rma"],
            "replies_already_returned": acc.seen["already_returned"], **acc.tally.as_dict()}


# --- ShopMate specifics ------------------------------------------------------------------------------------
def copy_db(src: Path, dst: Path) -> None:
    """A consistent copy of a SQLite database (the backup API; ``src`` is only read)."""
    with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as a, sqlite3.connect(dst) as b:
        a.backup(b)


class ReturnReset:
    """Deletes what a conversation's return added to the benchmark's copy of the shop database (rows of
    ``RETURN_TABLES`` above the ids present at the start), so that the next conversation can return the jacket."""

    def __init__(self, db: Path):
        self.db = db
        with sqlite3.connect(db) as con:
            self.max_ids = {t: con.execute(f"SELECT COALESCE(MAX(id), 0) FROM {t}").fetchone()[0]
                            for t in RETURN_TABLES}

    def __call__(self) -> None:
        with sqlite3.connect(self.db, timeout=30) as con:
            for table in RETURN_TABLES:  # children first
                con.execute(f"DELETE FROM {table} WHERE id > ?", (self.max_ids[table],))


def recommend_payload(bot: Bot, sender: str) -> Tuple[dict, dict]:
    """The request the Rasa server sends to the action server for ``action_recommend`` in ``sender``'s
    conversation, right before the action ran after RELATED_TURN (tracker with every event until then)."""
    get = bot.client.get
    full = get(f"{bot.rasa_url}/conversations/{sender}/tracker", params={"include_events": "ALL"}).json()
    events = full["events"]
    said_at = [i for i, e in enumerate(events) if e.get("event") == "user" and e.get("text") == RELATED_TURN]
    runs = [i for i, e in enumerate(events) if e.get("event") == "action" and e.get("name") == RECOMMEND_ACTION]
    after = [i for i in runs if said_at and i > said_at[-1]] or runs
    if not after:
        raise RuntimeError(f"{RECOMMEND_ACTION} never ran in conversation {sender}")
    idx = after[0]
    until = events[idx - 1]["timestamp"]
    tracker = get(f"{bot.rasa_url}/conversations/{sender}/tracker",
                  params={"include_events": "ALL", "until": repr(until)}).json()
    if any(e.get("event") == "action" and e.get("name") == RECOMMEND_ACTION and e.get("timestamp", 0) > until
           for e in tracker["events"]):
        raise RuntimeError("the tracker from ?until= still holds the action's run")
    domain = get(f"{bot.rasa_url}/domain", headers={"Accept": "application/json"}).json()
    version = get(f"{bot.rasa_url}/version").json()["version"]
    payload = {"next_action": RECOMMEND_ACTION, "sender_id": sender, "tracker": tracker, "domain": domain,
               "version": version}
    info = {"sender": sender, "events": len(tracker["events"]), "latest_message": tracker["latest_message"]["text"],
            "latest_intent": tracker["latest_message"]["intent"].get("name"),
            "payload_bytes": len(json.dumps(payload))}
    return payload, info


def action_server(action_url: str, payload: dict, n: int, warmup: int = 10) -> dict:
    body = json.dumps(payload).encode()
    times, errors, examples = [], 0, []
    with httpx.Client(timeout=REQUEST_TIMEOUT, trust_env=False) as client:
        for i in tqdm(range(warmup + n), desc=f"action server: {RECOMMEND_ACTION}", unit="req", file=sys.stderr,
                      leave=False):
            t0 = time.perf_counter()
            try:
                resp = client.post(f"{action_url}/webhook", content=body,
                                   headers={"Content-Type": "application/json"})
                ms = (time.perf_counter() - t0) * 1000.0
                ok = resp.status_code == 200 and any(e.get("event") == "slot" for e in resp.json().get("events", []))
                problem = None if ok else f"HTTP {resp.status_code}: {resp.text[:200]}"
            except (httpx.HTTPError, ValueError) as exc:
                ms, problem = (time.perf_counter() - t0) * 1000.0, f"{type(exc).__name__}: {exc}"
            if i < warmup:
                continue
            if problem:
                errors += 1
                if len(examples) < 5:
                    examples.append(problem)
            else:
                times.append(ms)
    return {"action": RECOMMEND_ACTION, "requests": n, "warmup": warmup, "latency_ms": pct(times), "errors": errors,
            "examples": examples}


# --- the baseline model ------------------------------------------------------------------------------------
def training_inputs_hash(project: Path) -> str:
    """sha256 of what `rasa train` reads (config, domain, data) + the Rasa and Python versions."""
    h = hashlib.sha256()
    h.update(f"rasa {importlib.metadata.version('rasa')} python {sys.version_info[:2]}\n".encode())
    files = [project / "config.yml", project / "domain.yml", *sorted((project / "data").rglob("*.yml"))]
    for f in files:
        h.update(str(f.relative_to(project)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def rasa_template() -> Path:
    """The template `rasa init` copies (found without importing Rasa)."""
    return Path(importlib.util.find_spec("rasa").submodule_search_locations[0]) / "cli" / "initial_project"


def _run_logged(cmd: List[str], cwd: Path, env: dict, log: Path, timeout: float) -> float:
    t0 = time.perf_counter()
    with open(log, "ab") as fh:
        fh.write(f"\n--- {' '.join(cmd)}\n".encode())
        fh.flush()
        result = subprocess.run(cmd, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                timeout=timeout)
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n{tail}")
    return time.perf_counter() - t0


def baseline_model(tmp: Path, cache_dir: Path) -> Tuple[Path, dict]:
    """The trained `rasa init` bot: from ``cache_dir/<hash>/`` or made now (``rasa init`` + ``rasa train``).

    The key hashes the template that ``rasa init`` copies (config, domain, data) and the Rasa version: training
    rewrites the copied ``config.yml`` (a random ``assistant_id``, ``pipeline: null``), so the project's own files
    would give a new key every time."""
    key = training_inputs_hash(rasa_template())
    cached = cache_dir / key[:16] / "baseline.tar.gz"
    meta_file = cached.with_name("meta.json")
    if cached.exists() and meta_file.exists():
        meta = json.loads(meta_file.read_text())
        return cached, {**meta, "cached": True, "model": str(cached)}

    project = tmp / "baseline"
    project.mkdir()
    log = tmp / "baseline-train.log"
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1",
               RASA_CACHE_DIRECTORY=str(tmp / "rasa-init-cache"))
    rasa = str(VENV_BIN / "rasa")
    print("baseline: rasa init --no-prompt (copies the template and trains an initial model) ...", flush=True)
    init_s = _run_logged([rasa, "init", "--no-prompt", "--init-dir", str(project)], project, env, log, 1800)
    shutil.rmtree(project / "models", ignore_errors=True)  # rasa init's own model: train again from scratch
    env["RASA_CACHE_DIRECTORY"] = str(tmp / "rasa-train-cache")
    print("baseline: rasa train --fixed-model-name baseline ...", flush=True)
    train_s = _run_logged([rasa, "train", "--fixed-model-name", "baseline"], project, env, log, 1800)
    trained = project / "models" / "baseline.tar.gz"
    if not trained.exists():
        raise RuntimeError(f"rasa train wrote no {trained}")
    cached = cache_dir / key[:16] / "baseline.tar.gz"
    cached.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(trained, cached.with_suffix(".part"))
    os.replace(cached.with_suffix(".part"), cached)
    meta = {"key": key, "rasa_init_s": init_s, "train_s": train_s, "trained_at": time.strftime("%Y-%m-%d %H:%M:%S"),
            "rasa_version": importlib.metadata.version("rasa"), "cpus": os.cpu_count()}
    cached.with_name("meta.json").write_text(json.dumps(meta, indent=2))
    return cached, {**meta, "cached": False, "model": str(cached)}


# --- one assistant, start to stop --------------------------------------------------------------------------
@dataclass
class Subject:
    """One assistant under test: its servers, its script and what was measured."""

    key: str
    name: str
    stack: Stack
    with_actions: bool
    turns: Turns
    reset: Callable[[], None] = lambda: None
    out: dict = field(default_factory=dict)
    bot: Optional[Bot] = None

    def rss(self) -> dict:
        mem = {"rasa_mb": group_rss_mb(self.stack.rasa.pid if self.stack.rasa else None)}
        if self.with_actions:
            mem["actions_mb"] = group_rss_mb(self.stack.actions.pid if self.stack.actions else None)
        return mem


def measure(subjects: List[Subject], args) -> None:
    """Starts every assistant, then measures them taking turns, so that a machine that slows down or speeds up
    during the run affects all of them alike: new conversations request by request, the scripted conversations
    conversation by conversation, the load in ``args.windows`` windows each. Stops them all at the end."""
    try:
        for sub in subjects:
            print(f"{sub.name}: starting ...", flush=True)
            sub.stack.start() if sub.with_actions else sub.stack.start_rasa()
            sub.out.update(name=sub.name, start_s=dict(sub.stack.timings))
            sub.bot = Bot(sub.name, sub.stack.config.rasa_url)
        for sub in subjects:  # warm-up: not measured
            for _ in range(args.warmup):
                sender = new_sender("warm")
                for text, _expect in sub.turns:
                    sub.bot.say(sender, text)
            for _ in range(5):
                sub.bot.say(new_sender("warm"), "hi")
            sub.reset()
            sub.out["rss_after_warmup"] = sub.rss()

        phases = {sub.key: {"new": Phase(), "conv": Phase(), "load": Phase()} for sub in subjects}
        for _ in tqdm(range(args.new), desc="new conversations (each assistant in turn)", unit="round",
                      file=sys.stderr, leave=False):
            for sub in subjects:
                new_conversations(sub.bot, 1, phases[sub.key]["new"])
        for _ in tqdm(range(args.conversations), desc="scripted conversations (each assistant in turn)",
                      unit="round", file=sys.stderr, leave=False):
            for sub in subjects:
                conversation(sub.bot, sub.turns, phases[sub.key]["conv"], between=sub.reset)
        for sub in subjects:
            sub.reset()
        for _ in range(args.windows):
            for sub in subjects:
                throughput(sub.bot, sub.turns, args.concurrency, args.duration / args.windows,
                           phases[sub.key]["load"])
        for sub in subjects:
            ph = phases[sub.key]
            sub.out["new_conversations"] = new_conversations_result(ph["new"])
            sub.out["conversations"] = conversations_result(ph["conv"], sub.turns)
            sub.out["throughput"] = throughput_result(ph["load"], args.concurrency)
        for sub in subjects:
            if sub.with_actions:
                payload, info = recommend_payload(sub.bot, sub.out["conversations"]["senders"][-1])
                sub.out["action_server"] = {**action_server(sub.stack.config.action_url, payload, args.action_calls),
                                            "tracker": info}
            sub.out["rss_after_load"] = sub.rss()
    finally:
        for sub in subjects:
            if sub.bot:
                sub.bot.close()
            sub.stack.stop()
        print("stopped every server", flush=True)


# --- report ------------------------------------------------------------------------------------------------
def fmt(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    return f"{value:.{digits}f}"


BASELINES = (("baseline", "rasa init"), ("baseline_runtime", "same runtime"))


def report(result: dict) -> List[Tuple[str, bool]]:
    """Prints the table; returns (target, met) for each target against each baseline."""
    s = result["shopmate"]
    bases = [(key, label, result[key]) for key, label in BASELINES if key in result]
    rows: list = []  # (label, ShopMate's value, [(baseline value, ratio)], target, [met per baseline])

    def ratio(x, y):
        return x / y if x is not None and y else None

    def row(label, sv, get=None, target="", check=None, show_ratio=True):
        values = [(get(b) if get else None) for _, _, b in bases]
        ratios = [ratio(sv, v) if show_ratio else None for v in values]
        met = [check(sv, r) for r in ratios] if check else None
        rows.append((label, sv, list(zip(values, ratios)), target, met))

    t = TARGETS
    row("start: action server (s)", s["start_s"].get("actions_start_s"), show_ratio=False)
    row("start: Rasa server (s)", s["start_s"].get("rasa_start_s"), lambda b: b["start_s"].get("rasa_start_s"))
    train_s = result["baseline_model"]["train_s"]
    rows.append(("baseline: rasa train (s)", None, [(train_s, None) for _ in bases], "", None))
    for when in ("rss_after_warmup", "rss_after_load"):
        tag = "after warm-up" if when == "rss_after_warmup" else "after load"
        row(f"RSS {tag}: Rasa server (MB)", s[when]["rasa_mb"], lambda b, w=when: b[w]["rasa_mb"])
        row(f"RSS {tag}: action server (MB)", s[when].get("actions_mb"), show_ratio=False)
    for q in ("p50", "p95", "p99"):
        row(f"new conversation 'hi': {q} (ms)", s["new_conversations"]["round_trip_ms"][q],
            lambda b, q=q: b["new_conversations"]["round_trip_ms"][q])
    sc = s["conversations"]["round_trip_ms"]
    conv = lambda q: lambda b: b["conversations"]["round_trip_ms"][q]  # noqa: E731
    row("20-turn conversations: p50 (ms)", sc["p50"], conv("p50"), f"<= {t['p50_ratio_20_turns']}x base",
        lambda v, r: r is not None and r <= t["p50_ratio_20_turns"])
    row("20-turn conversations: p95 (ms)", sc["p95"], conv("p95"))
    row("20-turn conversations: p99 (ms)", sc["p99"], conv("p99"), f"<= {t['p99_20_turns_ms']:.0f} ms",
        lambda v, r: v <= t["p99_20_turns_ms"])
    st = s["throughput"]
    row(f"throughput, {st['concurrency']} senders (turns/s)", st["turns_per_s"],
        lambda b: b["throughput"]["turns_per_s"], f">= {t['throughput_ratio']}x base",
        lambda v, r: r is not None and r >= t["throughput_ratio"])
    for q in ("p50", "p99"):
        row(f"  round trip under load: {q} (ms)", st["round_trip_ms"][q],
            lambda b, q=q: b["throughput"]["round_trip_ms"][q])
    a = s["action_server"]["latency_ms"]
    for q in ("p50", "p95", "p99"):
        row(f"action server {RECOMMEND_ACTION}: {q} (ms)", a[q], show_ratio=False,
            target=f"<= {t['action_p99_ms']:.0f} ms" if q == "p99" else "",
            check=(lambda v, r: v <= t["action_p99_ms"]) if q == "p99" else None)

    head = "".join(f"{label:>14}{'ratio':>7}" for _, label, _ in bases)
    print(f"\n{'measure':<42}{'ShopMate':>10}{head}  {'target':<15}met ({' / '.join(l for _, l, _ in bases)})")
    for label, sv, cols, target, met in rows:
        cells = "".join(f"{fmt(v):>14}{fmt(r, 2):>7}" for v, r in cols)
        verdict = "" if met is None else " / ".join("yes" if m else "NO" for m in met)
        print(f"{label:<42}{fmt(sv):>10}{cells}  {target:<15}{verdict}")
    print("baselines: 'rasa init' = the `rasa init` bot as generated (its config, credentials, default "
          "TensorFlow/OpenBLAS\n  threads) + a stock SQL tracker store; 'same runtime' = that bot on ShopMate's Rasa "
          "runtime (endpoints.yml,\n  credentials.yml with channels/, threads as scripts/stack.py sets them)")
    def problems(part: dict) -> str:
        return f"{part['errors']} errors, {part['empty_replies']} empty, {part.get('unexpected_replies', 0)} unexpected"

    print("\nrequests (errors / empty replies / replies not matching the script):")
    for key, label in (("new_conversations", "new conversations"), ("conversations", "20-turn conversations"),
                       ("throughput", "throughput")):
        print(f"  {label:<22} ShopMate {problems(s[key]):<42} "
              + "; ".join(f"{bl} {problems(bb[key])}" for _, bl, bb in bases))
    print(f"  action server          {s['action_server']['errors']} errors in {s['action_server']['requests']}")
    for who, part in [("ShopMate", s)] + [(bl, bb) for _, bl, bb in bases]:
        pt = part["throughput"]
        print(f"samples, {who}: 'hi' {part['new_conversations']['round_trip_ms']['n']}, 20-turn "
              f"{part['conversations']['round_trip_ms']['n']} turns ({part['conversations']['conversations']} "
              f"conversations), load {pt['completed']} turns in {pt['duration_s']:.0f} s "
              f"({pt['conversations_finished']} conversations finished)")
    slow = sorted(s["conversations"]["per_turn"], key=lambda x: -x["p50_ms"])[:3]
    print("ShopMate's slowest turns (p50): " + ", ".join(f"{x['turn']}. '{x['said']}' {x['p50_ms']:.0f} ms"
                                                        for x in slow))
    print(f"ShopMate under load: {st['replies_with_rma']} returns registered, {st['replies_already_returned']} told "
          f"'already returned' (shared demo order, no reset during the load)")
    bm = result["baseline_model"]
    print(f"baseline model: {'cached ' if bm['cached'] else ''}{bm['model']} (rasa train {bm['train_s']:.0f} s"
          f", rasa init incl. its own training {bm['rasa_init_s']:.0f} s, trained {bm['trained_at']})")
    tr = s["action_server"]["tracker"]
    print(f"action payload: tracker of {tr['events']} events before '{tr['latest_message']}', "
          f"{tr['payload_bytes']:,} bytes")
    print(f"load average at start {result['loadavg_start']}, at end {result['loadavg_end']}; {result['cpus']} CPUs")
    return [(f"{label} vs {bl}", bool(m)) for label, _, _, _, met in rows if met is not None
            for (_, bl, _), m in zip(bases, met)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: fewer requests and 10 s of load")
    ap.add_argument("--new", type=int, help="new conversations ('hi' per new sender) (default 100, quick 20)")
    ap.add_argument("--conversations", type=int, help="20-turn conversations per assistant (default 5, quick 2)")
    ap.add_argument("--duration", type=float,
                    help="seconds of load per assistant, split into --windows (default 30, quick 10)")
    ap.add_argument("--concurrency", type=int, default=8, help="concurrent senders for the throughput")
    ap.add_argument("--windows", type=int, default=3, help="load windows per assistant (taking turns)")
    ap.add_argument("--action-calls", type=int, help="requests to the action server (default 200, quick 50)")
    ap.add_argument("--warmup", type=int, default=1, help="unmeasured scripted conversations after start")
    ap.add_argument("--model", default=str(ROOT / "models" / "shopmate.tar.gz"))
    ap.add_argument("--shop-db", default=str(ROOT / "var" / "shop.db"), help="copied; the copy is used")
    ap.add_argument("--recommender-dir", default=str(ROOT / "models" / "recommender"))
    ap.add_argument("--baseline-cache", default=str(ROOT / "models" / "baseline"))
    ap.add_argument("--keep-tmp", action="store_true", help="keep the temp folder (server logs, databases)")
    ap.add_argument("--out", default=str(ROOT / "reports" / "bench_latency.json"))
    args = ap.parse_args(argv)
    quick = args.quick
    args.new = args.new if args.new is not None else (20 if quick else 100)
    args.conversations = args.conversations if args.conversations is not None else (2 if quick else 5)
    args.duration = args.duration if args.duration is not None else (10.0 if quick else 30.0)
    args.action_calls = args.action_calls if args.action_calls is not None else (50 if quick else 200)
    for value, name in ((args.new, "--new"), (args.conversations, "--conversations"), (args.duration, "--duration"),
                        (args.concurrency, "--concurrency"), (args.action_calls, "--action-calls"),
                        (args.windows, "--windows")):
        if value <= 0:
            ap.error(f"{name} must be positive")

    model, shop_db, rec_dir = Path(args.model), Path(args.shop_db), Path(args.recommender_dir)
    if not model.exists():
        print(f"no Rasa model at {model}: run `make train`", file=sys.stderr)
        return 2
    if not shop_db.exists() or not rec_dir.exists():
        print(f"missing {shop_db if not shop_db.exists() else rec_dir}: run `make data train`", file=sys.stderr)
        return 2

    wall0 = time.perf_counter()
    result: dict = {"quick": quick, "cpus": os.cpu_count(), "loadavg_start": loadavg(), "targets": TARGETS,
                    "settings": {k: getattr(args, k) for k in ("new", "conversations", "duration", "concurrency",
                                                               "windows", "action_calls", "warmup")},
                    "shopmate_script": [t for t, _ in SHOPMATE_TURNS],
                    "baseline_script": [t for t, _ in BASELINE_TURNS]}
    tmp = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    try:
        model_path, result["baseline_model"] = baseline_model(tmp, Path(args.baseline_cache))

        db = tmp / "shop.db"
        copy_db(shop_db, db)
        shop_url = f"sqlite:///{db}"
        common = dict(shop_db_url=shop_url, recommender_dir=rec_dir, host=HOST, rasa_port=0, action_port=0,
                      web_port=None, endpoints=ROOT / "endpoints.yml", credentials=ROOT / "credentials.yml")
        shop_stack = Stack(StackConfig(var_dir=tmp / "shopmate", model=model, **common))
        # the `rasa init` bot as generated: its own credentials.yml (stock REST channel, so none of ShopMate's
        # channels/ code), the libraries' default threads, and Rasa's stock SQL tracker store so that it keeps
        # conversations as ShopMate does
        stock_endpoints = tmp / "baseline-endpoints.yml"
        stock_endpoints.write_text("tracker_store:\n  type: SQL\n  url: ${TRACKER_DB_URL}\n")
        stock = dict(common, endpoints=stock_endpoints, credentials=rasa_template() / "credentials.yml",
                     extra_env={var: "" for var in THREADS["rasa"]})
        base_stack = Stack(StackConfig(var_dir=tmp / "baseline-var", model=model_path, **stock))
        # the same bot on ShopMate's runtime: what is left of the ratio is the assistants' own work
        runtime_stack = Stack(StackConfig(var_dir=tmp / "baseline-runtime-var", model=model_path, **common))
        subjects = [Subject("shopmate", "ShopMate", shop_stack, True, SHOPMATE_TURNS, ReturnReset(db)),
                    Subject("baseline", "baseline", base_stack, False, BASELINE_TURNS),
                    Subject("baseline_runtime", "baseline (same runtime)", runtime_stack, False, BASELINE_TURNS)]
        measure(subjects, args)
        for sub in subjects:
            result[sub.key] = sub.out

        result["loadavg_end"] = loadavg()
        result["wall_s"] = time.perf_counter() - wall0
        result["met"] = dict(report(result))
        print(f"wall time {result['wall_s']:.0f} s")
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2))
        print(f"wrote {args.out}")
    finally:
        if args.keep_tmp:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
