"""The demo-data generator (``python -m shop.demo``): determinism, consistency of the store's history, the fixed demo
customers, and structure a recommender can learn from. Runs on a tiny scale (0.2) with a fixed base date."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from shop import demo
from shop.db import get_engine
from shop.models import CONTENT_TYPES, ORDER_STATUSES, Base, Return

BASE = dt.datetime(2026, 11, 20)
ARGS = ["--scale", "0.2", "--base-date", "2026-11-20", "--quiet"]

pytestmark = pytest.mark.unit


def _make(tmp_path_factory, name: str, *extra: str) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / name}"
    assert demo.main(["--url", url, *ARGS, *extra]) == 0
    return url


def _dump(url: str) -> dict[str, list[tuple]]:
    with get_engine(url).connect() as conn:
        return {t.name: conn.execute(select(t).order_by(*t.primary_key.columns)).all()
                for t in Base.metadata.sorted_tables}


@pytest.fixture(scope="module")
def url(tmp_path_factory) -> str:
    return _make(tmp_path_factory, "seed0.db", "--seed", "0")


@pytest.fixture(scope="module")
def t(url) -> dict[str, pd.DataFrame]:
    """Every table as a DataFrame."""
    with get_engine(url).connect() as conn:
        return {name: pd.read_sql_table(name, conn) for name in demo.TABLES}


def _lines(t) -> pd.DataFrame:
    return t["order_lines"].merge(t["orders"], left_on="order_id", right_on="id", suffixes=("", "_order")).merge(
        t["items"], left_on="item_id", right_on="id", suffixes=("", "_item"))


# --- determinism ----------------------------------------------------------------------------------------------------
def test_same_seed_gives_identical_database(url, tmp_path_factory):
    again = _make(tmp_path_factory, "seed0-again.db", "--seed", "0")
    a, b = _dump(url), _dump(again)
    assert sum(len(rows) for rows in a.values()) > 5000
    for name in a:
        assert a[name] == b[name], name


def test_different_seed_gives_different_database(url, tmp_path_factory):
    other = _dump(_make(tmp_path_factory, "seed1.db", "--seed", "1"))
    mine = _dump(url)
    assert mine["items"] != other["items"]
    assert mine["interactions"] != other["interactions"]


# --- catalog ----------------------------------------------------------------------------------------------------------
def test_every_content_type_present_with_formatted_ids(t):
    items = t["items"]
    assert set(items["content_type"]) == set(CONTENT_TYPES)
    prefix = {v: k for k, v in demo.PREFIX.items()}
    assert items["id"].str.fullmatch(r"[A-Z]{2}-\d{6}").all()
    assert (items["id"].str[:2].map(prefix) == items["content_type"]).all()
    assert items["title"].str.len().between(4, 200).all() and items["id"].is_unique


def test_stock_prices_and_always_available_content(t):
    items = t["items"]
    assert (items["stock"] >= 0).all() and (items["price"] >= 0).all()
    content = items[items["content_type"].isin(["help_article", "service"])]
    assert (content["stock"] >= 100_000).all()
    assert (items.loc[items["content_type"] == "help_article", "price"] == 0).all()
    assert (items.loc[items["content_type"] == "service", "price"] > 0).all()
    assert len(items[items["content_type"] == "help_article"]) >= 12
    products = items[items["content_type"].isin(["books", "electronics", "clothing", "home"])]
    assert (products["price"] > 0).all() and products["final_sale"].any() and not products["final_sale"].all()


def test_help_articles_state_the_shop_rules(t):
    text = " ".join(t["items"].loc[t["items"]["content_type"] == "help_article", "description"]).lower()
    for rule in ("30 days of delivery", "final sale", "has not shipped", "12 or 24 months", "size"):
        assert rule in text, rule


def test_clothing_variants_share_groups_with_sizes_colours_and_sold_out_sizes(t):
    cl = t["items"][t["items"]["content_type"] == "clothing"]
    assert cl["product_group"].notna().all()
    attrs = cl["attributes"]
    assert attrs.map(lambda a: {"size", "colour"} <= set(a)).all()
    groups = cl.groupby("product_group")
    assert (groups.size() > 1).mean() > 0.9
    assert (groups["title"].apply(lambda s: s.str.split(" — ").str[0].nunique()) == 1).all()
    sold_out_with_alternative = groups["stock"].apply(lambda s: (s == 0).any() and (s > 0).any())
    assert sold_out_with_alternative.sum() >= 5
    others = t["items"][t["items"]["content_type"] != "clothing"]
    assert others["product_group"].isna().all()


def test_electronics_have_warranty_and_others_do_not(t):
    items = t["items"]
    el = items["content_type"] == "electronics"
    assert set(items.loc[el, "warranty_months"]) == {12, 24}
    assert (items.loc[~el, "warranty_months"] == 0).all()


# --- orders and shipments -----------------------------------------------------------------------------------------
def test_every_order_status_present_and_ids_formatted(t):
    orders = t["orders"]
    assert set(orders["status"]) == set(ORDER_STATUSES)
    assert orders["id"].str.fullmatch(r"SM-\d{6}").all()


def test_order_dates_follow_the_status(t):
    o = t["orders"]
    times = ["placed_at", "paid_at", "shipped_at", "delivered_at", "cancelled_at", "updated_at"]
    assert (o[times].max(axis=1) < BASE).all()
    reached = {"placed": [], "paid": ["paid_at"], "shipped": ["paid_at", "shipped_at"],
               "delivered": ["paid_at", "shipped_at", "delivered_at"]}
    for status, cols in reached.items():
        part = o[o["status"] == status]
        for col in ("paid_at", "shipped_at", "delivered_at"):
            assert part[col].notna().all() if col in cols else part[col].isna().all(), (status, col)
        assert part["cancelled_at"].isna().all()
    d = o[o["status"] == "delivered"]
    assert (d["delivered_at"] >= d["shipped_at"]).all() and (d["shipped_at"] >= d["paid_at"]).all()
    assert (d["paid_at"] >= d["placed_at"]).all()
    c = o[o["status"] == "cancelled"]
    assert c["cancelled_at"].notna().all() and c["shipped_at"].isna().all()
    assert (c["cancelled_at"] > c["placed_at"]).all()
    recent = d[d["delivered_at"] > BASE - dt.timedelta(days=30)]
    assert len(recent) >= 0.05 * len(d)  # returns are possible in demos


def test_shipments_only_for_shipped_orders_with_consistent_events(t):
    o = t["orders"].set_index("id")
    s = t["shipments"]
    shipped = set(o.index[o["status"].isin(["shipped", "delivered"])])
    assert set(s["order_id"]) == shipped and s["order_id"].is_unique
    assert s["tracking_number"].is_unique
    assert (s["shipped_at"].to_numpy() == o.loc[s["order_id"], "shipped_at"].to_numpy()).all()
    ev = t["shipment_events"].merge(s, left_on="shipment_id", right_on="id", suffixes=("", "_s"))
    assert (ev["at"] >= ev["shipped_at"]).all() and (ev["at"] < BASE).all()
    assert (ev.groupby("shipment_id")["at"].apply(lambda a: a.is_monotonic_increasing)).all()
    assert (ev.groupby("shipment_id")["id"].apply(lambda a: a.is_monotonic_increasing)).all()
    last = ev.sort_values("at").groupby("order_id").last()
    status = o.loc[last.index, "status"]
    assert ((last["status"] == "delivered") == (status == "delivered")).all()
    delivered = last[status == "delivered"]
    assert (delivered["at"] == o.loc[delivered.index, "delivered_at"]).all()


def test_order_totals_are_the_sum_of_lines_of_real_items(t):
    lines = t["order_lines"]
    assert lines["item_id"].isin(t["items"]["id"]).all()
    assert set(lines["order_id"]) == set(t["orders"]["id"])  # no empty orders
    sums = (lines["quantity"] * lines["unit_price"]).groupby(lines["order_id"]).sum().round(2)
    o = t["orders"].set_index("id")
    assert (o.loc[sums.index, "total"].round(2) - sums).abs().max() < 0.005


# --- after-sales ---------------------------------------------------------------------------------------------------
def test_returns_are_of_delivered_returnable_lines_of_the_same_order(t):
    rl = t["return_lines"].merge(t["returns"], left_on="return_id", right_on="id", suffixes=("", "_ret"))
    rl = rl.merge(_lines(t), left_on="order_line_id", right_on="id", suffixes=("", "_line"))
    assert len(rl) >= 5
    assert (rl["order_id"] == rl["order_id_line"]).all()
    assert (rl["status_line"] == "delivered").all()
    assert not rl["final_sale"].any()
    assert (rl["created_at"] > rl["delivered_at"]).all()
    assert (rl["created_at"] <= rl["delivered_at"] + dt.timedelta(days=30)).all()
    assert (rl["quantity"] <= rl["quantity_line"]).all()
    assert t["returns"]["rma"].str.fullmatch(r"RMA-[A-Z0-9]{8}").all() and t["returns"]["rma"].is_unique
    assert (t["returns"]["customer_id"].to_numpy() ==
            t["orders"].set_index("id").loc[t["returns"]["order_id"], "customer_id"].to_numpy()).all()


def test_refunds_follow_returns_and_cancellations(t):
    refunds = t["refunds"]
    assert {"pending", "processing", "completed"} <= set(refunds["status"]) or \
        {"processing", "completed"} <= set(refunds["status"])
    done = refunds["status"] == "completed"
    assert refunds.loc[done, "completed_at"].notna().all() and refunds.loc[~done, "completed_at"].isna().all()
    assert (refunds.loc[done, "completed_at"] >= refunds.loc[done, "created_at"]).all()
    ret = t["returns"].set_index("id")
    with_return = refunds[refunds["return_id"].notna()]
    assert set(ret.loc[with_return["return_id"].astype(int), "status"]) <= {"received", "refunded"}
    assert (ret.loc[with_return["return_id"].astype(int), "order_id"].to_numpy() == with_return["order_id"]).all()
    orders = t["orders"].set_index("id")
    no_return = refunds[refunds["return_id"].isna()]
    assert (orders.loc[no_return["order_id"], "status"] == "cancelled").all()
    assert (refunds["amount"] > 0).all()


def test_exchanges_stay_in_the_product_group_and_in_stock(t):
    ex = t["exchanges"].merge(_lines(t), left_on="order_line_id", right_on="id", suffixes=("", "_line"))
    items = t["items"].set_index("id")
    assert len(ex) >= 1 and (ex["order_id"] == ex["order_id_line"]).all()
    assert (items.loc[ex["new_item_id"], "product_group"].to_numpy() == ex["product_group"].to_numpy()).all()
    assert (ex["new_item_id"] != ex["item_id"]).all()
    assert (items.loc[ex["new_item_id"], "stock"] > 0).all()
    assert t["exchanges"]["number"].str.fullmatch(r"EX-[A-Z0-9]{8}").all()


def test_warranty_claims_are_for_delivered_electronics_within_warranty(t):
    wc = t["warranty_claims"].merge(_lines(t), left_on="order_line_id", right_on="id", suffixes=("", "_line"))
    assert len(wc) >= 1 and (wc["content_type"] == "electronics").all() and (wc["status_line"] == "delivered").all()
    months = wc["warranty_months"].map(lambda m: dt.timedelta(days=30 * m))
    assert ((wc["created_at"] > wc["delivered_at"]) & (wc["created_at"] <= wc["delivered_at"] + months)).all()
    assert t["warranty_claims"]["number"].str.fullmatch(r"WC-[A-Z0-9]{8}").all()


# --- interactions -------------------------------------------------------------------------------------------------
def test_purchase_interactions_are_the_lines_of_non_cancelled_orders(t):
    inter = t["interactions"]
    assert set(inter["kind"]) == {"view", "cart", "purchase", "return"}
    lines = _lines(t)
    lines = lines[lines["status"] != "cancelled"]
    expected = sorted(zip(lines["customer_id"], lines["item_id"], lines["placed_at"]))
    p = inter[inter["kind"] == "purchase"]
    assert sorted(zip(p["customer_id"], p["item_id"], p["at"])) == expected
    r = inter[inter["kind"] == "return"]
    assert len(r) == len(t["return_lines"])


def test_every_purchase_follows_a_view_and_a_cart(t):
    inter = t["interactions"]
    first = inter.groupby(["customer_id", "item_id", "kind"])["at"].min().unstack()
    bought = first[first["purchase"].notna()]
    assert (bought["cart"] <= bought["purchase"]).all() and (bought["view"] <= bought["cart"]).all()
    counts = inter["kind"].value_counts()
    assert counts["view"] > counts["cart"] > counts["purchase"] > counts["return"]


def test_interactions_are_seasonal_skewed_and_before_the_base(t):
    inter = t["interactions"]
    assert (inter["at"] < BASE).all() and (inter["at"] >= BASE - dt.timedelta(days=732)).all()
    month = inter["at"].dt.month.value_counts()
    assert month[[11, 12]].mean() > 1.4 * month[[6, 7, 8]].mean()
    views = inter[(inter["kind"] == "view") & ~inter["item_id"].str.startswith("HA")]["item_id"].value_counts()
    top = views.iloc[: max(1, len(views) // 10)].sum()
    assert top > 0.3 * views.sum()  # Zipf-like: the top 10% of items get far more than 10% of views


def test_collaborative_signal_spans_content_types(t):
    """Customers who bought a camera buy photography books or camera bags far more often than everyone else."""
    p = t["interactions"][t["interactions"]["kind"] == "purchase"].merge(
        t["items"][["id", "category"]], left_on="item_id", right_on="id")
    buyers = lambda cats: set(p.loc[p["category"].isin(cats), "customer_id"])  # noqa: E731
    camera, related, everyone = buyers(["cameras"]), buyers(["photography books", "camera bags"]), set(p["customer_id"])
    assert len(camera) >= 3
    lift = (len(camera & related) / len(camera)) / (len(related) / len(everyone))
    assert lift > 2


def test_returns_concentrate_on_some_clothing(t):
    lines = _lines(t)
    delivered = lines[(lines["status"] == "delivered") & ~lines["final_sale"]]
    returned = delivered["id"].isin(t["return_lines"]["order_line_id"])
    by_type = returned.groupby(delivered["content_type"]).mean()
    assert by_type["clothing"] > by_type["books"]
    runs_small = delivered["attributes"].map(lambda a: a.get("fit") == "runs small")
    cl = delivered["content_type"] == "clothing"
    assert returned[cl & runs_small].mean() > 2 * returned[cl & ~runs_small].mean()


# --- fixed demo customers ------------------------------------------------------------------------------------------
def test_fixed_demo_customers_and_orders(t):
    c = t["customers"].set_index("id")
    for cid, name, email, *_ in demo.DEMO_CUSTOMERS:
        assert (c.at[cid, "name"], c.at[cid, "email"]) == (name, email)
    assert c["email"].is_unique
    generated = c.loc[len(demo.DEMO_CUSTOMERS) + 1:, "email"]
    assert generated.str.fullmatch(r"[a-z]+\.[a-z]+\d+@example\.com").all()
    o = t["orders"].set_index("id")
    lines = _lines(t).set_index("order_id")
    expect = {"SM-100001": (1, "shipped"), "SM-100002": (1, "delivered"), "SM-100003": (1, "placed"),
              "SM-100004": (2, "paid"), "SM-100005": (2, "cancelled"), "SM-100006": (2, "delivered"),
              "SM-100007": (2, "delivered"), "SM-100008": (2, "delivered"), "SM-100009": (3, "delivered"),
              "SM-100010": (3, "delivered"), "SM-100011": (3, "delivered"), "SM-100012": (3, "delivered")}
    for oid, (cid, status) in expect.items():
        assert (o.at[oid, "customer_id"], o.at[oid, "status"]) == (cid, status), oid
    assert "cameras" in set(lines.loc[["SM-100001"], "category"])
    jacket = lines.loc[["SM-100002"]].iloc[0]
    assert jacket["category"] == "jackets" and not jacket["final_sale"]
    assert o.at["SM-100002", "delivered_at"].date() == (BASE - dt.timedelta(days=5)).date()
    siblings = t["items"][(t["items"]["product_group"] == jacket["product_group"]) & (t["items"]["stock"] > 0)]
    assert len(siblings) >= 3  # other sizes to exchange into
    assert lines.loc[["SM-100007"], "final_sale"].any() and not lines.loc[["SM-100007"], "final_sale"].all()
    assert o.at["SM-100006", "delivered_at"] < BASE - dt.timedelta(days=30)
    assert lines.loc[["SM-100009"], "warranty_months"].iat[0] == 24
    r = t["returns"].set_index("rma").loc["RMA-DEMO0001"]
    assert r["order_id"] == "SM-100008" and r["status"] == "received"
    assert t["refunds"].set_index("order_id").at["SM-100008", "status"] == "processing"
    assert t["warranty_claims"].set_index("number").at["WC-DEMO0001", "order_id"] == "SM-100011"
    assert t["exchanges"].set_index("number").at["EX-DEMO0001", "order_id"] == "SM-100012"


def test_demo_orders_work_with_the_shop_services(url):
    """The fixed demo orders support the flows the README promises (services judged at the base date)."""
    services = pytest.importorskip("shop.services")
    shop = services.Shop(url, now=lambda: BASE)
    customer = shop.verification.verify("SM-100002", "alex.morgan@example.com", "demo-test")
    jacket = shop.orders.status("SM-100002", customer.id).lines[0].item_id
    assert shop.after_sales.return_eligibility("SM-100002", customer.id, jacket).ok
    assert shop.after_sales.exchange_options("SM-100002", customer.id, jacket)
    assert shop.orders.status("SM-100001", customer.id).shipments


# --- command line and databases ------------------------------------------------------------------------------------
def test_refuses_a_non_empty_database_unless_forced(url, capsys):
    before = _dump(url)["orders"]
    assert demo.main(["--url", url, *ARGS, "--seed", "1"]) == 1
    err = capsys.readouterr().err.strip()
    assert "not empty" in err and "--force" in err and len(err.splitlines()) == 1
    assert demo.main(["--url", url, *ARGS, "--seed", "1", "--if-missing"]) == 0
    assert _dump(url)["orders"] == before


def test_force_recreates(tmp_path):
    url = f"sqlite:///{tmp_path / 'f.db'}"
    assert demo.main(["--url", url, *ARGS, "--seed", "1"]) == 0
    first = _dump(url)
    assert demo.main(["--url", url, *ARGS, "--seed", "2", "--force"]) == 0
    second = _dump(url)
    assert first["items"] != second["items"]
    assert demo.main(["--url", url, *ARGS, "--seed", "1", "--force"]) == 0
    assert _dump(url) == first


@pytest.mark.parametrize("bad", ["huge", "0", "-1", "1e9"])
def test_bad_scale_is_rejected_clearly(bad, capsys):
    with pytest.raises(SystemExit) as exc:
        demo.main(["--scale", bad, "--url", "sqlite://"])
    assert exc.value.code == 2 and "scale must be" in capsys.readouterr().err


def test_scale_and_base_date_parsing():
    assert demo.parse_scale("small") == 1.0 and demo.parse_scale("large") == demo.LARGE_SCALE
    assert demo.parse_scale("2.5") == 2.5
    assert demo.parse_base_date("2025-01-31") == dt.date(2025, 1, 31)
    assert demo.parse_base_date("today") == dt.datetime.utcnow().date()


def test_base_date_moves_every_timestamp(tmp_path):
    url = f"sqlite:///{tmp_path / 'b.db'}"
    assert demo.main(["--url", url, "--scale", "0.2", "--base-date", "2026-12-20", "--quiet"]) == 0
    with get_engine(url).connect() as conn:
        o = pd.read_sql_table("orders", conn).set_index("id")
    assert o.at["SM-100002", "delivered_at"].date() == dt.date(2026, 12, 15)
    assert o["placed_at"].max() < dt.datetime(2026, 12, 20)


def test_writes_to_each_database_and_new_rows_get_fresh_ids(db_url):
    """On PostgreSQL the generator inserts explicit ids: the serial sequences must move past them."""
    assert demo.main(["--url", db_url, "--scale", "0.05", "--quiet"]) == 0
    eng = get_engine(db_url)
    from sqlalchemy.orm import Session

    with Session(eng) as s:
        n = s.query(Return).count()
        s.add(Return(rma="RMA-ZZZZZZZZ", order_id="SM-100002", customer_id=1, reason="test"))
        s.commit()
        assert s.query(Return).count() == n + 1
