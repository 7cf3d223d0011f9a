"""Zoom per-meeting participant exports, fed as raw bytes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from monitor.ingest.decode import read_head
from monitor.ingest.readers import READERS, sniff, zoom_participants
from monitor.ingest.readers.base import FormatError, Source

UTC = dt.timezone.utc

CURRENT = (
    "Topic,ID,Host,Duration (minutes),Start time,End time,Participants\r\n"
    "Алгебра 9-Б,84512345678,Олена Коваленко (o.kovalenko@lyceum7.example.org),50,"
    '"03/31/2025 08:58:12 AM","03/31/2025 09:47:40 AM",3\r\n'
    "\r\n"
    "Name (original name),Email,Join time,Leave time,Duration (minutes),Guest,Recording disclaimer response,In waiting room\r\n"
    'Олена Коваленко (Host),o.kovalenko@lyceum7.example.org,"03/31/2025 08:58:12 AM","03/31/2025 09:47:40 AM",50,No,OK,No\r\n'
    'Ivan P (Іван Петренко),,"03/31/2025 09:01:03 AM","03/31/2025 09:20:55 AM",20,Yes,OK,No\r\n'
    'Ivan P (Іван Петренко),,"03/31/2025 09:22:10 AM","03/31/2025 09:47:38 AM",26,Yes,OK,No\r\n'
    'Гість,,"03/31/2025 08:59:00 AM","03/31/2025 09:00:00 AM",1,Yes,,Yes\r\n'
)

LEGACY = (
    "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants,\n"
    "84512345678,Алгебра 9-Б,03/31/2025 08:58:12 AM,03/31/2025 09:47:40 AM,O.Kovalenko@lyceum7.example.org,50,2,\n"
    ",,,,,,,\n"
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
    "Олена Коваленко,o.kovalenko@lyceum7.example.org,03/31/2025 08:58:12 AM,03/31/2025 09:47:40 AM,50,No\n"
    "Ivan P (Іван Петренко),,03/31/2025 09:01:03 AM,03/31/2025 09:20:55 AM,20,Yes\n"
)

UNIQUE = (
    "Topic,ID,Host,Duration (minutes),Start time,End time,Participants\n"
    "Фізика,87654321098,Марія Шевчук (m.shevchuk@school2.example.org),45,03/31/2025 10:00:00 AM,03/31/2025 10:45:00 AM,5\n"
    "\n"
    "Name (original name),Email,Total duration (minutes),Guest\n"
    "Марія Шевчук (Host),m.shevchuk@school2.example.org,45,No\n"
    "Петро,,40,Yes\n"
    "Оксана,,44,Yes\n"
)


def source(tmp_path: Path, data: bytes, name: str = "participants.csv", tz: str = "Europe/Kyiv") -> Source:
    path = tmp_path / name
    path.write_bytes(data)
    return Source(head=read_head(path), timezone=tz, institution=None,
                  workdir=tmp_path / ".work", max_json_bytes=2**20)


def read(tmp_path: Path, data: bytes, **kw):
    src = source(tmp_path, data, **kw)
    assert sniff(src.head) is zoom_participants.READER
    return zoom_participants.read(src)


def only_row(result) -> dict:
    assert result.meetings is not None and result.meetings.height == 1
    return result.meetings.row(0, named=True)


def test_current_form_counts_joins_outside_the_waiting_room(tmp_path):
    result = read(tmp_path, b"\xef\xbb\xbf" + CURRENT.encode())
    row = only_row(result)
    assert row["participants"] == 3  # the waiting-room row is not attendance
    assert row["participant_minutes"] == 50 + 20 + 26
    assert row["minutes"] == 50
    assert row["host_email"] == "o.kovalenko@lyceum7.example.org"
    assert row["series_key"] == "84512345678"
    assert row["start_utc"] == dt.datetime(2025, 3, 31, 5, 58, 12, tzinfo=UTC)  # Kyiv is UTC+3 then
    assert row["instance_key"] == "84512345678@1743400692"  # meeting id @ Unix seconds of the UTC start
    assert result.format == "zoom-participants"
    assert result.coverage.scope == "mapped" and result.coverage.from_rows and result.coverage.dates == ()


def test_legacy_form_with_trailing_commas_and_all_comma_separator(tmp_path):
    row = only_row(read(tmp_path, LEGACY.encode()))
    assert (row["participants"], row["participant_minutes"], row["minutes"]) == (2, 70, 50)
    assert row["host_email"] == "O.Kovalenko@lyceum7.example.org"  # as written; hosts.lookup normalises


def test_unique_users_form_counts_joins_from_the_meeting_section(tmp_path):
    row = only_row(read(tmp_path, UNIQUE.encode()))
    # Three people, five joins: participants count joins, as Zoom does.
    assert (row["participants"], row["participant_minutes"], row["minutes"]) == (5, 129, 45)
    assert row["host_email"] == "m.shevchuk@school2.example.org"


def test_unique_users_form_without_a_join_count_counts_people(tmp_path):
    row = only_row(read(tmp_path, UNIQUE.replace("10:45:00 AM,5\n", "10:45:00 AM,\n").encode()))
    assert row["participants"] == 3


def test_hostless_variant_has_no_host(tmp_path):
    data = (
        "Topic,ID,Duration (minutes),Start time,End time,Participants\n"
        "Урок,84512345678,30,03/31/2025 11:00:00 AM,03/31/2025 11:30:00 AM,1\n\n"
        "Name (original name),Email,Join time,Leave time,Duration (minutes),Guest,In waiting room\n"
        "Учень,,03/31/2025 11:00:00 AM,03/31/2025 11:30:00 AM,30,Yes,No\n"
    )
    row = only_row(read(tmp_path, data.encode()))
    assert row["host_email"] is None
    assert (row["participants"], row["minutes"]) == (1, 30)


def test_utf16_with_bom(tmp_path):
    row = only_row(read(tmp_path, CURRENT.encode("utf-16")))
    assert (row["participants"], row["participant_minutes"]) == (3, 96)


def test_cp1251_semicolons_and_excel_dates_padded_rows(tmp_path):
    data = (
        "Topic;ID;Host;Duration (minutes);Start time;End time;Participants;;\r\n"
        "Історія;84512345678;Олена Коваленко (o.kovalenko@lyceum7.example.org);50;31.03.2025 08:58;31.03.2025 09:47;2;;\r\n"
        ";;;;;;;;\r\n"
        "Name (original name);Email;Join time;Leave time;Duration (minutes);Guest;In waiting room;;\r\n"
        "Олена Коваленко (Host);o.kovalenko@lyceum7.example.org;31.03.2025 08:58;31.03.2025 09:47;50;No;No;;\r\n"
        "Іван;;31.03.2025 09:01;31.03.2025 09:20;20;Yes;No;;\r\n"
    ).encode("cp1251")
    src = source(tmp_path, data)
    assert src.head.encoding == "cp1251"
    row = only_row(read(tmp_path, data))
    assert row["start_utc"] == dt.datetime(2025, 3, 31, 5, 58, tzinfo=UTC)
    assert (row["participants"], row["participant_minutes"]) == (2, 70)


def test_participant_table_alone_is_refused_with_advice(tmp_path):
    data = CURRENT.split("\r\n\r\n", 1)[1].encode()
    with pytest.raises(FormatError, match="Export with meeting data"):
        read(tmp_path, data)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"03/31/2025 09:47:40 AM",3', '"03/31/2025 07:47:40 AM",3', "line 2: meeting ends before it starts"),
        (",50,\"03/31", ",-5,\"03/31", "line 2: negative meeting duration"),
        ("09:20:55 AM\",20,", "09:20:55 AM\",-20,", "line 6: negative participant duration"),
        ("09:20:55 AM\",20,", "09:20:55 AM\",twenty,", "line 6: participant duration is not a whole number"),
        ("AM\",3\r\n", "AM\",many\r\n", "line 2: Participants is not a whole number"),
        ("84512345678", "8451234567X", "line 2: meeting ID is not a number"),
    ],
)
def test_impossible_values_name_the_line(tmp_path, old, new, message):
    assert old in CURRENT
    with pytest.raises(FormatError, match=message):
        read(tmp_path, CURRENT.replace(old, new, 1).encode())


def test_meeting_header_without_values_is_refused(tmp_path):
    with pytest.raises(FormatError, match="without a meeting row"):
        read(tmp_path, CURRENT.splitlines()[0].encode() + b"\n\n")


def test_sniffers_are_mutually_exclusive_on_every_layout(tmp_path):
    history = (
        "Topic,Type,ID,Host name,Host email,Start time,End time,Participants,Duration (minutes),"
        "Total participant minutes,Department,Group,Source,Unique viewers,Max concurrent views,Creation time,"
        "Name (original name),Email,Join time,Leave time,Duration (minutes),Guest,Recording disclaimer response,In waiting room\n"
    )
    samples = [CURRENT, LEGACY, UNIQUE, CURRENT.split("\r\n\r\n", 1)[1], history,
               "institution_id,date,meetings,participants,meeting_minutes\nA,2025-03-01,1,2,3\n",
               '{"from":"2025-03-01","to":"2025-03-31","meetings":[]}',
               '{"year":2025,"month":3,"dates":[]}']
    for i, text in enumerate(samples):
        path = tmp_path / f"s{i}"
        path.write_text(text, encoding="utf-8")
        head = read_head(path)
        assert sum(r.sniff(head) for r in READERS) == 1, text[:60]
