"""report weekly, report send: the weekly continuity report."""

from __future__ import annotations

import click

from monitor.commands import open_home, replay_progress

WEEK = click.option("--week", required=True, metavar="YYYY-Www", help="ISO week, e.g. 2026-W48.")


@click.group()
def report() -> None:
    """The weekly continuity report."""


@report.command()
@WEEK
@click.option("--region", default=None, metavar="CODE", help="ISO 3166-2:UA code; default national.")
@click.option("--lang", type=click.Choice(["uk", "en"]), default=None,
              help="Report language (default: [report] language).")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="HTML file to write (default: HOME/reports/continuity-WEEK[-REGION]-LANG.html).")
@click.pass_context
def weekly(ctx: click.Context, week: str, region: str | None, lang: str | None, out: str | None) -> None:
    """Write the browser report and, beside it, the e-mail variant (.eml)."""
    import datetime as dt
    from pathlib import Path

    from monitor.weekly import write_weekly

    with replay_progress() as on_day:
        html, eml = write_weekly(open_home(ctx), week, region, lang, Path(out) if out else None,
                                 now=dt.datetime.now(dt.timezone.utc), on_day=on_day)
    click.echo(f"wrote {html}")
    click.echo(f"wrote {eml}")


@report.command()
@WEEK
@click.pass_context
def send(ctx: click.Context, week: str) -> None:
    """E-mail the report to the recipients in [report] of monitor.toml."""
    import datetime as dt

    from monitor.weekly import send_weekly

    for scope, lang, addresses in send_weekly(open_home(ctx), week, dt.datetime.now(dt.timezone.utc)):
        click.echo(f"sent {scope} report ({lang}) to {', '.join(addresses)}")


commands = [report]
