"""The alert tables in state.sqlite, created on first use (CREATE TABLE IF NOT EXISTS).

Times are UTC ISO strings `YYYY-MM-DDTHH:MM:SSZ`, so they compare correctly as text.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    id              TEXT PRIMARY KEY,  -- the episode id: one alert per episode, ever
    scope           TEXT NOT NULL,
    institution_id  TEXT,
    region          TEXT,
    state           TEXT NOT NULL CHECK (state IN ('firing', 'acknowledged', 'resolved')),
    inhibited_by    TEXT,              -- the open region alert that mutes this one
    quiet           INTEGER NOT NULL DEFAULT 0,  -- first seen already resolved: never notified
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    acked_at        TEXT,
    acked_by        TEXT,
    resolved_at     TEXT
);
CREATE TABLE IF NOT EXISTS silences (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    target      TEXT NOT NULL CHECK (target IN ('all', 'region', 'institution')),
    value       TEXT NOT NULL DEFAULT '',
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    author      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expired_at  TEXT           -- set by unsilence
);
-- One row per message to one receiver; the key is the idempotency key sent with it.
CREATE TABLE IF NOT EXISTS notifications (
    key              TEXT PRIMARY KEY,
    receiver         TEXT NOT NULL,
    group_key        TEXT NOT NULL,
    payload          TEXT NOT NULL,  -- JSON, built once so every retry sends the same message
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    sent_at          TEXT
);
CREATE INDEX IF NOT EXISTS notifications_pending ON notifications (status, receiver, created_at);
CREATE INDEX IF NOT EXISTS notifications_group ON notifications (receiver, group_key, created_at);
-- What each receiver has been told about each alert; the firing row's `at` drives repeats.
CREATE TABLE IF NOT EXISTS notified (
    alert_id  TEXT NOT NULL,
    receiver  TEXT NOT NULL,
    event     TEXT NOT NULL CHECK (event IN ('firing', 'resolved')),
    key       TEXT NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (alert_id, receiver, event)
);
"""


def ensure_schema(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Create the tables once; safe inside a transaction (executescript would commit it)."""
    present = conn.execute(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'notified'"
    ).fetchone()[0]
    if not present:
        if conn.in_transaction:
            raise RuntimeError("create the alert tables before opening a transaction")
        conn.executescript(SCHEMA)
    return conn


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def rows(conn: sqlite3.Connection, sql: str, params=()) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
