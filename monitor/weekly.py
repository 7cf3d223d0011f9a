"""The weekly report: its context from frames (pure), and the edges that load, write and send.

`build_weekly_context` is a pure function over polars frames, so tests feed it synthetic data.
Expected activity comes from an `Expectation` (monitor/expectation.py): from a home directory
the detector's own; in the pure builder, the same-weekday baseline unless one is passed in.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from monitor.errors import MonitorError
from monitor.expectation import Expectation, detector_expectation, expectation_from_weeks, same_weekday_baseline
from monitor.regions import REGIONS, region_name
from reports.context import (
    Comparison,
    ContactRow,
    EpisodeRow,
    Figures,
    OutageRow,
    Quality,
    RegionRow,
    Sparkline,
    WeeklyContext,
)

if TYPE_CHECKING:
    from monitor.detection import OnDay
    from monitor.home import Home

SPARK_WEEKS = 8
TIMELINE_DAYS = 14
CONTACT_LIMIT = 100  # ranked in the context; the e-mail shows fewer (settings)


class ReportError(MonitorError):
    """A weekly report cannot be made as asked."""


def parse_week(week: str) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of an ISO week `YYYY-Www`."""
    match = re.fullmatch(r"(\d{4})-W(\d{2})", week)
    try:
        if not match:
            raise ValueError
        monday = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise ReportError(f"week '{week}' is not an ISO week; write it as YYYY-Www, e.g. 2026-W48") from None
    return monday, monday + dt.timedelta(days=6)


def iso_week(day: dt.date) -> str:
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def _figures(frame: pl.DataFrame) -> Figures:
    """Figures from rows of a per-scope aggregate (or zeros when the scope has no rows)."""
    if frame.height == 0:
        return Figures(active=0, expected_active=0, observed=0.0, expected=0.0, reporting=0)
    row = frame.row(0, named=True)
    return Figures(
        active=int(row["active"]), expected_active=int(row["expected_active"]),
        observed=float(row["observed"]), expected=float(row["expected"]),
        reporting=int(row["reporting"]),
    )


AGGREGATES = [
    (pl.col("observed") > 0).sum().alias("active"),
    (pl.col("expected") > 0).sum().alias("expected_active"),
    pl.col("observed_judged").sum().alias("observed"),
    pl.col("expected").sum().alias("expected"),
    pl.len().alias("reporting"),
]


def build_weekly_context(
    daily: pl.DataFrame,
    directory: pl.DataFrame,
    episodes: pl.DataFrame,
    quality: Quality,
    week: str,
    region: str | None = None,
    lang: str = "uk",
    *,
    metric: str = "participants",
    expectation: Expectation | None = None,
) -> WeeklyContext:
    if region is not None and region not in REGIONS:
        raise ReportError(f"unknown region code '{region}'; use an ISO 3166-2:UA code such as UA-63")
    if lang not in ("uk", "en"):
        raise ReportError(f"unknown language '{lang}'; use uk or en")
    expectation = expectation or same_weekday_baseline()
    start, end = parse_week(week)
    starts = [start - dt.timedelta(weeks=k) for k in range(SPARK_WEEKS - 1, -1, -1)]
    last_start = starts[-2]
    weekly = expectation(daily, starts, metric).join(
        directory.select("institution_id", "region"), on="institution_id", how="inner"
    )
    scoped_dir = directory if region is None else directory.filter(pl.col("region") == region)
    scoped = weekly if region is None else weekly.filter(pl.col("region") == region)

    def pick(frame: pl.DataFrame, when: dt.date) -> Figures:
        return _figures(frame.filter(pl.col("week_start") == when).select(AGGREGATES))

    by_region = (
        weekly.filter(pl.col("week_start").is_in([start, last_start]))
        .group_by("region", "week_start").agg(AGGREGATES)
    )
    regions = tuple(
        RegionRow(code, region_name(code, lang), Comparison(
            _figures(by_region.filter((pl.col("region") == code) & (pl.col("week_start") == start))),
            _figures(by_region.filter((pl.col("region") == code) & (pl.col("week_start") == last_start))),
        ))
        for code in sorted(REGIONS)
    )
    rows = _episode_rows(episodes, directory, start, end, region, lang)
    return WeeklyContext(
        lang=lang, week=week, week_start=start, week_end=end,
        scope_code=region or "",
        scope_name=region_name(region, lang) if region else ("Україна" if lang == "uk" else "Ukraine"),
        metric=metric, institutions=scoped_dir.height,
        headline=Comparison(pick(scoped, start), pick(scoped, last_start)),
        regions=regions,
        new_episodes=rows["new"], ongoing_episodes=rows["ongoing"],
        resolved_episodes=rows["resolved"],
        episode_totals=(len(rows["new"]), len(rows["ongoing"]), len(rows["resolved"])),
        contacts=_contacts(episodes, directory, scoped, starts, start, end, region, lang),
        timeline_days=tuple(end - dt.timedelta(days=k) for k in range(TIMELINE_DAYS - 1, -1, -1)),
        outages=_outages(episodes, end, region, lang),
        quality=quality,
        baseline_weeks=getattr(expectation, "weeks", 8),
        expectation=getattr(expectation, "method", "same_weekday"),
    )


