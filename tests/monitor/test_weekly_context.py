"""build_weekly_context on small hand-made frames (exact figures) and on the scenario generator."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from models.episodes import EPISODES
from models.summary import institution_weeks
from monitor.expectation import expectation_from_weeks
from monitor.scenario.simulate import ScenarioConfig, simulate
from monitor.weekly import ReportError, build_weekly_context, parse_week
from reports.context import Quality
from reports.render import render_browser, render_email

MONDAY = dt.date(2026, 11, 16)  # 2026-W47
QUALITY = Quality(exports_received=1, exports_rejected=0, covered_days=7, missing_days=(),
                  unmapped_hosts=0, unmapped_meetings=0, quarantined_files=0)


def directory(rows):
    return pl.DataFrame(
        [(i, name, region, "school", "", "", "", contacts) for i, name, region, contacts in rows],
        schema=["institution_id", "name", "region", "kind", "zoom_account_id", "zoom_group",
                "email_domains", "contacts"], orient="row",
    )


def daily(values: dict[str, list[int]], weeks: int = 9, skip: set[dt.date] = frozenset()):
    """`values[id][weekday]` every week for `weeks` weeks ending with 2026-W47; with 14 numbers
    the last 7 are this week's. Days in `skip` are uncovered (no row)."""
    rows = []
    first = MONDAY - dt.timedelta(weeks=weeks - 1)
    for inst, pattern in values.items():
        for k in range(weeks * 7):
            day = first + dt.timedelta(days=k)
            if day in skip:
                continue
            this_week = day >= MONDAY
            value = pattern[7 + day.weekday()] if this_week and len(pattern) == 14 else pattern[day.weekday()]
            rows.append((inst, day, value, value, value, value))
    return pl.DataFrame(rows, schema=["institution_id", "date", "meetings", "participants",
                                      "meeting_minutes", "active_hosts"], orient="row")


def episodes(rows):
    frame = pl.DataFrame(rows, schema=["id", "scope", "institution_id", "region", "start",
                                       "detected_on", "end", "status", "severity"], orient="row")
    return frame.with_columns(
        pl.lit(100.0).alias("expected"), pl.lit(10.0).alias("observed"),
        pl.lit("participants").alias("metric"), pl.lit("Fell.").alias("explanation"),
    ).select([pl.col(c).cast(t) for c, t in EPISODES.items()])


NO_EPISODES = episodes([])


def test_index_is_observed_over_same_weekday_expectation():
    week = [10, 10, 10, 10, 10, 0, 0]
    frames = daily({"A": week + [5, 5, 5, 5, 5, 0, 0], "B": week, "C": [0] * 14})
    dirs = directory([("A", "A", "UA-63", ""), ("B", "B", "UA-63", ""), ("C", "C", "UA-30", "")])
    ctx = build_weekly_context(frames, dirs, NO_EPISODES, QUALITY, "2026-W47", lang="en")
    now, before = ctx.headline.this_week, ctx.headline.last_week
    assert (now.observed, now.expected) == (75.0, 100.0)  # A 25 + B 50 over 50 + 50
    assert now.index == 0.75 and before.index == 1.0
    assert (now.active, now.expected_active, now.reporting) == (2, 2, 3)
    assert ctx.headline.change == pytest.approx(-0.25) and ctx.headline.direction == "down"
    regions = {r.code: r.figures for r in ctx.regions}
    assert regions["UA-63"].this_week.index == 0.75
    assert regions["UA-30"].this_week.index is None and regions["UA-30"].this_week.band == "nodata"
    assert regions["UA-05"].this_week.reporting == 0


def test_a_detector_expectation_can_replace_the_baseline():
    frames = daily({"A": [10, 10, 10, 10, 10, 0, 0]})
    dirs = directory([("A", "A", "UA-63", "")])
    dates = frames["date"].to_list()
    observed = frames["meetings"].cast(pl.Float64).to_numpy()[None, :]
    weeks = institution_weeks(np.array(["A"]), dates, observed, np.full(observed.shape, 20.0))
    ctx = build_weekly_context(frames, dirs, NO_EPISODES, QUALITY, "2026-W47", lang="en",
                               expectation=expectation_from_weeks(weeks))
    assert (ctx.headline.this_week.observed, ctx.headline.this_week.expected) == (50.0, 140.0)
    assert ctx.headline.last_week.index == 50 / 140
    assert ctx.expectation == "detector" and "drop detector" in render_email(ctx).html


def test_uncovered_days_are_missing_not_zero():
    week = [10, 10, 10, 10, 10, 0, 0]
    frames = daily({"A": week}, skip={MONDAY, MONDAY + dt.timedelta(days=1)})
    dirs = directory([("A", "A", "UA-63", "")])
    ctx = build_weekly_context(frames, dirs, NO_EPISODES, QUALITY, "2026-W47")
    assert (ctx.headline.this_week.observed, ctx.headline.this_week.expected) == (30.0, 30.0)
    assert ctx.headline.this_week.index == 1.0


