"""Rasa-server-side extensions of ShopMate (the action server never imports this package).

The Rasa server imports ``channels.rest`` because ``credentials.yml`` names ``channels.rest.RestInput``; importing
the package installs :mod:`channels.resilience` (an apology instead of silence when the action server is down),
:mod:`channels.action_response` (the action server's responses validated against a schema checked once) and
:mod:`channels.rasa_speedups` (event classes and slot copies without Rasa's repeated class-tree walks).
Keep this package thin: the behaviour lives in ``shop`` / ``recommender`` / ``actions``.
"""
from channels import action_response, rasa_speedups, resilience

resilience.install()
action_response.install()
rasa_speedups.install()
