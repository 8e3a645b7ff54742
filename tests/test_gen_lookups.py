"""The NLU lookup tables come from the catalog (scripts/gen_lookups.py) and the committed file is up to date."""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import gen_lookups  # noqa: E402

pytestmark = pytest.mark.unit


def test_brands_are_the_catalogs_product_brands_without_the_store():
    items = pd.DataFrame({"cat": [0, 1, 3, -1, 2], "brand": ["Lumora", "Hearth & Home", "ShopMate", "Helpdesk", "Lumora"]})
    assert gen_lookups.brand_names(items) == {"lumora", "hearth & home"}


def test_committed_lookup_tables_match_the_demo_catalog(tmp_path):
    out = tmp_path / "products.yml"
    assert gen_lookups.main(["--out", str(out)]) == 0
    committed = (ROOT / "data" / "lookups" / "products.yml").read_text()
    assert out.read_text() == committed, "data/lookups/products.yml is stale: run python scripts/gen_lookups.py"
    assert "- lookup: brand" in committed and "    - lumora" in committed


def test_colours_are_the_catalogs_and_basic_ones_without_words_that_name_a_fault():
    items = pd.DataFrame({"cat": [0, 0, 0, -1], "attributes": [{"colour": "Forest Green"}, {"colour": "Rust"},
                                                                {"size": "M"}, {"colour": "Teal Article"}]})
    found = gen_lookups.colours(items)
    assert "forest green" in found and "red" in found and "grey" in found
    assert "rust" not in found and "teal article" not in found  # "rust" is a fault too; help articles don't count
