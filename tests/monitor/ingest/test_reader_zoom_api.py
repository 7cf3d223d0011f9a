"""Zoom REST API JSON pages, fed as raw bytes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from monitor.ingest.decode import read_head
from monitor.ingest.readers import sniff, zoom_api
from monitor.ingest.readers.base import FormatError, Source

UTC = dt.timezone.utc


def report_page(*meetings: dict, start: str = "2025-03-01", end: str = "2025-03-31") -> dict:
    return {"from": start, "to": end, "page_count": 1, "page_size": 30, "total_records": len(meetings),
            "next_page_token": "", "meetings": list(meetings)}


def report_meeting(**over) -> dict:
    base = {"uuid": "Xq1b9Zr3Tn2Yw5Kp0LmQaA==", "id": 84512345678, "type": 8, "topic": "Алгебра 9-Б",
            "user_name": "Олена Коваленко", "user_email": "O.Kovalenko@lyceum7.example.org",
            "start_time": "2025-03-31T05:58:12Z", "end_time": "2025-03-31T06:47:40Z", "duration": 50,
            "total_minutes": 96, "participants_count": 3, "source": "Zoom", "custom_keys": []}
    return {**base, **over}


def dashboard_meeting(**over) -> dict:
    base = {"uuid": "/Ab3d//Ef4gh5Ij6Kl7Mn==", "id": 84512345678, "topic": "Алгебра 9-Б", "host": "Олена",
            "email": "o.kovalenko@lyceum7.example.org", "user_type": "Licensed", "dept": "Ліцей №7",
            "start_time": "2025-03-31T05:58:12Z", "end_time": "2025-03-31T06:47:40Z", "duration": "49:28",
            "participants": 3, "has_pstn": False, "has_voip": True}
    return {**base, **over}


def source(tmp_path: Path, data: bytes, institution: str | None = None, max_json_bytes: int = 2**20) -> Source:
    path = tmp_path / "page.json"
    path.write_bytes(data)
    return Source(head=read_head(path), timezone="Europe/Kyiv", institution=institution,
                  workdir=tmp_path / ".work", max_json_bytes=max_json_bytes)


def read(tmp_path: Path, doc, *, reader=zoom_api.MEETINGS_READER, encoding: str = "utf-8", **kw):
    data = doc if isinstance(doc, bytes) else json.dumps(doc, ensure_ascii=False).encode(encoding)
    src = source(tmp_path, data, **kw)
    assert sniff(src.head) is reader
    return reader.read(src)


def test_report_page_minutes_from_actual_length(tmp_path):
    result = read(tmp_path, report_page(report_meeting()))
    row = result.meetings.row(0, named=True)
    assert row["instance_key"] == "Xq1b9Zr3Tn2Yw5Kp0LmQaA=="
    assert row["series_key"] == "84512345678"
    assert row["minutes"] == 50  # 49 min 28 s, rounded up
    assert (row["participants"], row["participant_minutes"]) == (3, 96)
    assert row["host_email"] == "O.Kovalenko@lyceum7.example.org"  # as written; hosts.lookup normalises
    assert row["start_utc"] == dt.datetime(2025, 3, 31, 5, 58, 12, tzinfo=UTC)
    assert row["department"] is None and row["zoom_group"] is None
    assert result.format == "zoom-api-report-meetings"
    cov = result.coverage
    assert (cov.platform, cov.level, cov.scope) == ("zoom", "meetings", "all")
    assert cov.dates[0] == dt.date(2025, 3, 1) and cov.dates[-1] == dt.date(2025, 3, 31) and len(cov.dates) == 31


def test_report_page_takes_dept_when_present(tmp_path):
    result = read(tmp_path, report_page(report_meeting(dept=" Ліцей №7 ")))
    assert result.meetings["department"].to_list() == ["Ліцей №7"]


def test_dashboard_page_duration_string(tmp_path):
    page = report_page(dashboard_meeting(), dashboard_meeting(uuid="second", duration="1:02:01",
                                                              end_time="2025-03-31T07:00:13Z"))
    result = read(tmp_path, page)
    assert result.format == "zoom-api-dashboard-meetings"
    frame = result.meetings
    assert frame["minutes"].to_list() == [50, 63]
    assert frame["participants"].to_list() == [3, 3]
    assert frame["participant_minutes"].to_list() == [None, None]
    assert frame["department"].to_list() == ["Ліцей №7", "Ліцей №7"]
    assert frame["host_email"].to_list() == ["o.kovalenko@lyceum7.example.org"] * 2


def test_empty_page_still_covers_its_range(tmp_path):
    result = read(tmp_path, report_page(start="2025-03-30", end="2025-03-31"))
    assert result.meetings.is_empty()
    assert result.coverage.dates == (dt.date(2025, 3, 30), dt.date(2025, 3, 31))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_page_in_other_encodings(tmp_path, encoding):
    result = read(tmp_path, report_page(report_meeting()), encoding=encoding)
    assert result.meetings["participants"].to_list() == [3]


@pytest.mark.parametrize(
    ("meeting", "message"),
    [
        (report_meeting(end_time="2025-03-31T04:00:00Z"), "meeting 1 .*: ends before it starts"),
        (report_meeting(duration=-5), "meeting 1 .*: negative duration"),
        (report_meeting(participants_count="lots"), "participants_count is not a whole number"),
        (report_meeting(participants_count=-1), "negative participants_count"),
        (report_meeting(total_minutes=1.5), "total_minutes is not a whole number"),
        (report_meeting(uuid=""), "meeting 1: no uuid"),
        (report_meeting(start_time="31.03.2025 08:00"), "not ISO-8601 UTC"),
        (dashboard_meeting(duration="forever"), "duration is not mm:ss"),
        (dashboard_meeting(duration="-1:00"), "negative duration"),
    ],
)
def test_impossible_values_name_the_meeting(tmp_path, meeting, message):
    with pytest.raises(FormatError, match=message):
        read(tmp_path, report_page(meeting))


def test_second_meeting_is_named(tmp_path):
    page = report_page(report_meeting(), report_meeting(uuid="B", end_time="2025-03-30T00:00:00Z"))
    with pytest.raises(FormatError, match=r"meeting 2 \(uuid B\): ends before"):
        read(tmp_path, page)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (b'{"from":"2025-03-01","to":"2025-03-31","meetings":[{"uuid":', "not a well-formed API page"),
        (b'{"from":"2025-03-01","to":"2025-03-31","meetings":[1,2]}', "not a well-formed API page"),
        (b'{"to":"2025-03-31","meetings":[]}', "'from'/'to' are not dates"),
        (b'{"from":"2025-04-01","to":"2025-03-31","meetings":[]}', "impossible"),
    ],
)
def test_broken_pages(tmp_path, doc, message):
    with pytest.raises(FormatError, match=message):
        read(tmp_path, doc)


def test_page_larger_than_the_json_limit(tmp_path):
    page = report_page(*(report_meeting(uuid=f"u{i}") for i in range(50)))
    with pytest.raises(FormatError, match="exceeds ingest.max_json_mb"):
        read(tmp_path, page, max_json_bytes=1000)


def test_daily_report_needs_an_institution(tmp_path):
    doc = {"year": 2025, "month": 3, "dates": [{"date": "2025-03-31", "new_users": 0, "meetings": 41,
                                                 "participants": 612, "meeting_minutes": 20315}]}
    with pytest.raises(FormatError, match="pass --institution ID"):
        read(tmp_path, doc, reader=zoom_api.DAILY_READER)
    result = read(tmp_path, doc, reader=zoom_api.DAILY_READER, institution="UA63-0007")
    assert result.reported.to_dicts() == [{
        "institution_id": "UA63-0007", "date": dt.date(2025, 3, 31), "meetings": 41, "participants": 612,
        "meeting_minutes": None, "active_hosts": None, "platform": "zoom",
    }]
    cov = result.coverage
    assert (cov.platform, cov.level, cov.scope, cov.institutions) == ("zoom", "daily", "listed", ("UA63-0007",))
    assert cov.dates == (dt.date(2025, 3, 31),)
    assert result.reported.schema["meetings"] == pl.Int64


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"date": "2025-04-01", "meetings": 1, "participants": 1}, "outside the report's month"),
        ({"date": "31.03.2025", "meetings": 1, "participants": 1}, "not YYYY-MM-DD"),
        ({"date": "2025-03-30", "meetings": -1, "participants": 1}, "negative meetings"),
        ({"date": "2025-03-30", "meetings": 1, "participants": "x"}, "participants is not a whole number"),
    ],
)
def test_daily_report_bad_entries(tmp_path, entry, message):
    doc = {"year": 2025, "month": 3, "dates": [entry]}
    with pytest.raises(FormatError, match=message):
        read(tmp_path, doc, reader=zoom_api.DAILY_READER, institution="I1")


def test_fractional_seconds_and_offsets_are_read(tmp_path):
    page = report_page(report_meeting(start_time="2025-03-31T05:58:12.500Z", end_time="2025-03-31T09:47:40+03:00"))
    row = read(tmp_path, page).meetings.row(0, named=True)
    assert row["start_utc"] == dt.datetime(2025, 3, 31, 5, 58, 12, 500000, tzinfo=UTC)
    assert row["end_utc"] == dt.datetime(2025, 3, 31, 6, 47, 40, tzinfo=UTC)
    assert row["minutes"] == 50
