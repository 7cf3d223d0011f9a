"""Telegram Bot API receiver: sendMessage to a chat; the bot token comes from the environment."""

from __future__ import annotations

import json

from monitor.alerts.messages import render_text
from monitor.alerts.receivers import DeliveryError
from monitor.alerts.receivers.http import post_json, secret

DEFAULT_URL = "https://api.telegram.org"
LIMIT = 4096  # Telegram rejects longer texts


def send(config: dict[str, str], payload: dict, settings) -> None:
    token = secret(config["token_env"], payload["receiver"])
    base = config.get("url", DEFAULT_URL).rstrip("/")
    text = render_text(payload)
    if len(text) > LIMIT:
        text = text[: LIMIT - 1] + "…"
    answer = post_json(
        f"{base}/bot{token}/sendMessage",
        {"chat_id": config["chat_id"], "text": text, "disable_web_page_preview": True},
        key=payload["key"], timeout=settings.alerts.timeout_seconds,
    )
    try:
        ok = json.loads(answer).get("ok")
    except (ValueError, AttributeError):
        ok = False
    if not ok:
        raise DeliveryError(f"Telegram did not accept the message ({answer[:200]!r}); will retry")
