"""Generic JSON webhook, signed: X-Monitor-Signature: sha256=HMAC-SHA256(key, body) in hex.

The body is the stored notification plus its rendered text; the receiver verifies the
signature over the exact bytes and de-duplicates on `key` (also the Idempotency-Key header).
"""

from __future__ import annotations

import hashlib
import hmac
import json

from monitor.alerts.messages import render_text, subject
from monitor.alerts.receivers.http import post_json, secret

SIGNATURE_HEADER = "X-Monitor-Signature"


def sign(key: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def send(config: dict[str, str], payload: dict, settings) -> None:
    key = secret(config["secret_env"], payload["receiver"]).encode()
    body = json.dumps(
        {**payload, "subject": subject(payload), "text": render_text(payload)},
        ensure_ascii=False, sort_keys=True,
    ).encode()
    post_json(config["url"], body, key=payload["key"], timeout=settings.alerts.timeout_seconds,
              headers={SIGNATURE_HEADER: sign(key, body)})
