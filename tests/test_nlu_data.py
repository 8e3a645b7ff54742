"""The training data covers every intent of the domain with enough examples (issue: at least 40 per intent)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
MIN_EXAMPLES = 40


def example_counts() -> dict:
    counts: dict = {}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            if "intent" in block:
                n = sum(1 for line in block["examples"].splitlines() if line.strip().startswith("- "))
                counts[block["intent"]] = counts.get(block["intent"], 0) + n
    return counts


def test_every_domain_intent_has_at_least_40_examples():
    intents = yaml.safe_load((ROOT / "domain.yml").read_text())["intents"]
    names = [i if isinstance(i, str) else next(iter(i)) for i in intents]
    counts = example_counts()
    short = {name: counts.get(name, 0) for name in names if counts.get(name, 0) < MIN_EXAMPLES}
    assert not short, f"intents with fewer than {MIN_EXAMPLES} examples: {short}"
    assert "order_status+return_item" in names and "nlu_fallback" not in counts
