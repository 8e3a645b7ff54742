"""Rasa-server-side extensions of ShopMate (the action server never imports this package).

The Rasa server imports ``channels.rest`` because ``credentials.yml`` names ``channels.rest.RestInput``; importing
the package installs :mod:`channels.resilience` (an apology instead of silence when the action server is down).
Keep this package thin: the behaviour lives in ``shop`` / ``recommender`` / ``actions``.
"""
from channels import resilience

resilience.install()