def _in_week(episodes: pl.DataFrame, start: dt.date, end: dt.date, region: str | None) -> pl.DataFrame:
    """Episodes known by the week's end and not over before it began, with their kind."""
    frame = episodes.filter(
        (pl.col("detected_on") <= end) & (pl.col("end").is_null() | (pl.col("end") >= start))
    )
    if region is not None:
        frame = frame.filter((pl.col("region") == region) | (pl.col("scope") == "platform"))
    return frame.with_columns(
        pl.when(pl.col("end").is_not_null() & (pl.col("end") <= end)).then(pl.lit("resolved"))
        .when(pl.col("detected_on") >= start).then(pl.lit("new"))
        .otherwise(pl.lit("ongoing")).alias("kind"),
        # An episode that ended after this week was still ongoing at its end.
        pl.when(pl.col("end") <= end).then(pl.col("end")).alias("end"),
    ).sort("severity", "id", descending=[True, False])


def _episode_rows(episodes, directory, start, end, region, lang) -> dict[str, tuple[EpisodeRow, ...]]:
    frame = _in_week(episodes, start, end, region).join(
        directory.select("institution_id", "name"), on="institution_id", how="left"
    )
    out: dict[str, list[EpisodeRow]] = {"new": [], "ongoing": [], "resolved": []}
    for e in frame.iter_rows(named=True):  # rows of the report, not of the data
        where = region_name(e["region"], lang) if e["region"] in REGIONS else ""
        subject = e["name"] or e["institution_id"] or (where if e["scope"] == "region" else "")
        out[e["kind"]].append(EpisodeRow(
            id=e["id"], scope=e["scope"], subject=subject or "",
            region_name=where if e["scope"] == "institution" else "",
            start=e["start"], end=e["end"], status="resolved" if e["kind"] == "resolved" else "open",
            severity=float(e["severity"]), expected=float(e["expected"]),
            observed=float(e["observed"]), metric=e["metric"],
            explanation=e["explanation"] if lang == "en" else "",
        ))
    return {k: tuple(v) for k, v in out.items()}


def _contacts(episodes, directory, weekly, starts, start, end, region, lang) -> tuple[ContactRow, ...]:
    """Institutions with an unresolved drop this week, by severity x usual size."""
    open_ = (
        _in_week(episodes, start, end, region)
        .filter((pl.col("scope") == "institution") & (pl.col("kind") != "resolved"))
        .group_by("institution_id")
        .agg(pl.col("severity").max(), pl.col("start").min(), pl.col("expected").max().alias("ep_expected"))
    )
    this_week = weekly.filter(pl.col("week_start") == start).select("institution_id", "expected", "observed")
    ranked = (
        open_.join(this_week, on="institution_id", how="left")
        .join(directory, on="institution_id", how="inner")
        .with_columns(
            pl.coalesce("expected", "ep_expected").alias("size"),
            pl.col("observed").fill_null(0.0),
        )
        .with_columns((pl.col("severity") * pl.col("size")).alias("priority"))
        .sort("priority", "institution_id", descending=[True, False], nulls_last=True)
        .head(CONTACT_LIMIT)
    )
    history = weekly.filter(pl.col("institution_id").is_in(ranked["institution_id"].implode()))
    series = {
        key: dict(zip(group["week_start"], zip(group["observed"], group["expected"], group["has_expectation"])))
        for (key,), group in history.group_by("institution_id")
    }
    weeks = tuple(iso_week(s) for s in starts)
    rows = []
    for rank, r in enumerate(ranked.iter_rows(named=True), start=1):
        points = [series.get(r["institution_id"], {}).get(s) for s in starts]
        rows.append(ContactRow(
            rank=rank, institution_id=r["institution_id"], name=r["name"], kind=r["kind"],
            region_name=region_name(r["region"], lang),
            contacts=tuple(c.strip() for c in r["contacts"].split(";") if c.strip()),
            severity=float(r["severity"]), expected=float(r["size"] or 0.0),
            observed=float(r["observed"]), since=r["start"],
            sparkline=Sparkline(
                weeks=weeks,
                values=tuple(float(p[0]) if p else 0.0 for p in points),
                expected=tuple(float(p[1]) if p and p[2] else None for p in points),
            ),
        ))
    return tuple(rows)


