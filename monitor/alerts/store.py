"""Helpers for the alert tables of state.sqlite (their schema lives in monitor/state.py).

Times are UTC ISO strings `YYYY-MM-DDTHH:MM:SSZ`, so they compare correctly as text.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone


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
