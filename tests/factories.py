"""Small, explicit builders of consistent shop rows for tests (shop services and actions).

Every builder takes an open SQLAlchemy session, adds rows, flushes (so ids exist) and returns the ORM object;
the caller commits (``shop.db.session_scope`` does). Defaults give valid rows; pass what a test cares about.

- ``make_customer(s, name=..., email=None)``: e-mail defaults to ``firstname.lastname<N>@example.com``.
- ``make_item(s, content_type="electronics", ...)``: id ``EL-000001``-style (prefix by content type, next free
  number); electronics default to a 24-month warranty, everything else to none.
- ``make_order(s, customer, items, status=..., delivered_days_ago=..., now=...)``: lines, total and timestamps
  consistent with ``status`` (placed → paid → shipped → delivered, or cancelled before shipment), and for shipped
  and delivered orders one shipment with a tracking number and dated events (label_created, in_transit, and for
  delivered ones out_for_delivery + delivered at ``now - delivered_days_ago``).
- ``make_return(s, order, item, ...)`` / ``make_refund(s, order, ...)``: after-sales records in progress.
- ``standard_dataset(s, now)`` builds the shared scenario described on :class:`Dataset`.

Times are naive UTC; ``now`` defaults to the current time, so data made for a real-clock ``Shop`` is "fresh".
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Iterable, Optional, Union

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.models import Customer, Item, Order, OrderLine, Refund, Return, ReturnLine, Shipment, ShipmentEvent, utcnow

PREFIX = {"books": "BK", "electronics": "EL", "clothing": "CL", "home": "HM", "help_article": "HA", "service": "SV"}
DAY = dt.timedelta(days=1)


def _next_number(s: Session, column, prefix: str) -> int:
    last = s.execute(select(func.max(column)).where(column.like(f"{prefix}-%"))).scalar()
    return int(last.split("-")[1]) + 1 if last else 1


def make_customer(s: Session, *, name: str = "Alice Smith", email: Optional[str] = None,
                  postcode: str = "SW1A 1AA") -> Customer:
    if email is None:
        n = s.execute(select(func.count()).select_from(Customer)).scalar_one() + 1
        email = f"{name.lower().replace(' ', '.')}{n}@example.com"
    customer = Customer(name=name, email=email, postcode=postcode)
    s.add(customer)
    s.flush()
    return customer


def make_item(s: Session, *, content_type: str = "electronics", id: Optional[str] = None, title: str = "Test item",
              description: str = "", category: str = "misc", brand: Optional[str] = None,
              price: Union[str, Decimal] = "10.00", stock: int = 10, attributes: Optional[dict] = None,
              final_sale: bool = False, warranty_months: Optional[int] = None,
              product_group: Optional[str] = None) -> Item:
    prefix = PREFIX[content_type]
    item = Item(id=id or f"{prefix}-{_next_number(s, Item.id, prefix):06d}", title=title, description=description,
                content_type=content_type, category=category, brand=brand, price=Decimal(price), stock=stock,
                attributes=attributes or {}, final_sale=final_sale, product_group=product_group,
                warranty_months=(24 if content_type == "electronics" else 0) if warranty_months is None
                else warranty_months)
    s.add(item)
    s.flush()
    return item


def make_order(s: Session, customer: Customer, items: Iterable[Union[Item, tuple[Item, int]]], *,
               status: str = "placed", order_id: Optional[str] = None, now: Optional[dt.datetime] = None,
               placed_days_ago: Optional[float] = None, delivered_days_ago: Optional[float] = None,
               carrier: str = "Royal Mail", street: str = "1 High Street", city: str = "London",
               postcode: Optional[str] = None) -> Order:
    """An order in ``status`` with consistent timestamps and shipment events (see module docstring).

    ``items``: Item objects (quantity 1) or ``(item, quantity)`` pairs. Delivered orders default to delivery 3
    days ago; placement defaults to 4 days before delivery (or 2 days ago for undelivered orders)."""
    now = now or utcnow()
    if status == "delivered" and delivered_days_ago is None:
        delivered_days_ago = 3
    if placed_days_ago is None:
        placed_days_ago = (delivered_days_ago or 0) + 4 if status == "delivered" else 2
    placed = now - dt.timedelta(days=placed_days_ago)
    order = Order(id=order_id or f"SM-{_next_number(s, Order.id, 'SM'):06d}", customer_id=customer.id, status=status,
                  ship_name=customer.name, ship_street=street, ship_city=city,
                  ship_postcode=postcode or customer.postcode, placed_at=placed, updated_at=placed)
    pairs = [(i, 1) if isinstance(i, Item) else i for i in items]
    order.lines = [OrderLine(item_id=item.id, quantity=q, unit_price=item.price) for item, q in pairs]
    order.total = sum((Decimal(item.price) * q for item, q in pairs), Decimal("0"))
    if status != "placed":
        order.paid_at = placed + dt.timedelta(minutes=5)
    if status == "cancelled":
        order.cancelled_at = placed + dt.timedelta(hours=2)
    if status in ("shipped", "delivered"):
        delivered = now - dt.timedelta(days=delivered_days_ago) if status == "delivered" else None
        shipped = placed + DAY if delivered is None else min(placed + DAY, delivered - dt.timedelta(hours=20))
        order.shipped_at, order.delivered_at = shipped, delivered
        shipment = Shipment(carrier=carrier, tracking_number=f"TRK{order.id[3:]}GB{len(order.shipments) + 1}",
                            shipped_at=shipped, delivered_at=delivered)
        events = [("label_created", shipped, "Warehouse, Milton Keynes"),
                  ("in_transit", shipped + dt.timedelta(hours=6), "Sorting centre, Birmingham")]
        if delivered is not None:
            events += [("out_for_delivery", delivered - dt.timedelta(hours=5), f"Delivery office, {city}"),
                       ("delivered", delivered, city)]
        # Inserted newest first on purpose: services must sort events by time.
        shipment.events = [ShipmentEvent(at=at, status=st, location=loc, description=st.replace("_", " "))
                           for st, at, loc in reversed(events)]
        order.shipments = [shipment]
    s.add(order)
    s.flush()
    return order


def make_return(s: Session, order: Order, item: Item, *, quantity: int = 1, status: str = "requested",
                reason: str = "does not fit", rma: Optional[str] = None, now: Optional[dt.datetime] = None) -> Return:
    line = next(l for l in order.lines if l.item_id == item.id)
    now = now or utcnow()
    n = s.execute(select(func.count()).select_from(Return)).scalar_one() + 1
    ret = Return(rma=rma or f"RMA-T{n:07d}", order_id=order.id, customer_id=order.customer_id, reason=reason,
                 status=status, created_at=now, updated_at=now)
    ret.lines = [ReturnLine(order_line_id=line.id, quantity=quantity)]
    s.add(ret)
    s.flush()
    return ret


def make_refund(s: Session, order: Order, *, amount: Union[str, Decimal, None] = None, status: str = "pending",
                ret: Optional[Return] = None, now: Optional[dt.datetime] = None) -> Refund:
    now = now or utcnow()
    refund = Refund(order_id=order.id, return_id=ret.id if ret else None,
                    amount=Decimal(amount) if amount is not None else order.total, status=status, created_at=now,
                    completed_at=now if status == "completed" else None)
    s.add(refund)
    s.flush()
    return refund


@dataclasses.dataclass(frozen=True)
class Dataset:
    """Ids of the standard scenario (plain values, usable after the session closed).

    Customers ``alice`` and ``bob`` (ids; e-mails in ``emails``). Items (``items[name]``): ``camera`` (Canon,
    electronics, 24-month warranty, in stock), ``headphones`` (Sony, electronics, 12 months, out of stock),
    ``book`` (photography book, no warranty), ``tee_s``/``tee_m``/``tee_l`` (one product group of a blue
    t-shirt; S out of stock, M and L in stock), ``scarf`` (final sale), ``help`` (return policy article),
    ``service`` (extended warranty). Alice's orders (``orders[name]``): ``placed`` (camera), ``paid`` (book +
    tee M, total 37.00), ``shipped`` (headphones), ``delivered`` (10 days ago: tee M, camera, scarf, book x2),
    ``old`` (delivered 40 days ago: camera, book), ``cancelled`` (book). Bob's: ``bob_delivered`` (5 days ago: book).
    """

    now: dt.datetime
    alice: int
    bob: int
    emails: dict
    items: dict
    orders: dict


def standard_dataset(s: Session, now: Optional[dt.datetime] = None) -> Dataset:
    now = now or utcnow()
    alice = make_customer(s, name="Alice Smith", postcode="SW1A 1AA")
    bob = make_customer(s, name="Bob Jones", postcode="M1 1AE")
    tee = dict(content_type="clothing", category="t-shirts", brand="Basics", price="12.00", product_group="TEE-1")
    items = {
        "camera": make_item(s, title="Canon EOS 250D camera", category="cameras", brand="Canon", price="499.00",
                            stock=5, description="Compact DSLR camera for travel photography",
                            attributes={"megapixels": 24, "colour": "black"}),
        "headphones": make_item(s, title="Sony WH-1000XM4 headphones", category="audio", brand="Sony",
                                price="249.99", stock=0, warranty_months=12,
                                description="Wireless noise cancelling headphones",
                                attributes={"colour": "black", "wireless": True}),
        "book": make_item(s, content_type="books", title="Travel Photography Handbook", category="photography",
                          brand="Lonely Press", price="25.00", stock=20,
                          description="A guide to taking better travel photos with any camera"),
        "tee_s": make_item(s, title="Blue cotton t-shirt (S)", attributes={"size": "S", "colour": "blue"}, stock=0,
                           **tee),
        "tee_m": make_item(s, title="Blue cotton t-shirt (M)", attributes={"size": "M", "colour": "blue"}, stock=3,
                           **tee),
        "tee_l": make_item(s, title="Blue cotton t-shirt (L)", attributes={"size": "L", "colour": "blue"}, stock=2,
                           **tee),
        "scarf": make_item(s, content_type="clothing", title="Silk scarf (final sale)", category="accessories",
                           brand="Luxe", price="40.00", stock=4, final_sale=True, attributes={"colour": "red"}),
        "help": make_item(s, content_type="help_article", title="Our return policy", category="returns",
                          price="0", stock=0, description="How to return an item within 30 days"),
        "service": make_item(s, content_type="service", title="Extended warranty (2 years)", category="warranty",
                             price="49.00", stock=1000),
    }
    i = items
    orders = {
        "placed": make_order(s, alice, [i["camera"]], status="placed", now=now),
        "paid": make_order(s, alice, [i["book"], i["tee_m"]], status="paid", now=now),
        "shipped": make_order(s, alice, [i["headphones"]], status="shipped", now=now),
        "delivered": make_order(s, alice, [i["tee_m"], i["camera"], i["scarf"], (i["book"], 2)], status="delivered",
                                delivered_days_ago=10, now=now),
        "old": make_order(s, alice, [i["camera"], i["book"]], status="delivered", delivered_days_ago=40, now=now),
        "cancelled": make_order(s, alice, [i["book"]], status="cancelled", now=now),
        "bob_delivered": make_order(s, bob, [i["book"]], status="delivered", delivered_days_ago=5, now=now),
    }
    return Dataset(now=now, alice=alice.id, bob=bob.id, emails={"alice": alice.email, "bob": bob.email},
                   items={k: v.id for k, v in items.items()}, orders={k: v.id for k, v in orders.items()})
