"""Returns (30-day window, final sale, quantities), refunds, exchanges (stock), warranty claims."""
import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from shop.after_sales import add_months
from shop.db import session_scope
from shop.errors import Invalid, NotAllowed, NotFound
from shop.models import Exchange, IdempotencyRecord, Interaction, Item, Order, Return, ReturnLine, WarrantyClaim
from shop.orders import ORDER_NOT_FOUND
from tests.factories import make_refund, make_return


def count(db, model, *where):
    with session_scope(db) as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def elig(shop, dataset, order="delivered", item="tee_m"):
    return shop.after_sales.return_eligibility(dataset.orders[order], dataset.alice, dataset.items[item])


# --- return eligibility -----------------------------------------------------------------------------------------
def test_delivered_item_within_window_is_eligible(shop, dataset):
    e = elig(shop, dataset)
    assert (e.ok, e.code, e.returnable_quantity) == (True, "ok", 1)
    assert e.return_by == dataset.now + dt.timedelta(days=20)


def test_return_window_boundary_is_30_days_inclusive(shop, dataset, clock):
    clock.advance(days=20)  # delivered exactly 30 days ago
    assert elig(shop, dataset).ok
    clock.advance(seconds=1)
    e = elig(shop, dataset)
    assert (e.ok, e.code) == (False, "window_closed") and "30-day" in e.reason
    assert elig(shop, dataset, order="old", item="camera").code == "window_closed"  # 40 days


@pytest.mark.parametrize("order, item, code", [("delivered", "scarf", "final_sale"), ("shipped", "headphones",
                                                                                        "not_delivered"),
                                               ("paid", "book", "not_delivered")])
def test_ineligible_reasons(shop, dataset, order, item, code):
    e = elig(shop, dataset, order, item)
    assert (e.ok, e.code) == (False, code) and e.reason


def test_item_not_in_order_and_someone_elses_order(shop, dataset):
    with pytest.raises(NotFound) as err:
        elig(shop, dataset, "delivered", "headphones")
    assert err.value.code == "item_not_in_order"
    with pytest.raises(NotFound) as err:
        shop.after_sales.return_eligibility(dataset.orders["bob_delivered"], dataset.alice, dataset.items["book"])
    assert err.value.user_message == ORDER_NOT_FOUND


# --- start_return -------------------------------------------------------------------------------------------------
def test_start_return_creates_rma_line_and_interaction(shop, dataset, db):
    r = shop.after_sales.start_return(dataset.orders["delivered"], dataset.alice, dataset.items["book"],
                                      "arrived damaged", "k-ret")
    assert r.rma.startswith("RMA-") and len(r.rma) == 12 and r.rma[4:].isalnum() and r.rma[4:].upper() == r.rma[4:]
    assert (r.quantity, r.refund_amount, r.status) == (2, Decimal("50.00"), "requested")  # whole remaining quantity
    assert r.rma in r.instructions and "50.00" in r.instructions
    with session_scope(db) as s:
        ret = s.execute(select(Return).where(Return.rma == r.rma)).scalar_one()
        assert (ret.reason, ret.customer_id, [l.quantity for l in ret.lines]) == ("arrived damaged", dataset.alice, [2])
    assert count(db, Interaction, Interaction.kind == "return") == 1
    e = elig(shop, dataset, item="book")
    assert (e.ok, e.code, e.returnable_quantity) == (False, "already_returned", 0)
    with pytest.raises(NotAllowed) as err:
        shop.after_sales.start_return(dataset.orders["delivered"], dataset.alice, dataset.items["book"], "again", "k2")
    assert err.value.code == "already_returned"


def test_partially_returned_line_returns_the_rest(shop, dataset, db):
    with session_scope(db) as s:
        order = s.get(Order, dataset.orders["delivered"])
        make_return(s, order, s.get(Item, dataset.items["book"]), quantity=1, now=dataset.now)
    assert elig(shop, dataset, item="book").returnable_quantity == 1
    r = shop.after_sales.start_return(dataset.orders["delivered"], dataset.alice, dataset.items["book"], "x1", "k")
    assert (r.quantity, r.refund_amount) == (1, Decimal("25.00"))


def test_start_return_retry_returns_same_rma_and_writes_one_row(shop, dataset, db, clock):
    args = (dataset.orders["delivered"], dataset.alice, dataset.items["tee_m"], "too small")
    first = shop.after_sales.start_return(*args, "conv-9:return:1")
    clock.advance(minutes=1)
    assert shop.after_sales.start_return(*args, "conv-9:return:1") == first
    assert count(db, Return) == count(db, ReturnLine) == count(db, IdempotencyRecord) == 1


