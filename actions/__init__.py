"""ShopMate's custom actions: thin adapters between the Rasa tracker and ``shop`` / ``recommender``.

One module per concern (orders, after_sales, products, recommendations, handoff, fallback);
``actions.state`` turns a tracker into a ``DialogueState``; ``actions.base`` holds what they share
(the process-wide ``Shop`` and ``Recommender``, error answers, cards, masking of private data in logs).
``rasa run actions --actions actions`` imports every submodule of this package and registers the
``Action`` subclasses it finds.
"""