def _outages(episodes, end, region, lang) -> tuple[OutageRow, ...]:
    first = end - dt.timedelta(days=TIMELINE_DAYS - 1)
    frame = _in_week(episodes, first, end, region).filter(pl.col("scope") == "region").sort("region", "start")
    days = [first + dt.timedelta(days=k) for k in range(TIMELINE_DAYS)]
    return tuple(
        OutageRow(
            region_code=o["region"], region_name=region_name(o["region"], lang),
            start=o["start"], end=o["end"], severity=float(o["severity"]),
            days=tuple(o["start"] <= d and (o["end"] is None or d <= o["end"]) for d in days),
        )
        for o in frame.iter_rows(named=True)
    )


# --- Edges: load from the home directory, write files, send e-mail. ---------------------------


def load_quality(home: "Home", conn, start: dt.date, end: dt.date) -> Quality:
    from monitor.store import scan_meetings

    first, last = start.isoformat(), end.isoformat()
    # Received: exports that cover a day of the week, whenever they arrived (late exports
    # count for the week they describe). Rejected: files refused during the week.
    (received,) = conn.execute(
        "SELECT COUNT(DISTINCT sha256) FROM covered_days WHERE date BETWEEN ? AND ?", (first, last)
    ).fetchone()
    (rejected,) = conn.execute(
        "SELECT COUNT(*) FROM ledger WHERE status = 'rejected' AND substr(ingested_at, 1, 10) BETWEEN ? AND ?",
        (first, last),
    ).fetchone()
    covered = {dt.date.fromisoformat(day) for (day,) in conn.execute(
        "SELECT DISTINCT date FROM covered_days WHERE date BETWEEN ? AND ?", (first, last))}
    days = [start + dt.timedelta(days=k) for k in range(7)]
    unmapped = (
        # Only the (at most two) months the week touches: years of parts are not read.
        scan_meetings(conn, sorted({f"{d:%Y-%m}" for d in days}))
        .filter(pl.col("institution_id").is_null() & pl.col("local_date").is_between(start, end))
        .select(pl.col("host_hash").n_unique().alias("hosts"), pl.len().alias("meetings"))
        .collect()
    )
    return Quality(
        exports_received=int(received), exports_rejected=int(rejected),
        covered_days=len(covered), missing_days=tuple(d for d in days if d not in covered),
        unmapped_hosts=int(unmapped["hosts"][0] or 0), unmapped_meetings=int(unmapped["meetings"][0]),
        quarantined_files=sum(1 for p in home.quarantine.iterdir() if not p.name.endswith(".reason")),
    )


@dataclass(frozen=True)
class WeeklyInputs:
    """Everything a week's reports are built from, loaded (and the detector fitted) once for
    all the scopes and languages of one sending."""

    week: str
    daily: pl.DataFrame
    directory: pl.DataFrame
    episodes: pl.DataFrame
    quality: Quality
    metric: str
    expectation: Expectation | None


def _require_stored_days(conn, week: str, quality: Quality) -> None:
    """A report of a week the store holds no day of (before the first export, or in the
    future) would be all "n/a": say which days the store does hold instead."""
    if quality.covered_days:
        return
    start, end = parse_week(week)
    first, last = conn.execute("SELECT MIN(date), MAX(date) FROM covered_days").fetchone()
    held = (f"the store holds days {first} to {last}; choose a week in that range, or ingest "
            "that week's exports first" if first else
            "the store holds no days yet; ingest exports first with `monitor ingest PATH`")
    raise ReportError(f"no data for week {week} ({start} to {end}): {held}")


