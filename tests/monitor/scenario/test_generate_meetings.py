"""Meeting instances built from daily counts: exact counts, Kyiv dates, DST, series, joins."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from monitor.scenario.meetings import build_meetings, truth_daily

KYIV = "Europe/Kyiv"


def make_inputs(n: int = 6, start=dt.date(2022, 10, 24), days: int = 10, seed: int = 3):
    rng = np.random.default_rng(seed)
    directory = pl.DataFrame({
        "institution_id": [f"UA30-S{i:04d}" for i in range(n)],
        "name": [f"Ліцей №{i}" for i in range(n)],
        "region": ["UA-30"] * n, "kind": ["school"] * n, "zoom_account_id": [""] * n,
        "zoom_group": [f"KV-lyceum{i}" for i in range(n)],
        "email_domains": [f"lyceum{i}.example.org;alt{i}.example.org" for i in range(n)],
        "contacts": [""] * n,
    })
    dates = [start + dt.timedelta(days=k) for k in range(days)]
    daily = directory.select("institution_id").join(pl.DataFrame({"date": dates}), how="cross")
    return directory, daily.with_columns(meetings=pl.Series(rng.integers(0, 25, daily.height)))


@pytest.fixture(scope="module")
def built():
    directory, daily = make_inputs()
    meetings, joins = build_meetings(directory, daily, 9, repeated_hour=0.5, midnight=0.05)
    return directory, daily, meetings, joins


def test_exactly_the_daily_count_of_instances(built):
    _, daily, meetings, _ = built
    got = meetings.group_by("institution_id", pl.col("local_date").alias("date")).len()
    want = daily.filter(pl.col("meetings") > 0)
    joined = want.join(got, on=["institution_id", "date"], how="full", coalesce=True)
    assert joined.filter(pl.col("meetings").ne_missing(pl.col("len"))).is_empty()
    assert meetings["uuid"].n_unique() == meetings.height


def test_local_date_is_the_kyiv_start_date_and_durations_are_ceiled(built):
    _, _, meetings, _ = built
    local = meetings["start_utc"].dt.convert_time_zone(KYIV).dt.date()
    assert (local == meetings["local_date"]).all()
    assert meetings["duration_s"].min() >= 20 * 60 and meetings["duration_s"].max() <= 90 * 60
    assert (meetings["minutes"] == (meetings["duration_s"] + 59) // 60).all()
    assert (meetings["end_utc"] - meetings["start_utc"]).dt.total_seconds().equals(
        meetings["duration_s"], check_names=False)


def test_dst_fall_back_hour_both_readings_and_midnight_crossing(built):
    _, _, meetings, _ = built
    local = meetings.with_columns(
        pl.col("start_utc").dt.convert_time_zone(KYIV).alias("ls"),
        pl.col("end_utc").dt.convert_time_zone(KYIV).dt.date().alias("end_date"))
    repeated = local.filter(pl.col("ls").dt.hour() == 3)
    assert set(repeated["local_date"].unique()) == {dt.date(2022, 10, 30)}
    offsets = (repeated["ls"].dt.replace_time_zone(None)
               - repeated["start_utc"].dt.replace_time_zone(None)).dt.total_hours().unique()
    assert sorted(offsets) == [2, 3]  # EET and EEST readings of the same wall-clock hour
    crossing = local.filter(pl.col("end_date") > pl.col("local_date"))
    assert crossing.height > 0
    assert crossing["local_date"].max() < dt.date(2022, 11, 2)  # never on the last day


def test_no_start_in_the_missing_spring_hour():
    directory, daily = make_inputs(start=dt.date(2023, 3, 24), days=5)
    meetings, _ = build_meetings(directory, daily, 1, repeated_hour=0.9)
    hours = meetings["start_utc"].dt.convert_time_zone(KYIV).dt.hour()
    assert not (hours == 3).any()


def test_recurring_series_reuse_ids_across_days_but_not_within_a_day(built):
    _, _, meetings, _ = built
    per_id = meetings.group_by("meeting_id").agg(pl.col("local_date").n_unique().alias("days"),
                                                 pl.len().alias("n"))
    assert (per_id["days"] > 1).sum() > 10
    assert (per_id["days"] == per_id["n"]).all()


def test_uuids_include_slash_forms(built):
    uuids = built[2]["uuid"]
    assert uuids.str.starts_with("/").any() and uuids.str.contains("//", literal=True).any()
    assert uuids.str.len_chars().unique().to_list() == [24]


def test_joins_hosts_guests_waiting_room(built):
    directory, _, meetings, joins = built
    assert joins.filter(pl.col("guest"))["email"].eq("").all()
    assert joins.filter(pl.col("waiting")).height > 0
    rejoined = joins.filter(~pl.col("waiting")).group_by("mid", "person").len()
    assert (rejoined["len"] > 1).any()
    bounds = joins.join(meetings.select("mid", "start_utc", "end_utc"), on="mid")
    assert (bounds["join_utc"] >= bounds["start_utc"]).all()
    assert (bounds["leave_utc"] <= bounds["end_utc"]).all()
    domains = meetings.join(directory, on="institution_id").select(
        pl.col("host_email").str.split("@").list.last()
        == pl.col("email_domains").str.split(";").list.first())
    assert domains.to_series().all()
    counted = joins.filter(~pl.col("waiting")).group_by("mid").len()
    check = meetings.join(counted, on="mid")
    assert (check["participants"] == check["len"]).all()


def test_truth_recomputed_from_meetings(built):
    directory, daily, meetings, joins = built
    dates = daily["date"].unique().to_list()
    truth = truth_daily(meetings, directory, dates)
    assert truth.height == directory.height * len(dates)
    assert truth["meetings"].sum() == daily["meetings"].sum()
    assert truth["participants"].sum() == joins.filter(~pl.col("waiting")).height
    assert truth["meeting_minutes"].sum() == meetings["minutes"].sum()
    hosts = meetings.group_by("institution_id", "local_date").agg(
        pl.col("host_email").str.to_lowercase().n_unique())
    assert truth["active_hosts"].sum() == hosts["host_email"].sum()
    zero = truth.join(daily, on=["institution_id", "date"]).filter(pl.col("meetings_right") == 0)
    assert (zero["meetings"] == 0).all() and (zero["active_hosts"] == 0).all()


def test_same_seed_same_meetings_other_seed_differs():
    directory, daily = make_inputs(n=3, days=4)
    a = build_meetings(directory, daily, 5)
    b = build_meetings(directory, daily, 5)
    c = build_meetings(directory, daily, 6)
    assert a[0].equals(b[0]) and a[1].equals(b[1])
    assert not a[0]["uuid"].equals(c[0]["uuid"])
