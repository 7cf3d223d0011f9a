"""Command modules, one per area; each exposes `commands`, a list of click commands."""

from __future__ import annotations

import datetime as dt

import click


class _Day(click.DateTime):
    """A calendar date written YYYY-MM-DD, handed to the command as a `datetime.date`."""

    name = "date"

    def __init__(self) -> None:
        super().__init__(["%Y-%m-%d"])

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        return super().convert(value, param, ctx).date()


DAY = _Day()


def register(group: click.Group) -> None:
    from monitor.commands import alerts, core, data, detection, fixtures, report

    for module in (core, data, alerts, report, fixtures, detection):
        for command in module.commands:
            group.add_command(command)


def open_home(ctx: click.Context):
    """The Home for this invocation, from --home / MONITOR_HOME."""
    from monitor.home import Home

    home = Home.open(ctx.find_root().obj)
    home.settings  # noqa: B018 - a bad monitor.toml stops every command, not just some
    return home
