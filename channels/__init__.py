"""Rasa-server-side extensions of ShopMate (the action server never imports this package).

The Rasa server imports ``channels.rest`` because ``credentials.yml`` names ``channels.rest.RestInput``; importing
the package installs :mod:`channels.resilience` (an apology instead of silence when the action server is down) and
:mod:`channels.action_response` (the action server's responses validated against a schema checked once).
Keep this package thin: the behaviour lives in ``shop`` / ``recommender`` / ``actions``.
"""
from channels import action_response, resilience

resilience.install()
action_response.install()
