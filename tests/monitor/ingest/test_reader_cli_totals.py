"""The new readers end to end through the CLI: exact daily totals, de-duplication across
formats and overlapping exports, recurring instances, waiting rooms, DST, aggregates."""

from __future__ import annotations

import json
from pathlib import Path

DIRECTORY = (
    "institution_id,name,region,kind,zoom_account_id,zoom_group,email_domains,contacts\n"
    "LYC7,Ліцей №7,UA-63,school,,,lyceum7.example.org,\n"
    "SCH2,Школа №2,UA-30,school,,,school2.example.org,\n"
)
HEADER = "institution_id,date,meetings,participants,meeting_minutes,active_hosts"

PARTICIPANTS = (
    "Topic,ID,Host,Duration (minutes),Start time,End time,Participants\r\n"
    "Алгебра 9-Б,84512345678,Олена Коваленко (o.kovalenko@lyceum7.example.org),50,"
    '"03/31/2025 08:58:12 AM","03/31/2025 09:47:40 AM",3\r\n'
    "\r\n"
    "Name (original name),Email,Join time,Leave time,Duration (minutes),Guest,In waiting room\r\n"
    'Олена Коваленко (Host),o.kovalenko@lyceum7.example.org,"03/31/2025 08:58:12 AM","03/31/2025 09:47:40 AM",50,No,No\r\n'
    'Ivan P,,"03/31/2025 09:01:03 AM","03/31/2025 09:20:55 AM",20,Yes,No\r\n'
    'Ivan P,,"03/31/2025 09:22:10 AM","03/31/2025 09:47:38 AM",26,Yes,No\r\n'
    'Гість,,"03/31/2025 08:58:30 AM","03/31/2025 08:59:00 AM",1,Yes,Yes\r\n'
)


def api_meeting(uuid: str, mid: int, start: str, end: str, email: str, count: int) -> dict:
    return {"uuid": uuid, "id": mid, "type": 8, "topic": "Урок", "user_email": email,
            "start_time": start, "end_time": end, "duration": 45, "total_minutes": 90,
            "participants_count": count}


def api_page(start: str, end: str, *meetings: dict) -> str:
    return json.dumps({"from": start, "to": end, "page_count": 1, "next_page_token": "", "meetings": list(meetings)})


def setup(monitor, tmp_path: Path) -> None:
    directory = tmp_path / "dir.csv"
    directory.write_text(DIRECTORY, encoding="utf-8")
    assert monitor("institutions", "import", str(directory)).exit_code == 0


def daily(monitor) -> list[str]:
    ran = monitor("daily", "--format", "csv")
    assert ran.exit_code == 0
    return ran.stdout.strip().splitlines()


def write(tmp_path: Path, name: str, data: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return str(path)


def test_csv_and_api_copies_overlapping_exports_and_recurring_instances(monitor, tmp_path):
    setup(monitor, tmp_path)
    csv_copy = write(tmp_path, "participants_84512345678.csv", b"\xef\xbb\xbf" + PARTICIPANTS.encode())
    # The same export re-saved by Excel under a Ukrainian locale: other bytes, same meeting.
    resaved = write(tmp_path, "resaved.csv", PARTICIPANTS.replace(",", ";").replace(
        '"03/31/2025 08:58:12 AM"', "31.03.2025 08:58").replace('"03/31/2025 09:47:40 AM"', "31.03.2025 09:47")
        .replace("(Host);", "(Host);").encode("cp1251"))
    page = write(tmp_path, "page1.json", api_page(
        "2025-03-31", "2025-03-31",
        api_meeting("U1==", 84512345678, "2025-03-31T05:58:12Z", "2025-03-31T06:47:40Z", "o.kovalenko@lyceum7.example.org", 3),
        api_meeting("U2==", 84512345678, "2025-03-31T09:00:00Z", "2025-03-31T09:30:00Z", "o.kovalenko@lyceum7.example.org", 4),
        api_meeting("U3==", 11122233344, "2025-03-31T07:00:00Z", "2025-03-31T07:44:10Z", "teacher@school2.example.org", 2),
    ))
    ran = monitor("ingest", csv_copy, resaved, page)
    assert ran.exit_code == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0].startswith("participants_84512345678.csv: ingested: 1 meetings")
    assert lines[1].startswith("resaved.csv: ingested: 1 meetings (1 already stored)")
    assert lines[2].startswith("page1.json: ingested: 3 meetings (1 already stored)")
    assert daily(monitor) == [
        HEADER,
        "LYC7,2025-03-31,2,7,80,1",  # 3 joins outside the waiting room + the second instance's 4
        "SCH2,2025-03-31,1,2,45,1",
    ]
    again = monitor("ingest", page)
    assert again.exit_code == 0 and "already ingested" in again.stdout
    assert daily(monitor)[1:] == ["LYC7,2025-03-31,2,7,80,1", "SCH2,2025-03-31,1,2,45,1"]


