"""state.sqlite: the ingest ledger, committed Parquet parts, coverage, the directory, episodes,
alerts and their deliveries, and job runs. Every table is created here, on connect.

SQLite in WAL mode is the commit point of every ingest: Parquet parts are written first under
names keyed by the source file's hash, and become visible only when a transaction here lists
them. A process killed in between leaves orphan files that the next ingest overwrites or sweeps.
"""

from __future__ import annotations

import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger (
    sha256       TEXT PRIMARY KEY,
    file_name    TEXT NOT NULL,
    format       TEXT,
    status       TEXT NOT NULL CHECK (status IN ('ingested', 'rejected')),
    reason       TEXT,
    records      INTEGER NOT NULL DEFAULT 0,
    new_records  INTEGER NOT NULL DEFAULT 0,
    ingested_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS parts (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    kind     TEXT NOT NULL CHECK (kind IN ('meetings', 'reported')),
    month    TEXT NOT NULL,
    path     TEXT NOT NULL UNIQUE,
    sha256   TEXT NOT NULL,
    rows     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS parts_by_month ON parts (kind, month);
-- Coverage (DESIGN.md section 4): the days each ingested file vouches for, and for which
-- institutions. A file covers its days for every institution of its platform (one row with
-- institution_id '') or for the institutions it names; its coverage is always its days times
-- its institutions, so each is stored once per file: a month of national daily history in
-- one file is 31 + 16,000 rows, not 31 x 16,000.
CREATE TABLE IF NOT EXISTS covered_days (
    platform  TEXT NOT NULL,
    level     TEXT NOT NULL CHECK (level IN ('meetings', 'daily')),
    date      TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    PRIMARY KEY (date, platform, level, sha256)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS covered_institutions (
    sha256          TEXT NOT NULL,
    institution_id  TEXT NOT NULL,  -- '' covers every institution of the platform
    PRIMARY KEY (sha256, institution_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS institutions (
    institution_id   TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    region           TEXT NOT NULL,
    kind             TEXT NOT NULL,
    zoom_account_id  TEXT NOT NULL DEFAULT '',
    zoom_group       TEXT NOT NULL DEFAULT '',
    email_domains    TEXT NOT NULL DEFAULT '',
    contacts         TEXT NOT NULL DEFAULT ''
);
-- Detection output; columns and meaning as models/episodes.py EPISODES, dates as YYYY-MM-DD.
CREATE TABLE IF NOT EXISTS episodes (
    id              TEXT PRIMARY KEY,
    scope           TEXT NOT NULL CHECK (scope IN ('institution', 'region', 'platform')),
    institution_id  TEXT,
    region          TEXT,
    start           TEXT NOT NULL,
    detected_on     TEXT NOT NULL,
    "end"           TEXT,
    status          TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    severity        REAL NOT NULL,
    expected        REAL NOT NULL,
    observed        REAL NOT NULL,
    metric          TEXT NOT NULL,
    explanation     TEXT NOT NULL,
    parent_id       TEXT,  -- the region episode an institution drop is grouped under
    updated_at      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dirty_months (
    month TEXT PRIMARY KEY
);
-- Alerts (monitor/alerts): times are UTC ISO strings, so they compare correctly as text.
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
-- Scheduled jobs keyed by the period they cover (monitor/jobs.py).
CREATE TABLE IF NOT EXISTS job_runs (
    job          TEXT NOT NULL,
    period       TEXT NOT NULL,
    finished_at  TEXT NOT NULL,
    summary      TEXT NOT NULL,
    PRIMARY KEY (job, period)
);
"""


class _ClosingConnection(sqlite3.Connection):
    """`with connect(path) as conn:` closes the connection on exit (autocommit mode:
    transactions are explicit, see `transaction`)."""

    def __exit__(self, *exc_info) -> bool:
        self.close()
        return False


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, factory=_ClosingConnection)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.executescript(SCHEMA)
    _migrate_coverage(conn)
    return conn


def _migrate_coverage(conn: sqlite3.Connection) -> None:
    """Homes written before covered_days kept one `coverage` row per day and institution.
    Every file's rows there were its days times its institutions, so its institutions are
    those of any one of its days, read through the old primary key (platform, level, date,
    ...). For three years of national daily history the reading takes seconds; dropping the
    old table takes about a minute, once."""
    def old_table() -> bool:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'coverage'").fetchone() is not None

    if not old_table():
        return
    print("state.sqlite: storing coverage once per file (a one-time upgrade)", file=sys.stderr)
    with transaction(conn):
        if not old_table():  # another process migrated it while this one waited
            return
        days = conn.execute("SELECT DISTINCT platform, level, date, sha256 FROM coverage").fetchall()
        conn.executemany("INSERT OR IGNORE INTO covered_days (platform, level, date, sha256) VALUES (?, ?, ?, ?)", days)
        one_day: dict[str, tuple] = {}  # per file, any one of its days
        for day in days:
            one_day.setdefault(day[3], day)
        for key in one_day.values():
            conn.execute(
                "INSERT OR IGNORE INTO covered_institutions (sha256, institution_id) SELECT sha256, institution_id "
                "FROM coverage WHERE platform = ? AND level = ? AND date = ? AND sha256 = ?", key)
        conn.execute("DROP TABLE coverage")
    conn.execute("VACUUM")  # the old rows were most of the file: give the space back


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
