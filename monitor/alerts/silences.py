"""Silences: mute alerts of one institution, one region, or everything, for a time window.

A silenced alert is not notified while the silence is active; when the silence ends and the
alert still fires, receivers hear about it at the next dispatch. Resolutions of alerts a
receiver was told about are always sent.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta

from monitor.alerts.store import iso, rows
from monitor.errors import MonitorError


class SilenceError(MonitorError):
    """A silence is malformed or does not exist."""


TARGETS = ("all", "region", "institution")

# SQL condition, over an alert aliased `a`, true while an active silence covers it.
SILENCED = """EXISTS (
    SELECT 1 FROM silences s
    WHERE s.expired_at IS NULL AND s.starts_at <= :now AND s.ends_at > :now
      AND (s.target = 'all'
           OR (s.target = 'region' AND s.value = a.region)
           OR (s.target = 'institution' AND s.value = a.institution_id)))"""

_DURATION = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """`90m`, `4h`, `2d`, `1w`."""
    match = _DURATION.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise SilenceError(f"'{text}' is not a duration; use a number and m, h, d or w, e.g. 4h")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def add_silence(conn: sqlite3.Connection, target: str, value: str, *, starts_at: datetime,
                ends_at: datetime, author: str, reason: str, now: datetime) -> dict:
    if target not in TARGETS:
        raise SilenceError(f"unknown silence target '{target}'; use all, region or institution")
    if (target == "all") != (value == ""):
        raise SilenceError("name the region or institution to silence, or silence all")
    if ends_at <= starts_at:
        raise SilenceError("the silence ends before it starts; give a later end")
    if not author.strip() or not reason.strip():
        raise SilenceError("a silence needs an author and a reason; pass --author and --reason")
    cursor = conn.execute(
        """INSERT INTO silences (target, value, starts_at, ends_at, author, reason, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        (target, value, iso(starts_at), iso(ends_at), author, reason, iso(now)),
    )
    return get_silence(conn, cursor.lastrowid)


def expire_silence(conn: sqlite3.Connection, silence_id: int, now: datetime) -> dict:
    silence = get_silence(conn, silence_id)
    if silence["expired_at"] is None:
        conn.execute("UPDATE silences SET expired_at = ? WHERE id = ?", (iso(now), silence_id))
    return get_silence(conn, silence_id)


def get_silence(conn: sqlite3.Connection, silence_id: int) -> dict:
    found = rows(conn, "SELECT * FROM silences WHERE id = ?", (silence_id,))
    if not found:
        raise SilenceError(f"no silence {silence_id}; see `monitor alerts silences`")
    return found[0]


def list_silences(conn: sqlite3.Connection, now: datetime, active_only: bool = True) -> list[dict]:
    sql = "SELECT * FROM silences"
    if active_only:
        sql += " WHERE expired_at IS NULL AND ends_at > :now"
    return rows(conn, sql + " ORDER BY id", {"now": iso(now)})
