"""One frozen settings object, read from `monitor.toml` in the home directory.

Every setting is a dataclass field with a `doc`; `monitor init` writes them out as a commented
example, and a test checks that docs/configuration.md lists each one. Unknown keys and values
of the wrong type are errors. Secrets never live here: they come from the environment
(see docs/configuration.md).
"""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from monitor.errors import ConfigError


def setting(default: Any, doc: str) -> Any:
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata={"doc": doc})
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True)
class IngestSettings:
    timezone: str = setting(
        "Europe/Kyiv", "Time zone of naive times in CSV exports (API times are UTC)."
    )
    max_file_mb: int = setting(
        8192, "Files larger than this many MiB are rejected; CSV exports are streamed below it."
    )
    max_json_mb: int = setting(
        512, "JSON pages are parsed whole; larger ones are rejected (Zoom pages are small)."
    )


@dataclass(frozen=True)
class SmtpSettings:
    host: str = setting("127.0.0.1", "SMTP server host name.")
    port: int = setting(25, "SMTP server port (587 for STARTTLS, 465 for SSL).")
    security: str = setting("none", "Transport security: none, starttls or ssl.")
    username: str = setting(
        "", "SMTP login; empty for none. The password comes from MONITOR_SMTP_PASSWORD."
    )
    from_address: str = setting("monitor@localhost", "Sender address of every e-mail.")
    timeout_seconds: float = setting(30.0, "Give up on the SMTP server after this long.")


@dataclass(frozen=True)
class AlertSettings:
    language: str = setting("uk", "Language of alert messages: uk or en.")
    report_url: str = setting(
        "", "Link to the weekly report in messages; {week} and {region} are filled in. "
        "Empty: the path of the home's reports/ directory."
    )
    group_interval_minutes: float = setting(
        5.0, "At most one message per region and receiver in this many minutes."
    )
    repeat_interval_hours: float = setting(
        24.0, "Remind about alerts still firing and not acknowledged after this many hours."
    )
    send_resolved: bool = setting(True, "Tell receivers when an alert they were told of resolves.")
    retry_initial_seconds: float = setting(60.0, "First retry of a failed delivery after this.")
    retry_max_seconds: float = setting(1800.0, "Back-off between retries doubles up to this.")
    give_up_hours: float = setting(
        72.0, "Stop retrying a notification this long after it was created."
    )
    timeout_seconds: float = setting(10.0, "HTTP timeout per delivery attempt.")
    receivers: dict[str, dict[str, str]] = setting(
        {}, "Receivers by name, e.g. [alerts.receivers.kharkiv-tg] kind = \"telegram\"; "
        "see docs/configuration.md for the keys of each kind."
    )


@dataclass(frozen=True)
class RoutingSettings:
    default_team: str = setting(
        "", "Team for regions without their own team and for platform alerts; empty: none."
    )
    regions: dict[str, str] = setting({}, "Region code -> team, e.g. {\"UA-63\" = \"kharkiv\"}.")
    teams: dict[str, list[str]] = setting({}, "Team -> receiver names.")


@dataclass(frozen=True)
class ScheduleSettings:
    timezone: str = setting("Europe/Kyiv", "Time zone of the times below.")
    ingest_interval_seconds: int = setting(900, "Ingest the inbox this often; 0 disables.")
    detect_time: str = setting(
        "06:30", "Run detection daily at HH:MM, then dispatch alerts; empty disables."
    )
    detect_interval_seconds: int = setting(
        0, "If above 0, run detection (then dispatch) this often instead of at detect_time."
    )
    dispatch_interval_seconds: int = setting(
        300, "Dispatch alerts (retries, reminders) this often; 0 disables."
    )
    weekly_report_time: str = setting(
        "mon 08:00",
        "E-mail last week's report to the [report] recipients at this weekday and HH:MM "
        "(e.g. mon 08:00); empty disables.",
    )
    misfire_grace_seconds: int = setting(3600, "Run a job that was missed by at most this long.")


