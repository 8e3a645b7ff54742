"""Views round-trip through to_dict/from_dict (what idempotent retries rely on); factories are consistent."""
import dataclasses
import json

import pytest
from sqlalchemy import select

from shop.db import session_scope
from shop.models import Order, Shipment
from shop.views import ItemView


def test_every_view_round_trips_through_json(shop, dataset):
    views = [shop.orders.status(dataset.orders[k], dataset.alice) for k in ("delivered", "paid", "cancelled")]
    views += [shop.catalog.get(dataset.items["camera"]), shop.catalog.availability(dataset.items["tee_m"]),
              shop.after_sales.return_eligibility(dataset.orders["delivered"], dataset.alice, dataset.items["book"]),
              shop.verification.verify(dataset.orders["paid"], dataset.emails["alice"], "c")]
    for view in views:
        data = json.loads(json.dumps(view.to_dict()))
        assert type(view).from_dict(data) == view
    with pytest.raises(dataclasses.FrozenInstanceError):
        views[0].status = "paid"


def test_factory_orders_are_consistent_with_status(shop, dataset, db):
    with session_scope(db) as s:
        for order in s.execute(select(Order)).scalars():
            shipped = order.status in ("shipped", "delivered")
            assert bool(order.shipments) == shipped == (order.shipped_at is not None)
            assert (order.delivered_at is not None) == (order.status == "delivered")
            assert (order.paid_at is not None) == (order.status != "placed")
            assert (order.cancelled_at is not None) == (order.status == "cancelled")
            assert order.total == sum(l.unit_price * l.quantity for l in order.lines)
            for sh in order.shipments:
                assert {e.status for e in sh.events} >= {"label_created", "in_transit"}
                assert ("delivered" in {e.status for e in sh.events}) == (order.status == "delivered")
                assert order.placed_at <= sh.shipped_at <= min(e.at for e in sh.events)
        tracking = s.execute(select(Shipment.tracking_number)).scalars().all()
        assert len(set(tracking)) == len(tracking) == 4  # shipped, delivered, old, bob_delivered


@pytest.mark.unit
def test_item_view_money_is_decimal_and_dict_is_string():
    from decimal import Decimal

    v = ItemView(id="BK-000001", title="t", description="", content_type="books", category="c", brand=None,
                 price=Decimal("9.90"), stock=1, in_stock=True, attributes={}, final_sale=False, warranty_months=0,
                 product_group=None)
    assert v.to_dict()["price"] == "9.90" and ItemView.from_dict(v.to_dict()).price == Decimal("9.90")
