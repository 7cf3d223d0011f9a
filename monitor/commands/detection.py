"""detect, anomalies, institution, region, evaluate: finding drops and asking about them."""

from __future__ import annotations

import sys

import click

from monitor.commands import DAY, FORMAT_HELP, REGION, open_home, replay_progress
from monitor.errors import check_range

_FORMAT = click.Choice(["table", "csv", "json"])
_SCOPE = click.Choice(["institution", "region", "platform"])
_TABLE = ["id", "scope", "institution_id", "region", "start", "detected_on", "end", "status",
          "severity", "parent_id", "explanation"]


@click.command()
@click.option("--as-of", "as_of", type=DAY, help="Detect with the data up to this day (default: the last day with data).")
@click.option("--from", "start", type=DAY, help="Replay day by day from this day ...")
@click.option("--to", "end", type=DAY, help="... to this day (inclusive).")
@click.option("--fail-on-new", is_flag=True, help="Exit 1 when new episodes were found (for cron).")
@click.pass_context
def detect(ctx: click.Context, as_of, start, end, fail_on_new: bool) -> None:
    """Find drops in the stored daily metrics and store them as episodes."""
    import datetime as dt

    from monitor.detection import detect as run
    from monitor.errors import QueryError

    if (start is None) != (end is None):
        raise QueryError("--from and --to go together; give both, or --as-of")
    home = open_home(ctx)
    now = dt.datetime.now(dt.UTC)
    # No export can vouch for a day that has not come yet: detecting "as of" one would store
    # platform episodes (missing data) that a later run up to today never takes back.
    today = now.astimezone(home.settings.timezone).date()
    for name, day in (("--as-of", as_of), ("--to", end)):
        if day is not None and day > today:
            raise QueryError(f"{name} {day} is in the future (today is {today}); give a day up to today")
    with replay_progress() as on_day:
        summary = run(home, as_of=as_of, start=start, end=end, now=now, on_day=on_day)
    for day, ids in sorted(summary.new_by_day.items()):
        click.echo(f"{day}: {len(ids)} new: {', '.join(ids[:8])}{' ...' if len(ids) > 8 else ''}")
    click.echo(repr(summary))
    if fail_on_new and summary.inserted:
        sys.exit(1)


@click.command()
@click.option("--from", "start", type=DAY, help="Episodes still going on or after this day.")
@click.option("--to", "end", type=DAY, help="Episodes that started on or before this day.")
@click.option("--scope", type=_SCOPE, help="Only this scope.")
@click.option("--region", type=REGION, help="Only this ISO 3166-2:UA region, e.g. UA-63.")
@click.option("--open", "open_only", is_flag=True, help="Only episodes still open.")
@click.option("--format", "fmt", type=_FORMAT, default="table", show_default=True, help=FORMAT_HELP)
@click.pass_context
def anomalies(ctx: click.Context, start, end, scope, region, open_only: bool, fmt: str) -> None:
    """List stored episodes (every one unless filtered)."""
    from models.episodes import EPISODES
    from monitor.detection import list_episodes
    from monitor.queries import render

    check_range(start, end)
    frame = list_episodes(open_home(ctx, existing=True), start, end, scope, region, open_only)
    frame = frame.select(_TABLE) if fmt == "table" else frame.select(list(EPISODES))
    click.echo(render(frame, fmt, json_key="episodes"), nl=fmt != "csv")


def _print_view(view) -> None:
    from monitor.queries import render

    click.echo(view.title)
    if view.status:
        click.echo(f"latest day: {view.status}")
    click.echo(f"weekly activity  {view.spark_observed}")
    click.echo(f"share of normal  {view.spark_ratio}")
    if view.weeks.height:
        click.echo(render(view.weeks.tail(8), "table"))
    for status in ("open", "resolved"):
        part = view.episodes.filter(view.episodes["status"] == status)
        click.echo(f"{status} episodes: {part.height}")
        for row in part.head(20).iter_rows(named=True):
            end = f" to {row['end']}" if row["end"] else ""
            click.echo(f"  {row['id']} [{row['scope']}] {row['start']}{end}: {row['explanation']}")


@click.command()
@click.argument("institution_id")
@click.pass_context
def institution(ctx: click.Context, institution_id: str) -> None:
    """One institution: weekly activity against expected, its episodes and why."""
    from monitor.views import institution_view

    with replay_progress() as on_day:
        view = institution_view(open_home(ctx, existing=True), institution_id, on_day)
    _print_view(view)


@click.command()
@click.argument("code")
@click.pass_context
def region(ctx: click.Context, code: str) -> None:
    """One region: weekly activity against expected, its episodes and why."""
    from monitor.views import region_view

    with replay_progress() as on_day:
        view = region_view(open_home(ctx, existing=True), code, on_day)
    _print_view(view)


@click.command()
@click.option("--scenario", "scenario_dir", required=True, type=click.Path(file_okay=False),
              help="A folder written by `monitor fixtures generate` (events.csv, scenario.json).")
@click.pass_context
def evaluate(ctx: click.Context, scenario_dir: str) -> None:
    """Score detection on the stored data against a generated scenario's labels."""
    from models.evaluation import HEADER, format_row
    from monitor.detection import evaluate_scenario

    with replay_progress() as on_day:
        metrics = evaluate_scenario(open_home(ctx), scenario_dir, on_day)
    click.echo(HEADER)
    click.echo(format_row("DropDetector", metrics))
    for key, (recall, count) in ((k, v) for k, v in metrics.items() if k.startswith("recall ")):
        click.echo(f"{key}: {recall:.2f} of {count}")


commands = [detect, anomalies, institution, region, evaluate]
