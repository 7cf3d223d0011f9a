"""Plain daily usage CSV, fed as raw bytes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from monitor.ingest.decode import read_head
from monitor.ingest.readers import daily_csv, sniff
from monitor.ingest.readers.base import FormatError, Source

GOOD = (
    "institution_id,date,meetings,participants,meeting_minutes,active_hosts\n"
    "UA63-0007,2025-03-31,3,40,135,2\n"
    "UA30-0001,2025-03-31,0,0,0,\n"
    "UA63-0007,2025-04-01,1,5,45,1\n"
)


def read(tmp_path: Path, data: bytes):
    path = tmp_path / "usage.csv"
    path.write_bytes(data)
    src = Source(head=read_head(path), timezone="Europe/Kyiv", institution=None,
                 workdir=tmp_path / ".work", max_json_bytes=2**20)
    assert sniff(src.head) is daily_csv.READER
    return daily_csv.read(src)


def test_rows_and_coverage(tmp_path):
    result = read(tmp_path, GOOD.encode())
    assert result.reported.to_dicts() == [
        {"institution_id": "UA63-0007", "date": dt.date(2025, 3, 31), "meetings": 3, "participants": 40,
         "meeting_minutes": 135, "active_hosts": 2, "platform": "other"},
        {"institution_id": "UA30-0001", "date": dt.date(2025, 3, 31), "meetings": 0, "participants": 0,
         "meeting_minutes": 0, "active_hosts": None, "platform": "other"},
        {"institution_id": "UA63-0007", "date": dt.date(2025, 4, 1), "meetings": 1, "participants": 5,
         "meeting_minutes": 45, "active_hosts": 1, "platform": "other"},
    ]
    cov = result.coverage
    assert (cov.platform, cov.level, cov.scope) == ("other", "daily", "listed")
    assert cov.dates == (dt.date(2025, 3, 31), dt.date(2025, 4, 1))
    assert cov.institutions == ("UA30-0001", "UA63-0007")


def test_platform_column_and_no_active_hosts(tmp_path):
    data = "institution_id,date,meetings,participants,meeting_minutes,platform\nA,2025-03-31,1,2,3,Teams\n"
    result = read(tmp_path, data.encode())
    assert result.reported["platform"].to_list() == ["teams"]
    assert result.reported["active_hosts"].to_list() == [None]
    assert result.coverage.platform == "teams"


def test_cp1251_semicolons_crlf_blank_and_padded_rows_dotted_dates(tmp_path):
    data = (
        "\ufeffinstitution_id;date;meetings;participants;meeting_minutes;active_hosts;;\r\n"
        "Ліцей-7;31.03.2025;3;40;135;2;;\r\n"
        ";;;;;;;\r\n"
        "\r\n"
        "Ліцей-7;01.04.2025;1;5;45;1;;\r\n"
    ).replace("\ufeff", "").encode("cp1251")
    result = read(tmp_path, data)
    assert result.reported["institution_id"].to_list() == ["Ліцей-7", "Ліцей-7"]
    assert result.reported["date"].to_list() == [dt.date(2025, 3, 31), dt.date(2025, 4, 1)]
    assert result.reported["meeting_minutes"].sum() == 180


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_bom_encodings(tmp_path, encoding):
    result = read(tmp_path, GOOD.replace("\n", "\r\n").encode(encoding))
    assert result.reported["meetings"].to_list() == [3, 0, 1]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("A,2025-03-31,-1,0,0,", "line 5: negative meetings"),
        ("A,2025-03-31,1.5,0,0,", "line 5: meetings is not a whole number"),
        ("A,2025-03-31,1,x,0,", "line 5: participants is not a whole number"),
        ("A,31/03/2025,1,1,1,", "line 5: date is not YYYY-MM-DD"),
        ("A,2025-02-30,1,1,1,", "line 5: date is not YYYY-MM-DD"),
        (",2025-03-31,1,1,1,", "line 5: empty institution_id"),
        ("A,2025-03-31,1,1,,", "line 5: meeting_minutes is not a whole number"),
        ("A,2025-03-31,1,1,1,-2", "line 5: negative active_hosts"),
        ("A,2025-03-31,1,1,99999999999999999999999,", "line 5: meeting_minutes is too large"),
        ("UA63-0007,2025-03-31,1,1,1,", "line 5: institution and date already listed above"),
    ],
)
def test_bad_rows_name_the_line(tmp_path, row, message):
    with pytest.raises(FormatError, match=message):
        read(tmp_path, (GOOD + row + "\n").encode())


def test_one_platform_per_file(tmp_path):
    data = (
        "institution_id,date,meetings,participants,meeting_minutes,platform\n"
        "A,2025-03-31,1,2,3,teams\nA,2025-04-01,1,2,3,meet\n"
    )
    with pytest.raises(FormatError, match="line 3: platform differs"):
        read(tmp_path, data.encode())


def test_unknown_column_and_header_only(tmp_path):
    with pytest.raises(FormatError, match="unknown column 'region'"):
        read(tmp_path, b"institution_id,date,meetings,participants,meeting_minutes,region\nA,2025-03-31,1,1,1,UA-63\n")
    with pytest.raises(FormatError, match="no rows under the header"):
        read(tmp_path, b"institution_id,date,meetings,participants,meeting_minutes\n,,,,\n")