def test_concurrent_duplicate_requests_create_one_return(shop, dataset, db):
    """Two threads race with the same key: one transaction wins, the other returns the stored view."""
    args = (dataset.orders["delivered"], dataset.alice, dataset.items["camera"], "changed my mind", "race-key")
    barrier, results, errors = threading.Barrier(2), [], []

    def go():
        barrier.wait()
        try:
            results.append(shop.after_sales.start_return(*args))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # The loser waits for the winner's lock (SQLite: BEGIN IMMEDIATE, PostgreSQL: FOR UPDATE on the order), then
    # fails on "already returned" or on the key, and answers with the winner's stored view.
    assert errors == [] and len(results) == 2 and results[0] == results[1]
    assert count(db, Return) == 1 and count(db, IdempotencyRecord) == 1


def test_start_return_rules_raise_not_allowed(shop, dataset, clock):
    with pytest.raises(NotAllowed) as err:
        shop.after_sales.start_return(dataset.orders["delivered"], dataset.alice, dataset.items["scarf"], "x1", "k1")
    assert "final-sale" in err.value.user_message
    with pytest.raises(NotAllowed):
        shop.after_sales.start_return(dataset.orders["old"], dataset.alice, dataset.items["camera"], "x1", "k2")
    with pytest.raises(NotAllowed):
        shop.after_sales.start_return(dataset.orders["shipped"], dataset.alice, dataset.items["headphones"], "x1", "k3")


@pytest.mark.parametrize("reason", ["", "x" * 501, "bad\x00byte"])
def test_start_return_validates_reason(shop, dataset, reason):
    with pytest.raises(Invalid):
        shop.after_sales.start_return(dataset.orders["delivered"], dataset.alice, dataset.items["book"], reason, "k")


def test_sql_looking_reason_is_stored_verbatim(shop, dataset, db):
    reason = "Robert'); DROP TABLE returns; --"
    r = shop.after_sales.start_return(dataset.orders["delivered"], dataset.alice, dataset.items["book"], reason, "k")
    with session_scope(db) as s:
        assert s.execute(select(Return.reason).where(Return.rma == r.rma)).scalar_one() == reason


# --- refunds ------------------------------------------------------------------------------------------------------
def test_refund_status_lists_refunds_with_rma(shop, dataset, db):
    assert shop.after_sales.refund_status(dataset.orders["delivered"], dataset.alice) == []
    with session_scope(db) as s:
        order = s.get(Order, dataset.orders["delivered"])
        ret = make_return(s, order, s.get(Item, dataset.items["book"]), rma="RMA-TEST0001", now=dataset.now)
        make_refund(s, order, amount="25.00", status="completed", ret=ret, now=dataset.now)
    [refund] = shop.after_sales.refund_status(dataset.orders["delivered"], dataset.alice)
    assert (refund.amount, refund.status, refund.rma, refund.completed_at) == (Decimal("25.00"), "completed",
                                                                             "RMA-TEST0001", dataset.now)
    with pytest.raises(NotFound):
        shop.after_sales.refund_status(dataset.orders["delivered"], dataset.bob)


# --- exchanges ----------------------------------------------------------------------------------------------------
def test_exchange_options_are_other_in_stock_variants(shop, dataset):
    opts = shop.after_sales.exchange_options(dataset.orders["delivered"], dataset.alice, dataset.items["tee_m"])
    assert [o.id for o in opts] == [dataset.items["tee_l"]]  # S is sold out, M is the ordered one
    assert shop.after_sales.exchange_options(dataset.orders["delivered"], dataset.alice,
                                             dataset.items["camera"]) == []


def test_exchange_takes_stock_and_opens_return_in_one_transaction(shop, dataset, db):
    tee_l = dataset.items["tee_l"]
    ex = shop.after_sales.exchange(dataset.orders["delivered"], dataset.alice, dataset.items["tee_m"], tee_l, "k-ex")
    assert ex.number.startswith("EX-") and ex.new_item_id == tee_l and ex.rma in ex.instructions
    assert shop.catalog.get(tee_l).stock == 1
    assert shop.after_sales.exchange(dataset.orders["delivered"], dataset.alice, dataset.items["tee_m"], tee_l,
                                     "k-ex") == ex
    assert shop.catalog.get(tee_l).stock == 1 and count(db, Exchange) == 1
    assert elig(shop, dataset).code == "already_returned"


