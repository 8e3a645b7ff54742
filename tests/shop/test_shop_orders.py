"""Order status, listing, cancel and address change: rules, ownership, idempotency, one transaction."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from shop.db import session_scope
from shop.errors import Invalid, NotAllowed, NotFound
from shop.models import IdempotencyRecord, Item, Order, Refund
from shop.orders import ORDER_NOT_FOUND


def count(db, model, *where):
    with session_scope(db) as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_status_of_delivered_order_has_lines_tracking_and_sorted_events(shop, dataset):
    v = shop.orders.status(dataset.orders["delivered"], dataset.alice)
    assert v.status == "delivered" and v.total == Decimal("601.00")
    assert [(l.item_id, l.quantity) for l in v.lines] == [(dataset.items[k], q) for k, q in
                                                          [("tee_m", 1), ("camera", 1), ("scarf", 1), ("book", 2)]]
    assert v.carrier == "Royal Mail" and v.tracking_number == v.shipments[0].tracking_number
    events = v.shipments[0].events  # stored newest-first by the factory
    assert [e.status for e in events] == ["label_created", "in_transit", "out_for_delivery", "delivered"]
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert v.latest_event.status == "delivered" and v.delivered_at == events[-1].at
    assert not v.can_cancel and not v.can_change_address


def test_status_before_shipment_has_no_tracking(shop, dataset):
    v = shop.orders.status(dataset.orders["paid"], dataset.alice)
    assert (v.status, v.shipments, v.tracking_number, v.latest_event, v.can_cancel) == ("paid", (), None, None, True)


def test_someone_elses_order_reads_like_a_missing_one(shop, dataset):
    for order_id, customer in [(dataset.orders["bob_delivered"], dataset.alice), ("SM-999999", dataset.alice),
                               (dataset.orders["placed"], dataset.bob)]:
        with pytest.raises(NotFound) as err:
            shop.orders.status(order_id, customer)
        assert err.value.user_message == ORDER_NOT_FOUND
    with pytest.raises(NotFound):
        shop.orders.cancel(dataset.orders["placed"], dataset.bob, "k-bob")
    assert shop.orders.status(dataset.orders["placed"], dataset.alice).status == "placed"


def test_list_for_customer_newest_first(shop, dataset):
    orders = shop.orders.list_for_customer(dataset.alice)
    assert {o.id for o in orders} == {dataset.orders[k] for k in
                                      ("placed", "paid", "shipped", "delivered", "old", "cancelled")}
    assert [o.placed_at for o in orders] == sorted((o.placed_at for o in orders), reverse=True)
    assert [o.id for o in shop.orders.list_for_customer(dataset.bob)] == [dataset.orders["bob_delivered"]]


def test_cancel_placed_order_restocks_without_refund(shop, dataset, db):
    stock = shop.catalog.get(dataset.items["camera"]).stock
    v = shop.orders.cancel(dataset.orders["placed"], dataset.alice, "k1")
    assert v.status == "cancelled" and v.cancelled_at == dataset.now and not v.can_cancel
    assert shop.catalog.get(dataset.items["camera"]).stock == stock + 1
    assert count(db, Refund, Refund.order_id == dataset.orders["placed"]) == 0


def test_cancel_paid_order_creates_refund_of_total(shop, dataset):
    shop.orders.cancel(dataset.orders["paid"], dataset.alice, "k1")
    refunds = shop.after_sales.refund_status(dataset.orders["paid"], dataset.alice)
    assert [(r.amount, r.status, r.rma) for r in refunds] == [(Decimal("37.00"), "pending", None)]


@pytest.mark.parametrize("which, word", [("shipped", "shipped"), ("delivered", "delivered")])
def test_cannot_cancel_after_shipment(shop, dataset, db, which, word):
    with pytest.raises(NotAllowed) as err:
        shop.orders.cancel(dataset.orders[which], dataset.alice, "k1")
    assert word in err.value.user_message and err.value.code == "already_shipped"
    assert shop.orders.status(dataset.orders[which], dataset.alice).status == which
    assert count(db, IdempotencyRecord) == 0  # failures store nothing


def test_cancel_retry_with_same_key_returns_same_result_other_key_refused(shop, dataset, db, clock):
    first = shop.orders.cancel(dataset.orders["paid"], dataset.alice, "conv-1:cancel")
    clock.advance(minutes=5)
    again = shop.orders.cancel(dataset.orders["paid"], dataset.alice, "conv-1:cancel")
    assert again == first
    assert count(db, Refund, Refund.order_id == dataset.orders["paid"]) == 1
    with pytest.raises(NotAllowed) as err:
        shop.orders.cancel(dataset.orders["paid"], dataset.alice, "conv-2:cancel")
    assert "already cancelled" in err.value.user_message
    with pytest.raises(NotAllowed):
        shop.orders.cancel(dataset.orders["cancelled"], dataset.alice, "k3")


def test_same_key_for_a_different_request_is_refused(shop, dataset):
    shop.orders.cancel(dataset.orders["placed"], dataset.alice, "key")
    with pytest.raises(Invalid) as err:
        shop.orders.cancel(dataset.orders["paid"], dataset.alice, "key")
    assert err.value.code == "idempotency_conflict"
    assert shop.orders.status(dataset.orders["paid"], dataset.alice).status == "paid"


def test_change_address_before_shipment_normalises_and_is_idempotent(shop, dataset, db):
    v = shop.orders.change_address(dataset.orders["paid"], dataset.alice, " 22  Baker Street ", "London",
                                   "nw16xe", "k-addr")
    assert (v.ship_street, v.ship_city, v.ship_postcode) == ("22 Baker Street", "London", "NW1 6XE")
    assert shop.orders.change_address(dataset.orders["paid"], dataset.alice, "22 Baker Street", "London",
                                      "NW1 6XE", "k-addr") == v
    assert count(db, IdempotencyRecord, IdempotencyRecord.key == "k-addr") == 1


@pytest.mark.parametrize("which", ["shipped", "delivered", "cancelled"])
def test_change_address_refused_after_shipment_or_cancel(shop, dataset, which):
    with pytest.raises(NotAllowed):
        shop.orders.change_address(dataset.orders[which], dataset.alice, "22 Baker Street", "London", "NW1 6XE", "k")


@pytest.mark.parametrize("street, city, postcode", [("1", "London", "NW1 6XE"), ("22 Baker St", "L0nd0n", "NW1 6XE"),
                                                    ("22 Baker St", "London", "!!"),
                                                    ("x'; DROP TABLE orders; --", "London", "NW1 6XE"),
                                                    ("22 Baker St", "London", "A" * 11)])
def test_invalid_address_changes_nothing(shop, dataset, db, street, city, postcode):
    with pytest.raises(Invalid):
        shop.orders.change_address(dataset.orders["paid"], dataset.alice, street, city, postcode, "k")
    with session_scope(db) as s:
        order = s.get(Order, dataset.orders["paid"])
        assert (order.ship_street, order.ship_postcode) == ("1 High Street", "SW1A 1AA")


def test_cancel_is_one_transaction(shop, dataset, db, monkeypatch):
    """If anything fails after the status change, stock, refund and status all roll back."""
    import shop.orders as orders_module

    def boom(*_a, **_k):
        raise RuntimeError("crash after the changes")

    monkeypatch.setattr(orders_module, "order_view", boom)
    with pytest.raises(RuntimeError):
        shop.orders.cancel(dataset.orders["paid"], dataset.alice, "k")
    with session_scope(db) as s:
        assert s.get(Order, dataset.orders["paid"]).status == "paid"
        assert s.get(Item, dataset.items["book"]).stock == 20
    assert count(db, Refund) == 0 and count(db, IdempotencyRecord) == 0


@pytest.mark.parametrize("order_id", ["SM-1", "'; DROP TABLE orders; --", None])
def test_malformed_order_id_is_invalid(shop, dataset, order_id):
    with pytest.raises(Invalid):
        shop.orders.status(order_id, dataset.alice)
