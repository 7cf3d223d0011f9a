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


class OneLineUsageError(click.UsageError):
    """A usage mistake shown as the contract's one line, `Error: what happened; what to do`,
    instead of click's usage block (scripts read the first line of stderr)."""

    def __init__(self, error: click.UsageError):
        message = error.format_message().strip().rstrip(".")
        if ";" not in message and error.ctx is not None:
            message += f"; see '{error.ctx.command_path} --help'"
        super().__init__(message, error.ctx)

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.message}", err=True)


def _one_line(error: click.UsageError) -> click.UsageError:
    # `monitor alerts` alone prints the group's help, as click does; only mistakes become one line.
    if isinstance(error, (click.exceptions.NoArgsIsHelpError, OneLineUsageError)):
        return error
    return OneLineUsageError(error)


class MonitorGroup(click.Group):
    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _one_line(exc) from None
        except MonitorError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=MonitorGroup)
@click.option(
    "--home",
    type=click.Path(),  # a file here is reported by Home.open, in the contract's one line
    default=None,
    metavar="DIR",
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
