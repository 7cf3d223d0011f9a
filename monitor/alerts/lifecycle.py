"""Alerts follow episodes: firing -> (acknowledged) -> resolved, one alert per episode.

`sync_alerts` is idempotent: re-running it, or re-running detection that rewrites the same
episodes, never creates a second alert. An episode first seen already resolved (history
replayed at once) becomes a quiet alert that is never notified.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from monitor.alerts.store import iso, rows
from monitor.errors import MonitorError


class AlertError(MonitorError):
    """An alert command names an alert that does not exist or cannot change that way."""


# An institution alert is muted while a region alert of its region (or its parent episode's
# alert) is open: the regional team hears about the outage once, not once per school.
_INHIBIT = """
UPDATE alerts SET inhibited_by = (
    SELECT r.id FROM alerts r
    WHERE r.scope = 'region' AND r.state != 'resolved'
      AND (r.region = alerts.region
           OR r.id = (SELECT e.parent_id FROM episodes e WHERE e.id = alerts.id))
    ORDER BY r.created_at, r.id LIMIT 1)
WHERE scope = 'institution'
"""


def sync_alerts(conn: sqlite3.Connection, now: datetime) -> dict[str, int]:
    """Create alerts for new episodes, resolve those whose episode ended; counts of each."""
    stamp = iso(now)
    created = conn.execute(
        """INSERT INTO alerts (id, scope, institution_id, region, state, quiet,
                               created_at, updated_at, resolved_at)
           SELECT e.id, e.scope, e.institution_id, e.region,
                  CASE e.status WHEN 'open' THEN 'firing' ELSE 'resolved' END,
                  e.status != 'open', :now, :now,
                  CASE e.status WHEN 'open' THEN NULL ELSE :now END
           FROM episodes e WHERE e.id NOT IN (SELECT id FROM alerts)""",
        {"now": stamp},
    ).rowcount
    # A vanished episode (detection re-run with other ids) resolves its alert too.
    resolved = conn.execute(
        """UPDATE alerts SET state = 'resolved', resolved_at = :now, updated_at = :now
           WHERE state != 'resolved' AND id NOT IN (
               SELECT id FROM episodes WHERE status = 'open')""",
        {"now": stamp},
    ).rowcount
    conn.execute(_INHIBIT)
    return {"created": created, "resolved": resolved}


def acknowledge(conn: sqlite3.Connection, alert_id: str, by: str, now: datetime) -> dict:
    """Stop reminders for a firing alert; resolution is still notified."""
    alert = get_alert(conn, alert_id)
    if alert["state"] == "resolved":
        raise AlertError(f"alert {alert_id} is already resolved; nothing to acknowledge")
    conn.execute(
        """UPDATE alerts SET state = 'acknowledged', acked_at = ?, acked_by = ?, updated_at = ?
           WHERE id = ?""",
        (iso(now), by, iso(now), alert_id),
    )
    return get_alert(conn, alert_id)


def get_alert(conn: sqlite3.Connection, alert_id: str) -> dict:
    found = rows(conn, _SELECT + " WHERE a.id = ?", (alert_id,))
    if not found:
        raise AlertError(f"no alert {alert_id}; see `monitor alerts list` for the ids")
    alert = found[0]
    alert["notifications"] = rows(
        conn,
        """SELECT n.receiver, d.event, n.key, n.status, n.attempts, n.created_at, n.sent_at,
                  n.last_error
           FROM notified d JOIN notifications n ON n.key = d.key
           WHERE d.alert_id = ? ORDER BY n.created_at, n.receiver""",
        (alert_id,),
    )
    return alert


def list_alerts(conn: sqlite3.Connection, state: str | None = None,
                region: str | None = None) -> list[dict]:
    where, params = [], []
    if state:
        where.append("a.state = ?")
        params.append(state)
    if region:
        where.append("a.region = ?")
        params.append(region)
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    return rows(conn, sql + " ORDER BY a.created_at, a.id", params)


_SELECT = """
SELECT a.id, a.scope, a.institution_id, i.name AS institution_name, a.region, a.state,
       a.inhibited_by, a.quiet, a.created_at, a.acked_at, a.acked_by, a.resolved_at,
       e.start, e."end", e.severity, e.expected, e.observed, e.metric, e.explanation
FROM alerts a
LEFT JOIN episodes e ON e.id = a.id
LEFT JOIN institutions i ON i.institution_id = a.institution_id
"""
