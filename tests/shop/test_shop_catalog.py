"""Catalog search, details, availability and comparison on SQLite and PostgreSQL."""
from decimal import Decimal

import pytest

from shop.db import session_scope
from shop.errors import Invalid, NotFound
from shop.models import Interaction
from tests.factories import make_item


def ids(views):
    return [v.id for v in views]


def test_free_text_is_an_and_of_words_across_fields_case_insensitive(shop, dataset):
    it = dataset.items
    assert ids(shop.catalog.search("CANON")) == [it["camera"]]  # brand
    assert set(ids(shop.catalog.search("travel photography", limit=10))) == {it["camera"], it["book"]}
    assert ids(shop.catalog.search("travel photography handbook")) == [it["book"]]
    assert shop.catalog.search("canon headphones") == []  # AND, not OR


def test_ranking_prefers_title_matches_then_stock_then_popularity(shop, dataset, db):
    it = dataset.items
    # "camera" is in the camera's title but only in the book's description
    assert ids(shop.catalog.search("camera", limit=10))[:2] == [it["camera"], it["book"]]
    # three t-shirts match equally: in-stock ones first (S is sold out), popular L before M
    with session_scope(db) as s:
        s.add(Interaction(customer_id=dataset.bob, item_id=it["tee_l"], kind="view", at=dataset.now))
    assert ids(shop.catalog.search("blue t-shirt", limit=3)) == [it["tee_l"], it["tee_m"], it["tee_s"]]


def test_entity_filters_and_stock_filter(shop, dataset):
    it = dataset.items
    assert ids(shop.catalog.search(brand="sony")) == [it["headphones"]]
    assert shop.catalog.search(brand="sony", in_stock_only=True) == []
    assert set(ids(shop.catalog.search(content_type="Electronics", limit=10))) == {it["camera"], it["headphones"]}
    assert set(ids(shop.catalog.search("shirt", category="T-Shirts", in_stock_only=True))) == {it["tee_l"],
                                                                                             it["tee_m"]}
    assert ids(shop.catalog.search(content_type="help_article")) == [it["help"]]


def test_limit_is_respected_and_validated(shop):
    assert len(shop.catalog.search(content_type="clothing", limit=2)) == 2
    for bad in (0, 51, "5"):
        with pytest.raises(Invalid):
            shop.catalog.search("shirt", limit=bad)
    with pytest.raises(Invalid):
        shop.catalog.search()


@pytest.mark.parametrize("text", ["t_shirt", "'; DROP TABLE items; --", "camera' OR '1'='1"])
def test_wildcards_and_sql_looking_text_are_literal(shop, dataset, text):
    assert shop.catalog.search(text) == []  # an unescaped "_" would match "t-shirt"
    assert shop.catalog.get(dataset.items["camera"]).title == "Canon EOS 250D camera"  # table intact


def test_text_without_words_is_invalid(shop):
    for text in ("%%", "  ", "the a"):
        with pytest.raises(Invalid):
            shop.catalog.search(text)


def test_get_returns_plain_view(shop, dataset):
    cam = shop.catalog.get(dataset.items["camera"].lower())
    assert (cam.id, cam.price, cam.in_stock, cam.warranty_months) == (dataset.items["camera"], Decimal("499.00"),
                                                                        True, 24)
    assert cam.attributes == {"megapixels": 24, "colour": "black"}
    assert cam.to_dict()["price"] == "499.00"
    with pytest.raises(NotFound):
        shop.catalog.get("EL-999999")
    with pytest.raises(Invalid):
        shop.catalog.get("camera")


def test_availability_lists_in_stock_variants_of_the_group(shop, dataset):
    it = dataset.items
    small = shop.catalog.availability(it["tee_s"])
    assert not small.in_stock and small.stock == 0
    assert [(v.item_id, v.size, v.colour) for v in small.variants] == [(it["tee_m"], "M", "blue"),
                                                                      (it["tee_l"], "L", "blue")]
    assert shop.catalog.availability(it["camera"]).variants[0].item_id == it["camera"]  # no group: itself
    assert shop.catalog.availability(it["headphones"]).variants == ()


def test_compare_reports_price_difference_and_attributes(shop, dataset, db):
    it = dataset.items
    with session_scope(db) as s:
        other = make_item(s, title="Nikon Z50 camera", category="cameras", brand="Nikon", price="649.50",
                          attributes={"megapixels": 21, "colour": "black"}).id
    c = shop.catalog.compare(it["camera"], other)
    assert c.price_difference == Decimal("150.50") and c.cheaper == it["camera"]
    assert c.shared == {"category": "cameras", "content_type": "electronics", "warranty_months": 24,
                        "colour": "black"}
    assert c.different == {"brand": ["Canon", "Nikon"], "megapixels": [24, 21]}
    assert c.to_dict()["a"]["id"] == it["camera"]
    with pytest.raises(Invalid):
        shop.catalog.compare(it["camera"], it["camera"])
    with pytest.raises(NotFound):
        shop.catalog.compare(it["camera"], "EL-999999")
