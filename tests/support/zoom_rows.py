"""Builders of Zoom meeting-history CSV rows for tests (on the test path via tests/support)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

HEADER = (
    "Topic,Type,ID,Host name,Host email,Start time,End time,Participants,Duration (minutes),"
    "Total participant minutes,Department,Group,Source,Unique viewers,Max concurrent views,"
    "Creation time,Name (original name),Email,Join time,Leave time,Duration (minutes),Guest,"
    "Recording disclaimer response,In waiting room"
)


def history_row(meeting_id: str, host: str, start: str, end: str, minutes: int, person: str,
                p_minutes: int, waiting: str = "No", group: str = "") -> str:
    fields = ["Урок", "Meeting", meeting_id, "Вчитель", host, start, end, "1", str(minutes), "0", "",
              group, "Zoom", "", "", "03/01/2025 02:15:00 PM", person, "", start, end, str(p_minutes),
              "No", "", waiting]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(fields)
    return out.getvalue()


def write_history(path: Path, rows: list[str], bom: bool = False) -> Path:
    text = HEADER + "\n" + "".join(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path