@dataclass(frozen=True)
class ReportSettings:
    national_recipients: list[str] = setting([], "Addresses that get the national weekly report.")
    region_recipients: dict[str, list[str]] = setting(
        {}, "Region code -> addresses that get that region's report, e.g. {\"UA-63\" = [...]}."
    )
    language: str = setting("uk", "Default report language: uk or en.")
    recipient_languages: dict[str, str] = setting(
        {}, "Address -> language (uk or en) for recipients who want another than `language`."
    )
    email_episodes: int = setting(15, "At most this many rows per episode list in the e-mail body.")
    email_contacts: int = setting(20, "At most this many institutions to contact in the e-mail body.")

    def __post_init__(self) -> None:
        from monitor.regions import REGIONS

        if self.language not in ("uk", "en"):
            raise ConfigError(
                f"[report] language: unknown language '{self.language}'; use uk or en"
            )
        for address, lang in self.recipient_languages.items():
            if lang not in ("uk", "en"):
                raise ConfigError(
                    f"[report] recipient_languages: unknown language '{lang}' for {address}; "
                    "use uk or en"
                )
        if bad := [code for code in self.region_recipients if code not in REGIONS]:
            raise ConfigError(
                f"[report] region_recipients: unknown region code '{bad[0]}'; use ISO 3166-2:UA "
                "codes such as UA-63"
            )


@dataclass(frozen=True)
class CalendarSettings:
    windows: dict[str, dict[str, list[str]]] = setting(
        {}, "Break and exam-session windows that replace the defaults for a school year and "
        "institution kind, e.g. [calendar.windows.2024] school = [\"2024-10-21..2024-11-10 "
        "autumn break\", ...]; the year is the one the school year starts in. See "
        "docs/configuration.md."
    )
    extra_days_off: list[str] = setting(
        [], "Days nobody is judged on besides weekends and public holidays (YYYY-MM-DD), e.g. a "
        "day of mourning."
    )
    judge_working_holidays: bool = setting(
        False, "Judge the public holidays martial law made working days (lessons are held, but "
        "many schools ease off)."
    )

    def __post_init__(self) -> None:
        from monitor.school_calendar import parse_days, parse_windows

        parse_windows(self.windows)
        parse_days(self.extra_days_off)


@dataclass(frozen=True)
class Settings:
    ingest: IngestSettings = field(default_factory=IngestSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    routing: RoutingSettings = field(default_factory=RoutingSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    report: ReportSettings = field(default_factory=ReportSettings)
    calendar: CalendarSettings = field(default_factory=CalendarSettings)

    @property
    def timezone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.ingest.timezone)


SECTIONS: dict[str, type] = get_type_hints(Settings)


def load_settings(path: Path) -> Settings:
    """Settings from `path` if it exists, defaults otherwise."""
    if not path.exists():
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix the file or delete it") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(
            f"{path} cannot be read ({exc.strerror}); make it a readable file or delete it"
        ) from None
    return settings_from_mapping(raw, path)


def settings_from_mapping(raw: dict[str, Any], path: Path | str = "monitor.toml") -> Settings:
    if unknown := sorted(set(raw) - set(SECTIONS)):
        raise ConfigError(_outside_sections(path, unknown[0], raw[unknown[0]]))
    sections = {}
    for name, cls in SECTIONS.items():
        values = raw.get(name, {})
        if not isinstance(values, dict):
            raise ConfigError(
                f"{path}: '{name}' is set as a key, but it is a section; put its settings "
                f"under the header [{name}] (see `monitor init`)"
            )
        sections[name] = _build_section(cls, values, path, name)
    settings = Settings(**sections)
    _validate(settings, path)
    return settings


def _outside_sections(path: Path | str, name: str, value: Any) -> str:
    """The top level of monitor.toml holds sections only: a stray table or a stray key."""
    sections = ", ".join(f"[{s}]" for s in SECTIONS)
    if isinstance(value, dict):
        guess = _guess(name, SECTIONS, "[{}]")
        return f"{path}: unknown section [{name}]; use one of {sections}{guess}"
    if owners := [f"[{s}]" for s, cls in SECTIONS.items() if name in get_type_hints(cls)]:
        return (f"{path}: '{name}' is a key outside any section; move it under "
                f"{' or '.join(owners)} (a key belongs to the section header above it)")
    return (f"{path}: '{name}' is a key outside any section, and no section has it; delete it, "
            f"and put settings under one of the sections {sections}")


def _guess(name: str, known, form: str) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {form.format(close[0])}?)" if close else ""


