"""monitor detect / anomalies / institution / region against a real home: directory import,
daily CSV ingest, detection persisted in state.sqlite."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from pathlib import Path

import polars as pl
import pytest

from monitor.scenario import ScenarioConfig, simulate

EPISODE_KEYS = ["id", "scope", "institution_id", "region", "start", "detected_on", "end", "status",
                "severity", "expected", "observed", "metric", "explanation"]


@pytest.fixture(scope="module")
def scenario():
    return simulate(ScenarioConfig(7, 160, dt.date(2022, 9, 1), dt.date(2022, 11, 30)))


@pytest.fixture
def loaded(monitor, tmp_path: Path, scenario):
    directory = tmp_path / "institutions.csv"
    scenario.directory.write_csv(directory)
    daily = tmp_path / "daily.csv"
    scenario.daily.write_csv(daily, date_format="%Y-%m-%d")
    assert monitor("institutions", "import", str(directory)).exit_code == 0
    assert monitor("ingest", str(daily)).exit_code == 0
    return monitor


def stored(home: Path) -> list[tuple]:
    with sqlite3.connect(home / "state.sqlite") as conn:
        return conn.execute('SELECT id, start, detected_on, "end", status, updated_at FROM episodes ORDER BY id').fetchall()


def test_detect_stores_episodes_and_rerunning_changes_nothing(loaded, home, scenario):
    first = loaded("detect")
    assert first.exit_code == 0, first.stderr
    rows = stored(home)
    assert rows, "the scenario holds events; some episodes must be stored"
    missing = scenario.events.filter(pl.col("kind") == "missing_export")["start"].to_list()
    platform = {r[1] for r in rows if r[0].startswith("P-")}
    assert {d.isoformat() for d in missing} <= platform
    again = loaded("detect")
    assert again.exit_code == 0
    assert "new=0 changed=0 removed=0" in again.stdout
    assert stored(home) == rows


def test_replaying_a_range_equals_running_once(loaded, home):
    assert loaded("detect", "--from", "2022-10-01", "--to", "2022-11-30").exit_code == 0
    replayed = stored(home)
    assert loaded("detect", "--as-of", "2022-11-30").exit_code == 0
    assert stored(home) == replayed


def test_fail_on_new_exits_1_only_when_something_new_was_found(loaded):
    assert loaded("detect", "--as-of", "2022-11-15", "--fail-on-new").exit_code == 1
    assert loaded("detect", "--as-of", "2022-11-15", "--fail-on-new").exit_code == 0


def test_anomalies_json_csv_and_filters(loaded):
    loaded("detect")
    out = json.loads(loaded("anomalies", "--format", "json").stdout)
    assert list(out) == ["episodes"] and out["episodes"]
    for ep in out["episodes"]:
        assert list(ep) == EPISODE_KEYS
        dt.date.fromisoformat(ep["start"])
        if ep["scope"] == "platform":
            assert ep["institution_id"] is None and ep["region"] is None
        if ep["scope"] == "region":
            assert ep["institution_id"] is None and ep["region"].startswith("UA-")
    text = loaded("anomalies", "--format", "csv", "--scope", "platform").stdout
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == EPISODE_KEYS and {r[1] for r in table[1:]} == {"platform"}
    opened = json.loads(loaded("anomalies", "--format", "json", "--open").stdout)["episodes"]
    assert all(e["status"] == "open" for e in opened)
    late = json.loads(loaded("anomalies", "--format", "json", "--from", "2022-11-20").stdout)["episodes"]
    assert all(e["end"] is None or e["end"] >= "2022-11-20" for e in late)


def test_views_show_weekly_sparkline_and_episodes(loaded, scenario):
    loaded("detect")
    iid = scenario.directory["institution_id"][0]
    out = loaded("institution", iid)
    assert out.exit_code == 0 and out.stdout.startswith(iid)
    assert "weekly activity" in out.stdout and any(c in out.stdout for c in "▁▂▃▄▅▆▇█")
    assert "open episodes:" in out.stdout and "resolved episodes:" in out.stdout
    region = scenario.directory["region"][0]
    assert loaded("region", region).stdout.startswith(f"{region}: ")


@pytest.mark.parametrize("args, message", [
    (("region", "UA-99"), "Error: unknown region code 'UA-99'; use ISO 3166-2:UA codes such as UA-63\n"),
    (("institution", "NOPE"), "Error: institution 'NOPE' is not in the directory or the data; check the id (`monitor daily` lists what is stored)\n"),
    (("detect", "--from", "2022-10-01"), "Error: --from and --to go together; give both, or --as-of\n"),
    (("detect", "--as-of", "2022-10-01", "--from", "2022-10-01", "--to", "2022-10-02"),
     "Error: --as-of cannot be combined with --from/--to; give one or the other\n"),
])
def test_user_mistakes_are_one_line_errors_with_exit_2(loaded, args, message):
    out = loaded(*args)
    assert (out.exit_code, out.stderr) == (2, message)


def test_detect_on_an_empty_store_says_what_to_do(monitor):
    out = monitor("detect")
    assert out.exit_code == 2
    assert out.stderr == "Error: the store holds no daily metrics; ingest exports with `monitor ingest` first\n"


def test_evaluate_scores_the_stored_data_against_scenario_labels(loaded, tmp_path, scenario):
    folder = tmp_path / "scenario"
    folder.mkdir()
    scenario.events.write_csv(folder / "events.csv", date_format="%Y-%m-%d")
    (folder / "scenario.json").write_text(json.dumps(
        {"start": "2022-09-01", "end": "2022-11-30", "institutions": 160}), encoding="utf-8")
    out = loaded("evaluate", "--scenario", str(folder))
    assert out.exit_code == 0, out.stderr
    header, row = out.stdout.splitlines()[:2]
    assert header.split()[:4] == ["run", "F1", "P", "R"]
    missing = scenario.events.filter(pl.col("kind") == "missing_export")
    days = sum((e - s).days + 1 for s, e in zip(missing["start"], missing["end"]))
    assert f"{days}/{days} 0" in row  # every missing day found, nobody blamed


def test_evaluate_rejects_a_folder_that_is_not_a_scenario(loaded, tmp_path):
    out = loaded("evaluate", "--scenario", str(tmp_path))
    assert out.exit_code == 2
    assert out.stderr.startswith(f"Error: {tmp_path}: not a generated scenario (")
    assert out.stderr.endswith("give the --out folder of `monitor fixtures generate`\n")
