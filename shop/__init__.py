"""ShopMate's store backend: schema, services and demo data. Never imports Rasa."""
from shop.errors import Invalid, Locked, NotAllowed, NotFound, ShopError

__all__ = ["ShopError", "NotFound", "NotAllowed", "Invalid", "Locked"]
