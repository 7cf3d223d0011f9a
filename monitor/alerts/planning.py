"""What each receiver must hear now, grouped into notifications (one message per group).

A group is (receiver, region); platform alerts form the `national` group. Events:
- `firing`: an alert the receiver has not been told of (not silenced, not inhibited);
- `repeat`: still firing, unacknowledged, last told more than repeat_interval ago;
- `resolved`: resolved, and the receiver had been told it was firing.
A group that received a message less than group_interval ago waits; its events collect into
the next message. Planning writes the notification and the `notified` marks in the caller's
transaction, so a re-run (or a restart) finds nothing new to send.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import datetime, timedelta

from monitor.alerts.config import receivers_for
from monitor.alerts.silences import SILENCED
from monitor.alerts.store import iso, rows
from monitor.settings import Settings

NATIONAL = "national"

_CANDIDATES = f"""
SELECT a.id AS alert_id, a.scope, a.institution_id, i.name AS institution_name, a.region,
       a.state, a.inhibited_by, e.start, e."end", e.severity, e.expected, e.observed, e.metric,
       e.explanation, {SILENCED} AS silenced
FROM alerts a
LEFT JOIN episodes e ON e.id = a.id
LEFT JOIN institutions i ON i.institution_id = a.institution_id
WHERE a.quiet = 0
ORDER BY a.region, a.scope DESC, a.institution_id, a.id
"""


def plan_notifications(conn: sqlite3.Connection, settings: Settings, now: datetime,
                       report_link: str) -> list[dict]:
    """Create the notifications due now; returns their payloads (also stored, for retries)."""
    alerts_cfg = settings.alerts
    stamp = iso(now)
    told = {
        (r["alert_id"], r["receiver"], r["event"]): r["at"]
        for r in rows(conn, "SELECT alert_id, receiver, event, at FROM notified")
    }
    repeat_before = iso(now - timedelta(hours=alerts_cfg.repeat_interval_hours))
    groups: dict[tuple[str, str], list[dict]] = {}
    for alert in rows(conn, _CANDIDATES, {"now": stamp}):
        for receiver in receivers_for(settings, alert["region"]):
            if receiver not in alerts_cfg.receivers:
                continue
            event = _event_for(alert, receiver, told, repeat_before, alerts_cfg.send_resolved)
            if event:
                group = (receiver, alert["region"] or NATIONAL)
                groups.setdefault(group, []).append({**_item(alert), "event": event})
    wait_after = iso(now - timedelta(minutes=alerts_cfg.group_interval_minutes))
    payloads = []
    for (receiver, group_key), items in sorted(groups.items()):
        last = conn.execute(
            "SELECT MAX(created_at) FROM notifications WHERE receiver = ? AND group_key = ?",
            (receiver, group_key),
        ).fetchone()[0]
        if last is not None and last > wait_after:
            continue  # this group spoke recently; its events wait for the next interval
        payloads.append(_create(conn, settings, receiver, group_key, items, stamp, report_link))
    return payloads


def _event_for(alert: dict, receiver: str, told: dict, repeat_before: str,
               send_resolved: bool) -> str | None:
    fired_at = told.get((alert["alert_id"], receiver, "firing"))
    if alert["state"] == "resolved":
        already = (alert["alert_id"], receiver, "resolved") in told
        return "resolved" if send_resolved and fired_at and not already else None
    if alert["silenced"] or alert["inhibited_by"]:
        return None
    if fired_at is None:
        return "firing"
    if alert["state"] == "firing" and fired_at <= repeat_before:
        return "repeat"
    return None


def _item(alert: dict) -> dict:
    keep = ("alert_id", "scope", "institution_id", "institution_name", "region", "start", "end",
            "severity", "expected", "observed", "metric", "explanation")
    return {k: alert[k] for k in keep}


def _create(conn: sqlite3.Connection, settings: Settings, receiver: str, group_key: str,
            items: list[dict], stamp: str, report_link: str) -> dict:
    events = sorted((i["alert_id"], i["event"]) for i in items)
    key = hashlib.sha256(
        json.dumps([receiver, group_key, stamp, events]).encode()
    ).hexdigest()[:32]
    language = settings.alerts.receivers[receiver].get("language", settings.alerts.language)
    payload = {
        "key": key, "receiver": receiver, "group": group_key, "language": language,
        "created_at": stamp, "report": report_link.replace("{region}", group_key), "items": items,
    }
    conn.execute(
        """INSERT INTO notifications (key, receiver, group_key, payload, status,
                                      next_attempt_at, created_at)
           VALUES (?, ?, ?, ?, 'pending', ?, ?)""",
        (key, receiver, group_key, json.dumps(payload, ensure_ascii=False), stamp, stamp),
    )
    conn.executemany(
        """INSERT INTO notified (alert_id, receiver, event, key, at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (alert_id, receiver, event) DO UPDATE SET key = excluded.key,
                                                               at = excluded.at""",
        [(i["alert_id"], receiver, "resolved" if i["event"] == "resolved" else "firing", key,
          stamp) for i in items],
    )
    return payload
