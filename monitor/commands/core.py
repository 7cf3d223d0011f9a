"""init, institutions: setting up a home directory."""

from __future__ import annotations

import click

from monitor.commands import open_home


@click.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the home directory and a commented monitor.toml."""
    from monitor.settings import example_toml

    home = open_home(ctx)
    if home.config_file.exists():
        click.echo(f"{home.config_file} exists; left unchanged")
    else:
        home.config_file.write_text(example_toml(), encoding="utf-8")
        click.echo(f"wrote {home.config_file}")
    home.settings  # noqa: B018 - validate the file that is there


@click.group()
def institutions() -> None:
    """The institution directory."""


@institutions.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_context
def import_(ctx: click.Context, file: str) -> None:
    """Import or update institutions from a directory CSV."""
    from pathlib import Path

    from monitor.directory import import_directory
    from monitor.state import connect

    home = open_home(ctx)
    with connect(home.state_db) as conn:
        added, updated = import_directory(conn, Path(file))
    click.echo(f"{Path(file).name}: {added} institutions added, {updated} updated")


@click.command()
@click.option("--home", "demo_home", type=click.Path(), default=None, metavar="DIR",
              help="Home to fill (same as `monitor --home DIR demo`).")
@click.pass_context
def demo(ctx: click.Context, demo_home: str | None) -> None:
    """Run the whole job on the bundled fixtures (into --home, else $MONITOR_HOME, else a new
    temporary home) and print a summary."""
    import datetime
    import os
    import tempfile

    from monitor.demo import run_demo
    from monitor.home import Home

    chosen = demo_home or ctx.find_root().obj
    if chosen is None and not os.environ.get("MONITOR_HOME"):
        chosen = tempfile.mkdtemp(prefix="monitor-demo-")
    summary = run_demo(Home.open(chosen), now=datetime.datetime.now(datetime.timezone.utc))
    for line in summary.lines():
        click.echo(line)
    click.echo(f"next: monitor --home {summary.home} daily --from {summary.last_day}")


commands = [init, institutions, demo]
