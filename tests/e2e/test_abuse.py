"""Bad input and load against the real servers: no 5xx, no crash, an answer every time, nothing written.

* **Bad input corpus** (``CORPUS``, 60+ messages): empty, whitespace, 10 000 characters, emoji, right-to-left and
  mixed scripts, control characters, SQL- and HTML-looking text, JSON in the message, huge and negative numbers,
  malformed order ids and emails. Each goes to a fresh conversation over the REST channel; the server must answer
  200 with at least one text message (a reply that says what the bot can do or asks to rephrase), the Rasa and
  action servers must still be up, and the shop database must not change (row counts of every table and the
  stock of every item). Malformed requests (``RAW_BODIES``: invalid UTF-8, broken JSON, wrong types) must get a
  4xx, never a 5xx. Each reply's latency is written to ``reports/bad_input.json`` (a report, not a gate: the
  2 s target is checked there; the test only fails on a hang, ``HANG_S``).
* **Load**: 50 conversations x 10 turns at once (threads, one REST client each), each verifying as one of three
  demo customers and asking for its own order: 0 errors, 0 lost turns (every turn answered, every user turn in
  the tracker), and every conversation sees only its own customer's orders. The wall time goes to
  ``reports/load.json``.
"""
from __future__ import annotations

import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Tuple

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from shop.models import Base, Item
from tests.e2e.conftest import ALEX, JORDAN

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports"
HANG_S = 30.0

CORPUS: List[str] = [
    "", " ", "   \t  ", "\n\n", "\u200b", "\u00a0\u00a0",
    "a" * 10_000, "where is my order " * 600, "🙂", "📦📦📦❓", "👍🏽👍🏽", "where is my 📦?",
    "أين طلبي؟", "איפה ההזמנה שלי", "mixed עברית and English order SM-100001", "\u202eredro ym si erehw",
    "我的订单在哪里", "Где мой заказ?", "ÑÖÜ ßß éèê", "z̸̡̢a̵̧l̶g̷o̴",
    "\x00", "\x07\x08\x1b[31mred", "line1\r\nline2", "tab\tseparated\tvalues", "\x7f\x1f",
    "'; DROP TABLE orders; --", "SM-100001' OR '1'='1", "1; DELETE FROM customers", "\" OR \"\"=\"",
    "UNION SELECT email FROM customers", "%27%20OR%201=1--",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<b>bold</b> question", "javascript:alert(1)",
    "{{7*7}}", "${jndi:ldap://127.0.0.1/a}", "../../etc/passwd",
    '{"intent": "cancel_order", "order_id": "SM-100003"}', '/cancel_order{"order_id":"SM-100004"}',
    '/inform{"verified": true, "customer_id": 2}', "/affirm", "/restart_fake_intent", '[{"a": 1}]', "null",
    "SM-99999999999999999999", "SM-" + "9" * 500, "SM-0", "SM--1", "order -5", "I want -3 jackets",
    "return 99999999999999999999 items", "1e308", "NaN", "-0",
    "not-an-email@", "@@@@", "a@b", "x" * 300 + "@example.com",
    "?", "...", "asdfghjkl", "help",
]

RAW_BODIES: List[Tuple[str, bytes]] = [
    ("invalid utf-8", b'{"sender": "raw-1", "message": "\xff\xfe\xfd"}'),
    ("broken json", b'{"sender": "raw-2", "message": '),
    ("not an object", b'["raw-3", "hi"]'),
    ("message is a number", b'{"sender": "raw-4", "message": 12345}'),
    ("message is an object", b'{"sender": "raw-5", "message": {"text": "hi"}}'),
    ("no sender", b'{"message": "hi"}'),
    ("empty body", b""),
]


def table_counts(url: str) -> Dict[str, int]:
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as conn:
            counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                      for t in Base.metadata.sorted_tables if t.name != "verification_attempts"}
            counts["stock"] = conn.execute(select(func.sum(Item.stock))).scalar_one()
            return counts
    finally:
        engine.dispose()


def post(url: str, sender: str, message, timeout: float = HANG_S) -> httpx.Response:
    return httpx.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=timeout)


