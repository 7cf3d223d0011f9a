"""Alerts to support teams: episodes -> alert lifecycle -> routing -> receivers.

`lifecycle` turns episodes into alerts (one per episode), `silences` mutes them, `planning`
groups what each receiver must hear into notifications, `delivery` sends those at least once
with an idempotency key, and one module per receiver kind knows the wire format.
"""
