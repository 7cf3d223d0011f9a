"""Validation of the [alerts], [routing] and [schedule] sections, called by monitor.settings."""

from __future__ import annotations

import re
import zoneinfo
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.errors import ConfigError

if TYPE_CHECKING:
    from monitor.settings import Settings

# Required and optional keys of each receiver kind; secrets are named, never given.
RECEIVER_KEYS: dict[str, tuple[set[str], set[str]]] = {
    "email": ({"to"}, {"language"}),
    "telegram": ({"chat_id", "token_env"}, {"url", "language"}),
    "slack": ({"url"}, {"language"}),
    "webhook": ({"url", "secret_env"}, {"language"}),
    "alertmanager": ({"url"}, {"language"}),
}
LANGUAGES = ("uk", "en")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_ENV = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_REGION = re.compile(r"^UA-\d\d$")


def validate_alerting(settings: "Settings", path: Path | str) -> None:
    alerts, routing, schedule = settings.alerts, settings.routing, settings.schedule
    if alerts.language not in LANGUAGES:
        raise ConfigError(f"{path} [alerts]: language must be uk or en, not '{alerts.language}'")
    for key in ("group_interval_minutes", "repeat_interval_hours", "retry_initial_seconds",
                "retry_max_seconds", "give_up_hours", "timeout_seconds"):
        if getattr(alerts, key) <= 0:
            raise ConfigError(f"{path} [alerts]: {key} must be positive")
    for name, receiver in alerts.receivers.items():
        _validate_receiver(name, receiver, path)
    for region, team in routing.regions.items():
        if not _REGION.match(region):
            raise ConfigError(
                f"{path} [routing]: '{region}' is not a region code; "
                "use ISO 3166-2:UA such as UA-63"
            )
        if team not in routing.teams:
            raise ConfigError(
                f"{path} [routing]: region {region} names team '{team}', which is not in teams; "
                "add it to [routing] teams"
            )
    if routing.default_team and routing.default_team not in routing.teams:
        raise ConfigError(
            f"{path} [routing]: default_team '{routing.default_team}' is not in teams; "
            "add it to [routing] teams or leave default_team empty"
        )
    for team, names in routing.teams.items():
        for name in names:
            if name not in alerts.receivers:
                raise ConfigError(
                    f"{path} [routing]: team '{team}' names receiver '{name}', which is not "
                    "defined; add [alerts.receivers." + name + "]"
                )
    _validate_schedule(schedule, path)


def _validate_receiver(name: str, receiver: dict[str, str], path: Path | str) -> None:
    where = f"{path} [alerts.receivers.{name}]"
    kind = receiver.get("kind", "")
    if kind not in RECEIVER_KEYS:
        raise ConfigError(f"{where}: kind must be one of {', '.join(RECEIVER_KEYS)}, not '{kind}'")
    required, optional = RECEIVER_KEYS[kind]
    missing = sorted(required - set(receiver))
    if missing:
        raise ConfigError(f"{where}: a {kind} receiver needs '{missing[0]}'")
    unknown = sorted(set(receiver) - required - optional - {"kind"})
    if unknown:
        raise ConfigError(
            f"{where}: unknown key '{unknown[0]}'; a {kind} receiver takes "
            f"{', '.join(sorted(required | optional))}"
        )
    for key in ("token_env", "secret_env"):
        if key in receiver and not _ENV.match(receiver[key]):
            raise ConfigError(
                f"{where}: {key} names an environment variable (such as MONITOR_TG_TOKEN), "
                "not the secret itself"
            )
    for key in ("url",):
        if key in receiver and not receiver[key].startswith(("http://", "https://")):
            raise ConfigError(f"{where}: url must start with http:// or https://")
    if receiver.get("language", "uk") not in LANGUAGES:
        raise ConfigError(f"{where}: language must be uk or en")


def _validate_schedule(schedule, path: Path | str) -> None:
    try:
        zoneinfo.ZoneInfo(schedule.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{path} [schedule]: unknown timezone '{schedule.timezone}'; use an IANA name"
        ) from None
    if schedule.detect_time and not _TIME.match(schedule.detect_time):
        raise ConfigError(
            f"{path} [schedule]: detect_time must be HH:MM, not '{schedule.detect_time}'"
        )
    if schedule.weekly_report_time:
        parts = schedule.weekly_report_time.split()
        if len(parts) != 2 or parts[0] not in WEEKDAYS or not _TIME.match(parts[1]):
            raise ConfigError(
                f"{path} [schedule]: weekly_report_time must look like 'mon 08:00', "
                f"not '{schedule.weekly_report_time}'"
            )
    for key in ("ingest_interval_seconds", "detect_interval_seconds", "dispatch_interval_seconds",
                "misfire_grace_seconds"):
        if getattr(schedule, key) < 0:
            raise ConfigError(f"{path} [schedule]: {key} must not be negative")


def receivers_for(settings: "Settings", region: str | None) -> list[str]:
    """Receiver names for an alert of `region` (None: platform): its team, else the default."""
    routing = settings.routing
    team = routing.regions.get(region or "", routing.default_team)
    return list(routing.teams.get(team, [])) if team else []
