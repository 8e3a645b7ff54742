"""Demo data for the store: a deterministic catalog, customers, orders and after-sales history.

Usage::

    python -m shop.demo --seed 0 --scale small              # ~2k items, ~1k customers, ~20k interactions (seconds)
    python -m shop.demo --seed 0 --scale large --force      # >=100k items, >=1M interactions (benchmarks)
    python -m shop.demo --seed 0 --scale 0.2 --url sqlite:///tmp/x.db
    python -m shop.demo --base-date today --if-missing      # what `make data` runs: orders dated around today

Scale 1.0 is ``small``; ``large`` is scale 55. The same ``--seed``, ``--scale`` and ``--base-date`` give an
identical database. Every timestamp lies before the base date (midnight UTC that starts it); the default base date is
a constant so that tests are reproducible, and ``make data`` passes ``--base-date today`` so that demo orders are
fresh (the shop services check the 30-day return window against the real clock).

How the data is made (so that a recommender has something to learn):

* **Catalog** — products of four content types (books, electronics, clothing, home), each in sub-categories
  (``category``) with invented brands, template titles and descriptions; clothing comes as variants (size x colour)
  sharing a ``product_group``; electronics carry a 12- or 24-month warranty; ~5% are final sale. Plus help articles
  and services (always in stock). Popularity is Zipf-like within each sub-category.
* **Customers** have latent tastes: a sparse Dirichlet mixture over *interest themes* (photography, cooking,
  running, ...) that each span content types (a camera buyer also buys photography books and camera bags).
* **Interactions** — each browsing draw picks theme -> sub-category -> item (popularity) and goes through a
  view -> cart -> purchase funnel; timestamps follow seasonality (Nov/Dec peak, summer dip, recent boost) over the
  two years before the base date. Purchases on the same day form one order; cross-type complements and services
  join the order. ``purchase`` interactions are exactly the lines of non-cancelled orders; ``return`` ones are the
  return lines.
* **Orders** move through placed -> paid -> shipped -> delivered (or cancelled before shipment) with random delays;
  the status is whatever the timeline reached at the base date, so dates, shipments and tracking events agree.
  Returns (concentrated on clothing that runs small), refunds, exchanges and warranty claims follow delivery.
* **Fixed demo customers** (ids 1-3, see ``DEMO_CUSTOMERS``) with known emails and orders SM-100001..SM-100012
  for the README, tests and chats; the summary prints them.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Integer, func, select, text
from tqdm import tqdm

from shop import demo_text as T
from shop.db import _redact, database_url, drop_db, get_engine, init_db, is_initialised
from shop.models import Base, ORDER_STATUSES

BASE_DATE = dt.date(2026, 11, 20)
LARGE_SCALE = 55.0
SMALL = dict(items=2000, customers=1000, draws=14.0)  # per unit of scale; draws = browsing draws per customer
HISTORY_DAYS = 730
DAY, HOUR = 86400.0, 3600.0
FIRST_ORDER = 100101  # generated orders; SM-100001..SM-100012 are the fixed demo orders
TYPE_SHARE = {"books": 0.33, "electronics": 0.25, "clothing": 0.30, "home": 0.12}
PREFIX = {"books": "BK", "electronics": "EL", "clothing": "CL", "home": "HM", "help_article": "HA", "service": "SV"}
P_CART, P_BUY, P_COMPLEMENT = 0.28, 0.45, 0.35
TABLES = ["customers", "items", "orders", "order_lines", "shipments", "shipment_events", "returns", "return_lines",
          "refunds", "exchanges", "warranty_claims", "interactions"]

DEMO_CUSTOMERS = [  # (id, name, email, street, city, postcode, themes)
    (1, "Alex Morgan", "alex.morgan@example.com", "14 Harbor View", "Portland", "97205",
     {"photography": 0.6, "outdoor": 0.3, "fantasy reading": 0.1}),
    (2, "Jordan Lee", "jordan.lee@example.com", "3 Mill Lane", "Denver", "80205", {"fashion": 0.5, "running": 0.4,
                                                                                   "cooking": 0.1}),
    (3, "Priya Shah", "priya.shah@example.com", "221 King Street", "Boston", "02116", {"home office": 0.6,
                                                                                      "cooking": 0.4}),
]


@dataclass
class DemoData:
    """The generated tables as DataFrames (column names = table columns; times as seconds relative to the base)."""

    tables: dict[str, pd.DataFrame]
    base: dt.datetime
    demo_orders: list[tuple[int, str, str, list[str]]]  # (customer id, order id, status, item titles)


# --- small helpers --------------------------------------------------------------------------------------------------
def parse_scale(value: str) -> float:
    """``small`` -> 1.0, ``large`` -> 55.0, or a positive float (at most 200)."""
    named = {"small": 1.0, "large": LARGE_SCALE}
    if value in named:
        return named[value]
    try:
        scale = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"scale must be 'small', 'large' or a number, not {value!r}") from None
    if not 0.05 <= scale <= 200:
        raise argparse.ArgumentTypeError(f"scale must be between 0.05 and 200, not {scale}")
    return scale


def parse_base_date(value: str) -> dt.date:
    if value == "today":
        return dt.datetime.utcnow().date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"base date must be YYYY-MM-DD or 'today', not {value!r}") from None


def _codes(rng: np.random.Generator, prefix: str, n: int) -> list[str]:
    """``n`` distinct ids ``prefix`` + 8 upper-case alphanumerics (e.g. RMA-7K2Q9D0X)."""
    alphabet = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"))
    out: list[str] = []
    seen = {f"{prefix}DEMO0001"}
    while len(out) < n:
        for row in alphabet[rng.integers(0, len(alphabet), size=(n - len(out), 8))]:
            code = prefix + "".join(row)
            if code not in seen:
                seen.add(code)
                out.append(code)
    return out


def _grouped_cum(keys: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Cumulative share of ``weights`` within runs of equal (sorted) ``keys``: values in (0, 1]."""
    s = pd.Series(weights, dtype=float)
    return (s.groupby(keys).cumsum() / s.groupby(keys).transform("sum")).to_numpy()


class CategorySampler:
    """Draw items of given categories proportionally to popularity: O(log n) per draw, vectorised.

    ``cat`` (n_items,) non-decreasing category index of each item; ``pop`` (n_items,) positive weights.
    """

    def __init__(self, cat: np.ndarray, pop: np.ndarray):
        self.key = cat + _grouped_cum(cat, pop) * (1 - 1e-9)
        self.end = np.searchsorted(cat, np.arange(cat.max() + 2), side="left")[1:]

    def sample(self, rng: np.random.Generator, cats: np.ndarray) -> np.ndarray:
        idx = np.searchsorted(self.key, cats + rng.random(len(cats)) * (1 - 2e-9), side="right")
        return np.minimum(idx, self.end[cats] - 1)


