"""dispatch: the one function behind `monitor alerts dispatch` and the scheduler's job."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitor.alerts.delivery import DeliveryReport, deliver_due, pending_count
from monitor.alerts.lifecycle import sync_alerts
from monitor.alerts.planning import plan_notifications
from monitor.home import Home
from monitor.state import connect, transaction

log = logging.getLogger("monitor.alerts")


@dataclass
class DispatchResult:
    created: int = 0
    resolved: int = 0
    planned: list[dict] = field(default_factory=list)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)
    pending: int = 0
    dry_run: bool = False


def report_link(home: Home, now: datetime) -> str:
    """The report link for messages: report_url with {week} filled in, else the reports path."""
    template = home.settings.alerts.report_url
    if not template:
        return str(home.reports)
    local = now.astimezone(home.settings.timezone) - timedelta(days=7)
    year, week, _ = local.isocalendar()
    return template.replace("{week}", f"{year}-W{week:02d}")


def dispatch(home: Home, now: datetime, *, dry_run: bool = False) -> DispatchResult:
    """Sync alerts with episodes, plan notifications, and deliver what is due.

    With dry_run the plan is computed in a transaction that is rolled back and nothing is sent.
    """
    settings = home.settings
    conn = connect(home.state_db)
    try:
        result = DispatchResult(dry_run=dry_run)
        conn.execute("BEGIN IMMEDIATE")
        try:
            counts = sync_alerts(conn, now)
            result.created, result.resolved = counts["created"], counts["resolved"]
            result.planned = plan_notifications(conn, settings, now, report_link(home, now))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("ROLLBACK" if dry_run else "COMMIT")
        if not dry_run:
            result.delivery = deliver_due(conn, settings, now)
        result.pending = pending_count(conn)
        log.info("event=dispatch created=%d resolved=%d planned=%d sent=%d retrying=%d "
                 "pending=%d dry_run=%s", result.created, result.resolved, len(result.planned),
                 len(result.delivery.sent), len(result.delivery.retrying), result.pending,
                 dry_run)
        return result
    finally:
        conn.close()


def with_conn(home: Home, action):
    """Run action(conn) in one write transaction on the home's state database."""
    conn = connect(home.state_db)
    try:
        with transaction(conn):
            return action(conn)
    finally:
        conn.close()
