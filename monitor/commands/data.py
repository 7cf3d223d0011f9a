"""ingest, daily, sql: getting exports in and asking questions of the store."""

from __future__ import annotations

import sys

import click

from monitor.commands import DAY, FORMAT_HELP, REGION, open_home
from monitor.errors import EXIT_REJECTED, check_range

_FORMAT = click.Choice(["table", "csv", "json"])


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--institution", help="Every record in these files belongs to this institution id.")
@click.option("--timezone", help="Zone of naive times in CSV exports (default: ingest.timezone).")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[str, ...], institution: str | None, timezone: str | None) -> None:
    """Ingest export files or folders (recursively); bad files go to quarantine/."""
    import datetime as dt

    from monitor.ingest.paths import expand_paths
    from monitor.ingest.pipeline import ingest_paths

    home = open_home(ctx)
    files = expand_paths(paths)
    show_bar = sys.stderr.isatty() and len(files) > 1
    with click.progressbar(length=len(files), label="ingesting", file=sys.stderr,
                           hidden=not show_bar) as bar:
        def report(outcome) -> None:
            bar.update(1)
            line = f"{outcome.path.name}: {outcome.status}: {outcome.message}"
            if show_bar:
                bar.render_finish()
            click.echo(line, err=outcome.status == "rejected")

        today = dt.datetime.now(dt.timezone.utc).astimezone(home.settings.timezone).date()
        outcomes = ingest_paths(home, files, institution=institution, timezone=timezone,
                                on_outcome=report, today=today)
    rejected = sum(o.status == "rejected" for o in outcomes)
    ingested = sum(o.status == "ingested" for o in outcomes)
    click.echo(f"{ingested} ingested, {sum(o.status == 'duplicate' for o in outcomes)} already stored, {rejected} rejected")
    if rejected:
        sys.exit(EXIT_REJECTED)


@click.command()
@click.option("--from", "start", type=DAY, help="First date, inclusive.")
@click.option("--to", "end", type=DAY, help="Last date, inclusive.")
@click.option("--institution", help="Only this institution id.")
@click.option("--region", type=REGION, help="Only institutions of this ISO 3166-2:UA region, e.g. UA-63.")
@click.option("--format", "fmt", type=_FORMAT, default="table", show_default=True, help=FORMAT_HELP)
@click.pass_context
def daily(ctx: click.Context, start, end, institution, region, fmt: str) -> None:
    """Daily metrics per institution, covered days only, by institution_id then date."""
    from monitor.queries import daily_rows, render

    check_range(start, end)
    home = open_home(ctx, existing=True)
    frame = daily_rows(home, start, end, institution, region)
    # CSV ends with its own newline; JSON and the table get one.
    click.echo(render(frame, fmt, json_key="daily"), nl=fmt != "csv")


@click.command()
@click.argument("query")
@click.option("--format", "fmt", type=_FORMAT, default="table", show_default=True, help=FORMAT_HELP)
@click.pass_context
def sql(ctx: click.Context, query: str, fmt: str) -> None:
    """Run a read-only SQL query (SELECT) over the tables daily, institutions and coverage."""
    from monitor.queries import render, run_sql

    click.echo(render(run_sql(open_home(ctx, existing=True), query), fmt), nl=fmt != "csv")


commands = [ingest, daily, sql]
