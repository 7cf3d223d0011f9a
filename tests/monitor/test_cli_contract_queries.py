"""DESIGN.md section 6 for data staff scripting queries: a typo (unknown code or id, a range
that runs backwards, a mistyped --home) is exit 2, never an empty answer with exit 0; `sql`
only reads; detection refuses days that have not come yet."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

DAILY_CSV = "institution_id,date,meetings,participants,meeting_minutes\n" + "".join(
    f"{inst},{day},{n},{3 * n},{40 * n}\n"
    for day in ("2025-03-03", "2025-03-04", "2025-03-05")
    for inst, n in (("UA63-0007", 4), ("UA30-0001", 9))
)


@pytest.fixture
def loaded(monitor, directory_csv, tmp_path):
    assert monitor("institutions", "import", str(directory_csv)).exit_code == 0
    daily = tmp_path / "daily.csv"
    daily.write_text(DAILY_CSV, encoding="utf-8")
    assert monitor("ingest", str(daily)).exit_code == 0
    return monitor


def snapshot(home: Path) -> dict[str, str]:
    return {str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(home.rglob("*")) if p.is_file()}


REGION = "Error: unknown region code 'UA-99'; use an ISO 3166-2:UA code such as UA-63\n"
BACKWARDS = "Error: --to 2025-03-03 is before --from 2025-03-05; give a range that moves forward\n"
UNKNOWN_ID = ("Error: institution 'NOPE' is not in the directory or the data; check the id "
              "(`monitor daily` lists what is stored)\n")


@pytest.mark.parametrize(("args", "message"), [
    (["daily", "--region", "UA-99", "--format", "csv"], REGION),
    (["anomalies", "--region", "UA-99", "--format", "json"], REGION),
    (["alerts", "list", "--region", "UA-99"], REGION),
    (["alerts", "silence", "--region", "UA-99", "--for", "2h", "--author", "a", "--reason", "b"], REGION),
    (["daily", "--from", "2025-03-05", "--to", "2025-03-03", "--format", "csv"], BACKWARDS),
    (["anomalies", "--from", "2025-03-05", "--to", "2025-03-03"], BACKWARDS),
    (["daily", "--institution", "NOPE", "--format", "csv"], UNKNOWN_ID),
    (["alerts", "silence", "--institution", "NOPE", "--for", "2h", "--author", "a", "--reason", "b"], UNKNOWN_ID),
])
def test_typos_are_errors_not_empty_answers(loaded, args, message):
    ran = loaded(*args)
    assert (ran.exit_code, ran.stderr, ran.stdout) == (2, message, "")


def test_known_filters_with_no_rows_are_an_empty_answer(loaded):
    ran = loaded("daily", "--institution", "UA63-0007", "--from", "2025-04-01", "--format", "csv")
    assert (ran.exit_code, ran.stdout) == (
        0, "institution_id,date,meetings,participants,meeting_minutes,active_hosts\n")
    rows = loaded("daily", "--region", "UA-63", "--from", "2025-03-04", "--to", "2025-03-04", "--format", "csv")
    assert rows.stdout.splitlines()[1:] == ["UA63-0007,2025-03-04,4,12,160,"]


def test_json_output_ends_with_a_newline(loaded):
    for args in (["daily"], ["anomalies"], ["sql", "SELECT count(*) AS n FROM daily"]):
        out = loaded(*args, "--format", "json").stdout
        assert out.endswith("}\n") and not out.endswith("\n\n"), args
        json.loads(out)


@pytest.mark.parametrize("statement", [
    "DROP TABLE daily", "DELETE FROM daily", "CREATE TABLE t AS SELECT * FROM daily",
    "TRUNCATE daily", "/* looks harmless */\nDROP TABLE institutions",
])
def test_sql_refuses_statements_that_are_not_queries(loaded, home, statement):
    before = snapshot(home)
    ran = loaded("sql", statement)
    kind = statement.split("\n")[-1].split()[0]
    assert (ran.exit_code, ran.stdout) == (2, "")
    assert ran.stderr == (f"Error: `monitor sql` only reads, and this is a {kind} statement; "
                          "write a SELECT over the tables daily, institutions, coverage\n")
    assert snapshot(home) == before
    assert loaded("sql", "SELECT count(*) AS n FROM daily", "--format", "csv").stdout == "n\n6\n"


def test_sql_runs_every_form_of_query(loaded):
    for query in ("WITH d AS (SELECT * FROM daily) SELECT count(*) AS n FROM d",
                  "(SELECT count(*) AS n FROM daily)", "/* total */ SELECT count(*) AS n FROM daily"):
        assert loaded("sql", query, "--format", "csv").stdout == "n\n6\n", query
    empty = loaded("sql", "  ")
    assert (empty.exit_code, empty.stderr) == (
        2, "Error: the query is empty; write a SELECT over the tables daily, institutions, coverage\n")


def test_detect_refuses_a_day_in_the_future_and_stores_nothing(loaded):
    future = dt.date.today() + dt.timedelta(days=400)
    for args in (["--as-of", str(future)], ["--from", "2025-03-03", "--to", str(future)]):
        ran = loaded("detect", *args)
        option = args[-2]
        assert ran.exit_code == 2
        assert ran.stderr.startswith(f"Error: {option} {future} is in the future (today is ")
        assert ran.stderr.endswith("); give a day up to today\n")
    assert json.loads(loaded("anomalies", "--format", "json").stdout) == {"episodes": []}


def test_queries_on_a_missing_home_do_not_create_it(monitor, home):
    for args in (["daily", "--format", "csv"], ["anomalies", "--format", "json"],
                 ["sql", "SELECT 1 AS one"], ["alerts", "list"], ["institution", "UA63-0007"],
                 ["region", "UA-63"]):
        ran = monitor(*args)
        assert (ran.exit_code, ran.stdout) == (2, ""), args
        assert ran.stderr == (f"Error: no home directory at {home}; check --home or $MONITOR_HOME, "
                              "or create it with `monitor init`\n")
    assert not home.exists()
