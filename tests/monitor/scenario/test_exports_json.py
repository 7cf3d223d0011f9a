"""Zoom API JSON writers: envelopes, pagination, UTC times, durations consistent with minutes."""

from __future__ import annotations

import datetime as dt
import json
import math

import polars as pl
import pytest

from monitor.scenario import exports_json as ejson
from monitor.scenario.generate import SAMPLE_DIRECTORY, sample_meetings

LO, HI = dt.date(2022, 10, 28), dt.date(2022, 10, 31)


@pytest.fixture(scope="module")
def sample():
    return sample_meetings()


def parse_z(text: str) -> dt.datetime:
    assert text.endswith("Z")
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)


def test_report_user_meetings_pages_chain_and_fields(sample):
    meetings, _, _ = sample
    pages = [json.loads(p) for p in ejson.report_user_meetings(meetings, LO, HI, page_size=4)]
    assert len(pages) == math.ceil(meetings.height / 4)
    for page in pages:
        assert list(page)[:7] == ["from", "to", "page_count", "page_size", "total_records",
                                  "next_page_token", "meetings"]
        assert (page["from"], page["to"]) == ("2022-10-28", "2022-10-31")
        assert page["total_records"] == meetings.height
    tokens = [p["next_page_token"] for p in pages]
    assert all(len(t) == 32 for t in tokens[:-1]) and tokens[-1] == ""
    records = [m for p in pages for m in p["meetings"]]
    assert sorted(r["uuid"] for r in records) == sorted(meetings["uuid"].to_list())
    by_uuid = {r["uuid"]: r for r in records}
    for row in meetings.iter_rows(named=True):
        rec = by_uuid[row["uuid"]]
        start, end = parse_z(rec["start_time"]), parse_z(rec["end_time"])
        assert start == row["start_utc"] and rec["id"] == row["meeting_id"]
        assert rec["duration"] == math.ceil((end - start).total_seconds() / 60) == row["minutes"]
        assert rec["participants_count"] == row["participants"]
        assert rec["total_minutes"] == row["participant_minutes"]
        assert rec["user_email"] == row["host_email"]


def test_dashboard_duration_strings_match_start_and_end(sample):
    meetings, _, _ = sample
    pages = ejson.dashboard_meetings(meetings, SAMPLE_DIRECTORY, LO, HI)
    records = json.loads(pages[0])["meetings"]
    for rec in records:
        parts = [int(x) for x in rec["duration"].split(":")]
        seconds = parts[-1] + 60 * parts[-2] + (3600 * parts[0] if len(parts) == 3 else 0)
        assert len(parts) == (3 if seconds >= 3600 else 2)
        assert seconds == (parse_z(rec["end_time"]) - parse_z(rec["start_time"])).total_seconds()
        assert rec["dept"] in SAMPLE_DIRECTORY["zoom_group"].to_list()
        assert isinstance(rec["participants"], int) and "has_video" in rec
    lean = json.loads(ejson.dashboard_meetings(meetings, SAMPLE_DIRECTORY, LO, HI, full=False)[0])
    assert "has_video" not in lean["meetings"][0]


def test_dashboard_duration_format():
    frame = pl.DataFrame({"s": [59, 968, 3599, 3600, 4512]})
    got = frame.select(ejson.dashboard_duration(pl.col("s")))["s"].to_list()
    assert got == ["00:59", "16:08", "59:59", "1:00:00", "1:15:12"]


def test_empty_range_still_states_its_coverage(sample):
    meetings, _, _ = sample
    [page] = ejson.dashboard_meetings(meetings.clear(), SAMPLE_DIRECTORY, LO, LO)
    body = json.loads(page)
    assert body["meetings"] == [] and body["total_records"] == 0 and body["from"] == "2022-10-28"


def test_report_daily_shape(sample):
    _, _, truth = sample
    one = truth.filter(pl.col("institution_id") == "UA30-S9001")
    body = json.loads(ejson.report_daily(one, 2022, 10))
    assert list(body) == ["year", "month", "dates"] and body["month"] == 10
    assert [d["date"] for d in body["dates"]] == ["2022-10-28", "2022-10-29", "2022-10-30",
                                                  "2022-10-31"]
    assert list(body["dates"][0]) == ["date", "new_users", "meetings", "participants",
                                      "meeting_minutes"]
    assert sum(d["meetings"] for d in body["dates"]) == one["meetings"].sum()
