"""`monitor institutions import`: validation is all-or-nothing, re-import updates."""

from __future__ import annotations

import sqlite3

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
                   ": duplicate institution_id 'A'; ids must be unique")


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
    assert result.stderr.startswith(f"Error: {bad}: missing column 'region'; the header must name")
    check_rejected(monitor, home, tmp_path, "A,Школа,UA-05,kindergarten,,,,\n",
                   " line 2: unknown kind 'kindergarten'; use one of school, vocational, college, university")
