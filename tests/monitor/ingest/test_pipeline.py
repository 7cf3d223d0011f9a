"""End to end through the CLI: ingest of the Zoom meeting-history export, idempotency,
de-duplication, quarantine, exit codes."""

from __future__ import annotations

import csv
import io
import re
import sqlite3

from zoom_rows import history_row, write_history

def daily_csv(monitor) -> list[dict[str, str]]:
    result = monitor("daily", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_meeting_history_export_becomes_exact_daily_metrics(monitor, directory_csv, tmp_path):
    assert monitor("institutions", "import", str(directory_csv)).exit_code == 0
    export = write_history(tmp_path / "meetinglistdetails_20250331_20250401.csv", [
        history_row("845 1234 5678", "o.k@lyceum7.example.org", "03/31/2025 08:58:12 AM",
                    "03/31/2025 09:47:40 AM", 50, "Олена (Host)", 50),
        history_row("845 1234 5678", "o.k@lyceum7.example.org", "03/31/2025 08:58:12 AM",
                    "03/31/2025 09:47:40 AM", 50, "Іван", 20),
        history_row("845 1234 5678", "o.k@lyceum7.example.org", "03/31/2025 08:58:12 AM",
                    "03/31/2025 09:47:40 AM", 50, "Гість", 3, waiting="Yes"),
        # Same meeting id the next day: a second instance of a recurring meeting.
        history_row("845 1234 5678", "O.K@Lyceum7.example.org", "04/01/2025 08:58:00 AM",
                    "04/01/2025 09:30:00 AM", 32, "Олена (Host)", 32),
        # A university host on a subdomain; a meeting that crosses midnight belongs to its start day.
        history_row("111", "r@dept.uni.example.org", "03/31/2025 11:30:00 PM",
                    "04/01/2025 12:10:00 AM", 40, "Ректор", 40),
        history_row("222", "x@elsewhere.example.org", "03/31/2025 10:00:00 AM",
                    "03/31/2025 10:30:00 AM", 30, "X", 30),
    ], bom=True)
    result = monitor("ingest", str(export))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "meetinglistdetails_20250331_20250401.csv: ingested: 4 meetings, 1 unmapped"
    )
    assert daily_csv(monitor) == [
        {"institution_id": "UA30-0001", "date": "2025-03-31", "meetings": "1", "participants": "1",
         "meeting_minutes": "40", "active_hosts": "1"},
        {"institution_id": "UA30-0001", "date": "2025-04-01", "meetings": "0", "participants": "0",
         "meeting_minutes": "0", "active_hosts": "0"},
        {"institution_id": "UA63-0007", "date": "2025-03-31", "meetings": "1", "participants": "2",
         "meeting_minutes": "50", "active_hosts": "1"},
        {"institution_id": "UA63-0007", "date": "2025-04-01", "meetings": "1", "participants": "1",
         "meeting_minutes": "32", "active_hosts": "1"},
    ]


def test_reingest_and_overlapping_exports_count_each_meeting_once(monitor, directory_csv, tmp_path):
    monitor("institutions", "import", str(directory_csv))
    first = write_history(tmp_path / "a.csv", [
        history_row("1", "t@lyceum7.example.org", "03/31/2025 09:00:00 AM", "03/31/2025 09:45:00 AM", 45, "A", 45),
        history_row("2", "t@lyceum7.example.org", "04/01/2025 09:00:00 AM", "04/01/2025 09:45:00 AM", 45, "A", 45),
    ])
    # An overlapping export: meeting 2 again, re-saved by Excel (no seconds), plus meeting 3.
    second = write_history(tmp_path / "b.csv", [
        history_row("2", "t@lyceum7.example.org", "04/01/2025 09:00", "04/01/2025 09:45", 45, "A", 45),
        history_row("3", "t@lyceum7.example.org", "04/02/2025 09:00", "04/02/2025 09:45", 45, "A", 45),
    ])
    assert monitor("ingest", str(first)).exit_code == 0
    again = monitor("ingest", str(first))
    assert again.exit_code == 0
    assert "already ingested" in again.stdout
    result = monitor("ingest", str(second))
    assert "2 meetings (1 already stored)" in result.stdout
    meetings = {(r["date"], r["meetings"]) for r in daily_csv(monitor) if r["institution_id"] == "UA63-0007"}
    assert meetings == {("2025-03-31", "1"), ("2025-04-01", "1"), ("2025-04-02", "1")}


