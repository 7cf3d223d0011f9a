"""Command modules, one per area; each exposes `commands`, a list of click commands."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from monitor.regions import REGIONS

if TYPE_CHECKING:
    from monitor.detection import OnDay


class _Day(click.ParamType):
    """A calendar date written YYYY-MM-DD, handed to the command as a `datetime.date`."""

    name = "date"

    def get_metavar(self, param, ctx=None) -> str:
        return "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return dt.datetime.strptime(str(value), "%Y-%m-%d").date()
        except ValueError:
            self.fail(f"'{value}' is not a date; write it as YYYY-MM-DD, e.g. 2025-03-01", param, ctx)


class _Region(click.ParamType):
    """An ISO 3166-2:UA region code (UA-63); a typo is an error, not an empty answer."""

    name = "region"

    def get_metavar(self, param, ctx=None) -> str:
        return "CODE"

    def convert(self, value, param, ctx):
        if value not in REGIONS:
            # Same wording as `report weekly --region` gives from the library.
            raise click.UsageError(
                f"unknown region code '{value}'; use an ISO 3166-2:UA code such as UA-63", ctx)
        return value


DAY = _Day()
REGION = _Region()
FORMAT_HELP = "Output: an aligned table, CSV, or JSON."


def register(group: click.Group) -> None:
    from monitor.commands import alerts, core, data, detection, fixtures, report

    for module in (core, data, alerts, report, fixtures, detection):
        for command in module.commands:
            group.add_command(command)


def open_home(ctx: click.Context, existing: bool = False):
    """The Home for this invocation, from --home / MONITOR_HOME. With `existing`, a home that
    is not there is an error: a query must not answer "nothing" from a mistyped --home."""
    from monitor.errors import StoreError
    from monitor.home import Home, resolve_home

    chosen = ctx.find_root().obj
    if existing and not resolve_home(chosen).exists():
        raise StoreError(f"no home directory at {resolve_home(chosen)}; check --home or "
                         "$MONITOR_HOME, or create it with `monitor init`")
    home = Home.open(chosen)
    home.settings  # noqa: B018 - a bad monitor.toml stops every command, not just some
    return home


@contextmanager
def replay_progress() -> Iterator[OnDay | None]:
    """The `on_day` of a detection replay (30-45 s on years of national history): a bar of the
    days replayed on stderr while stderr is a terminal, ended when the block ends so that
    results print below it. Otherwise None: pipes, cron mail and logs see nothing."""
    if not sys.stderr.isatty():
        yield None
        return
    bar = None

    def on_day(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:  # the number of days is known once the replay has begun
            bar = click.progressbar(length=total, label="replaying days", file=sys.stderr)
        bar.update(done - bar.pos)

    try:
        yield on_day
    finally:
        if bar is not None:
            bar.render_finish()