def test_episodes_are_sorted_into_new_ongoing_resolved_and_contacts_ranked():
    week = [10, 10, 10, 10, 10, 0, 0]
    frames = daily({"A": week, "B": [40] * 7, "C": week})
    dirs = directory([("A", "<A>", "UA-63", "a@example.org; +380 1"), ("B", "B", "UA-63", ""),
                      ("C", "C", "UA-30", "c@example.org")])
    d = lambda k: MONDAY + dt.timedelta(days=k)  # noqa: E731
    eps = episodes([
        ("e1", "institution", "A", "UA-63", d(-9), d(-8), None, "open", 0.9),  # ongoing
        ("e2", "institution", "B", "UA-63", d(1), d(2), None, "open", 0.5),  # new
        ("e3", "institution", "C", "UA-30", d(-20), d(-19), d(3), "resolved", 0.8),  # resolved
        ("e4", "institution", "C", "UA-30", d(-20), d(-19), d(-2), "resolved", 0.8),  # before
        ("e5", "institution", "C", "UA-30", d(7), d(8), None, "open", 0.8),  # after
        ("e6", "region", None, "UA-63", d(-3), d(-2), d(10), "resolved", 0.7),  # ends later
        ("e7", "platform", None, None, d(5), d(6), d(5), "resolved", 1.0),
    ])
    ctx = build_weekly_context(frames, dirs, eps, QUALITY, "2026-W47", lang="en")
    assert [e.id for e in ctx.new_episodes] == ["e2"]
    assert [e.id for e in ctx.ongoing_episodes] == ["e1", "e6"]
    assert [e.id for e in ctx.resolved_episodes] == ["e7", "e3"]
    assert ctx.ongoing_episodes[1].end is None  # it ended after this week: ongoing then
    # B: 0.5 x 280 expected beats A: 0.9 x 50.
    assert [(c.institution_id, c.rank) for c in ctx.contacts] == [("B", 1), ("A", 2)]
    assert ctx.contacts[1].contacts == ("a@example.org", "+380 1")
    assert ctx.contacts[1].sparkline.values == (50.0,) * 8
    assert [o.region_code for o in ctx.outages] == ["UA-63"]
    assert ctx.outages[0].days == (False,) * 4 + (True,) * 10
    regional = build_weekly_context(frames, dirs, eps, QUALITY, "2026-W47", "UA-30", "uk")
    assert regional.scope_name == "Київ" and regional.institutions == 1
    assert [e.id for e in regional.resolved_episodes] == ["e7", "e3"]
    assert regional.contacts == ()  # C's drop is resolved: nobody to call
    assert {e.explanation for e in regional.resolved_episodes} == {""}  # English only in en


@pytest.mark.parametrize("week", ["2026-48", "2026-W54", "W48", "2026-W4"])
def test_bad_weeks_are_user_errors(week):
    with pytest.raises(ReportError, match=f"week '{week}' is not an ISO week; write it as YYYY-Www"):
        parse_week(week)


def test_unknown_region_is_a_user_error():
    with pytest.raises(ReportError, match="unknown region code 'UA-99'"):
        build_weekly_context(daily({}), directory([]), NO_EPISODES, QUALITY, "2026-W47", "UA-99")


@pytest.mark.parametrize("variant", ["standard", "harsh-winter", "quiet"])
def test_renders_on_the_generator_scenarios(variant):
    scenario = simulate(ScenarioConfig(seed=3, institutions=150, start=dt.date(2022, 9, 1),
                                       end=dt.date(2022, 11, 27), variant=variant))
    # The generator's event labels stand in for detected episodes.
    labels = scenario.events.filter(pl.col("scope").is_in(["institution", "region", "platform"]))
    eps = labels.select(
        pl.col("event_id").alias("id"), "scope", "institution_id", "region", "start",
        pl.col("start").alias("detected_on"), "end", pl.lit("resolved").alias("status"),
        pl.col("depth").clip(0, 1).alias("severity"), pl.lit(1.0).alias("expected"),
        pl.lit(0.5).alias("observed"), pl.lit("participants").alias("metric"),
        pl.lit("Injected event.").alias("explanation"),
    ).select([pl.col(c).cast(t) for c, t in EPISODES.items()])
    ctx = build_weekly_context(scenario.daily, scenario.directory, eps, QUALITY, "2022-W46", lang="uk")
    assert ctx.institutions == 150 and ctx.headline.this_week.reporting > 100
    assert 0.3 < ctx.headline.this_week.index < 1.5
    html = render_browser(ctx)
    assert html.count('class="tile"') == 27
    assert len(render_email(ctx).html.encode()) < 100 * 1024