def test_single_participant_export_covers_only_its_institution_day(monitor, tmp_path):
    setup(monitor, tmp_path)
    assert monitor("ingest", write(tmp_path, "p.csv", PARTICIPANTS)).exit_code == 0
    assert daily(monitor) == [HEADER, "LYC7,2025-03-31,1,3,50,1"]


def test_repeated_october_hour_with_kiev_alias(monitor, tmp_path):
    setup(monitor, tmp_path)
    legacy = (
        "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants,\n"
        # 02:50 summer time to 03:40 winter time: 110 minutes on the clock of the day.
        "5550001,Нічний урок,10/26/2025 02:50:00 AM,10/26/2025 03:40:00 AM,o.kovalenko@lyceum7.example.org,110,2,\n"
        "\n"
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        "Олена,o.kovalenko@lyceum7.example.org,10/26/2025 02:50:00 AM,10/26/2025 03:40:00 AM,110,No\n"
        "Іван,,10/26/2025 02:55:00 AM,10/26/2025 03:35:00 AM,100,Yes\n"
    )
    crossing = (
        "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants,\n"
        # Starts at 03:30 summer time, ends at 03:20 winter time: the wall clock goes back.
        "5550002,Урок,10/26/2025 03:30:00 AM,10/26/2025 03:20:00 AM,o.kovalenko@lyceum7.example.org,50,1,\n"
        "\n"
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        "Олена,o.kovalenko@lyceum7.example.org,10/26/2025 03:30:00 AM,10/26/2025 03:20:00 AM,50,No\n"
    )
    page = api_page("2025-10-26", "2025-10-26", api_meeting(
        "D1==", 5550001, "2025-10-25T23:50:00Z", "2025-10-26T01:40:00Z", "o.kovalenko@lyceum7.example.org", 2))
    ran = monitor("ingest", "--timezone", "Europe/Kiev",
                  write(tmp_path, "a.csv", legacy), write(tmp_path, "b.csv", crossing), write(tmp_path, "c.json", page))
    assert ran.exit_code == 0, ran.stderr
    assert "c.json: ingested: 1 meetings (1 already stored)" in ran.stdout
    assert daily(monitor) == [HEADER, "LYC7,2025-10-26,2,3,160,1", "SCH2,2025-10-26,0,0,0,0"]


def test_daily_aggregates_and_institution_option(monitor, tmp_path):
    setup(monitor, tmp_path)
    usage = write(tmp_path, "usage.csv",
                  "institution_id,date,meetings,participants,meeting_minutes,active_hosts,platform\n"
                  "SCH2,2025-05-01,3,30,120,,teams\nLYC7,2025-05-01,1,2,3,1,teams\n")
    report = write(tmp_path, "daily.json", json.dumps({"year": 2025, "month": 5, "dates": [
        {"date": "2025-05-01", "new_users": 0, "meetings": 41, "participants": 612, "meeting_minutes": 20315},
        {"date": "2025-05-02", "new_users": 0, "meetings": 0, "participants": 0, "meeting_minutes": 0}]}))
    ran = monitor("ingest", usage, report)
    assert ran.exit_code == 1
    assert "daily.json: rejected: zoom-api-daily: Zoom report/daily carries no institution; pass --institution ID" in ran.stderr
    home = Path(tmp_path / "home")
    assert "pass --institution ID" in (home / "quarantine" / "daily.json.reason").read_text(encoding="utf-8")
    assert monitor("ingest", "--institution", "LYC7", report).exit_code == 0
    # Zoom's daily meeting_minutes are participant minutes, so they are not meeting minutes.
    assert daily(monitor) == [
        HEADER,
        "LYC7,2025-05-01,42,614,3,1",
        "LYC7,2025-05-02,0,0,,",
        "SCH2,2025-05-01,3,30,120,",
    ]


def test_participant_table_without_meeting_is_rejected_cleanly(monitor, tmp_path):
    setup(monitor, tmp_path)
    before = daily(monitor)
    ran = monitor("ingest", write(tmp_path, "table.csv", PARTICIPANTS.split("\r\n\r\n", 1)[1]))
    assert ran.exit_code == 1
    [line] = ran.stderr.strip().splitlines()
    assert line.startswith(
        'table.csv: rejected: zoom-participants: only the participant table, without the meeting it belongs to; '
        'export it again with "Export with meeting data" ticked; '
    ) and line.endswith(" to quarantine/")
    assert daily(monitor) == before
