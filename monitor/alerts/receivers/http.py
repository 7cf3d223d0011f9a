"""POST JSON with urllib; every request carries the notification's idempotency key."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request

from monitor.alerts.receivers import DeliveryError

USER_AGENT = "continuity-monitor"


def post_json(url: str, body: object, *, key: str, timeout: float,
              headers: dict[str, str] | None = None) -> bytes:
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Idempotency-Key": key,
        **(headers or {}),
    })
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"{_safe(url)} answered HTTP {exc.code}; will retry") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"{_safe(url)} unreachable ({reason}); will retry") from None


def secret(name: str, receiver: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise DeliveryError(
            f"{name} is not set; export it for receiver {receiver} (will retry)"
        )
    return value


def _safe(url: str) -> str:
    """The URL without its path: Telegram puts the bot token in the path."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
