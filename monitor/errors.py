"""The one exception tree. The CLI turns a MonitorError into `Error: ...` and an exit code;
anything else is a bug and keeps its traceback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

EXIT_REJECTED = 1
EXIT_USAGE = 2


class MonitorError(Exception):
    """A problem the user can fix. The message reads `what happened; what to do`."""

    exit_code = EXIT_USAGE


class ConfigError(MonitorError):
    """monitor.toml or the environment is wrong."""


class DirectoryError(MonitorError):
    """The institution directory file cannot be imported."""


class StoreError(MonitorError):
    """The home directory or its store cannot be used."""


class QueryError(MonitorError):
    """An ad-hoc query is malformed."""


class RejectedFile(MonitorError):
    """One input file cannot be ingested; it goes to quarantine with this reason."""

    exit_code = EXIT_REJECTED

    def __init__(self, path: Path | str, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


def check_range(start: date | None, end: date | None) -> None:
    """--from after --to is a mistake, not a question whose answer is empty."""
    if start is not None and end is not None and end < start:
        raise QueryError(f"--to {end} is before --from {start}; give a range that moves forward")
