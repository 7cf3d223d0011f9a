"""Zoom CSV writers: exact headers, positional layout, encodings, Excel re-save artefacts."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from monitor.scenario import exports_csv as ecsv
from monitor.scenario.generate import SAMPLE_DIRECTORY, sample_meetings

CURRENT = ("Topic,Type,ID,Host name,Host email,Start time,End time,Participants,Duration (minutes),"
           "Total participant minutes,Department,Group,Source,Unique viewers,Max concurrent views,"
           "Creation time,Name (original name),Email,Join time,Leave time,Duration (minutes),Guest,"
           "Recording disclaimer response,In waiting room")
LEGACY = ("Topic,Meeting ID,User Name,User Email,Department,Group,Has Zoom Rooms,Creation Time,"
          "Start Time,End Time,Duration (Minutes),Participants,Name (Original Name),User Email,"
          "Join Time,Leave Time,Duration (Minutes),Guest,Recording Consent,In Waiting Room")


@pytest.fixture(scope="module")
def sample():
    return sample_meetings()


def rows(data: bytes, encoding: str = "utf-8-sig", sep: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding)), delimiter=sep))


def test_current_layout_header_and_one_row_per_join(sample):
    meetings, joins, _ = sample
    data = ecsv.meetinglistdetails(meetings, joins, SAMPLE_DIRECTORY)
    assert data.startswith(codecs.BOM_UTF8)
    table = rows(data)
    assert ",".join(table[0]) == CURRENT and len(table[0]) == 24
    assert len(table) - 1 == joins.height
    assert {len(r) for r in table} == {24}
    # meeting columns repeat; Participants counts joins outside the waiting room
    first = meetings.sort("start_utc").row(0, named=True)
    start = first["start_utc"].astimezone(ZoneInfo("Europe/Kyiv"))
    block = [r for r in table[1:]
             if r[2] == str(first["meeting_id"]) and r[5] == f"{start:%m/%d/%Y %I:%M:%S %p}"]
    assert len(block) == joins.filter(pl.col("mid") == first["mid"]).height
    assert block[0][7] == str(first["participants"])
    assert block[0][8] == str(first["minutes"])
    assert sum(r[23] == "No" for r in block) == first["participants"]
    group = SAMPLE_DIRECTORY.filter(pl.col("institution_id") == first["institution_id"])
    assert block[0][10] == block[0][11] == group["zoom_group"][0]


def test_custom_attribute_columns_sit_before_the_participant_block(sample):
    meetings, joins, _ = sample
    table = rows(ecsv.meetinglistdetails(meetings, joins, SAMPLE_DIRECTORY,
                                         custom=("EmpID", "MajorUnit")))
    header = table[0]
    assert header[15:18] == ["Creation time", "EmpID", "MajorUnit"]
    assert header[18] == "Name (original name)" and len(header) == 26
    assert all(r[17] in SAMPLE_DIRECTORY["name"].to_list() for r in table[1:])


def test_legacy_layout_spaced_ids_and_groups(sample):
    meetings, joins, _ = sample
    data = ecsv.meetinglistdetails(meetings, joins, SAMPLE_DIRECTORY, layout="legacy",
                                   variant="utf8")
    assert not data.startswith(codecs.BOM_UTF8)
    table = rows(data, "utf-8")
    assert ",".join(table[0]) == LEGACY
    ids = {r[1] for r in table[1:]}
    assert all(len(i.split(" ")) == 3 and i.replace(" ", "").isdigit() for i in ids)
    assert {r[5] for r in table[1:]} <= set(SAMPLE_DIRECTORY["zoom_group"].to_list())
    assert {r[19] for r in table[1:]} == {"Yes", "No"}


def test_utf16_is_little_endian_with_bom(sample):
    meetings, joins, _ = sample
    data = ecsv.meetinglistdetails(meetings, joins, SAMPLE_DIRECTORY, variant="utf16")
    assert data.startswith(codecs.BOM_UTF16_LE)
    assert data[2:4] == "T".encode("utf-16-le")
    assert ",".join(rows(data, "utf-16")[0]) == CURRENT


def test_excel_resave_cp1251_semicolons_short_dates_true_durations(sample):
    meetings, joins, _ = sample
    data = ecsv.meetinglistdetails(meetings, joins, SAMPLE_DIRECTORY, layout="legacy",
                                   variant="excel")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert b"\r\n" in data
    table = rows(data, "cp1251", ";")
    assert ";".join(table[0]) == LEGACY.replace(",", ";")
    start = table[1][8]
    assert dt.datetime.strptime(start, "%d.%m.%Y %H:%M")
    # seconds are lost but the meeting duration column keeps the true, ceiled minutes
    assert sorted(int(r[10]) for r in table[1:]) == sorted(
        joins.join(meetings, on="mid")["minutes"].to_list())
    text = data.decode("cp1251")
    assert text.encode("cp1251") == data  # a clean cp1251 round trip
    assert meetings["host_name"][0] in text and meetings["topic"][0] in text


def test_participant_export_current_two_sections(sample):
    meetings, joins, _ = sample
    one = meetings[0:1]
    text = ecsv.participants_export(one, joins).decode("utf-8-sig")
    lines = text.split("\n")
    assert lines[0] == "Topic,ID,Host,Duration (minutes),Start time,End time,Participants"
    assert lines[2] == ""
    assert lines[3] == ("Name (original name),Email,Join time,Leave time,Duration (minutes),"
                        "Guest,In waiting room")
    meeting = next(csv.reader([lines[1]]))
    assert meeting[2] == f"{one['host_name'][0]} ({one['host_email'][0]})"
    assert meeting[6] == str(one["participants"][0])
    assert lines[1].count('"') == 4  # the current UI quotes its date-times
    people = list(csv.reader(lines[4:-1]))
    assert people[0][0].endswith(" (Host)")
    assert len(people) == joins.filter(pl.col("mid") == one["mid"][0]).height


def test_participant_export_legacy_trailing_commas_and_excel_padding(sample):
    meetings, joins, _ = sample
    one = meetings[1:2]
    lines = ecsv.participants_export(one, joins, form="legacy", variant="utf8").decode().split("\n")
    assert lines[0] == ("Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),"
                        "Participants,")
    assert lines[1].endswith(",") and lines[1].split(",")[4] == one["host_email"][0]
    assert lines[3].startswith("Name (Original Name),User Email,Join Time,Leave Time")
    excel = ecsv.participants_export(one, joins, form="legacy", variant="excel").decode("cp1251")
    excel_lines = excel.split("\r\n")
    widths = {line.count(";") for line in excel_lines if line}
    assert widths == {7} and excel_lines[2] == ";" * 7


def test_participant_export_unique_users(sample):
    meetings, joins, _ = sample
    one = meetings[2:3]
    lines = ecsv.participants_export(one, joins, form="unique").decode("utf-8-sig").split("\n")
    assert lines[3] == "Name (original name),Email,Total duration (minutes),Guest"
    mine = joins.filter((pl.col("mid") == one["mid"][0]) & ~pl.col("waiting"))
    people = list(csv.reader(lines[4:-1]))
    assert len(people) == mine["person"].n_unique()
    assert sum(int(p[2]) for p in people) == mine["seg_minutes"].sum()


def test_daily_csv_headers():
    truth = pl.DataFrame({"institution_id": ["A"], "date": [dt.date(2022, 10, 3)],
                          "meetings": [2], "participants": [9], "meeting_minutes": [88],
                          "active_hosts": [1]})
    assert ecsv.daily_csv(truth).decode() == (
        "institution_id,date,meetings,participants,meeting_minutes,active_hosts\n"
        "A,2022-10-03,2,9,88,1\n")
    assert ecsv.daily_csv(truth, with_hosts=False).decode().splitlines()[0] == (
        "institution_id,date,meetings,participants,meeting_minutes")


def test_unknown_variant_is_refused(sample):
    meetings, joins, _ = sample
    with pytest.raises(ValueError, match="unknown encoding variant"):
        ecsv.meetinglistdetails(meetings, joins, SAMPLE_DIRECTORY, variant="latin1")
