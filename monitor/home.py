"""The home directory (DESIGN.md section 3): every path the product writes lives under it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from monitor.errors import StoreError
from monitor.settings import Settings, load_settings

DEFAULT_HOME = Path("~/.continuity-monitor")


def resolve_home(option: str | Path | None) -> Path:
    """--home beats MONITOR_HOME beats ~/.continuity-monitor."""
    chosen = option or os.environ.get("MONITOR_HOME") or DEFAULT_HOME
    return Path(chosen).expanduser().resolve()


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def open(cls, root: str | Path | None) -> "Home":
        home = cls(resolve_home(root))
        if home.root.exists() and not home.root.is_dir():
            raise StoreError(f"{home.root} is not a directory; pass --home with a directory path")
        try:
            for path in (home.inbox, home.archive, home.quarantine, home.store, home.reports):
                path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the home directory {home.root} ({exc.strerror}); "
                "pass --home with a writable directory"
            ) from None
        return home

    @property
    def config_file(self) -> Path:
        return self.root / "monitor.toml"

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def store(self) -> Path:
        return self.root / "store"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def state_db(self) -> Path:
        return self.root / "state.sqlite"

    @property
    def secret_key_file(self) -> Path:
        return self.root / "secret.key"

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.config_file)