def load_weekly_inputs(home: "Home", week: str, *, require_data: bool = False,
                       on_day: OnDay | None = None) -> WeeklyInputs:
    """`require_data`: refuse a week without a single covered day (`_require_stored_days`)."""
    from monitor.detection import DETECTED_METRIC, detected_daily, list_episodes
    from monitor.directory import directory_frame
    from monitor.kept import kept_weeks_between
    from monitor.school_calendar import school_calendar
    from monitor.state import connect

    start, end = parse_week(week)
    with connect(home.state_db) as conn:
        directory = directory_frame(conn)
        if directory.height == 0:
            raise ReportError("the institution directory is empty; run `monitor institutions import FILE.csv` first")
        quality = load_quality(home, conn, start, end)
        if require_data:
            _require_stored_days(conn, week, quality)
    # The index judges the metric detection judges, so the two never tell different stories.
    # Sent by the schedule, a week without data still goes out: an empty week is news in
    # itself. Asked for by hand (write_weekly), such a week is refused: it is most likely a typo.
    metric = DETECTED_METRIC
    since = start - dt.timedelta(weeks=SPARK_WEEKS)
    # The weeks `monitor detect` kept (while current, or with its kept state run on over days
    # ingested since) are what a replay would give: detection is causal, so a run to a later
    # day expects the same of every day up to `end`. They hold the observed totals too, so
    # only the report's own weeks of daily rows are read.
    kept = kept_weeks_between(home, since, end, directory, on_day)
    if kept is not None:
        daily, expectation = detected_daily(home, until=end, since=since), expectation_from_weeks(kept)
    else:
        daily = detected_daily(home, until=end)
        calendar = school_calendar(home.settings.calendar)
        expectation = (None if daily.is_empty()
                       else detector_expectation(daily, directory, end, metric, calendar, since, on_day))
    return WeeklyInputs(week, daily, directory, list_episodes(home), quality, metric, expectation)


def weekly_context(inputs: WeeklyInputs, region: str | None, lang: str) -> WeeklyContext:
    return build_weekly_context(inputs.daily, inputs.directory, inputs.episodes, inputs.quality,
                                inputs.week, region, lang, metric=inputs.metric,
                                expectation=inputs.expectation)


def write_weekly(home: "Home", week: str, region: str | None, lang: str | None,
                 out: Path | None, now: dt.datetime,
                 on_day: OnDay | None = None) -> tuple[Path, Path]:
    """Write the browser report to `out` (default: home/reports/) and the e-mail variant
    beside it as a .eml message. Returns both paths."""
    from reports.email import report_filename, weekly_message
    from reports.render import render_browser

    settings = home.settings.report
    inputs = load_weekly_inputs(home, week, require_data=True, on_day=on_day)
    ctx = weekly_context(inputs, region, lang or settings.language)
    path = out or home.reports / report_filename(ctx)
    message = weekly_message(ctx, [], home.settings.smtp.from_address, now,
                             settings.email_episodes, settings.email_contacts)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_browser(ctx), encoding="utf-8")
        eml = path.with_suffix(".eml")
        eml.write_bytes(message.as_bytes())
    except OSError as exc:
        raise ReportError(f"cannot write {path} ({exc.strerror}); choose another --out") from None
    return path, eml


def recipient_groups(home: "Home") -> dict[tuple[str | None, str], list[str]]:
    """(region or None for national, language) -> addresses, from [report]."""
    settings = home.settings.report
    groups: dict[tuple[str | None, str], list[str]] = {}
    scopes = [(None, settings.national_recipients), *sorted(settings.region_recipients.items())]
    for scope, addresses in scopes:
        for address in addresses:
            lang = settings.recipient_languages.get(address, settings.language)
            groups.setdefault((scope, lang), []).append(address)
    return groups


def send_weekly(home: "Home", week: str, now: dt.datetime) -> list[tuple[str, str, list[str]]]:
    """Send the week's report to every recipient group; one message per scope and language.
    Returns (scope, language, addresses) per message sent."""
    from monitor.mail import send_message
    from reports.email import weekly_message

    groups = recipient_groups(home)
    if not groups:
        raise ReportError(
            "no report recipients; set national_recipients or region_recipients in [report] of monitor.toml"
        )
    settings = home.settings
    inputs = load_weekly_inputs(home, week)
    sent = []
    for (scope, lang), addresses in groups.items():
        ctx = weekly_context(inputs, scope, lang)
        message: EmailMessage = weekly_message(
            ctx, addresses, settings.smtp.from_address, now,
            settings.report.email_episodes, settings.report.email_contacts,
        )
        send_message(settings.smtp, message)
        sent.append((scope or "national", lang, addresses))
    return sent
