"""Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat): {"text": ...}."""

from __future__ import annotations

from monitor.alerts.messages import render_text
from monitor.alerts.receivers.http import post_json


def send(config: dict[str, str], payload: dict, settings) -> None:
    post_json(config["url"], {"text": render_text(payload)}, key=payload["key"],
              timeout=settings.alerts.timeout_seconds)
