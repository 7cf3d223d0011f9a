"""alerts, serve, jobs: alerts to support teams and the scheduled service."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import click

from monitor.commands import REGION, open_home


def _now() -> datetime:
    return datetime.now(timezone.utc)


@click.group()
def alerts() -> None:
    """Alerts raised from episodes, their silences and their delivery."""


@alerts.command("list")
@click.option("--state", type=click.Choice(["firing", "acknowledged", "resolved"]),
              help="Only alerts in this state.")
@click.option("--region", type=REGION, default=None, help="Only alerts of this ISO 3166-2:UA region, e.g. UA-63.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output: one line per alert, or JSON {\"alerts\": [...]}.")
@click.pass_context
def list_(ctx: click.Context, state: str | None, region: str | None, fmt: str) -> None:
    """List alerts, oldest first."""
    from monitor.alerts.lifecycle import list_alerts
    from monitor.alerts.service import with_conn

    found = with_conn(open_home(ctx, existing=True), lambda c: list_alerts(c, state, region))
    if fmt == "json":
        click.echo(json.dumps({"alerts": found}, ensure_ascii=False, indent=1))
        return
    for a in found:
        muted = f" muted-by={a['inhibited_by']}" if a["inhibited_by"] else ""
        who = a["institution_id"] or a["region"] or "platform"
        click.echo(f"{a['id']}  {a['state']:<12} {a['scope']:<11} {who:<12} "
                   f"since {a['start']}{muted}")
    if not found:
        click.echo("no alerts")


@alerts.command()
@click.argument("alert_id")
@click.pass_context
def show(ctx: click.Context, alert_id: str) -> None:
    """One alert with the notifications sent about it (JSON)."""
    from monitor.alerts.lifecycle import get_alert
    from monitor.alerts.service import with_conn

    alert = with_conn(open_home(ctx), lambda c: get_alert(c, alert_id))
    click.echo(json.dumps(alert, ensure_ascii=False, indent=1))


@alerts.command()
@click.argument("alert_id")
@click.option("--by", "author", required=True, help="Who acknowledges (name or team).")
@click.pass_context
def ack(ctx: click.Context, alert_id: str, author: str) -> None:
    """Acknowledge a firing alert: no more reminders; its resolution is still sent."""
    from monitor.alerts.lifecycle import acknowledge
    from monitor.alerts.service import with_conn

    alert = with_conn(open_home(ctx), lambda c: acknowledge(c, alert_id, author, _now()))
    click.echo(f"{alert['id']} acknowledged by {alert['acked_by']}")


@alerts.command()
@click.option("--institution", default=None, help="Silence this institution id.")
@click.option("--region", type=REGION, default=None, help="Silence this ISO 3166-2:UA region, e.g. UA-63.")
@click.option("--all", "everything", is_flag=True, help="Silence every alert.")
@click.option("--for", "duration", default=None, help="Length, e.g. 90m, 4h, 2d, 1w.")
@click.option("--until", default=None, help="End time, ISO 8601 (e.g. 2026-03-02T18:00+02:00).")
@click.option("--author", required=True, help="Who sets the silence (name or team).")
@click.option("--reason", required=True, help="Why, e.g. \"planned outage\".")
@click.pass_context
def silence(ctx: click.Context, institution: str | None, region: str | None, everything: bool,
            duration: str | None, until: str | None, author: str, reason: str) -> None:
    """Mute alerts of an institution, a region or everything for a while."""
    from monitor.alerts.service import with_conn
    from monitor.alerts.silences import SilenceError, add_silence, parse_duration

    chosen = [t for t, v in (("institution", institution), ("region", region),
                             ("all", everything)) if v]
    if len(chosen) != 1:
        raise SilenceError("give exactly one of --institution, --region or --all")
    if (duration is None) == (until is None):
        raise SilenceError("give exactly one of --for or --until")
    now = _now()
    if duration:
        ends = now + parse_duration(duration)
    else:
        try:
            ends = datetime.fromisoformat(until)
        except ValueError:
            raise SilenceError(
                f"'{until}' is not an ISO time; use e.g. 2026-03-02T18:00+02:00"
            ) from None
        if ends.tzinfo is None:
            raise SilenceError("--until needs a UTC offset, e.g. 2026-03-02T18:00+02:00")
    value = institution or region or ""
    home = open_home(ctx)
    if institution:
        from monitor.queries import require_institution

        require_institution(home, institution)  # a mistyped id would silence nothing
    made = with_conn(home, lambda c: add_silence(
        c, chosen[0], value, starts_at=now, ends_at=ends, author=author, reason=reason, now=now))
    click.echo(f"silence {made['id']}: {made['target']} {made['value']} until {made['ends_at']}")


@alerts.command()
@click.argument("silence_id", type=int)
@click.pass_context
def unsilence(ctx: click.Context, silence_id: int) -> None:
    """End a silence now."""
    from monitor.alerts.service import with_conn
    from monitor.alerts.silences import expire_silence

    made = with_conn(open_home(ctx), lambda c: expire_silence(c, silence_id, _now()))
    click.echo(f"silence {made['id']} ended at {made['expired_at']}")


@alerts.command()
@click.pass_context
def silences(ctx: click.Context) -> None:
    """List active silences."""
    from monitor.alerts.service import with_conn
    from monitor.alerts.silences import list_silences

    for s in with_conn(open_home(ctx), lambda c: list_silences(c, _now())):
        click.echo(f"{s['id']}  {s['target']:<11} {s['value']:<10} {s['starts_at']} .. "
                   f"{s['ends_at']}  {s['author']}: {s['reason']}")


@alerts.command()
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send and record nothing.")
@click.pass_context
def dispatch(ctx: click.Context, dry_run: bool) -> None:
    """Turn episodes into alerts and deliver the notifications that are due."""
    from monitor.alerts.messages import render_text
    from monitor.alerts.service import dispatch as run

    result = run(open_home(ctx), _now(), dry_run=dry_run)
    verb = "would send" if dry_run else "planned"
    for payload in result.planned:
        click.echo(f"{verb} {payload['key']} to {payload['receiver']} "
                   f"({payload['group']}, {len(payload['items'])} alerts)")
        if dry_run:
            click.echo("  " + render_text(payload).replace("\n", "\n  "))
    for error in result.delivery.errors:
        click.echo(f"retrying: {error}", err=True)
    click.echo(f"alerts: {result.created} new, {result.resolved} resolved; "
               f"sent {len(result.delivery.sent)}, pending {result.pending}")


@click.command()
@click.pass_context
def serve(ctx: click.Context) -> None:
    """Run the scheduled jobs from [schedule] until SIGTERM or Ctrl-C."""
    from monitor.scheduler import configure_logging
    from monitor.scheduler import serve as run

    home = open_home(ctx)
    configure_logging()
    run(home)


@click.group()
def jobs() -> None:
    """The scheduled jobs, listed or run once by hand."""


@jobs.command("list")
@click.pass_context
def jobs_list(ctx: click.Context) -> None:
    """Each job with its trigger from [schedule]."""
    from monitor.scheduler import describe_jobs

    for name, trigger in describe_jobs(open_home(ctx)):
        click.echo(f"{name:<10} {trigger}")


@jobs.command("run")
@click.argument("name")
@click.pass_context
def jobs_run(ctx: click.Context, name: str) -> None:
    """Run one job now, exactly as the scheduler would."""
    from monitor.jobs import run_job

    click.echo(run_job(name, str(open_home(ctx).root)))


commands = [alerts, serve, jobs]