def test_exchange_refusals_leave_stock_untouched(shop, dataset, db):
    o, a, it = dataset.orders["delivered"], dataset.alice, dataset.items
    with pytest.raises(NotAllowed) as err:  # sold out
        shop.after_sales.exchange(o, a, it["tee_m"], it["tee_s"], "k1")
    assert err.value.code == "out_of_stock"
    with pytest.raises(NotAllowed) as err:  # not a variant
        shop.after_sales.exchange(o, a, it["tee_m"], it["camera"], "k2")
    assert err.value.code == "not_a_variant"
    with pytest.raises(NotAllowed):  # same item
        shop.after_sales.exchange(o, a, it["tee_m"], it["tee_m"], "k3")
    with pytest.raises(NotFound):
        shop.after_sales.exchange(o, a, it["tee_m"], "CL-999999", "k4")
    assert shop.catalog.get(it["tee_l"]).stock == 2 and shop.catalog.get(it["camera"]).stock == 5
    assert count(db, Return) == count(db, Exchange) == 0  # the return opened before the stock check rolled back


def test_exchange_outside_return_window_is_refused(shop, dataset, db, clock):
    clock.advance(days=25)
    with pytest.raises(NotAllowed) as err:
        shop.after_sales.exchange(dataset.orders["delivered"], dataset.alice, dataset.items["tee_m"],
                                  dataset.items["tee_l"], "k")
    assert err.value.code == "window_closed" and shop.catalog.get(dataset.items["tee_l"]).stock == 2


# --- warranty -----------------------------------------------------------------------------------------------------
def test_warranty_claim_within_period(shop, dataset, db, clock):
    clock.advance(days=300)  # far outside the return window, inside 24 months
    c = shop.after_sales.warranty_claim(dataset.orders["old"], dataset.alice, dataset.items["camera"],
                                        "The shutter button stopped working", "k-wc")
    assert c.number.startswith("WC-") and c.status == "open" and c.title == "Canon EOS 250D camera"
    with session_scope(db) as s:
        assert c.warranty_until == add_months(s.get(Order, dataset.orders["old"]).delivered_at, 24)
    assert shop.after_sales.warranty_claim(dataset.orders["old"], dataset.alice, dataset.items["camera"],
                                           "The shutter button stopped working", "k-wc") == c
    assert count(db, WarrantyClaim) == 1


def test_warranty_boundaries_and_non_electronics(shop, dataset, db, clock):
    o, a, it = dataset.orders, dataset.alice, dataset.items
    with pytest.raises(NotAllowed) as err:
        shop.after_sales.warranty_claim(o["delivered"], a, it["book"], "Pages fell out", "k1")
    assert err.value.code == "no_warranty"
    with pytest.raises(NotAllowed) as err:
        shop.after_sales.warranty_claim(o["shipped"], a, it["headphones"], "No sound at all", "k2")
    assert err.value.code == "not_delivered"
    with session_scope(db) as s:
        until = add_months(s.get(Order, o["delivered"]).delivered_at, 24)
    clock.current = until
    assert shop.after_sales.warranty_claim(o["delivered"], a, it["camera"], "Lens error on start", "k3").status == "open"
    clock.advance(seconds=1)
    with pytest.raises(NotAllowed) as err:
        shop.after_sales.warranty_claim(o["delivered"], a, it["camera"], "Lens error on start", "k4")
    assert err.value.code == "warranty_expired"
    with pytest.raises(Invalid):
        shop.after_sales.warranty_claim(o["delivered"], a, it["camera"], "bad", "k5")


def test_add_months_clamps_to_month_end():
    assert add_months(dt.datetime(2025, 1, 31, 9), 1) == dt.datetime(2025, 2, 28, 9)
    assert add_months(dt.datetime(2024, 1, 31), 1) == dt.datetime(2024, 2, 29)
    assert add_months(dt.datetime(2025, 11, 15), 14) == dt.datetime(2027, 1, 15)


def test_after_sales_ownership_everywhere(shop, dataset):
    o, it, bob = dataset.orders["delivered"], dataset.items, dataset.bob
    calls = [lambda: shop.after_sales.start_return(o, bob, it["book"], "x1", "k"),
             lambda: shop.after_sales.exchange_options(o, bob, it["tee_m"]),
             lambda: shop.after_sales.exchange(o, bob, it["tee_m"], it["tee_l"], "k"),
             lambda: shop.after_sales.warranty_claim(o, bob, it["camera"], "broken screen", "k")]
    for call in calls:
        with pytest.raises(NotFound) as err:
            call()
        assert err.value.user_message == ORDER_NOT_FOUND
