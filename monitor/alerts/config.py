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
# What to write for a missing or malformed receiver key (the docs' examples).
EXAMPLES = {
    "to": '"support@example.org"',
    "chat_id": '"-1001234567890"',
    "token_env": '"KHARKIV_BOT_TOKEN"',
    "secret_env": '"MONITOR_WEBHOOK_SECRET"',
}
URL_EXAMPLES = {
    "telegram": "https://api.telegram.org",
    "slack": "https://hooks.slack.com/services/...",
    "webhook": "https://hooks.example.org/monitor",
    "alertmanager": "http://127.0.0.1:9093",
}
LANGUAGES = ("uk", "en")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_ENV = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_REGION = re.compile(r"^UA-\d\d$")


def validate_alerting(settings: "Settings", path: Path | str) -> None:
    alerts, routing, schedule = settings.alerts, settings.routing, settings.schedule
    if alerts.language not in LANGUAGES:
        raise ConfigError(
            f"{path} [alerts]: language must be uk or en, not '{alerts.language}'; "
            'write language = "uk" or language = "en"'
        )
    for key in ("group_interval_minutes", "repeat_interval_hours", "retry_initial_seconds",
                "retry_max_seconds", "give_up_hours", "timeout_seconds"):
        if (value := getattr(alerts, key)) <= 0:
            unit = key.rsplit("_", 1)[1]  # every key ends in its unit
            raise ConfigError(
                f"{path} [alerts]: {key} must be positive, not {value:g}; give a number of "
                f"{unit} above 0, e.g. {key} = {getattr(type(alerts)(), key):g} (the default)"
            )
    for name, receiver in alerts.receivers.items():
        _validate_receiver(name, receiver, path)
    for region, team in routing.regions.items():
        if not _REGION.match(region):
            raise ConfigError(
                f"{path} [routing]: regions names '{region}', which is not a region code; "
                f'use ISO 3166-2:UA codes, e.g. regions = {{ "UA-63" = "{team}" }}'
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
    kinds = ", ".join(RECEIVER_KEYS)
    if "kind" not in receiver:
        raise ConfigError(f'{where}: kind is missing; add it, e.g. kind = "telegram" (one of {kinds})')
    kind = receiver["kind"]
    if kind not in RECEIVER_KEYS:
        raise ConfigError(
            f"{where}: kind must be one of {kinds}, not '{kind}'; "
            'write one of them, e.g. kind = "telegram"'
        )
    required, optional = RECEIVER_KEYS[kind]
    a_kind = f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} receiver"
    missing = sorted(required - set(receiver))
    if missing:
        key = missing[0]
        example = f'"{URL_EXAMPLES[kind]}"' if key == "url" else EXAMPLES[key]
        raise ConfigError(f"{where}: {a_kind} needs '{key}'; add e.g. {key} = {example}")
    unknown = sorted(set(receiver) - required - optional - {"kind"})
    if unknown:
        raise ConfigError(
            f"{where}: unknown key '{unknown[0]}'; use one of the keys of {a_kind}: "
            f"{', '.join(sorted(required | optional))}"
        )
    for key in ("token_env", "secret_env"):
        # The value is never echoed: it may be the secret itself.
        if key in receiver and not _ENV.match(receiver[key]):
            raise ConfigError(
                f"{where}: {key} must name an environment variable, not hold the secret "
                f"itself; put the secret in an environment variable and write its name here, "
                f"e.g. {key} = {EXAMPLES[key]}"
            )
    if "url" in receiver and not receiver["url"].startswith(("http://", "https://")):
        raise ConfigError(
            f"{where}: url must start with http:// or https://; write the whole address, "
            f'e.g. url = "{URL_EXAMPLES[kind]}"'
        )
    if (language := receiver.get("language", "uk")) not in LANGUAGES:
        raise ConfigError(
            f"{where}: language must be uk or en, not '{language}'; write language = \"uk\" or "
            'language = "en", or leave it out for [alerts] language'
        )


def _validate_schedule(schedule, path: Path | str) -> None:
    try:
        zoneinfo.ZoneInfo(schedule.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{path} [schedule]: unknown timezone '{schedule.timezone}'; "
            "use an IANA name such as Europe/Kyiv"
        ) from None
    if schedule.detect_time and not _TIME.match(schedule.detect_time):
        raise ConfigError(
            f"{path} [schedule]: detect_time must be HH:MM, not '{schedule.detect_time}'; "
            'write e.g. detect_time = "06:30" (the default), or "" to turn it off'
        )
    if schedule.weekly_report_time:
        parts = schedule.weekly_report_time.split()
        if len(parts) != 2 or parts[0] not in WEEKDAYS or not _TIME.match(parts[1]):
            raise ConfigError(
                f"{path} [schedule]: weekly_report_time must look like 'mon 08:00', "
                f"not '{schedule.weekly_report_time}'; write a weekday (mon to sun) and HH:MM, "
                'e.g. weekly_report_time = "mon 08:00" (the default), or "" to turn it off'
            )
    for key in ("ingest_interval_seconds", "detect_interval_seconds", "dispatch_interval_seconds",
                "misfire_grace_seconds"):
        if (value := getattr(schedule, key)) < 0:
            raise ConfigError(
                f"{path} [schedule]: {key} must be 0 or more, not {value}; give a number of "
                f"seconds, e.g. {key} = {getattr(type(schedule)(), key)} (the default)"
            )


def receivers_for(settings: "Settings", region: str | None) -> list[str]:
    """Receiver names for an alert of `region` (None: platform): its team, else the default."""
    routing = settings.routing
    team = routing.regions.get(region or "", routing.default_team)
    return list(routing.teams.get(team, [])) if team else []
