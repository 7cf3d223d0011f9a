"""A file that cannot be read (gone since its folder was listed, or no permission) is one
rejected line in the batch: the files before and after it are still ingested and committed."""

from __future__ import annotations

import os
import sqlite3

from monitor.home import Home
from monitor.ingest.pipeline import ingest_paths

HEADER = "institution_id,date,meetings,participants,meeting_minutes\n"


def test_a_file_gone_mid_batch_is_rejected_and_the_rest_is_stored(monitor, directory_csv, tmp_path, home):
    assert monitor("institutions", "import", str(directory_csv)).exit_code == 0
    folder = tmp_path / "inbox"
    folder.mkdir()
    for day in range(1, 5):
        (folder / f"usage-{day}.csv").write_text(
            HEADER + f"UA63-0007,2025-03-0{day},{day},10,45\n", encoding="utf-8")
    doomed = folder / "usage-4.csv"

    def remove_the_last_once_the_first_is_done(outcome):
        # Files are read one ahead: when the first outcome arrives the fourth is not read yet.
        doomed.unlink(missing_ok=True)

    outcomes = ingest_paths(Home.open(home), [folder], on_outcome=remove_the_last_once_the_first_is_done)

    assert [(o.path.name, o.status) for o in outcomes] == [
        ("usage-1.csv", "ingested"), ("usage-2.csv", "ingested"), ("usage-3.csv", "ingested"),
        ("usage-4.csv", "rejected"),
    ]
    assert outcomes[-1].message == (
        "cannot read the file (No such file or directory); check that it is still there and "
        "readable, then run the ingest again; left where it is"
    )
    with sqlite3.connect(home / "state.sqlite") as conn:
        ledger = conn.execute("SELECT file_name, status FROM ledger ORDER BY file_name").fetchall()
    # Nothing is remembered of the unreadable file: once it is back, a rerun ingests it.
    assert ledger == [("usage-1.csv", "ingested"), ("usage-2.csv", "ingested"), ("usage-3.csv", "ingested")]
    result = monitor("daily", "--format", "csv", "--institution", "UA63-0007")
    assert result.stdout.splitlines()[1:] == [
        "UA63-0007,2025-03-01,1,10,45,", "UA63-0007,2025-03-02,2,10,45,", "UA63-0007,2025-03-03,3,10,45,",
    ]


def test_a_file_dated_far_out_is_rejected_whole(monitor, directory_csv, tmp_path, home):
    """One typo like 9999-12-31 would make every later replay of detection run to that day."""
    assert monitor("institutions", "import", str(directory_csv)).exit_code == 0
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "UA63-0007,2025-03-03,3,10,45\n", encoding="utf-8")
    future = tmp_path / "future.csv"
    future.write_text(HEADER + "UA63-0007,2025-03-04,3,10,45\nUA63-0007,9999-12-31,1,1,1\n", encoding="utf-8")
    ancient = tmp_path / "ancient.csv"
    ancient.write_text(HEADER + "UA63-0007,1900-03-04,3,10,45\n", encoding="utf-8")

    result = monitor("ingest", str(good), str(future), str(ancient))

    assert result.exit_code == 1
    future_line, ancient_line = result.stderr.splitlines()
    # (today's date, in Kyiv, sits between the two halves)
    assert future_line.startswith("future.csv: rejected: a date in it is 9999-12-31, after today (")
    assert future_line.endswith("); check the export's dates (a typo, or days and months swapped); "
                                "copied to quarantine/")
    assert ancient_line == (
        "ancient.csv: rejected: a date in it is 1900-03-04, before 2000-01-01; check the export's "
        "dates (a typo, or days and months swapped); copied to quarantine/")
    assert (home / "quarantine" / "future.csv.reason").exists()
    daily = monitor("daily", "--format", "csv").stdout.splitlines()
    assert daily[1:] == ["UA63-0007,2025-03-03,3,10,45,"]


def test_a_year_before_the_first_one_is_a_rejection_not_a_traceback(monitor, directory_csv, tmp_path):
    """polars reads "-1025" as a year, which Python dates cannot hold (found by hypothesis)."""
    from zoom_rows import history_row, write_history

    assert monitor("institutions", "import", str(directory_csv)).exit_code == 0
    start, end = "04/02/2025 10:00:05 AM", "04/02/2025 10:46:30 AM"
    files = {name: write_history(tmp_path / f"{name}.csv", [history_row(
        "845", "o.k@lyceum7.example.org", start.replace("2025", s_year), end.replace("2025", e_year), 47, "A", 47)])
        for name, s_year, e_year in (("end", "2025", "-1025"), ("both", "-1025", "-1025"))}

    result = monitor("ingest", *map(str, files.values()))

    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.splitlines() == [
        "end.csv: rejected: zoom-meeting-history: line 2: meeting ends before it starts; copied to quarantine/",
        "both.csv: rejected: a date in it is -1025-04-02, before 2000-01-01; check the export's dates "
        "(a typo, or days and months swapped); copied to quarantine/",
    ]


def test_links_to_nothing_and_pipes_in_a_folder_are_reported_not_passed_over(monitor, directory_csv, tmp_path, home):
    assert monitor("institutions", "import", str(directory_csv)).exit_code == 0
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "usage.csv").write_text(HEADER + "UA63-0007,2025-03-03,3,10,45\n", encoding="utf-8")
    (folder / "gone.csv").symlink_to(tmp_path / "nowhere.csv")
    os.mkfifo(folder / "pipe.csv")  # reading it would wait for a writer for ever

    result = monitor("ingest", str(folder))

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "gone.csv: rejected: a link to a file that is not there; ingest the file itself; left where it is",
        "pipe.csv: rejected: not a regular file (a pipe, socket or device); save the export as a file "
        "and ingest that; left where it is",
    ]
    assert result.stdout.splitlines() == ["usage.csv: ingested: 1 daily rows", "1 ingested, 0 already stored, 2 rejected"]
