"""Awkward real-world files, fed as raw bytes: Excel for Mac line ends (bare carriage
returns), daily columns in another order, cp1251 whose first 64 KiB happen to be ASCII, a
large UTF-8 file cut in the middle of a character, digits of other scripts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from monitor.ingest.decode import HEAD_BYTES, NotText, read_head
from monitor.ingest.readers import daily_csv, sniff, zoom_api, zoom_history, zoom_participants
from monitor.ingest.readers.base import FormatError, Source

HISTORY_HEADER = (
    "Topic,Meeting ID,User Name,User Email,Department,Group,Has Zoom Rooms,Creation Time,Start Time,"
    "End Time,Duration (Minutes),Participants,Name (Original Name),User Email,Join Time,Leave Time,"
    "Duration (Minutes),Guest,Recording Consent,In Waiting Room"
)


def history_row(meeting: int, name: str) -> str:
    return (f"Lesson,{meeting},Host,h@lyceum7.example.org,,,No,03/01/2025 08:00:00 AM,"
            f"03/31/2025 08:58:12 AM,03/31/2025 09:47:40 AM,50,2,{name},,"
            "03/31/2025 09:01:03 AM,03/31/2025 09:20:55 AM,20,Yes,,No")


PARTICIPANTS = (
    "Topic,ID,Host,Duration (minutes),Start time,End time,Participants\n"
    'Алгебра 9-Б,84512345678,O K (o.k@lyceum7.example.org),50,"03/31/2025 08:58:12 AM","03/31/2025 09:47:40 AM",2\n'
    "\n"
    "Name (original name),Email,Join time,Leave time,Duration (minutes),Guest,In waiting room\n"
    'O K (Host),o.k@lyceum7.example.org,"03/31/2025 08:58:12 AM","03/31/2025 09:47:40 AM",50,No,No\n'
    'Іван,,"03/31/2025 09:01:03 AM","03/31/2025 09:20:55 AM",20,Yes,No\n'
)
DAILY = (
    "institution_id,date,meetings,participants,meeting_minutes,active_hosts\n"
    "UA63-0007,2025-03-31,3,40,135,2\n"
    "UA30-0001,2025-04-01,1,5,45,1\n"
)


def source(tmp_path: Path, name: str, data: bytes, reader) -> Source:
    path = tmp_path / name
    path.write_bytes(data)
    src = Source(head=read_head(path), timezone="Europe/Kyiv", institution=None,
                 workdir=tmp_path / ".work", max_json_bytes=2**20)
    assert sniff(src.head) is reader
    return src


def test_history_with_bare_carriage_returns_is_read(tmp_path):
    text = "\r".join([HISTORY_HEADER, history_row(845001, "A"), history_row(845001, "B"),
                      history_row(845002, "C")]) + "\r"
    src = source(tmp_path, "meetinglistdetails_20250331_20250331.csv", text.encode(), zoom_history.READER)
    meetings = zoom_history.read(src).meetings.sort("series_key")
    assert meetings["series_key"].to_list() == ["845001", "845002"]
    assert meetings["participants"].to_list() == [2, 1]
    assert meetings["participant_minutes"].to_list() == [40, 20]


def test_participants_with_bare_carriage_returns_is_read(tmp_path):
    data = PARTICIPANTS.replace("\n", "\r").encode("utf-8-sig")
    src = source(tmp_path, "participants_84512345678_2025_03_31.csv", data, zoom_participants.READER)
    meetings = zoom_participants.read(src).meetings
    assert meetings.select("series_key", "participants", "participant_minutes", "minutes").rows() == [
        ("84512345678", 2, 70, 50)
    ]


def test_daily_with_bare_carriage_returns_is_read(tmp_path):
    src = source(tmp_path, "usage.csv", DAILY.replace("\n", "\r").encode(), daily_csv.READER)
    reported = daily_csv.read(src).reported
    assert reported.select("institution_id", "date", "meetings").rows() == [
        ("UA63-0007", dt.date(2025, 3, 31), 3), ("UA30-0001", dt.date(2025, 4, 1), 1)
    ]


def test_daily_columns_in_another_order_are_found_by_name(tmp_path):
    data = "date;meeting_minutes;institution_id;participants;meetings\r\n31.03.2025;135;UA63-0007;40;3\r\n"
    src = source(tmp_path, "usage.csv", data.encode("cp1251"), daily_csv.READER)
    reported = daily_csv.read(src).reported
    assert reported.select("institution_id", "date", "meetings", "participants", "meeting_minutes").rows() == [
        ("UA63-0007", dt.date(2025, 3, 31), 3, 40, 135)
    ]


def test_a_full_width_digit_is_not_a_whole_number(tmp_path):
    data = DAILY.replace(",3,40,", ",３,40,").encode()
    src = source(tmp_path, "usage.csv", data, daily_csv.READER)
    with pytest.raises(FormatError, match="^line 2: meetings is not a whole number >= 0$"):
        daily_csv.read(src)


def ascii_history_rows(count: int) -> list[str]:
    return [history_row(900000 + n, "Ivan") for n in range(count)]


def test_cp1251_history_with_an_ascii_head_is_read_as_cp1251(tmp_path):
    rows = ascii_history_rows(400)  # more than HEAD_BYTES of ASCII before the first Cyrillic name
    rows.append(history_row(845001, "Ярослав"))
    data = "\r\n".join([HISTORY_HEADER, *rows]).encode("cp1251")
    assert data[:HEAD_BYTES].isascii()
    src = source(tmp_path, "meetinglistdetails_20250331_20250331.csv", data, zoom_history.READER)
    assert zoom_history.read(src).meetings.height == 401


def test_cp1251_daily_with_an_ascii_head_is_read_as_cp1251(tmp_path):
    lines = ["institution_id,date,meetings,participants,meeting_minutes,platform"]
    lines += [f"UA63-{n:05d},2025-03-31,1,2,3,microsoft teams" for n in range(3000)]
    lines.append("UA63-99999,2025-03-31,1,2,3,мітинг")
    data = "\r\n".join(lines).encode("cp1251")
    assert data[:HEAD_BYTES].isascii()
    src = source(tmp_path, "usage.csv", data, daily_csv.READER)
    # Decoded as cp1251, the last row's platform reads as the word it is.
    with pytest.raises(FormatError, match="^line 3002: platform differs from the first row's 'microsoft teams'"):
        daily_csv.read(src)


def test_cp1251_participants_with_an_ascii_head_is_read_as_cp1251(tmp_path):
    head, _, table = PARTICIPANTS.replace("Алгебра 9-Б", "Algebra").replace("Іван", "Ivan").partition("\n\n")
    lines = table.splitlines()
    waiting = 'Ivan,,"03/31/2025 09:01:03 AM","03/31/2025 09:20:55 AM",1,Yes,Yes'
    body = lines + [waiting] * 1200 + [waiting.replace("Ivan", "Ярослав")]
    data = (head + "\n\n" + "\n".join(body) + "\n").encode("cp1251")
    assert data[:HEAD_BYTES].isascii() and len(data) > HEAD_BYTES
    src = source(tmp_path, "participants_84512345678_2025_03_31.csv", data, zoom_participants.READER)
    assert zoom_participants.read(src).meetings["participants"].to_list() == [2]


def test_a_large_utf8_history_cut_inside_a_character_is_named_as_cut(tmp_path):
    data = "\n".join([HISTORY_HEADER, *ascii_history_rows(400), history_row(845001, "Ярослав")]).encode()
    data = data[: data.rindex("Я".encode()) + 1]
    src = source(tmp_path, "meetinglistdetails_20250331_20250331.csv", data, zoom_history.READER)
    with pytest.raises(NotText, match="ends in the middle of a character"):
        zoom_history.read(src)


def test_an_api_page_mixing_plain_and_offset_times_is_read(tmp_path):
    def meeting(uuid: str, start: str, end: str) -> str:
        return (f'{{"uuid":"{uuid}","id":84512345678,"start_time":"{start}","end_time":"{end}",'
                '"duration":50,"total_minutes":96,"participants_count":3,"user_email":"o.k@lyceum7.example.org"}')
    page = ('{"from":"2025-03-31","to":"2025-03-31","next_page_token":"","meetings":['
            + meeting("a==", "2025-03-31T08:58:12+03:00", "2025-03-31T09:47:40+03:00") + ","
            + meeting("b==", "2025-03-31T07:00:00Z", "2025-03-31T07:30:00Z") + "]}")
    src = source(tmp_path, "report_20250331.json", page.encode(), zoom_api.MEETINGS_READER)
    meetings = zoom_api.read_meetings(src).meetings
    assert meetings.select("instance_key", "start_utc", "minutes").rows() == [
        ("a==", dt.datetime(2025, 3, 31, 5, 58, 12, tzinfo=dt.timezone.utc), 50),
        ("b==", dt.datetime(2025, 3, 31, 7, 0, tzinfo=dt.timezone.utc), 30),
    ]
