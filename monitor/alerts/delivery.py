"""At-least-once delivery of stored notifications, with exponential back-off in SQLite.

Per receiver, notifications go out strictly in the order they were created: the first one
not yet due (or failing) holds back the rest, so a resolution never overtakes its firing.
A send is claimed first (next_attempt_at moves to a lease), so two dispatchers running at
once do not both send it; a crash after sending and before marking it sent re-sends it with
the same idempotency key, which receivers use to drop the duplicate.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from monitor.alerts.receivers import DeliveryError, sender_for
from monitor.alerts.store import iso, parse_iso, rows
from monitor.settings import Settings

log = logging.getLogger("monitor.alerts")

Sender = Callable[[dict, dict, Settings], None]


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    given_up: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def backoff(settings: Settings, attempts: int) -> timedelta:
    """Delay after the `attempts`-th failure: initial, 2x, 4x, ... capped at retry_max."""
    cfg = settings.alerts
    seconds = min(cfg.retry_initial_seconds * 2 ** max(attempts - 1, 0), cfg.retry_max_seconds)
    return timedelta(seconds=seconds)


def deliver_due(conn: sqlite3.Connection, settings: Settings, now: datetime,
                sender_for_kind: Callable[[str], Sender] = sender_for) -> DeliveryReport:
    report = DeliveryReport()
    stamp = iso(now)
    give_up_before = iso(now - timedelta(hours=settings.alerts.give_up_hours))
    blocked: set[str] = set()
    pending = rows(conn, """SELECT key, receiver, payload, attempts, next_attempt_at, created_at
                            FROM notifications WHERE status = 'pending'
                            ORDER BY receiver, created_at, key""")
    for row in pending:
        receiver = row["receiver"]
        if receiver in blocked:
            continue
        config = settings.alerts.receivers.get(receiver)
        if config is None or row["created_at"] < give_up_before:
            why = "receiver no longer configured" if config is None else "retried for too long"
            _finish(conn, row["key"], "failed", stamp, why)
            report.given_up.append(row["key"])
            log.warning("event=delivery_given_up key=%s receiver=%s reason=%r",
                        row["key"], receiver, why)
            continue
        if row["next_attempt_at"] > stamp or not _claim(conn, row, now):
            blocked.add(receiver)
            continue
        try:
            sender_for_kind(config["kind"])(config, json.loads(row["payload"]), settings)
        except DeliveryError as exc:
            attempts = row["attempts"] + 1
            conn.execute(
                """UPDATE notifications SET attempts = ?, next_attempt_at = ?, last_error = ?
                   WHERE key = ?""",
                (attempts, iso(now + backoff(settings, attempts)), str(exc), row["key"]),
            )
            blocked.add(receiver)
            report.retrying.append(row["key"])
            report.errors.append(f"{receiver}: {exc}")
            log.warning("event=delivery_failed key=%s receiver=%s attempts=%d error=%r",
                        row["key"], receiver, attempts, str(exc))
            continue
        _finish(conn, row["key"], "sent", stamp, None)
        report.sent.append(row["key"])
        log.info("event=delivered key=%s receiver=%s", row["key"], receiver)
    return report


def _claim(conn: sqlite3.Connection, row: dict, now: datetime) -> bool:
    """Take the row for one attempt; false if another dispatcher took it first."""
    lease = iso(now + timedelta(minutes=10))
    return conn.execute(
        """UPDATE notifications SET next_attempt_at = ?
           WHERE key = ? AND status = 'pending' AND next_attempt_at = ?""",
        (lease, row["key"], row["next_attempt_at"]),
    ).rowcount == 1


def _finish(conn: sqlite3.Connection, key: str, status: str, stamp: str,
            error: str | None) -> None:
    conn.execute(
        """UPDATE notifications SET status = ?, sent_at = CASE ? WHEN 'sent' THEN ? END,
                  last_error = COALESCE(?, last_error) WHERE key = ?""",
        (status, status, stamp, error, key),
    )


def pending_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM notifications WHERE status = 'pending'").fetchone()[0]


__all__ = ["DeliveryReport", "backoff", "deliver_due", "parse_iso", "pending_count"]
