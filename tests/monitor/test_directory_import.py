"""`monitor institutions import`: validation is all-or-nothing, re-import updates."""

from __future__ import annotations

import sqlite3

import pytest
from conftest_directory import HEADER


def rows(home) -> list[tuple]:
    with sqlite3.connect(home / "state.sqlite") as conn:
        return conn.execute("SELECT institution_id, name, region FROM institutions ORDER BY 1").fetchall()


def test_import_then_reimport_updates(monitor, home, directory_csv, tmp_path):
    result = monitor("institutions", "import", str(directory_csv))
    assert (result.exit_code, result.stdout) == (0, "institutions.csv: 2 institutions added, 0 updated\n")
    update = tmp_path / "update.csv"
    update.write_text(HEADER + "UA63-0007,Ліцей №7 (новий),UA-63,school,,,,\nUA05-0001,Школа,UA-05,school,,,,\n",
                      encoding="utf-8")
    result = monitor("institutions", "import", str(update))
    assert result.stdout == "update.csv: 1 institutions added, 1 updated\n"
    assert rows(home) == [("UA05-0001", "Школа", "UA-05"), ("UA30-0001", "Університет", "UA-30"),
                          ("UA63-0007", "Ліцей №7 (новий)", "UA-63")]


def check_rejected(monitor, home, tmp_path, body: str, message: str) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + body, encoding="utf-8")
    result = monitor("institutions", "import", str(bad))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {bad}{message}\n"
    assert rows(home) == []


def test_unknown_region_is_rejected_and_nothing_imported(monitor, home, tmp_path):
    check_rejected(monitor, home, tmp_path, "A,Школа,UA-99,school,,,,\n",
                   " line 2: unknown region code 'UA-99'; use ISO 3166-2:UA codes such as UA-63 (Kharkiv) or UA-30 (Kyiv city)")


def test_duplicate_id_is_rejected(monitor, home, tmp_path):
    check_rejected(monitor, home, tmp_path, "A,Школа,UA-05,school,,,,\nA,Інша,UA-05,school,,,,\n",
                   " line 3: duplicate institution_id 'A' (also on line 2); ids must be unique")


def test_domain_claimed_twice_is_rejected(monitor, home, tmp_path):
    check_rejected(monitor, home, tmp_path,
                   "A,Школа,UA-05,school,,,a.example.org;shared.example.org,\nB,Інша,UA-05,school,,,Shared.example.org,\n",
                   ": email domain 'shared.example.org' is claimed by both A and B; give each to one institution")


def test_group_claimed_twice_is_rejected(monitor, home, tmp_path):
    check_rejected(monitor, home, tmp_path, "A,Школа,UA-05,school,,G1,,\nB,Інша,UA-05,school,,g1,,\n",
                   ": zoom_group 'g1' is claimed by both A and B; give each to one institution")


def test_missing_column_and_unknown_kind(monitor, home, tmp_path):
    bad = tmp_path / "cols.csv"
    bad.write_text("institution_id,name,kind\nA,B,school\n", encoding="utf-8")
    result = monitor("institutions", "import", str(bad))
    assert result.stderr.startswith(f"Error: {bad} line 1: missing column 'region'; the header must name")
    check_rejected(monitor, home, tmp_path, "A,Школа,UA-05,kindergarten,,,,\n",
                   " line 2: unknown kind 'kindergarten'; use one of school, vocational, college, university")


ROW = "A,Школа,UA-05,school,,,,\n"
UNCLOSED = (" malformed CSV, unclosed quote (a quoted cell opens here and never ends); close the "
            'quote, or double quotes inside a quoted cell ("")')
WIDTH = ("; give every row one cell per column (empty cells are fine) and quote cells that "
         "contain commas")


@pytest.mark.parametrize(("content", "message"), [
    # The audit's case: the quote swallows the rest of the file, which read as "empty region".
    (HEADER + 'X1,"foo,UA-63,school,,,,\n', " line 2:" + UNCLOSED),
    (HEADER + ROW + 'X1,"foo,UA-63,school,,,,\nB,"Ліцей",UA-05,school,,,,\n', " line 3:" + UNCLOSED),
    (HEADER.replace("\n", "\r\n") + 'B,"два\r\nрядки",UA-05,school,,,,\r\nX1,"foo,UA-63,school,,,,\r\n',
     " line 4:" + UNCLOSED),
    (HEADER + 'X1,"foo" bar,UA-63,school,,,,\n',
     ' line 2: malformed CSV, text after the closing quote of a cell; quote the whole cell and '
     'double quotes inside it ("")'),
    (HEADER + 'X1,"foo,UA-63,school,,,,\nX2,",UA-63,school,,,,\n',
     " line 2: malformed CSV, a quoted cell opens on this line and runs on to line 3; close its "
     "quote on the same line (no directory cell holds a line break)"),
    (HEADER + ROW + "B,Ліцей,UA-05,school,,,,,extra\n", " line 3: malformed CSV, 9 cells but the header has 8" + WIDTH),
    (HEADER + "B,Ліцей,UA-05\n", " line 2: malformed CSV, 3 cells but the header has 8" + WIDTH),
    (HEADER + ROW + "B,Лі\0цей,UA-05,school,,,,\n",
     " line 3: a NUL byte, so this is not CSV text (a spreadsheet or UTF-16 file?); export the "
     "directory again as CSV UTF-8"),
    ((HEADER + ROW).encode() + "B,Ліцей,UA-05,school,,,,\n".encode("cp1251"),
     " line 3: not UTF-8 text (byte 0xf6); save the directory as CSV UTF-8"),
    ((HEADER + ROW).encode("utf-16"), " line 1: UTF-16 text, not UTF-8; save the directory as CSV UTF-8"),
    (HEADER + ROW + "\ufeff" + HEADER + "B,Ліцей,UA-05,school,,,,\n",
     " line 3: a byte-order mark (BOM) inside the file; files were probably joined: remove it, "
     "or join the files without their BOMs"),
    ("institution_id,name,kind,zoom_group\n" + "A,Школа,school,\n",
     " line 1: missing column 'region'; the header must name institution_id, name, region, "
     "kind, zoom_account_id, zoom_group, email_domains, contacts"),
    ("institution_id,name,region,kind,name\n" + "A,Школа,UA-05,school,Ш\n",
     " line 1: column 'name' appears twice; keep one of them"),
    ("", ": the file is empty; put the header (institution_id, name, region, kind, "
     "zoom_account_id, zoom_group, email_domains, contacts) on line 1 and one institution per "
     "line below it"),
])
def test_malformed_csv_names_file_and_line_and_imports_nothing(monitor, home, tmp_path, content, message):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    result = monitor("institutions", "import", str(bad))
    assert (result.exit_code, result.stderr) == (2, f"Error: {bad}{message}\n")
    assert rows(home) == []


def test_leading_bom_and_quoted_commas_import(monitor, home, tmp_path):
    good = tmp_path / "excel.csv"
    good.write_bytes(b"\xef\xbb\xbf" + (HEADER + 'A,"Школа, №1",UA-05,school,,,,\r\n\r\n').encode())
    result = monitor("institutions", "import", str(good))
    assert (result.exit_code, result.stdout) == (0, "excel.csv: 1 institutions added, 0 updated\n")
    assert rows(home) == [("A", "Школа, №1", "UA-05")]