def _build_section(cls: type, values: dict[str, Any], path: Path | str, name: str) -> Any:
    where = f"{path} [{name}]"
    hints = get_type_hints(cls)
    if unknown := sorted(set(values) - set(hints)):
        raise ConfigError(
            f"{where}: unknown key '{unknown[0]}'; use one of the keys of [{name}]: "
            f"{', '.join(hints)}{_guess(unknown[0], hints, repr('{}'))}"
        )
    defaults = {f.name: _default(f) for f in dataclasses.fields(cls)}
    for key, value in values.items():
        if not _has_type(value, hints[key]):
            example = (f"write e.g. {key} = {_toml_value(defaults[key])} (the default)"
                       if defaults[key] not in ("", [], {}) else
                       f"see [{name}] {key} in docs/configuration.md")
            raise ConfigError(
                f"{where}: '{key}' must be {_type_name(hints[key])}, not "
                f"{_toml_value(value)}; {example}"
            )
    try:
        return cls(**values)
    except ConfigError as exc:  # a section's own checks name the section, not the file
        raise ConfigError(f"{path}: {exc}") from None


def _has_type(value: Any, hint: Any) -> bool:
    origin = get_origin(hint)
    if origin is list:
        (item,) = get_args(hint)
        return isinstance(value, list) and all(_has_type(v, item) for v in value)
    if origin is dict:
        key_t, val_t = get_args(hint)
        return isinstance(value, dict) and all(
            _has_type(k, key_t) and _has_type(v, val_t) for k, v in value.items()
        )
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def _type_name(hint: Any) -> str:
    origin = get_origin(hint)
    if origin is list:
        return f"a list of {_plural(get_args(hint)[0])}"
    if origin is dict:
        return f"a table of {_plural(get_args(hint)[1])}"
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(
        hint, str(hint)
    )


def _plural(hint: Any) -> str:
    if get_origin(hint) in (list, dict):
        return _type_name(hint).replace("a list", "lists", 1).replace("a table", "tables", 1)
    names = {str: "strings", int: "integers", float: "numbers", bool: "booleans"}
    return names.get(hint, str(hint))


def _validate(settings: Settings, path: Path | str) -> None:
    try:
        zoneinfo.ZoneInfo(settings.ingest.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{path} [ingest]: unknown timezone '{settings.ingest.timezone}'; "
            "use an IANA name such as Europe/Kyiv"
        ) from None
    if settings.smtp.security not in ("none", "starttls", "ssl"):
        raise ConfigError(
            f"{path} [smtp]: security must be none, starttls or ssl, not "
            f"'{settings.smtp.security}'; use starttls for port 587, ssl for 465, none for a "
            "local relay"
        )
    for key in ("max_file_mb", "max_json_mb"):
        if (value := getattr(settings.ingest, key)) <= 0:
            raise ConfigError(
                f"{path} [ingest]: {key} must be positive, not {value}; give a size in MiB, "
                f"e.g. {key} = {getattr(IngestSettings(), key)} (the default)"
            )
    from monitor.alerts.config import validate_alerting

    validate_alerting(settings, path)


def example_toml() -> str:
    """A commented monitor.toml listing every setting with its default."""
    lines = [
        "# Continuity Monitor settings. Every key is optional; the values shown are the defaults.",
        "# Secrets (SMTP passwords, bot tokens, the pseudonymisation key) come from the",
        "# environment, never from this file: see docs/configuration.md.",
    ]
    for name, cls in SECTIONS.items():
        lines += ["", f"[{name}]"]
        for f in dataclasses.fields(cls):
            default = _default(f)
            lines.append(f"# {f.metadata['doc']}")
            lines.append(f"# {f.name} = {_toml_value(default)}")
    return "\n".join(lines) + "\n"


def reference_markdown() -> str:
    """The settings reference embedded in docs/configuration.md (`make docs` refreshes it)."""
    lines = []
    for name, cls in SECTIONS.items():
        lines += [f"### [{name}]", "", "| key | default | meaning |", "|---|---|---|"]
        for f in dataclasses.fields(cls):
            default = _default(f)
            lines.append(f"| `{f.name}` | `{_toml_value(default)}` | {f.metadata['doc']} |")
        lines.append("")
    return "\n".join(lines)


def _default(f: dataclasses.Field) -> Any:
    return f.default if f.default is not dataclasses.MISSING else f.default_factory()


def documented_keys() -> list[str]:
    return [
        f"{name}.{f.name}" for name, cls in SECTIONS.items() for f in dataclasses.fields(cls)
    ]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def _refresh_docs(path: Path) -> None:
    """Replace the reference between the markers of docs/configuration.md."""
    start, end = "<!-- settings-reference:start -->", "<!-- settings-reference:end -->"
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{reference_markdown()}{end}{tail}", encoding="utf-8")


if __name__ == "__main__":
    import sys

    _refresh_docs(Path(sys.argv[1]))
