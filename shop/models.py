"""The store's schema (SQLAlchemy 1.4 declarative, portable between SQLite and PostgreSQL).

Identifiers customers see are strings with a fixed format so that they can be validated before
any query: orders ``SM-123456``, returns ``RMA-XXXXXXXX``, tickets ``TCK-XXXXXXXX``, warranty
claims ``WC-XXXXXXXX``, exchanges ``EX-XXXXXXXX``. Catalog items have string ids such as
``EL-000042`` (prefix by content type). Money is ``Numeric(10, 2)``; timestamps are naive UTC.

Nothing here creates tables on import: ``python -m shop.db init`` does.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

# Order lifecycle: placed -> paid -> shipped -> delivered, or cancelled (only before shipment).
ORDER_STATUSES = ("placed", "paid", "shipped", "delivered", "cancelled")
INTERACTION_KINDS = ("view", "cart", "purchase", "return")
PRODUCT_TYPES = ("books", "electronics", "clothing", "home")
CONTENT_TYPES = PRODUCT_TYPES + ("help_article", "service")
RETURN_STATUSES = ("requested", "received", "refunded", "rejected")
REFUND_STATUSES = ("pending", "processing", "completed", "failed")
TICKET_KINDS = ("complaint", "handoff")


def utcnow() -> dt.datetime:
    return dt.datetime.utcnow().replace(microsecond=0)


class Customer(Base):
    __tablename__ = "customers"
    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    email = Column(String(254), nullable=False, unique=True, index=True)
    postcode = Column(String(16), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    orders = relationship("Order", back_populates="customer")


class Item(Base):
    """A catalog entry: a product (content type = its category) or a help article or a service."""

    __tablename__ = "items"
    id = Column(String(16), primary_key=True)
    title = Column(String(200), nullable=False)
    description = Column(Text, nullable=False, default="")
    content_type = Column(String(32), nullable=False, index=True)
    category = Column(String(64), nullable=False, index=True)  # sub-category, e.g. "cameras"
    brand = Column(String(64), nullable=True, index=True)
    price = Column(Numeric(10, 2), nullable=False, default=0)
    stock = Column(Integer, nullable=False, default=0)
    attributes = Column(JSON, nullable=False, default=dict)  # size, colour, specs, ...
    final_sale = Column(Boolean, nullable=False, default=False)
    warranty_months = Column(Integer, nullable=False, default=0)
    # Variants of the same product (sizes, colours) share a group id; exchanges stay in the group.
    product_group = Column(String(32), nullable=True, index=True)


class Order(Base):
    __tablename__ = "orders"
    id = Column(String(16), primary_key=True)  # SM-123456
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False, index=True)
    status = Column(String(16), nullable=False, default="placed", index=True)
    ship_name = Column(String(120), nullable=False)
    ship_street = Column(String(200), nullable=False)
    ship_city = Column(String(100), nullable=False)
    ship_postcode = Column(String(16), nullable=False)
    total = Column(Numeric(10, 2), nullable=False, default=0)
    placed_at = Column(DateTime, nullable=False, default=utcnow)
    paid_at = Column(DateTime, nullable=True)
    shipped_at = Column(DateTime, nullable=True)
    delivered_at = Column(DateTime, nullable=True)
    cancelled_at = Column(DateTime, nullable=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    customer = relationship("Customer", back_populates="orders")
    lines = relationship("OrderLine", back_populates="order", order_by="OrderLine.id")
    shipments = relationship("Shipment", back_populates="order", order_by="Shipment.id")


class OrderLine(Base):
    __tablename__ = "order_lines"
    id = Column(Integer, primary_key=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    item_id = Column(String(16), ForeignKey("items.id"), nullable=False, index=True)
    quantity = Column(Integer, nullable=False, default=1)
    unit_price = Column(Numeric(10, 2), nullable=False)

    order = relationship("Order", back_populates="lines")
    item = relationship("Item")


class Shipment(Base):
    __tablename__ = "shipments"
    id = Column(Integer, primary_key=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    carrier = Column(String(64), nullable=False)
    tracking_number = Column(String(64), nullable=False, unique=True)
    shipped_at = Column(DateTime, nullable=False)
    delivered_at = Column(DateTime, nullable=True)

    order = relationship("Order", back_populates="shipments")
    events = relationship("ShipmentEvent", back_populates="shipment", order_by="ShipmentEvent.at")


class ShipmentEvent(Base):
    __tablename__ = "shipment_events"
    id = Column(Integer, primary_key=True)
    shipment_id = Column(Integer, ForeignKey("shipments.id"), nullable=False, index=True)
    at = Column(DateTime, nullable=False)
    status = Column(String(32), nullable=False)  # label_created, in_transit, out_for_delivery, delivered
    location = Column(String(100), nullable=False, default="")
    description = Column(String(200), nullable=False, default="")

    shipment = relationship("Shipment", back_populates="events")


class Return(Base):
    __tablename__ = "returns"
    id = Column(Integer, primary_key=True)
    rma = Column(String(16), nullable=False, unique=True)  # RMA-XXXXXXXX
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False, index=True)
    reason = Column(String(500), nullable=False)
    status = Column(String(16), nullable=False, default="requested")
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    lines = relationship("ReturnLine", back_populates="ret")
    refunds = relationship("Refund", back_populates="ret")


class ReturnLine(Base):
    __tablename__ = "return_lines"
    id = Column(Integer, primary_key=True)
    return_id = Column(Integer, ForeignKey("returns.id"), nullable=False, index=True)
    order_line_id = Column(Integer, ForeignKey("order_lines.id"), nullable=False, index=True)
    quantity = Column(Integer, nullable=False, default=1)

    ret = relationship("Return", back_populates="lines")
    order_line = relationship("OrderLine")


class Refund(Base):
    __tablename__ = "refunds"
    id = Column(Integer, primary_key=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    return_id = Column(Integer, ForeignKey("returns.id"), nullable=True, index=True)
    amount = Column(Numeric(10, 2), nullable=False)
    status = Column(String(16), nullable=False, default="pending")
    created_at = Column(DateTime, nullable=False, default=utcnow)
    completed_at = Column(DateTime, nullable=True)

    ret = relationship("Return", back_populates="refunds")


class Exchange(Base):
    __tablename__ = "exchanges"
    id = Column(Integer, primary_key=True)
    number = Column(String(16), nullable=False, unique=True)  # EX-XXXXXXXX
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    order_line_id = Column(Integer, ForeignKey("order_lines.id"), nullable=False)
    new_item_id = Column(String(16), ForeignKey("items.id"), nullable=False)
    status = Column(String(16), nullable=False, default="requested")
    created_at = Column(DateTime, nullable=False, default=utcnow)


class WarrantyClaim(Base):
    __tablename__ = "warranty_claims"
    id = Column(Integer, primary_key=True)
    number = Column(String(16), nullable=False, unique=True)  # WC-XXXXXXXX
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    order_line_id = Column(Integer, ForeignKey("order_lines.id"), nullable=False)
    description = Column(String(1000), nullable=False)
    status = Column(String(16), nullable=False, default="open")  # open, approved, rejected, repaired
    created_at = Column(DateTime, nullable=False, default=utcnow)


class SupportTicket(Base):
    __tablename__ = "support_tickets"
    id = Column(Integer, primary_key=True)
    number = Column(String(16), nullable=False, unique=True)  # TCK-XXXXXXXX
    kind = Column(String(16), nullable=False)  # complaint | handoff
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=True, index=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=True)
    conversation_id = Column(String(128), nullable=True, index=True)
    subject = Column(String(300), nullable=False, default="")
    transcript = Column(JSON, nullable=False, default=list)  # [{"speaker": "customer", "text": ...}, ...]
    status = Column(String(16), nullable=False, default="open")
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Interaction(Base):
    """Implicit feedback for the recommender: who looked at, carted, bought or returned what, when."""

    __tablename__ = "interactions"
    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    item_id = Column(String(16), ForeignKey("items.id"), nullable=False)
    kind = Column(String(16), nullable=False)
    at = Column(DateTime, nullable=False)

    __table_args__ = (
        Index("ix_interactions_customer", "customer_id", "at"),
        Index("ix_interactions_item", "item_id"),
    )


class VerificationAttempt(Base):
    """Failed verification attempts per conversation key (lockout after 3)."""

    __tablename__ = "verification_attempts"
    conversation_key = Column(String(128), primary_key=True)
    failures = Column(Integer, nullable=False, default=0)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class IdempotencyRecord(Base):
    """The stored outcome of a state change, so that a retry with the same key returns it again."""

    __tablename__ = "idempotency_records"
    key = Column(String(200), primary_key=True)
    operation = Column(String(64), nullable=False)
    result = Column(JSON, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("key", name="uq_idempotency_key"),)
