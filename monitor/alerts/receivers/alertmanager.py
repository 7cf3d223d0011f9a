"""Prometheus Alertmanager: POST {url}/api/v2/alerts, one postable alert per item.

Alertmanager de-duplicates on labels, so re-sending is harmless; a resolved item carries
endsAt, a firing one leaves it out (Alertmanager then resolves it after resolve_timeout
unless it is sent again, which repeats do).
"""

from __future__ import annotations

from monitor.alerts.messages import item_label, where
from monitor.alerts.receivers.http import post_json


def postable(payload: dict) -> list[dict]:
    alerts = []
    for item in payload["items"]:
        labels = {
            "alertname": "ContinuityActivityDrop",
            "scope": item["scope"],
            "region": item["region"] or "national",
            "episode_id": item["alert_id"],
        }
        if item["institution_id"]:
            labels["institution_id"] = item["institution_id"]
        alert = {
            "labels": labels,
            "annotations": {
                "summary": f"{item_label(item, payload['language'])} — {where(payload)}",
                "description": item.get("explanation") or "",
                "report": payload.get("report") or "",
            },
            "startsAt": (f"{item['start']}T00:00:00Z" if item.get("start")
                         else payload["created_at"]),
        }
        if item["event"] == "resolved":
            alert["endsAt"] = payload["created_at"]
        if (payload.get("report") or "").startswith(("http://", "https://")):
            alert["generatorURL"] = payload["report"]
        alerts.append(alert)
    return alerts


def send(config: dict[str, str], payload: dict, settings) -> None:
    post_json(config["url"].rstrip("/") + "/api/v2/alerts", postable(payload),
              key=payload["key"], timeout=settings.alerts.timeout_seconds)
