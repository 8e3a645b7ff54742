"""Catalog: free-text and entity search, details, availability with in-stock variants, comparison."""
from __future__ import annotations

import re
from typing import Any, Optional

from sqlalchemy import and_, case, func, or_, select

from shop import validation
from shop.errors import Invalid, NotFound
from shop.idempotency import ServiceBase
from shop.models import Interaction, Item
from shop.views import Availability, Comparison, ItemView, VariantView, money

ITEM_NOT_FOUND = "I couldn't find that product in our catalog."
STOPWORDS = frozenset("a an and any are do for have i in is it me my of on or please show some the to with you "
                      "want need looking find".split())
MAX_CANDIDATES = 300  # rows ranked in Python per search


def item_view(item: Item) -> ItemView:
    return ItemView(id=item.id, title=item.title, description=item.description or "", content_type=item.content_type,
                    category=item.category, brand=item.brand, price=money(item.price), stock=int(item.stock),
                    in_stock=item.stock > 0, attributes=dict(item.attributes or {}), final_sale=bool(item.final_sale),
                    warranty_months=int(item.warranty_months or 0), product_group=item.product_group)


def tokens(text: str) -> list[str]:
    """Lower-case word tokens without stop words, e.g. ``"A Canon camera, please"`` → ``["canon", "camera"]``."""
    return [t for t in re.findall(r"\w+", text.lower()) if t not in STOPWORDS][:8]


def _like(token: str) -> str:
    return "%" + token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class Catalog(ServiceBase):
    def search(self, text: Optional[str] = None, *, content_type: Optional[str] = None,
               category: Optional[str] = None, brand: Optional[str] = None, in_stock_only: bool = False,
               limit: int = 5) -> list[ItemView]:
        """Items matching every word of ``text`` (in title, description, brand or category, case-insensitive) and
        the exact (case-insensitive) ``content_type`` / ``category`` / ``brand`` filters.

        Ranking: weighted word matches (title 3, brand/category 2, description 1), then in stock first, then
        popularity (number of interactions), then id. Returns at most ``limit`` (1..50) items."""
        limit = validation.limit(limit)
        words = tokens(validation.text(text, "search", max_len=200)) if text is not None and text.strip() else []
        conditions = []
        fields = (Item.title, Item.description, Item.brand, Item.category)
        for word in words:
            conditions.append(or_(*(func.lower(f).like(_like(word), escape="\\") for f in fields)))
        for column, value, what in ((Item.content_type, content_type, "type"), (Item.category, category, "category"),
                                    (Item.brand, brand, "brand")):
            if value is not None:
                conditions.append(func.lower(column) == validation.text(value, what, max_len=64).lower())
        if in_stock_only:
            conditions.append(Item.stock > 0)
        if not conditions:
            raise Invalid("Tell me what you're looking for: a product name, a brand or a category.",
                          code="empty_search")
        with self._read() as s:
            query = (select(Item).where(and_(*conditions))
                     .order_by(case((Item.stock > 0, 0), else_=1), Item.id).limit(MAX_CANDIDATES))
            items = s.execute(query).scalars().all()
            popularity = self._popularity(s, [i.id for i in items]) if items else {}

            def rank(item: Item) -> tuple:
                title, desc = item.title.lower(), (item.description or "").lower()
                other = f"{item.brand or ''} {item.category}".lower()
                score = sum(3 * (w in title) + 2 * (w in other) + (w in desc) for w in words)
                return (-score, item.stock <= 0, -popularity.get(item.id, 0), item.id)

            return [item_view(i) for i in sorted(items, key=rank)[:limit]]

    @staticmethod
    def _popularity(session, ids: list[str]) -> dict[str, int]:
        rows = session.execute(select(Interaction.item_id, func.count()).where(Interaction.item_id.in_(ids))
                               .group_by(Interaction.item_id))
        return {item_id: n for item_id, n in rows}

    def _item(self, session, item_id: Any) -> Item:
        item = session.get(Item, validation.item_id(item_id))
        if item is None:
            raise NotFound(ITEM_NOT_FOUND, code="item_not_found")
        return item

    def get(self, item_id: str) -> ItemView:
        with self._read() as s:
            return item_view(self._item(s, item_id))

    def availability(self, item_id: str) -> Availability:
        with self._read() as s:
            item = self._item(s, item_id)
            group = []
            if item.product_group:
                group = s.execute(select(Item).where(Item.product_group == item.product_group, Item.stock > 0)
                                  .order_by(Item.id)).scalars().all()
            elif item.stock > 0:
                group = [item]
            variants = tuple(VariantView(item_id=v.id, title=v.title, size=(v.attributes or {}).get("size"),
                                         colour=(v.attributes or {}).get("colour"), stock=int(v.stock),
                                         price=money(v.price)) for v in group)
            return Availability(item_id=item.id, title=item.title, in_stock=item.stock > 0, stock=int(item.stock),
                                variants=variants)

    def compare(self, item_id_a: str, item_id_b: str) -> Comparison:
        """Price difference (b - a) and which attributes (brand, category, warranty, attributes) agree or differ."""
        a, b = self.get(item_id_a), self.get(item_id_b)
        if a.id == b.id:
            raise Invalid("Those are the same product: pick two different ones to compare.", code="same_item")

        def facts(v: ItemView) -> dict[str, Any]:
            return {"brand": v.brand, "category": v.category, "content_type": v.content_type,
                    "warranty_months": v.warranty_months, **v.attributes}

        fa, fb = facts(a), facts(b)
        shared = {k: fa[k] for k in fa if k in fb and fa[k] == fb[k]}
        different = {k: [fa.get(k), fb.get(k)] for k in sorted(set(fa) | set(fb)) if k not in shared}
        diff = b.price - a.price
        return Comparison(a=a, b=b, price_difference=diff, cheaper=None if diff == 0 else (a.id if diff > 0 else b.id),
                          shared=shared, different=different)
