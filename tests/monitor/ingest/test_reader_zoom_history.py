"""The meeting-history reader groups join rows into meetings without numbering rows; a file
with a fault is read again, numbered, and the error names the fault's line."""

from __future__ import annotations

import pytest
from zoom_rows import history_row, write_history

from monitor.ingest.decode import read_head
from monitor.ingest.readers.base import FormatError, Source
from monitor.ingest.readers.zoom_history import read

START, END = "03/31/2025 08:58:12 AM", "03/31/2025 09:47:40 AM"


def good_rows(count: int) -> list[str]:
    return [history_row(f"84512345{n:03d}", "o.k@lyceum7.example.org", START, END, 50, "Учень", 40)
            for n in range(count)]


def read_file(tmp_path, rows: list[str]):
    path = write_history(tmp_path / "meetinglistdetails_20250331_20250331.csv", rows)
    return read(Source(head=read_head(path), timezone="Europe/Kyiv", institution=None,
                       workdir=tmp_path / ".work", max_json_bytes=1 << 20))


def test_join_rows_become_meetings(tmp_path):
    rows = good_rows(3) + [history_row("845 12345 000", "o.k@lyceum7.example.org", START, END, 50, "Ще", 10)]
    meetings = read_file(tmp_path, rows).meetings.sort("series_key")
    assert meetings["series_key"].to_list() == ["84512345000", "84512345000", "84512345001", "84512345002"]
    # Differently written meeting ids are different groups here; de-dup merges them later.
    assert meetings["participants"].to_list() == [1, 1, 1, 1]


def joins_of_five_meetings() -> tuple[list[str], dict[str, tuple[int, int]]]:
    """Zoom-ordered join rows of five meetings (one of them recurring: same ID, two starts),
    and each meeting's (participants, participant minutes) worked out by hand."""
    later, later_end = "03/31/2025 01:00:00 PM", "03/31/2025 01:45:00 PM"
    rows, expected = [], {}
    for n, (start, end) in enumerate([(START, END)] * 4 + [(later, later_end)]):
        meeting = f"84512345{min(n, 3):03d}"  # meetings 3 and 4: one series, two instances
        joins = [(f"Учень {j}", 10 + j, "Yes" if j == 1 else "No") for j in range(n + 2)]
        rows += [history_row(meeting, "o.k@lyceum7.example.org", start, end, 50, person, minutes, waiting)
                 for person, minutes, waiting in joins]
        present = [minutes for _, minutes, waiting in joins if waiting == "No"]
        expected[f"{meeting}@{start}"] = (len(present), sum(present))
    return rows, expected


def per_meeting(meetings) -> dict[str, tuple[int, int]]:
    start = meetings["start_utc"].dt.convert_time_zone("Europe/Kyiv").dt.strftime("%m/%d/%Y %I:%M:%S %p")
    keys = (meetings["series_key"] + "@" + start).to_list()
    return dict(zip(keys, meetings.select("participants", "participant_minutes").rows()))


@pytest.mark.parametrize("batch_rows", [2, 3, 250_000])
@pytest.mark.parametrize("order", ["as Zoom writes it", "re-sorted by participant", "shuffled"])
def test_a_meetings_joins_count_once_whatever_the_row_order_and_batches(tmp_path, monkeypatch, order, batch_rows):
    """Joins are aggregated by runs of consecutive rows within batches of rows; a meeting
    cut by a batch boundary or spread over the file by a re-sort counts once, exactly."""
    import random

    from monitor.ingest.readers import zoom_history

    monkeypatch.setattr(zoom_history, "_BATCH_ROWS", batch_rows)
    rows, expected = joins_of_five_meetings()
    if order == "re-sorted by participant":
        rows.sort(key=lambda row: row.split(",")[16])
    elif order == "shuffled":
        random.Random(5).shuffle(rows)
    meetings = read_file(tmp_path, rows).meetings
    assert meetings.height == 5
    assert per_meeting(meetings) == expected


@pytest.mark.parametrize(("fault", "message"), [
    (",".join(history_row("845", "a@b.org", START, END, 50, "Учень", 40).split(",")[:17]) + "\n",
     "no participant join time; the file looks truncated"),
    (history_row("845", "a@b.org", START, END, 50, "Учень", "сорок"),
     "participant duration is not a whole number of minutes"),
    (history_row("845", "a@b.org", START, END, -5, "Учень", 40), "negative meeting duration"),
])
def test_a_fault_deep_in_the_file_is_named_by_its_line(tmp_path, fault, message):
    rows = good_rows(6)
    rows.insert(4, fault)  # data rows start on line 2: the fault is on line 6
    with pytest.raises(FormatError, match=f"^line 6: {message}"):
        read_file(tmp_path, rows)


def test_a_time_that_fits_no_format_is_named(tmp_path):
    rows = good_rows(6)
    rows.insert(4, history_row("845", "a@b.org", START, "31/03/2025 25:00:00 AM", 50, "Учень", 40))
    with pytest.raises(FormatError, match="^start/end time column: unrecognised date-time '31/03/2025 25:00:00 AM'$"):
        read_file(tmp_path, rows)


def test_padded_cells_read_as_if_stripped(tmp_path):
    """Exports carry no padding, so cells are not stripped row by row; a padded meeting ID,
    waiting-room flag or duration sends the file to the careful read, which strips them."""
    plain = [history_row("845", "a@b.org", START, END, 50, "Учень", 40),
             history_row("845", "a@b.org", START, END, 50, "Гість", 5, waiting="Yes"),
             history_row("845", "a@b.org", START, END, 50, "Ще", 10)]
    padded = [history_row(" 845 ", "a@b.org", START, END, 50, "Учень", 40),
              history_row("845", "a@b.org", START, END, 50, "Гість", 5, waiting=" yes"),
              history_row("845", "a@b.org", START, END, 50, "Ще", " 10 "),
              history_row("   ", "", "", "", 0, "", 0)]  # a blank row with spaces for an ID
    expected = read_file(tmp_path, plain).meetings
    assert expected.select("participants", "participant_minutes").row(0) == (2, 50)
    for variant in (padded[:1] + plain[1:], plain[:1] + padded[1:2] + plain[2:], plain[:2] + padded[2:3],
                    plain + padded[3:]):
        assert read_file(tmp_path, variant).meetings.equals(expected)
    # Any case of Yes is the waiting room, on the quick read too.
    shouting = [plain[0], plain[1].replace(",Yes\n", ",YES\n"), plain[2]]
    assert read_file(tmp_path, shouting).meetings.equals(expected)


def test_two_exports_pasted_into_one_file_are_named_as_such(tmp_path):
    from zoom_rows import HEADER

    rows = good_rows(3) + [HEADER + "\n"] + good_rows(2)
    with pytest.raises(FormatError, match="^line 5: the header comes again, as if two exports were pasted "
                                          "into one file; send each export as a file of its own$"):
        read_file(tmp_path, rows)


def test_a_meeting_id_excel_shortened_says_so(tmp_path):
    rows = good_rows(3) + [history_row("8.45123E+10", "a@b.org", START, END, 50, "Учень", 40)]
    with pytest.raises(FormatError, match=r"^line 5: meeting ID 8\.45123E\+10 is a number Excel shortened; "
                                          "export again and do not open and save it in Excel"):
        read_file(tmp_path, rows)