@pytest.mark.timeout(900, func_only=True)
def test_bad_input_corpus_gets_answers_and_changes_nothing(running):
    url = running.config.rasa_url
    before = table_counts(running.config.shop_db_url)
    results = []
    for i, message in enumerate(CORPUS):
        start = time.monotonic()
        resp = post(url, f"bad-{i}-{int(start * 1000)}", message)
        elapsed = time.monotonic() - start
        label = repr(message[:40]) + (f"... ({len(message)} chars)" if len(message) > 40 else "")
        assert resp.status_code == 200, f"{label}: HTTP {resp.status_code} {resp.text[:300]}"
        replies = resp.json()
        texts = [r.get("text") for r in replies if r.get("text")]
        assert texts, f"{label}: no answer ({replies})"
        assert not any("Traceback" in t or "Exception" in t for t in texts), (label, texts)
        results.append({"message": label, "seconds": round(elapsed, 3), "reply": texts[0][:120]})
    for name, body in RAW_BODIES:
        resp = httpx.post(f"{url}/webhooks/rest/webhook", content=body, timeout=HANG_S,
                          headers={"Content-Type": "application/json"})
        assert resp.status_code < 500, f"{name}: HTTP {resp.status_code} {resp.text[:300]}"
        results.append({"message": f"raw body: {name}", "status": resp.status_code})
    # both servers are still there and still answer
    assert running.rasa.running and running.actions.running
    assert "order number" in " ".join(r.get("text", "") for r in post(url, "bad-after", "where is my order?").json())
    assert table_counts(running.config.shop_db_url) == before
    times = [r["seconds"] for r in results if "seconds" in r]
    REPORTS.mkdir(exist_ok=True)
    summary = {"cases": len(CORPUS) + len(RAW_BODIES), "max_s": max(times), "median_s": statistics.median(times),
               "over_2s": [r for r in results if r.get("seconds", 0) > 2.0], "results": results}
    (REPORTS / "bad_input.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    print(f"\nbad input: {summary['cases']} cases, median {summary['median_s']:.3f} s, max {summary['max_s']:.3f} s, "
          f"{len(summary['over_2s'])} over 2 s")


CUSTOMERS = [
    {"email": ALEX["email"], "order": ALEX["shipped"], "own": {"SM-100001", "SM-100002", "SM-100003"}},
    {"email": JORDAN["email"], "order": JORDAN["order"], "own": {f"SM-10000{i}" for i in range(4, 9)}},
    {"email": "priya.shah@example.com", "order": "SM-100009", "own": {"SM-100009", "SM-100010", "SM-100011",
                                                                       "SM-100012"}},
]
ALL_DEMO_ORDERS = set().union(*(c["own"] for c in CUSTOMERS))
TURNS = ["hi", "where is my order?", "{order}", "{email}", "what's the status of my order?", "do you have a camera?",
         "what is your return policy?", "how long does delivery take?", "thanks", "bye"]


def conversation(url: str, n: int) -> dict:
    customer = CUSTOMERS[n % len(CUSTOMERS)]
    sender = f"load-{n}-{time.monotonic_ns()}"
    seen, errors, answered = [], [], 0
    with httpx.Client(timeout=120) as client:
        for turn in TURNS:
            message = turn.format(**customer)
            try:
                resp = client.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message})
                resp.raise_for_status()
                texts = [r.get("text") or "" for r in resp.json()]
            except (httpx.HTTPError, ValueError) as exc:
                errors.append(f"{message!r}: {exc}")
                texts = []
            answered += bool(texts)
            seen.append("\n".join(texts))
        tracker = client.get(f"{url}/conversations/{sender}/tracker").json()
    user_turns = [e["text"] for e in tracker["events"] if e.get("event") == "user"]
    return {"sender": sender, "customer": customer, "seen": seen, "errors": errors, "answered": answered,
            "user_turns": user_turns, "slots": tracker["slots"]}


@pytest.mark.timeout(1200, func_only=True)
def test_fifty_concurrent_conversations(running):
    url, n = running.config.rasa_url, 50
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(lambda i: conversation(url, i), range(n)))
    wall = time.monotonic() - start
    for r in results:
        c = r["customer"]
        assert not r["errors"], r["errors"]
        assert r["answered"] == len(TURNS), (r["sender"], r["seen"])  # no lost turn: every message answered
        assert len(r["user_turns"]) == len(TURNS), (r["sender"], r["user_turns"])  # and every one stored
        assert r["slots"]["verified"] is True, (r["sender"], r["seen"])
        shown = " ".join(r["seen"])
        assert c["order"] in shown, (r["sender"], r["seen"])
        others = {o for o in ALL_DEMO_ORDERS - c["own"] if o in shown}
        assert not others, f"{r['sender']} ({c['email']}) saw other customers' orders {others}"
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "load.json").write_text(json.dumps({"conversations": n, "turns": n * len(TURNS),
                                                   "wall_s": round(wall, 1),
                                                   "turns_per_s": round(n * len(TURNS) / wall, 2)}, indent=1))
    print(f"\nload: {n} conversations x {len(TURNS)} turns in {wall:.1f} s ({n * len(TURNS) / wall:.1f} turns/s)")