# --- catalog --------------------------------------------------------------------------------------------------------
def build_catalog(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    """Items sorted by (product type, category); internal columns ``cat`` (index), ``pop``, ``return_rate``."""
    r = random.Random(int(rng.integers(2**32)))
    n_products = max(int(round(SMALL["items"] * scale)) - len(T.HELP_ARTICLES) - len(T.SERVICES), 80)
    rows: list[dict] = []
    cat_index = 0
    group_no = 0
    for ctype, cats in T.CATEGORIES.items():
        weights = np.array([c["w"] for c in cats.values()])
        counts = np.maximum(3, np.round(n_products * TYPE_SHARE[ctype] * weights / weights.sum()).astype(int))
        for (category, spec), count in zip(cats.items(), counts):
            lo, hi = np.log(spec["price"][0]), np.log(spec["price"][1])
            start = len(rows)
            while len(rows) - start < count:
                title, desc, brand, attrs = T.product_text(r, ctype, category)
                price = max(round(float(np.exp(r.uniform(lo, hi)))) - 0.01, 0.99)
                final = r.random() < 0.05
                base = dict(content_type=ctype, category=category, brand=brand, price=price, final_sale=final,
                            warranty_months=0, product_group=None, cat=cat_index)
                if ctype == "clothing":
                    group_no += 1
                    sizes = T.APPAREL_SIZES if spec["sizes"] == "apparel" else T.SHOE_SIZES[r.randrange(0, 3):][:6]
                    colours = r.sample(T.COLOURS, r.choice([1, 2, 2, 3]))
                    runs_small = r.random() < 0.15
                    fit = "runs small — we recommend one size up" if runs_small else "true to size"
                    group_pop = 1.0
                    for ci, colour in enumerate(colours):
                        for size in sizes:
                            a = dict(attrs, size=size, colour=colour, fit=fit.split(" —")[0])
                            share = T.SIZE_SHARE.get(size, 1 / len(sizes)) / (ci + 1)
                            rows.append(dict(base, title=f"{title} — {colour}, {size}", attributes=a,
                                             description=f"{desc} Colour {colour}, size {size}; fit: {fit}.",
                                             product_group=f"CLG-{group_no:06d}", pop=group_pop * share,
                                             stock=0 if r.random() < 0.15 else r.randint(1, 40),
                                             return_rate=0.35 if runs_small else 0.1 if "shoes" in category else 0.07))
                else:
                    warranty = (12 if r.random() < 0.6 else 24) if ctype == "electronics" else 0
                    if warranty:
                        desc += f" Warranty: {warranty} months."
                    rows.append(dict(base, title=title, description=desc, attributes=attrs, pop=1.0,
                                     warranty_months=warranty, stock=0 if r.random() < 0.08 else r.randint(1, 250),
                                     return_rate={"books": 0.01, "electronics": 0.03, "home": 0.04}[ctype]))
            # Zipf-like popularity within the category: a random rank per product (group), weight 1/rank.
            block = pd.DataFrame(rows[start:])
            keys = block["product_group"].fillna(pd.Series(range(len(block)), dtype=str)).to_numpy()
            uniq, inv = np.unique(keys, return_inverse=True)
            rank = rng.permutation(len(uniq)) + 1
            for k, row in enumerate(rows[start:]):
                row["pop"] *= 1.0 / rank[inv[k]] ** 1.0
            cat_index += 1
    for row in rows:
        if row["final_sale"]:
            row["description"] += " Final sale: this item cannot be returned or exchanged."
    for category, title, body in T.HELP_ARTICLES:
        rows.append(dict(content_type="help_article", category=category, brand="ShopMate", price=0.0, title=title,
                         description=body, attributes={"topic": category}, final_sale=False, warranty_months=0,
                         product_group=None, stock=1_000_000, cat=-1, pop=1.0, return_rate=0.0))
    for category, title, price, body in T.SERVICES:
        rows.append(dict(content_type="service", category=category, brand="ShopMate", price=price, title=title,
                         description=body, attributes={"kind": category}, final_sale=False, warranty_months=0,
                         product_group=None, stock=1_000_000, cat=-1, pop=1.0, return_rate=0.0))
    items = pd.DataFrame(rows)
    items.insert(0, "id", [f"{PREFIX[t]}-{n + 1:06d}" for t, n in
                           zip(items["content_type"], items.groupby("content_type").cumcount())])
    return items


def category_names() -> list[str]:
    return [c for cats in T.CATEGORIES.values() for c in cats]


# --- customers ------------------------------------------------------------------------------------------------------
def build_customers(rng: np.random.Generator, scale: float) -> tuple[pd.DataFrame, np.ndarray]:
    """Customers and their taste matrix (n_customers, n_themes + 1): the last column is 'general' browsing."""
    n = max(int(round(SMALL["customers"] * scale)), 40)
    ids = np.arange(1, n + 1)
    first = np.array(T.FIRST_NAMES)[rng.integers(0, len(T.FIRST_NAMES), n)]
    last = np.array(T.LAST_NAMES)[rng.integers(0, len(T.LAST_NAMES), n)]
    city = rng.integers(0, len(T.CITIES), n)
    df = pd.DataFrame({"id": ids, "name": [f"{a} {b}" for a, b in zip(first, last)],
                       "email": [f"{a}.{b}{i}@example.com".lower() for a, b, i in zip(first, last, ids)],
                       "postcode": [T.CITIES[c][1] + f"{x:02d}" for c, x in zip(city, rng.integers(1, 99, n))],
                       "street": [f"{x} {T.STREETS[s]}" for x, s in zip(rng.integers(1, 300, n),
                                                                        rng.integers(0, len(T.STREETS), n))],
                       "city": [T.CITIES[c][0] for c in city]})
    themes = list(T.THEMES)
    taste = 0.85 * rng.dirichlet(np.full(len(themes), 0.25), n)
    taste = np.hstack([taste, np.full((n, 1), 0.15)])
    for cid, name, email, street, cty, postcode, prefs in DEMO_CUSTOMERS:
        df.loc[cid - 1, ["name", "email", "street", "city", "postcode"]] = [name, email, street, cty, postcode]
        taste[cid - 1] = [prefs.get(t, 0.0) * 0.9 for t in themes] + [0.1]
    return df, taste


def theme_matrix(cat_share: np.ndarray) -> np.ndarray:
    """(n_themes + 1, n_categories) category distribution per theme; the last row follows the catalog's shares."""
    names = category_names()
    m = np.zeros((len(T.THEMES) + 1, len(names)))
    for t, weights in enumerate(T.THEMES.values()):
        for c, w in weights.items():
            m[t, names.index(c)] = w
    m[-1] = cat_share
    return m / m.sum(axis=1, keepdims=True)


def day_weights(base: dt.date) -> np.ndarray:
    """Weight of each day 1..HISTORY_DAYS before the base: season (Nov/Dec peak, summer dip), growth, recent boost."""
    month_factor = np.array([0.9, 0.85, 0.95, 0.95, 0.9, 0.75, 0.7, 0.75, 0.95, 1.0, 1.6, 1.9])
    days = np.arange(1, HISTORY_DAYS + 1)
    months = np.array([(base - dt.timedelta(days=int(d))).month for d in days])
    w = month_factor[months - 1] * (1 + 0.3 * (1 - days / HISTORY_DAYS)) * np.where(days <= 35, 2.5, 1.0)
    return w / w.sum()


HOUR_WEIGHTS = np.array([1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2, 2.2, 2.4, 2.5, 2.8, 2.6, 2.4, 2.4, 2.6, 3, 3.6, 4,
                         4.2, 3.6, 2.5, 1.6])[:22]


# --- generation -----------------------------------------------------------------------------------------------------
def generate(seed: int = 0, scale: float = 1.0, base_date: dt.date = BASE_DATE, progress: bool = False) -> DemoData:
    """Build every table in memory (no database access). Deterministic in (seed, scale, base_date)."""
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    steps = tqdm(total=7, desc="demo data", disable=not progress, unit="phase")

    def phase(name: str) -> None:
        steps.set_postfix_str(name)
        steps.update(1)

    items = build_catalog(rngs[0], scale)
    products = items[items["cat"] >= 0]
    cat_share = np.bincount(products["cat"], minlength=len(category_names())).astype(float)
    sampler = CategorySampler(products["cat"].to_numpy(), products["pop"].to_numpy())
    help_id = {title: i for i, title in zip(items["id"], items["title"]) if i.startswith("HA")}
    demo_orders = _demo_fixups(items)
    phase("catalog")

    customers, taste = build_customers(rngs[1], scale)
    draws = _browse(rngs[2], customers, taste, theme_matrix(cat_share), sampler, base_date)
    phase("browsing")

    lines, orders = _orders(rngs[3], draws, items, sampler, customers, demo_orders, base_date)
    phase("orders")
    shipments, events = _shipments(rngs[4], orders)
    phase("shipments")
    returns, return_lines, refunds, exchanges, claims = _after_sales(rngs[5], orders, lines, items)
    phase("after-sales")

    inter = _interactions(rngs[6], draws, orders, lines, returns, return_lines, exchanges, claims, items, help_id)
    first_seen = pd.concat([inter.groupby("customer_id")["at"].min(),
                            orders.groupby("customer_id")["placed_at"].min()]).groupby(level=0).min()
    created = first_seen.reindex(customers["id"]).to_numpy()
    fallback = -rngs[7].uniform(30, 700, len(customers)) * DAY
    before_first = created - rngs[7].uniform(1, 60, len(created)) * DAY
    customers["created_at"] = np.where(np.isnan(created), fallback, before_first)
    phase("interactions")

    tables = dict(customers=customers.drop(columns=["street", "city"]),
                  items=items.drop(columns=["cat", "pop", "return_rate"]),
                  orders=orders.drop(columns=["cancel_t"]), order_lines=lines, shipments=shipments,
                  shipment_events=events, returns=returns, return_lines=return_lines, refunds=refunds,
                  exchanges=exchanges, warranty_claims=claims, interactions=inter)
    phase("done")
    steps.close()
    base = dt.datetime.combine(base_date, dt.time())
    titles = dict(zip(items["id"], items["title"]))
    summary = [(o.customer_id, o.order_id, o.status, [titles[i] for i in o.items]) for o in demo_orders]
    for k, (cid, oid, _, its) in enumerate(summary):
        summary[k] = (cid, oid, orders.loc[orders["id"] == oid, "status"].iat[0], its)
    return DemoData(tables, base, summary)


def _browse(rng, customers, taste, theme_cat, sampler, base_date) -> pd.DataFrame:
    """Browsing draws: one row per viewed item with its funnel flags and times (seconds before the base)."""
    n_cust = len(customers)
    mean, sigma = SMALL["draws"], 0.9
    n_draws = np.maximum(1, np.round(rng.lognormal(np.log(mean) - sigma**2 / 2, sigma, n_cust))).astype(int)
    counts = rng.multinomial(n_draws, taste / taste.sum(axis=1, keepdims=True))  # (n_cust, n_themes + 1)
    n_t = counts.shape[1]
    cust = np.repeat(np.repeat(customers["id"].to_numpy(), n_t), counts.ravel())
    theme = np.repeat(np.tile(np.arange(n_t), n_cust), counts.ravel())
    cat = np.empty(len(theme), dtype=int)
    cum = np.cumsum(theme_cat, axis=1)
    for t in range(n_t):
        m = theme == t
        cat[m] = np.minimum(np.searchsorted(cum[t], rng.random(m.sum()) * cum[t, -1], side="right"), cum.shape[1] - 1)
    item = sampler.sample(rng, cat)
    n = len(cust)
    day = rng.choice(np.arange(1, HISTORY_DAYS + 1), size=n, p=day_weights(base_date))
    hour = rng.choice(len(HOUR_WEIGHTS), size=n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    t_view = np.floor(-day * DAY + hour * HOUR + rng.uniform(0, HOUR, n))
    t_cart = t_view + np.floor(rng.uniform(30, 1800, n))
    t_buy = t_cart + np.floor(rng.uniform(60, 3600, n))
    is_cart = rng.random(n) < P_CART
    is_buy = is_cart & (rng.random(n) < P_BUY) & (cust > len(DEMO_CUSTOMERS))
    return pd.DataFrame(dict(customer_id=cust, item=item, cat=cat, day=day, t_view=t_view, t_cart=t_cart,
                             t_buy=t_buy, is_cart=is_cart, is_buy=is_buy))


@dataclass
class _DemoOrder:
    customer_id: int
    order_id: str
    items: list[str]
    placed: float  # seconds relative to the base; inf = has not happened
    paid: float = np.inf
    shipped: float = np.inf
    delivered: float = np.inf
    cancelled: float = np.inf
    status: str = ""


def _demo_fixups(items: pd.DataFrame) -> list[_DemoOrder]:
    """Choose (and where needed adjust) the catalog items of the fixed demo orders; return those orders."""

    def pick(category: str, *, final_sale: bool = False, **attrs) -> int:
        m = (items["category"] == category) & (items["stock"] > 0) & (items["final_sale"] == final_sale)
        for k, v in attrs.items():
            m &= items[k] == v if k in items else items["attributes"].map(lambda a, k=k, v=v: a.get(k) == v)
        cand = items[m]
        if cand.empty:  # force the property on the most popular item of the category
            cand = items[(items["category"] == category)]
            idx = cand["pop"].idxmax()
            items.loc[idx, "stock"] = 10
            for k, v in dict(final_sale=final_sale, **attrs).items():
                if k in items:
                    items.at[idx, k] = v
            return idx
        return cand["pop"].idxmax()

    def variant(idx: int, size: str, stock: int) -> int:
        group = items[items["product_group"] == items.at[idx, "product_group"]]
        colour = items.at[idx, "attributes"]["colour"]
        hit = group[group["attributes"].map(lambda a: a["colour"] == colour and a["size"] == size)]
        j = hit.index[0]
        items.loc[j, "stock"] = stock
        return j

    def make_final_sale(idx: int) -> None:
        group = items.index[items["product_group"] == items.at[idx, "product_group"]]
        items.loc[group, "final_sale"] = True
        items.loc[group, "description"] += " Final sale: this item cannot be returned or exchanged."

    jacket = pick("jackets", fit="true to size")
    jacket_m = variant(jacket, "M", 6)
    variant(jacket, "S", 0), variant(jacket, "L", 4), variant(jacket, "XL", 9)  # S sold out, L/XL in stock
    sweater = pick("sweaters", fit="true to size")
    sweater_s = variant(sweater, "S", 3)
    variant(sweater, "M", 7)  # the demo exchange target
    tshirt = pick("t-shirts")
    make_final_sale(tshirt)
    laptop = pick("laptops", warranty_months=24)
    laptop2 = items[(items["category"] == "laptops") & (items.index != laptop)]["pop"].idxmax()
    headphones = pick("headphones", warranty_months=12)
    ids = items["id"]
    d = DAY
    o = [
        _DemoOrder(1, "SM-100001", [pick("cameras"), pick("camera bags")], -3 * d + 10 * HOUR, -3 * d + 10.1 * HOUR,
                   -2 * d + 9 * HOUR, d),
        _DemoOrder(1, "SM-100002", [jacket_m], -9 * d + 19 * HOUR, -9 * d + 19.2 * HOUR, -8 * d + 11 * HOUR,
                   -5 * d + 14.5 * HOUR),
        _DemoOrder(1, "SM-100003", [pick("novels"), pick("lamps")], -d + 8 * HOUR),
        _DemoOrder(2, "SM-100004", [pick("headphones")], -d + 9 * HOUR, -d + 9.3 * HOUR),
        _DemoOrder(2, "SM-100005", [laptop2], -12 * d + 13 * HOUR, -12 * d + 13.1 * HOUR, np.inf, np.inf,
                   -12 * d + 15 * HOUR),
        _DemoOrder(2, "SM-100006", [pick("jeans")], -50 * d + 20 * HOUR, -50 * d + 20.1 * HOUR, -48 * d + 10 * HOUR,
                   -45 * d + 15 * HOUR),
        _DemoOrder(2, "SM-100007", [tshirt, pick("cookbooks")], -7 * d + 18 * HOUR, -7 * d + 18.1 * HOUR,
                   -6 * d + 9 * HOUR, -3 * d + 12 * HOUR),
        _DemoOrder(2, "SM-100008", [pick("running shoes")], -20 * d + 7 * HOUR, -20 * d + 7.1 * HOUR,
                   -19 * d + 10 * HOUR, -15 * d + 10 * HOUR),
        _DemoOrder(3, "SM-100009", [laptop], -205 * d + 12 * HOUR, -205 * d + 12.1 * HOUR, -204 * d + 9 * HOUR,
                   -200 * d + 11 * HOUR),
        _DemoOrder(3, "SM-100010", [headphones], -405 * d + 12 * HOUR, -405 * d + 12.1 * HOUR, -404 * d + 9 * HOUR,
                   -400 * d + 11 * HOUR),
        _DemoOrder(3, "SM-100011", [pick("smartwatches")], -95 * d + 12 * HOUR, -95 * d + 12.1 * HOUR,
                   -94 * d + 9 * HOUR, -90 * d + 11 * HOUR),
        _DemoOrder(3, "SM-100012", [sweater_s], -12 * d + 12 * HOUR, -12 * d + 12.1 * HOUR, -11 * d + 9 * HOUR,
                   -8 * d + 11 * HOUR),
    ]
    for order in o:
        order.items = [ids[i] for i in order.items]
    return o


def _lifecycle(placed, paid, shipped, delivered, cancel) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Status at the base (time 0) and the visible timestamps (NaN = not reached) from planned event times."""
    cancelled = (cancel <= 0) & (cancel < shipped)
    status = np.select([cancelled, delivered <= 0, shipped <= 0, paid <= 0],
                       ["cancelled", "delivered", "shipped", "paid"], "placed")
    seen = lambda t, ok: np.where(ok & (t <= 0), t, np.nan)  # noqa: E731
    times = dict(placed_at=placed, paid_at=seen(paid, ~cancelled | (paid < cancel)),
                 shipped_at=seen(shipped, ~cancelled), delivered_at=seen(delivered, ~cancelled),
                 cancelled_at=np.where(cancelled, cancel, np.nan))
    return status, times


def _orders(rng, draws, items, sampler, customers, demo, base_date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Order lines (id, order_id, item_id, quantity, unit_price; ``drawn``: came from a browsing draw) and orders
    (times in seconds before the base)."""
    buys = draws[draws["is_buy"]]
    keys = buys["customer_id"].to_numpy() * 10_000 + buys["day"].to_numpy()
    uniq, okey = np.unique(keys, return_inverse=True)
    placed = pd.Series(buys["t_buy"].to_numpy()).groupby(okey).max().to_numpy()
    o_cust = (uniq // 10_000).astype(int)
    lines = pd.DataFrame(dict(o=okey, item=buys["item"].to_numpy(), drawn=True))
    # Cross-type complements join the same order.
    names = category_names()
    comp_cats = lines["item"].map(lambda i: T.COMPLEMENTS.get(names[items.at[i, "cat"]]))
    has = comp_cats.notna().to_numpy() & (rng.random(len(lines)) < P_COMPLEMENT)
    chosen = [names.index(c[int(u * len(c))]) for c, u in zip(comp_cats[has], rng.random(has.sum()))]
    extra = pd.DataFrame(dict(o=lines["o"][has].to_numpy(), item=sampler.sample(rng, np.array(chosen, dtype=int)),
                              drawn=False))
    # Services bought with the order: (service title prefix, categories that trigger it or None = any order, p).
    cat_of = items["category"].to_numpy()
    placed_month = (pd.Timestamp(base_date) + pd.to_timedelta(placed, unit="s")).month.to_numpy()
    svc = {t: i for i, t in zip(items.index, items["title"]) if items.at[i, "content_type"] == "service"}
    rules = [("Extended Warranty", {c for c in T.CATEGORIES["electronics"]}, 0.12),
             ("Accidental Damage", {"smartphones", "laptops", "cameras"}, 0.06),
             ("Laptop and Phone Setup", {"laptops", "smartphones"}, 0.08),
             ("Camera Starter", {"cameras"}, 0.1), ("Furniture Assembly", {"desks", "office chairs"}, 0.15),
             ("TV and Soundbar", {"speakers"}, 0.05), ("Tailoring", {"jeans"}, 0.06),
             ("Gift Wrap", None, 0.03), ("Express Shipping", None, 0.06), ("Evening Delivery", None, 0.02)]
    all_lines = pd.concat([lines, extra], ignore_index=True)
    line_cat = cat_of[all_lines["item"].to_numpy()]
    svc_rows = []
    for prefix, cats, p in rules:
        idx = next(i for t, i in svc.items() if t.startswith(prefix))
        cand = np.arange(len(uniq)) if cats is None else np.unique(all_lines["o"][np.isin(line_cat, list(cats))])
        prob = np.full(len(cand), p)
        if prefix == "Gift Wrap":
            prob = np.where(np.isin(placed_month[cand], [11, 12]), 0.12, p)
        chosen_o = cand[rng.random(len(cand)) < prob]
        svc_rows.append(pd.DataFrame(dict(o=chosen_o, item=idx, drawn=False)))
    lines = pd.concat([all_lines] + svc_rows, ignore_index=True).drop_duplicates(["o", "item"])
    lines = lines.sort_values(["o", "item"], kind="stable")
    # Order timeline (planned; the status is what the plan reached by the base).
    n = len(uniq)
    pay_delay = np.where(rng.random(n) < 0.85, rng.uniform(60, 6 * HOUR, n), rng.uniform(DAY, 3 * DAY, n))
    paid = placed + np.floor(pay_delay)
    shipped = paid + np.floor(rng.uniform(0.3 * DAY, 2.5 * DAY, n))
    delivered = shipped + np.floor(rng.uniform(DAY, 5 * DAY, n))
    cancel = np.where(rng.random(n) < 0.04, placed + np.floor(rng.uniform(0.05, 0.95, n) * (shipped - placed)), np.inf)
    # Prepend the fixed demo orders.
    d_lines = pd.DataFrame([(n + k, i, False) for k, o in enumerate(demo) for i in o.items],
                           columns=["o", "item_id", "drawn"])
    plan = dict(customer_id=np.r_[o_cust, [o.customer_id for o in demo]],
                placed=np.r_[placed, [o.placed for o in demo]], paid=np.r_[paid, [o.paid for o in demo]],
                shipped=np.r_[shipped, [o.shipped for o in demo]],
                delivered=np.r_[delivered, [o.delivered for o in demo]],
                cancel=np.r_[cancel, [o.cancelled for o in demo]])
    order_ids = np.empty(n + len(demo), dtype=object)
    order_ids[np.argsort(placed, kind="stable")] = [f"SM-{FIRST_ORDER + k:06d}" for k in range(n)]
    order_ids[n:] = [o.order_id for o in demo]
    status, times = _lifecycle(plan["placed"], plan["paid"], plan["shipped"], plan["delivered"], plan["cancel"])
    cust = customers.set_index("id").loc[plan["customer_id"]]
    orders = pd.DataFrame(dict(id=order_ids, customer_id=plan["customer_id"], status=status,
                               ship_name=cust["name"].to_numpy(), ship_street=cust["street"].to_numpy(),
                               ship_city=cust["city"].to_numpy(), ship_postcode=cust["postcode"].to_numpy(), **times,
                               cancel_t=plan["cancel"]))
    orders["updated_at"] = orders[["placed_at", "paid_at", "shipped_at", "delivered_at", "cancelled_at"]].max(axis=1)
    # Lines: item ids, prices, quantities.
    lines = pd.concat([pd.DataFrame(dict(o=lines["o"].to_numpy(), item_id=items["id"].to_numpy()[lines["item"]],
                                         drawn=lines["drawn"].to_numpy())),
                       d_lines], ignore_index=True)
    lines["order_id"] = order_ids[lines["o"].to_numpy()]
    it = items.set_index("id")
    lines["unit_price"] = it.loc[lines["item_id"], "price"].to_numpy()
    ctype = it.loc[lines["item_id"], "content_type"].to_numpy()
    lines["quantity"] = np.where(np.isin(ctype, ["books", "home", "clothing"]) & (rng.random(len(lines)) < 0.07), 2, 1)
    lines.loc[lines["o"] >= n, "quantity"] = 1
    lines = lines.sort_values(["order_id", "item_id"], kind="stable").reset_index(drop=True)
    lines.insert(0, "id", np.arange(1, len(lines) + 1))
    total = (lines["unit_price"] * lines["quantity"]).groupby(lines["order_id"]).sum().round(2)
    orders["total"] = total.reindex(orders["id"]).to_numpy()
    orders = orders.sort_values("id").reset_index(drop=True)
    return lines.drop(columns=["o"]), orders


def _shipments(rng, orders) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One shipment per shipped/delivered order, with tracking events up to the base (increasing times)."""
    o = orders[orders["status"].isin(["shipped", "delivered"])].reset_index(drop=True)
    n = len(o)
    carrier = rng.integers(0, len(T.CARRIERS), n)
    num = o["id"].str[3:].astype(int).to_numpy()
    ships = pd.DataFrame(dict(id=np.arange(1, n + 1), order_id=o["id"], carrier=[T.CARRIERS[c][0] for c in carrier],
                              tracking_number=[f"{T.CARRIERS[c][1]}{k:07d}{x:03d}" for c, k, x in
                                               zip(carrier, num, rng.integers(0, 1000, n))],
                              shipped_at=o["shipped_at"], delivered_at=o["delivered_at"]))
    s, d = o["shipped_at"].to_numpy(), o["delivered_at"].to_numpy()
    # Planned delivery for shipments still on the way: 1-5 days after shipment.
    plan = np.where(np.isnan(d), s + rng.uniform(DAY, 5 * DAY, n), d)
    span = plan - s
    depot = np.array(T.DEPOTS)[rng.integers(0, len(T.DEPOTS), n)]
    city = o["ship_city"].to_numpy()
    ev = [("label_created", s, np.array(["Warehouse"] * n), "Shipping label created, parcel handed to the carrier"),
          ("in_transit", np.floor(s + 0.35 * span), depot, "Parcel in transit"),
          ("out_for_delivery", np.floor(plan - 0.1 * span), city, "Out for delivery"),
          ("delivered", d, city, "Delivered")]
    frames = []
    for k, (status, at, loc, desc) in enumerate(ev):
        ok = ~np.isnan(at) & (at <= 0)
        frames.append(pd.DataFrame(dict(shipment_id=ships["id"][ok], at=at[ok], status=status, location=loc[ok],
                                        description=desc, k=k)))
    events = pd.concat(frames).sort_values(["shipment_id", "k"]).drop(columns="k").reset_index(drop=True)
    events.insert(0, "id", np.arange(1, len(events) + 1))
    return ships, events


def _after_sales(rng, orders, lines, items):
    """Returns (+ lines, refunds), exchanges and warranty claims, consistent with delivery dates and shop rules."""
    it = items.set_index("id")
    o = orders.set_index("id")
    ln = lines.join(o[["status", "delivered_at", "customer_id"]], on="order_id")
    ln = ln.join(it[["content_type", "category", "final_sale", "return_rate", "warranty_months", "product_group"]],
                 on="item_id")
    generated = ln["order_id"] >= f"SM-{FIRST_ORDER:06d}"
    delivered = (ln["status"] == "delivered").to_numpy() & generated.to_numpy()
    # Returns: delivered, not final sale, within the window; probability = the item's return rate.
    req = ln["delivered_at"].to_numpy() + np.floor(rng.uniform(0.5 * DAY, 28 * DAY, len(ln)))
    ok = delivered & ~ln["final_sale"].to_numpy() & (rng.random(len(ln)) < ln["return_rate"].to_numpy()) & (req < -600)
    rl = ln[ok].assign(req=req[ok])
    ret = rl.groupby("order_id").agg(customer_id=("customer_id", "first"), created_at=("req", "min"),
                                     ctype=("content_type", "first")).reset_index()
    n = len(ret)
    age = -ret["created_at"].to_numpy()
    reasons = [T.RETURN_REASONS.get(c, ["Changed my mind"]) for c in ret["ctype"]]
    ret["reason"] = [r[int(u * len(r))] for r, u in zip(reasons, rng.random(n))]
    ret["status"] = np.select([age < 3 * DAY, age < 12 * DAY, rng.random(n) < 0.08], ["requested", "received",
                                                                                       "rejected"], "refunded")
    ret["updated_at"] = np.floor(ret["created_at"] + np.minimum(age, np.where(ret["status"] == "requested", 0,
                                                                              rng.uniform(3, 9, n) * DAY)))
    ret["rma"] = _codes(rng, "RMA-", n)
    # The fixed demo return: Jordan's running shoes (SM-100008), received, refund processing.
    demo_line = ln[ln["order_id"] == "SM-100008"].iloc[0]
    demo_ret = pd.DataFrame([dict(order_id="SM-100008", customer_id=2, created_at=-10 * DAY, ctype="clothing",
                                  reason="Too small", status="received", updated_at=-6 * DAY, rma="RMA-DEMO0001")])
    ret = pd.concat([ret, demo_ret], ignore_index=True)
    ret.insert(0, "id", np.arange(1, len(ret) + 1))
    rid = dict(zip(ret["order_id"], ret["id"]))
    rlines = pd.concat([rl[["order_id", "id", "quantity"]], pd.DataFrame([dict(order_id="SM-100008",
                        id=demo_line["id"], quantity=demo_line["quantity"])])], ignore_index=True)
    return_lines = pd.DataFrame(dict(id=np.arange(1, len(rlines) + 1), return_id=rlines["order_id"].map(rid),
                                     order_line_id=rlines["id"], quantity=rlines["quantity"]))
    # Refunds: received -> pending/processing, refunded -> completed; cancelled paid orders -> completed.
    amount = (rlines["quantity"] * lines.set_index("id").loc[rlines["id"], "unit_price"].to_numpy()).groupby(
        rlines["order_id"].to_numpy()).sum()
    rf = ret[ret["status"].isin(["received", "refunded"])]
    m = len(rf)
    rf_status = np.where(rf["status"] == "refunded", "completed",
                         np.where(rng.random(m) < 0.5, "pending", "processing"))
    rf_status[rf["rma"].to_numpy() == "RMA-DEMO0001"] = "processing"
    rf_created = rf["updated_at"].to_numpy()
    refunds = pd.DataFrame(dict(order_id=rf["order_id"], return_id=rf["id"],
                                amount=amount.loc[rf["order_id"]].to_numpy(),
                                status=rf_status, created_at=rf_created,
                                completed_at=np.where(rf_status == "completed",
                                                      np.minimum(rf_created + np.floor(rng.uniform(1, 5, m) * DAY),
                                                                 -60),
                                                      np.nan)))
    cx = orders[(orders["status"] == "cancelled") & orders["paid_at"].notna()]
    done = np.minimum(cx["cancelled_at"].to_numpy() + 3 * DAY, -60)
    refunds = pd.concat([refunds, pd.DataFrame(dict(
        order_id=cx["id"], return_id=np.nan, amount=cx["total"], created_at=cx["cancelled_at"],
        status=np.where(cx["cancelled_at"].to_numpy() + 3 * DAY <= 0, "completed", "processing"),
        completed_at=np.where(cx["cancelled_at"].to_numpy() + 3 * DAY <= 0, done, np.nan)))], ignore_index=True)
    refunds = refunds.sort_values(["created_at", "order_id"], kind="stable").reset_index(drop=True)
    refunds.insert(0, "id", np.arange(1, len(refunds) + 1))
    refunds["return_id"] = refunds["return_id"].astype("Int64")
    # Exchanges: delivered clothing in the last 30 days, not returned, to another in-stock variant of the group.
    returned = set(rlines["id"])
    stock = it[(it["stock"] > 0) & it["product_group"].notna()].groupby("product_group").groups
    recent = delivered & (ln["content_type"] == "clothing").to_numpy() & (ln["delivered_at"].to_numpy() > -28 * DAY)
    recent &= ~ln["id"].isin(returned).to_numpy() & ~ln["final_sale"].to_numpy()
    cand = ln[recent & (rng.random(len(ln)) < 0.12)]
    ex = []
    for row in cand.itertuples():
        options = [i for i in stock.get(row.product_group, []) if i != row.item_id]
        at = row.delivered_at + np.floor(rng.uniform(DAY, 10 * DAY))
        if options and at < -600:
            ex.append(dict(order_id=row.order_id, order_line_id=row.id, new_item_id=options[rng.integers(len(options))],
                           created_at=at, status=T.EXCHANGE_STATUSES[0 if -at < 3 * DAY else rng.integers(1, 3)]))
    demo_ex = ln[ln["order_id"] == "SM-100012"].iloc[0]
    group = it.index[(it["product_group"] == demo_ex["product_group"]) & (it["stock"] > 0)]
    size_m = [i for i in group if it.at[i, "attributes"]["size"] == "M"
              and it.at[i, "attributes"]["colour"] == it.at[demo_ex["item_id"], "attributes"]["colour"]]
    ex.append(dict(order_id="SM-100012", order_line_id=demo_ex["id"], new_item_id=size_m[0], created_at=-2 * DAY,
                   status="requested"))
    exchanges = pd.DataFrame(ex, columns=["order_id", "order_line_id", "new_item_id", "created_at", "status"])
    exchanges["number"] = _codes(rng, "EX-", len(exchanges) - 1) + ["EX-DEMO0001"]
    exchanges.insert(0, "id", np.arange(1, len(exchanges) + 1))
    # Warranty claims: delivered electronics within the warranty period.
    el = ln[delivered & (ln["warranty_months"].to_numpy() > 0)]
    el = el[rng.random(len(el)) < 0.02]
    at = el["delivered_at"].to_numpy() + np.floor(rng.uniform(20 * DAY, el["warranty_months"].to_numpy() * 30 * DAY))
    keep = at < -600
    el, at = el[keep], at[keep]
    claim_status = np.where(-at < 14 * DAY, "open", np.array(["approved", "repaired", "rejected"])[
        rng.integers(0, 3, len(el))])
    faults = np.array(T.WARRANTY_FAULTS)[rng.integers(0, len(T.WARRANTY_FAULTS), len(el))]
    demo_wc = ln[ln["order_id"] == "SM-100011"].iloc[0]
    claims = pd.DataFrame(dict(order_id=np.r_[el["order_id"], ["SM-100011"]],
                               order_line_id=np.r_[el["id"], [demo_wc["id"]]],
                               description=np.r_[faults, ["Battery drains from full to empty in about three hours"]],
                               status=np.r_[claim_status, ["open"]], created_at=np.r_[at, [-4 * DAY]]))
    claims["number"] = _codes(rng, "WC-", len(el)) + ["WC-DEMO0001"]
    claims.insert(0, "id", np.arange(1, len(claims) + 1))
    return ret.drop(columns=["ctype"]), return_lines, refunds, exchanges, claims


def _interactions(rng, draws, orders, lines, returns, return_lines, exchanges, claims, items, help_id):
    """Interactions (customer_id, item_id, kind, at), sorted by time; ids in that order."""
    products = items[items["cat"] >= 0]
    pid = products["id"].to_numpy()
    o = orders.set_index("id")
    parts = [pd.DataFrame(dict(customer_id=draws["customer_id"], item_id=pid[draws["item"]], kind="view",
                               at=draws["t_view"]))]
    carts = draws[draws["is_cart"]]
    parts.append(pd.DataFrame(dict(customer_id=carts["customer_id"], item_id=pid[carts["item"]], kind="cart",
                                   at=carts["t_cart"])))
    # Lines that did not come from a browsing draw (complements, services, demo orders) get their own view and cart.
    ln = lines.join(o[["customer_id", "placed_at", "status"]], on="order_id")
    extra = ln[~ln["drawn"]]  # the column is not written to the database
    n = len(extra)
    cart_t = extra["placed_at"].to_numpy() - np.floor(rng.uniform(60, 600, n))
    parts += [pd.DataFrame(dict(customer_id=extra["customer_id"], item_id=extra["item_id"], kind="view",
                                at=cart_t - np.floor(rng.uniform(60, 900, n)))),
              pd.DataFrame(dict(customer_id=extra["customer_id"], item_id=extra["item_id"], kind="cart", at=cart_t))]
    bought = ln[ln["status"] != "cancelled"]
    parts.append(pd.DataFrame(dict(customer_id=bought["customer_id"], item_id=bought["item_id"], kind="purchase",
                                   at=bought["placed_at"])))
    rl = return_lines.join(returns.set_index("id")[["customer_id", "created_at"]], on="return_id")
    rl = rl.join(lines.set_index("id")[["item_id", "order_id"]], on="order_line_id")
    parts.append(pd.DataFrame(dict(customer_id=rl["customer_id"], item_id=rl["item_id"], kind="return",
                                   at=rl["created_at"])))
    # Help-article views around after-sales moments and before checkout.
    ret_o = returns.join(o[["delivered_at"]], on="order_id")
    before = lambda t, lo, gap: np.maximum(t - np.floor(rng.uniform(60, gap, len(t))), lo + 60)  # noqa: E731
    helps = [(ret_o["customer_id"], "Return policy", before(ret_o["created_at"].to_numpy(),
                                                            ret_o["delivered_at"].to_numpy(), DAY))]
    for frame, title in ((exchanges, "Exchanges: another size or colour"), (claims, "Warranty terms")):
        fo = frame.join(o[["customer_id", "delivered_at"]], on="order_id")
        helps.append((fo["customer_id"], title, before(fo["created_at"].to_numpy(), fo["delivered_at"].to_numpy(),
                                                       DAY)))
    sample = orders[rng.random(len(orders)) < 0.08]
    helps.append((sample["customer_id"], "Shipping times and costs",
                  sample["placed_at"].to_numpy() - np.floor(rng.uniform(120, 1800, len(sample)))))
    clothing_carts = carts[products["content_type"].to_numpy()[carts["item"]] == "clothing"]
    cc = clothing_carts[rng.random(len(clothing_carts)) < 0.15]
    helps.append((cc["customer_id"], "Size guide", cc["t_cart"].to_numpy() - 20))
    paid_late = orders[orders["paid_at"].isna() & (orders["status"] == "placed")]
    helps.append((paid_late["customer_id"], "Payment methods", paid_late["placed_at"].to_numpy() + 60))
    for cust, title, at in helps:
        parts.append(pd.DataFrame(dict(customer_id=np.asarray(cust), item_id=help_id[title], kind="view",
                                       at=np.minimum(np.asarray(at, dtype=float), -1))))
    inter = pd.concat(parts, ignore_index=True)
    inter["at"] = inter["at"].astype(float)
    inter = inter.sort_values(["at", "customer_id", "item_id", "kind"], kind="stable").reset_index(drop=True)
    inter.insert(0, "id", np.arange(1, len(inter) + 1))
    return inter


# --- database -------------------------------------------------------------------------------------------------------
TIME_COLUMNS = {"created_at", "placed_at", "paid_at", "shipped_at", "delivered_at", "cancelled_at", "updated_at", "at",
                "completed_at"}


def _records(df: pd.DataFrame, base: dt.datetime) -> list[dict]:
    """Rows as dicts of plain Python values; time columns (seconds before the base) become datetimes, NaN -> None."""
    cols = {}
    for c in df.columns:
        s = df[c]
        if c in TIME_COLUMNS:
            vals = s.to_numpy(dtype=float)
            ts = pd.Series(pd.Timestamp(base) + pd.to_timedelta(np.nan_to_num(vals), unit="s"))
            py = ts.dt.to_pydatetime()
            cols[c] = [None if np.isnan(v) else p for v, p in zip(vals, py)]
        elif str(s.dtype) == "Int64":
            cols[c] = [None if pd.isna(v) else int(v) for v in s]
        elif s.dtype.kind in "iub":
            cols[c] = s.tolist()
        elif s.dtype.kind == "f":
            cols[c] = [None if np.isnan(v) else round(float(v), 2) for v in s]
        else:
            cols[c] = [None if (v is None or (isinstance(v, float) and np.isnan(v))) else v for v in s]
    names = list(cols)
    return [dict(zip(names, row)) for row in zip(*cols.values())]


def count_rows(url: str) -> int:
    engine = get_engine(url)
    if not is_initialised(url):
        return 0
    with engine.connect() as conn:
        return sum(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in Base.metadata.sorted_tables)


def write(data: DemoData, url: str, *, progress: bool = False, chunk: int = 20_000) -> None:
    """Insert every table in one transaction (SQLAlchemy Core bulk inserts in chunks)."""
    engine = init_db(url)
    total = sum(len(df) for df in data.tables.values())
    bar = tqdm(total=total, desc="writing", unit="row", disable=not progress, unit_scale=True)
    with engine.begin() as conn:
        for name in TABLES:
            table = Base.metadata.tables[name]
            df = data.tables[name]
            cols = [c.name for c in table.columns if c.name in df.columns]
            indexes = sorted(table.indexes, key=lambda i: i.name) if len(df) > 50_000 else []
            for index in indexes:  # bulk load first, index once afterwards (several times faster)
                index.drop(conn)
            for start in range(0, len(df), chunk):
                part = df.iloc[start:start + chunk][cols]
                conn.execute(table.insert(), _records(part, data.base))
                bar.update(len(part))
            for index in indexes:
                index.create(conn)
        if engine.dialect.name == "postgresql":  # explicit ids: move the serial sequences past them
            for name in TABLES:
                table = Base.metadata.tables[name]
                if "id" in table.c and isinstance(table.c.id.type, Integer):
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                      f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"))
    bar.close()


# --- summary and command line ---------------------------------------------------------------------------------------
def summary(data: DemoData, elapsed: float) -> str:
    t = data.tables
    out = []

    def table(title: str, counts: pd.Series) -> None:
        out.append(f"{title}")
        for k, v in counts.items():
            out.append(f"  {k:<22s}{v:>10,d}")

    table("items per content type", t["items"]["content_type"].value_counts().sort_index())
    table("orders per status", t["orders"]["status"].value_counts().reindex(ORDER_STATUSES, fill_value=0))
    table("interactions per kind", t["interactions"]["kind"].value_counts().sort_index())
    after = {"customers": len(t["customers"]), "order lines": len(t["order_lines"]),
             "shipments": len(t["shipments"]), "shipment events": len(t["shipment_events"]),
             "returns": len(t["returns"]), "exchanges": len(t["exchanges"]),
             "warranty claims": len(t["warranty_claims"])}
    after.update({f"refunds {k}": v for k, v in t["refunds"]["status"].value_counts().sort_index().items()})
    table("other tables", pd.Series(after))
    out.append(f"elapsed {elapsed:.1f} s (base date {data.base.date()})")
    out.append("demo customers (verify with order id + email):")
    for cid, name, email, *_ in DEMO_CUSTOMERS:
        out.append(f"  #{cid} {name} <{email}>")
        for c, oid, status, titles in data.demo_orders:
            if c == cid:
                out.append(f"    {oid} {status:<10s} {'; '.join(titles)}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m shop.demo", description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--scale", type=parse_scale, default=1.0, help="small (default), large, or a float (1.0 = small)")
    p.add_argument("--url", help="database URL (default: $SHOP_DB_URL or var/shop.db)")
    p.add_argument("--base-date", type=parse_base_date, default=BASE_DATE,
                   help=f"YYYY-MM-DD or 'today': every timestamp lies before it (default {BASE_DATE}, fixed)")
    p.add_argument("--force", action="store_true", help="drop and recreate every table first")
    p.add_argument("--if-missing", action="store_true", help="do nothing (exit 0) if the database already has data")
    p.add_argument("--quiet", action="store_true", help="no progress bars and no summary")
    args = p.parse_args(argv)
    url = database_url(args.url)
    started = time.perf_counter()
    if args.force:
        drop_db(url)
    elif count_rows(url):
        if args.if_missing:
            print(f"{_redact(url)} already has data; keeping it (use --force to regenerate)")
            return 0
        print(f"{_redact(url)} is not empty: refusing to add demo data (use --force to drop and recreate it)",
              file=sys.stderr)
        return 1
    progress = not args.quiet and args.scale >= 5
    data = generate(args.seed, args.scale, args.base_date, progress=progress)
    write(data, url, progress=progress)
    if not args.quiet:
        print(summary(data, time.perf_counter() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
