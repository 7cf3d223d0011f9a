"""DESIGN.md section 6, through the real `monitor` console script: a user mistake is exit 2 and
exactly one line on stderr, `Error: what happened; what to do` (no click usage block)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

MONITOR = Path(sys.executable).parent / "monitor"


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "MONITOR_HOME"}
    return subprocess.run([str(MONITOR), *args], check=False, capture_output=True, text=True,
                          env=env, timeout=60)


@pytest.mark.parametrize(("args", "message"), [
    (["daily", "--from", "2025-13-01"],
     "Error: Invalid value for '--from': '2025-13-01' is not a date; write it as YYYY-MM-DD, e.g. 2025-03-01"),
    (["anomalies", "--to", "yesterday"],
     "Error: Invalid value for '--to': 'yesterday' is not a date; write it as YYYY-MM-DD, e.g. 2025-03-01"),
    (["daily", "--format", "xml"],
     ("Error: Invalid value for '--format': 'xml' is not one of 'table', 'csv', 'json'; "
      "see 'monitor daily --help'")),
    (["report", "weekly"], "Error: Missing option '--week'; see 'monitor report weekly --help'"),
    (["alerts", "ack", "A-1"], "Error: Missing option '--by'; see 'monitor alerts ack --help'"),
    (["ingest"], "Error: Missing argument 'PATHS...'; see 'monitor ingest --help'"),
    (["alerts", "dispatch", "--bogus"], "Error: No such option '--bogus'; see 'monitor alerts dispatch --help'"),
    (["nosuch"], "Error: No such command 'nosuch'; see 'monitor --help'"),
    (["daily", "--region", "kharkiv"],
     "Error: unknown region code 'kharkiv'; use an ISO 3166-2:UA code such as UA-63"),
])
def test_usage_mistakes_are_one_line(tmp_path, args, message):
    ran = run("--home", str(tmp_path), *args)
    assert (ran.returncode, ran.stderr, ran.stdout) == (2, message + "\n", "")


def test_home_that_is_a_file_is_one_line(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    for args in (["--home", str(afile), "daily"], ["demo", "--home", str(afile)]):
        ran = run(*args)
        assert (ran.returncode, ran.stderr) == (
            2, f"Error: {afile} is not a directory; pass --home with a directory path\n")


def test_date_options_show_their_format_in_help():
    for command in (["daily"], ["anomalies"], ["detect"]):
        ran = run(*command, "--help")
        assert ran.returncode == 0
        assert "--from YYYY-MM-DD" in ran.stdout and "%Y" not in ran.stdout, ran.stdout
