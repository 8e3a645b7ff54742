"""``DialogueState``: what the conversation tells the recommender (see ../shared/DESIGN.md).

Built by ``actions/state.py`` from the Rasa tracker every time (the tracker is the single source
of truth); the recommender only reads it. Plain data, no Rasa import.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional

NEEDS = ("product_info", "orders", "after_sales", "related_items")


@dataclass
class DialogueState:
    """The state of one conversation as far as ranking is concerned.

    Attributes:
        needs: strength in [0, 1] per need (``product_info``, ``orders``, ``after_sales``,
            ``related_items``), decayed per user turn.
        mentioned_types: content type -> recency weight in (0, 1] (1 = mentioned in the last turn).
        mentioned_categories: sub-category (e.g. ``cameras``) -> recency weight.
        mentioned_items: item id -> recency weight.
        negative_types: content type -> strength in (0, 1] of a return / complaint about that type.
        negative_items: item id -> strength (items being returned or complained about).
        frustration: 0..1 from complaints, repeated fallbacks and handoff requests.
        verified_customer_id: the customer whose order was verified, or ``None``.
    """

    needs: Dict[str, float] = field(default_factory=dict)
    mentioned_types: Dict[str, float] = field(default_factory=dict)
    mentioned_categories: Dict[str, float] = field(default_factory=dict)
    mentioned_items: Dict[str, float] = field(default_factory=dict)
    negative_types: Dict[str, float] = field(default_factory=dict)
    negative_items: Dict[str, float] = field(default_factory=dict)
    frustration: float = 0.0
    verified_customer_id: Optional[int] = None

    def need(self, name: str) -> float:
        return float(self.needs.get(name, 0.0))

    @property
    def is_empty(self) -> bool:
        return not (
            any(self.needs.values())
            or self.mentioned_types
            or self.mentioned_categories
            or self.mentioned_items
            or self.negative_types
            or self.negative_items
            or self.frustration
        )
