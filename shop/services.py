"""The ``Shop`` facade: one object giving the actions every shop service on one database.

    shop = Shop()                      # SHOP_DB_URL or var/shop.db; engines are shared per URL
    shop = Shop(url, now=lambda: t)    # tests: another database and a fixed clock (naive UTC)

Services: ``catalog`` (:class:`shop.catalog.Catalog`), ``verification`` (:class:`shop.verification.Verification`),
``orders`` (:class:`shop.orders.Orders`), ``after_sales`` (:class:`shop.after_sales.AfterSales`), ``tickets``
(:class:`shop.tickets.Tickets`). They return frozen views (:mod:`shop.views`) and raise the typed errors of
:mod:`shop.errors`, whose ``user_message`` can be shown to the customer as is. The schema must exist
(``python -m shop.db init`` or ``python -m shop.demo``); creating a ``Shop`` does not touch the database.
"""
from __future__ import annotations

from typing import Optional

from shop.after_sales import AfterSales
from shop.catalog import Catalog
from shop.db import database_url, session_factory
from shop.idempotency import Clock
from shop.orders import Orders
from shop.tickets import Tickets
from shop.verification import Verification


class Shop:
    def __init__(self, url: Optional[str] = None, *, now: Optional[Clock] = None):
        self.url = database_url(url)
        factory = session_factory(self.url)
        self.catalog = Catalog(factory, now)
        self.verification = Verification(factory, now)
        self.orders = Orders(factory, now)
        self.after_sales = AfterSales(factory, now)
        self.tickets = Tickets(factory, now)

    def __repr__(self) -> str:
        from sqlalchemy.engine import make_url

        return f"Shop({make_url(self.url).render_as_string(hide_password=True)!r})"
