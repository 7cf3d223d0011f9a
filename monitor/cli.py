"""The `monitor` command: a thin layer over the library.

Each command parses options, calls one library function, and prints. Library modules are
imported inside the commands so that `monitor --help` stays fast and this module imports no
polars, numpy or scikit-learn. A MonitorError becomes `Error: ...` on stderr with its exit code.
"""

from __future__ import annotations

import os
import sys

import click

from monitor.commands import register
from monitor.errors import MonitorError


class MonitorGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=MonitorGroup)
@click.option(
    "--home",
    type=click.Path(file_okay=False),
    default=None,
    help="Home directory (default: $MONITOR_HOME, else ~/.continuity-monitor).",
)
@click.version_option(package_name="continuity-monitor")
@click.pass_context
def main(ctx: click.Context, home: str | None) -> None:
    """Continuity Monitor: flags institutions whose online learning stopped."""
    ctx.obj = home


register(main)


def run() -> None:
    """Console entry point: `monitor ... | head` ends quietly instead of with a traceback."""
    try:
        main()
    except BrokenPipeError:
        # Point stdout at /dev/null so the interpreter's final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


if __name__ == "__main__":
    run()
