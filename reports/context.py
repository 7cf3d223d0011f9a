"""The typed context of the weekly report: plain values, no polars, no formatting.

`monitor.weekly` builds a WeeklyContext from frames; the renderers in this package turn it into
HTML and text. Numbers stay numbers here (formatting is per locale, at render time); names and
contacts are untrusted text and are escaped by the templates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

# Continuity bands, worst first: (lower bound of the index, band key). The key names a colour
# and a legend entry (reports/palette.py); the number is always printed beside the colour.
BANDS: tuple[tuple[float, str], ...] = (
    (0.0, "critical"),
    (0.5, "low"),
    (0.8, "reduced"),
    (0.95, "normal"),
)


def band_of(index: float | None) -> str:
    if index is None:
        return "nodata"
    key = BANDS[0][1]
    for lower, name in BANDS:
        if index >= lower:
            key = name
    return key


@dataclass(frozen=True)
class Figures:
    """Activity of one scope (the nation or a region) in one week."""

    active: int  # institutions with any activity on a covered day
    expected_active: int  # institutions whose expected activity is above zero
    observed: float  # sum of the metric over covered days
    expected: float  # sum of the expected metric over the same days
    reporting: int  # institutions with at least one covered day

    @property
    def index(self) -> float | None:
        """Continuity index: observed / expected; None without expectation."""
        return self.observed / self.expected if self.expected > 0 else None

    @property
    def band(self) -> str:
        return band_of(self.index)


@dataclass(frozen=True)
class Comparison:
    this_week: Figures
    last_week: Figures

    @property
    def change(self) -> float | None:
        """Change of the continuity index since last week, as a fraction (0.05 = 5 pp)."""
        now, before = self.this_week.index, self.last_week.index
        return None if now is None or before is None else now - before

    @property
    def direction(self) -> str:
        """up / down / same / unknown: the word beside the arrow, so colour is not needed."""
        change = self.change
        if change is None:
            return "unknown"
        if abs(change) < 0.005:
            return "same"
        return "up" if change > 0 else "down"


@dataclass(frozen=True)
class RegionRow:
    code: str  # ISO 3166-2:UA
    name: str  # in the report's language
    figures: Comparison


@dataclass(frozen=True)
class EpisodeRow:
    id: str
    scope: str  # institution / region / platform
    subject: str  # institution name, region name, or platform description
    region_name: str  # "" for platform episodes
    start: dt.date
    end: dt.date | None
    status: str  # open / resolved
    severity: float  # 0..1
    expected: float
    observed: float
    metric: str
    explanation: str  # detector's sentence; "" where it is not in the report language


@dataclass(frozen=True)
class Sparkline:
    """Weekly observed totals, oldest first, with the ISO week labels."""

    weeks: tuple[str, ...]
    values: tuple[float, ...]
    expected: tuple[float | None, ...]


@dataclass(frozen=True)
class ContactRow:
    rank: int
    institution_id: str
    name: str
    kind: str
    region_name: str
    contacts: tuple[str, ...]
    severity: float
    expected: float  # expected weekly activity: the "size" of the ranking
    observed: float
    since: dt.date
    sparkline: Sparkline

    @property
    def priority(self) -> float:
        return self.severity * self.expected


@dataclass(frozen=True)
class OutageRow:
    """A regional outage on the timeline: `days` has one flag per day of the window."""

    region_code: str
    region_name: str
    start: dt.date
    end: dt.date | None
    severity: float
    days: tuple[bool, ...]


@dataclass(frozen=True)
class Quality:
    exports_received: int
    exports_rejected: int
    covered_days: int  # days of the week with an export covering them
    missing_days: tuple[dt.date, ...]  # days of the week no export covers
    unmapped_hosts: int
    unmapped_meetings: int
    quarantined_files: int


@dataclass(frozen=True)
class WeeklyContext:
    lang: str  # uk or en
    week: str  # ISO week, YYYY-Www
    week_start: dt.date
    week_end: dt.date
    scope_code: str  # "" for the national report, else a region code
    scope_name: str
    metric: str
    institutions: int  # institutions in scope (directory)
    headline: Comparison
    regions: tuple[RegionRow, ...]
    new_episodes: tuple[EpisodeRow, ...]
    ongoing_episodes: tuple[EpisodeRow, ...]
    resolved_episodes: tuple[EpisodeRow, ...]
    episode_totals: tuple[int, int, int]  # new, ongoing, resolved before any truncation
    contacts: tuple[ContactRow, ...]
    timeline_days: tuple[dt.date, ...]
    outages: tuple[OutageRow, ...]
    quality: Quality
    baseline_weeks: int  # weeks of history behind the expectation (methods note)
    expectation: str = "same_weekday"  # how expected activity was made: same_weekday / detector

    def truncated(self, episodes: int, contacts: int) -> "WeeklyContext":
        """The same report with at most `episodes` rows per episode list and `contacts`
        contacts: the e-mail body stays small, the attachment has everything."""
        return dataclasses.replace(
            self,
            new_episodes=self.new_episodes[:episodes],
            ongoing_episodes=self.ongoing_episodes[:episodes],
            resolved_episodes=self.resolved_episodes[:episodes],
            contacts=self.contacts[:contacts],
        )
