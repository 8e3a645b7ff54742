"""Generate the NLU lookup tables of product names, brands and content types (``data/lookups/products.yml``) from
the demo catalog.

The catalog is built exactly as ``python -m shop.demo --seed SEED --scale SCALE`` builds it (the same random
stream, no database needed), so the lookup table follows the catalog templates in ``shop/demo_text.py``. Entries
are lower-case phrases a customer types for a product: the product noun ("compact camera", "rain jacket"),
its plural, the brand with the noun ("lumora compact camera") and book / game titles ("the silent harbor").
Colours: the catalog's and a few basic ones (``BASIC_COLOURS``). Content types: the types, a few words for them
(``TYPE_WORDS``), every product category and its singular, with a synonym to the type ("laptop" -> electronics) and
the table of categories (``nlu.entities.EntityResolver`` reads them). The output is sorted, so the same catalog always gives the same file.

Usage: ``python scripts/gen_lookups.py [--seed 0] [--scale small] [--out data/lookups/products.yml]``
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlu.gazetteer import plural, singular  # noqa: E402
from shop import demo  # noqa: E402
from shop import demo_text as T  # noqa: E402


def products_of(items):
    """The catalog rows that are products (help articles and services have ``cat`` < 0)."""
    return items[items["cat"] >= 0]


def product_plural(noun: str) -> str:
    """A product noun ending in "s" is taken as plural already ("running shoes")."""
    return noun if noun.endswith("s") else plural(noun)


def product_phrases(items) -> set[str]:
    """Lower-case phrases naming the catalog's products (help articles and services excluded)."""
    nouns = {ctype: {cat: [n.lower() for n in spec["nouns"]] for cat, spec in cats.items()}
             for ctype, cats in T.CATEGORIES.items()}
    phrases: set[str] = set()
    for row in products_of(items).itertuples(index=False):
        title = row.title.split(" — ")[0].lower()  # clothing variants: "Title — Colour, Size"
        if row.content_type == "books" or row.category == "video games":
            phrases.add(re.sub(r"[:(].*$", "", title).strip())
            continue
        for noun in nouns[row.content_type][row.category]:
            if noun in title:
                phrases.update({noun, product_plural(noun), f"{row.brand.lower()} {noun}"})
    return {p for p in phrases if len(p) > 2}


def brand_names(items) -> set[str]:
    """The catalog's brands as customers type them (lower case); the store's own name is not a brand to ask for."""
    products = products_of(items)
    return {b.lower() for b in products["brand"].unique() if b and b != "ShopMate" and len(b) > 2}


# Words customers use for a whole content type, besides its name. The categories and their singulars come from the
# catalog.
TYPE_WORDS = {"electronics": ["electronic", "gadgets", "gadget"],
              "clothing": ["clothes", "fashion", "apparel"],
              "home": ["homeware", "home stuff", "home goods", "furniture"]}
# Words that name something else as often as the type: "home address", "book a table", "jean jacket".
NOT_TYPE_WORDS = {"home", "jean"}


def content_type_phrases(items) -> dict[str, str]:
    """``{phrase: content type}``: the product content types, the words in ``TYPE_WORDS``, and every product
    category (help articles and services excluded) with its singular ("laptops", "laptop" -> electronics)."""
    products = products_of(items)
    phrases = {}
    for ctype, category in products[["content_type", "category"]].drop_duplicates().itertuples(index=False):
        if ctype not in NOT_TYPE_WORDS:
            phrases[ctype] = ctype
        phrases.update({w: ctype for w in TYPE_WORDS.get(ctype, ())})
        phrases[category.lower()] = ctype
        one = singular(category.lower())
        if one and one not in NOT_TYPE_WORDS:
            phrases[one] = ctype
    return phrases


# Colours customers ask for besides the catalog's own (``shop.demo_text.COLOURS``); "rust" and "sand" (catalog
# colours) also name a fault and a material, so only "rust red" / "sand beige"-style phrases would be safe: left out.
BASIC_COLOURS = ["black", "white", "grey", "gray", "silver", "red", "blue", "navy blue", "dark blue", "light blue",
                 "green", "dark green", "yellow", "orange", "pink", "purple", "brown", "beige", "cream", "khaki",
                 "charcoal", "teal", "maroon"]
NOT_COLOUR_WORDS = {"rust", "sand"}


def colours(items) -> set[str]:
    """Colour words: the catalog's variant colours and ``BASIC_COLOURS``, lower case."""
    products = products_of(items)
    found = {str(a.get("colour")).lower() for a in products["attributes"] if isinstance(a, dict) and a.get("colour")}
    return (found | set(BASIC_COLOURS)) - NOT_COLOUR_WORDS


def categories(items) -> set[str]:
    return {c.lower() for c in products_of(items)["category"].unique()}


def render(phrases: set[str], brands: set[str] = frozenset(), types: dict[str, str] | None = None,
           cats: set[str] = frozenset(), colour_words: set[str] = frozenset()) -> str:
    lines = ["# Generated by scripts/gen_lookups.py from the demo catalog (shop.demo). Do not edit by hand.",
             'version: "3.1"', "nlu:", "- lookup: product", "  examples: |"]
    lines += [f"    - {p}" for p in sorted(phrases)]
    if brands:
        lines += ["- lookup: brand", "  examples: |"] + [f"    - {b}" for b in sorted(brands)]
    if types:
        # nlu.entities.EntityResolver: a content_type entity's value is its type (synonyms), its category the
        # phrase or its plural in the category table
        lines += ["- lookup: content_type", "  examples: |"] + [f"    - {p}" for p in sorted(types)]
        lines += ["- lookup: category", "  examples: |"] + [f"    - {c}" for c in sorted(cats)]
        for ctype in sorted(set(types.values())):
            lines += [f"- synonym: {ctype}", "  examples: |"] + [f"    - {p}" for p in sorted(types)
                                                                  if types[p] == ctype and p != ctype]
    if colour_words:
        lines += ["- lookup: colour", "  examples: |"] + [f"    - {c}" for c in sorted(colour_words)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--scale", type=demo.parse_scale, default=1.0)
    p.add_argument("--out", type=Path, default=ROOT / "data" / "lookups" / "products.yml")
    args = p.parse_args(argv)
    # generate() gives the catalog the first of eight spawned generators: use the same one.
    rng = np.random.default_rng(np.random.SeedSequence(args.seed).spawn(8)[0])
    catalog = demo.build_catalog(rng, args.scale)
    phrases, brands, types = product_phrases(catalog), brand_names(catalog), content_type_phrases(catalog)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(phrases, brands, types, categories(catalog), colours(catalog)))
    print(f"{len(phrases)} product phrases, {len(brands)} brands, {len(types)} content-type phrases -> {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