def test_bad_files_are_quarantined_and_the_rest_of_the_batch_is_ingested(monitor, directory_csv, tmp_path, home):
    monitor("institutions", "import", str(directory_csv))
    batch = tmp_path / "batch"
    batch.mkdir()
    write_history(batch / "good.csv", [
        history_row("1", "t@lyceum7.example.org", "03/31/2025 09:00:00 AM", "03/31/2025 09:45:00 AM", 45, "A", 45),
    ])
    write_history(batch / "backwards.csv", [
        history_row("9", "t@lyceum7.example.org", "03/31/2025 10:00:00 AM", "03/31/2025 09:00:00 AM", 5, "A", 5),
    ])
    (batch / "empty.csv").write_bytes(b"")
    (batch / "junk.bin").write_bytes(bytes(range(256)) * 10)
    (batch / "notes.txt").write_text("shopping list\nmilk\n", encoding="utf-8")
    before = daily_csv(monitor)
    result = monitor("ingest", str(batch))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "backwards.csv: rejected: zoom-meeting-history: line 2: meeting ends before it starts; copied to quarantine/",
        "empty.csv: rejected: empty file; export it again; copied to quarantine/",
        "junk.bin: rejected: not a text export (binary data); send the original CSV or JSON; copied to quarantine/",
        f"notes.txt: rejected: unknown format; supported: {supported_formats()}; copied to quarantine/",
    ]
    assert result.stdout.splitlines()[-1] == "1 ingested, 0 already stored, 4 rejected"
    quarantined = sorted(p.name for p in (home / "quarantine").iterdir())
    assert quarantined == sorted(
        [n for name in ("backwards.csv", "empty.csv", "junk.bin", "notes.txt") for n in (name, name + ".reason")]
    )
    assert (home / "quarantine" / "empty.csv.reason").read_text() == "empty file; export it again\n"
    assert before == [] and len(daily_csv(monitor)) == 2


def supported_formats() -> str:
    from monitor.ingest.readers import READERS

    return ", ".join(r.name for r in READERS)


def test_unknown_institution_option_is_a_usage_error(monitor, directory_csv, tmp_path):
    monitor("institutions", "import", str(directory_csv))
    export = write_history(tmp_path / "x.csv", [
        history_row("1", "t@x.example.org", "03/31/2025 09:00:00 AM", "03/31/2025 09:45:00 AM", 45, "A", 45),
    ])
    result = monitor("ingest", str(export), "--institution", "NOPE")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: unknown institution 'NOPE'; import the directory first "
        "(monitor institutions import FILE.csv)\n"
    )


def test_missing_path_is_a_usage_error(monitor, tmp_path):
    result = monitor("ingest", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'nope.csv'}: no such file or folder; check the path\n"


def test_no_host_email_or_name_is_stored(monitor, directory_csv, tmp_path, home):
    monitor("institutions", "import", str(directory_csv))
    # Exports saved per user often carry the address in the file name, which the store keeps.
    export = write_history(tmp_path / "olena.secret@lyceum7.example.org_20250331.csv", [
        history_row("1", "olena.secret@lyceum7.example.org", "03/31/2025 09:00:00 AM",
                    "03/31/2025 09:45:00 AM", 45, "Олена Таємна", 45),
    ])
    monitor("ingest", str(export))
    stored = b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file() and p.name != "secret.key")
    assert b"olena.secret" not in stored
    assert "Олена".encode() not in stored and "Урок".encode() not in stored
    with sqlite3.connect(home / "state.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM parts").fetchone() == (1,)
        (name,) = conn.execute("SELECT file_name FROM ledger").fetchone()
    assert re.fullmatch(r"host-[0-9a-f]{12}_20250331\.csv", name)
    assert b"lyceum7.example.org_2025" not in stored
