"""Property: any bytes given to `monitor ingest` are either stored or cleanly rejected, one
line per file, with a .reason in quarantine, never a traceback and never a change to what
was stored before."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from monitor.cli import main

DIRECTORY = (
    "institution_id,name,region,kind,zoom_account_id,zoom_group,email_domains,contacts\n"
    "LYC7,Ліцей №7,UA-63,school,,,lyceum7.example.org,\n"
)
PARTICIPANTS = (
    "Topic,ID,Host,Duration (minutes),Start time,End time,Participants\r\n"
    "Алгебра,84512345678,Олена (o.kovalenko@lyceum7.example.org),50,\"03/31/2025 08:58:12 AM\",\"03/31/2025 09:47:40 AM\",2\r\n"
    "\r\n"
    "Name (original name),Email,Join time,Leave time,Duration (minutes),Guest,In waiting room\r\n"
    "Олена (Host),o.kovalenko@lyceum7.example.org,\"03/31/2025 08:58:12 AM\",\"03/31/2025 09:47:40 AM\",50,No,No\r\n"
    "Іван,,\"03/31/2025 09:01:03 AM\",\"03/31/2025 09:20:55 AM\",20,Yes,No\r\n"
)
HISTORY = (
    "Topic,Type,ID,Host name,Host email,Start time,End time,Participants,Duration (minutes),"
    "Total participant minutes,Department,Group,Source,Unique viewers,Max concurrent views,Creation time,"
    "Name (original name),Email,Join time,Leave time,Duration (minutes),Guest,Recording disclaimer response,In waiting room\n"
    "Фізика,Meeting,87654321098,Олена,o.kovalenko@lyceum7.example.org,04/02/2025 10:00:05 AM,04/02/2025 10:46:30 AM,"
    "1,47,47,,,Zoom,,,03/01/2025 02:15:00 PM,Олена (Host),o.kovalenko@lyceum7.example.org,"
    "04/02/2025 10:00:05 AM,04/02/2025 10:46:30 AM,47,No,,No\n"
)
API = json.dumps({"from": "2025-04-03", "to": "2025-04-03", "next_page_token": "", "meetings": [
    {"uuid": "Q1==", "id": 84512345678, "user_email": "o.kovalenko@lyceum7.example.org",
     "start_time": "2025-04-03T05:00:00Z", "end_time": "2025-04-03T05:45:00Z", "duration": 45,
     "total_minutes": 90, "participants_count": 2}]})
DAILY_API = json.dumps({"year": 2025, "month": 4, "dates": [
    {"date": "2025-04-04", "new_users": 0, "meetings": 3, "participants": 9, "meeting_minutes": 99}]})
DAILY_CSV = "institution_id,date,meetings,participants,meeting_minutes\nLYC7,2025-04-05,1,2,3\n"
SAMPLES = [s.encode("utf-8") for s in (PARTICIPANTS, HISTORY, API, DAILY_API, DAILY_CSV)]

_names = itertools.count()


class Home:
    """One home for every example: earlier examples' stored data is the 'before' of later ones."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.inputs = self.root / "inputs"
        self.inputs.mkdir()
        directory = self.root / "dir.csv"
        directory.write_text(DIRECTORY, encoding="utf-8")
        assert self.run("institutions", "import", str(directory)).exit_code == 0
        baseline = self.inputs / "baseline.csv"
        baseline.write_text(PARTICIPANTS, encoding="utf-8")
        assert self.run("ingest", str(baseline)).exit_code == 0

    def run(self, *args: str):
        return CliRunner().invoke(main, ["--home", str(self.root / "home"), *args])

    def daily(self) -> str:
        ran = self.run("daily", "--format", "csv")
        assert ran.exit_code == 0, ran.stderr
        return ran.stdout


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    return Home(tmp_path_factory.mktemp("property-home"))


def check_ingest(home: Home, data: bytes) -> None:
    name = f"f{next(_names)}.dat"
    path = home.inputs / name
    path.write_bytes(data)
    before = home.daily()
    ran = home.run("ingest", str(path))
    assert ran.exception is None or isinstance(ran.exception, SystemExit), repr(ran.exception)
    assert ran.exit_code in (0, 1), (ran.exit_code, ran.stdout, ran.stderr)
    assert "Traceback" not in ran.stdout + ran.stderr
    file_lines = [line for line in (ran.stdout + ran.stderr).splitlines() if line.startswith(f"{name}: ")]
    assert len(file_lines) == 1, ran.stdout + ran.stderr
    event(file_lines[0].split(": ")[1])
    if ran.exit_code == 1:
        assert file_lines[0].startswith(f"{name}: rejected: ")
        reason = home.root / "home" / "quarantine" / f"{name}.reason"
        assert reason.read_text(encoding="utf-8").strip()
        assert home.daily() == before
    else:
        assert file_lines[0].startswith((f"{name}: ingested: ", f"{name}: duplicate: "))


FAST = settings(max_examples=30, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@FAST
@given(data=st.binary(max_size=600))
def test_arbitrary_bytes(shared_home, data):
    check_ingest(shared_home, data)


@st.composite
def damaged_samples(draw) -> bytes:
    """A valid export, then cut, spliced with junk, re-encoded or with a field changed."""
    data = draw(st.sampled_from(SAMPLES))
    kind = draw(st.sampled_from(["truncate", "insert", "replace", "encode", "digits"]))
    if kind == "truncate":
        return data[: draw(st.integers(1, max(1, len(data) - 1)))]
    if kind == "insert":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=20)) + data[at:]
    if kind == "replace":
        at = draw(st.integers(0, len(data) - 1))
        junk = draw(st.sampled_from([b",", b";", b"\n", b"\"", b"-", b"{", b"]", b":", b"\x00", b"\xff", b"9", b" "]))
        return data[:at] + junk + data[at + 1:]
    if kind == "encode":
        codec = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-8-sig", "cp1251"]))
        return data.decode("utf-8").encode(codec, errors="replace")
    # digits: swap one number for something impossible
    text = data.decode("utf-8")
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    at = draw(st.sampled_from(digits))
    value = draw(st.sampled_from(["-1", "x", "99999999999999999999999", "", "1.5", "0"]))
    return (text[:at] + value + text[at + 1:]).encode("utf-8")


@FAST
@given(data=damaged_samples())
def test_damaged_exports(shared_home, data):
    check_ingest(shared_home, data)


@settings(max_examples=20, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(header=st.sampled_from([s.decode().splitlines()[0] for s in SAMPLES[:2] + SAMPLES[4:]]),
       body=st.lists(st.lists(st.text(alphabet=",;\"\n 0123456789-/:.APMaб@", max_size=12), max_size=8), max_size=5))
def test_known_header_random_rows(shared_home, header, body):
    text = header + "\n" + "\n".join(",".join(row) for row in body) + "\n"
    check_ingest(shared_home, text.encode("utf-8"))
