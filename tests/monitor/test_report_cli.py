"""`monitor report weekly` and `monitor report send` against a real home directory and a real
SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import sqlite3
from email import message_from_bytes, policy
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("report_speed", ROOT / "benchmarks/report_speed.py")
scenario = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scenario)

WEEK = scenario.WEEK
MONDAY = dt.date(2026, 11, 16)


@pytest.fixture
def filled_home(home: Path, monitor, tmp_path: Path) -> Path:
    """A home with the scenario's directory, daily metrics, episodes, coverage and ledger.
    Daily Parquet files are written where the store keeps them (as if ingested)."""
    inputs = scenario.synthetic_inputs(60)
    csv = tmp_path / "dir.csv"
    inputs["directory"].write_csv(csv)
    assert monitor("institutions", "import", str(csv)).exit_code == 0
    daily_dir = home / "store" / "daily"
    daily_dir.mkdir(parents=True, exist_ok=True)
    frame = inputs["daily"]
    for (month,), part in frame.group_by(pl.col("date").dt.strftime("%Y-%m")):
        part.write_parquet(daily_dir / f"{month}.parquet")
    with sqlite3.connect(home / "state.sqlite") as conn:
        eps = inputs["episodes"].with_columns(pl.col("start", "detected_on", "end").cast(pl.String))
        conn.executemany(
            f"INSERT INTO episodes ({', '.join(repr(c) for c in eps.columns)}, updated_at) "
            f"VALUES ({', '.join('?' for _ in eps.columns)}, '2026-11-23T06:00:00Z')",
            eps.rows(),
        )
        conn.executemany(
            "INSERT INTO covered_days (platform, level, date, sha256) VALUES ('zoom', 'daily', ?, 'abc')",
            [(str(d),) for d in frame["date"].unique().to_list()],
        )
        conn.execute("INSERT INTO covered_institutions (sha256, institution_id) VALUES ('abc', '')")
        conn.execute("INSERT INTO ledger (sha256, file_name, status, ingested_at) "
                     "VALUES ('x1', 'a.csv', 'ingested', '2026-11-18T05:00:00Z')")
        conn.execute("INSERT INTO ledger (sha256, file_name, status, reason, ingested_at) "
                     "VALUES ('x2', 'b.csv', 'rejected', 'bad', '2026-11-19T05:00:00Z')")
        conn.execute("INSERT INTO ledger (sha256, file_name, status, ingested_at) "
                     "VALUES ('x3', 'c.csv', 'ingested', '2026-11-10T05:00:00Z')")
    (home / "quarantine" / "b.csv").write_text("bad")
    (home / "quarantine" / "b.csv.reason").write_text("bad")
    return home


def quality_cells(html: str) -> list[str]:
    table = re.search(r'<table[^>]*class="quality">(.*?)</table>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", table, re.S)]


def test_report_weekly_writes_browser_and_email_variants(filled_home, monitor, tmp_path):
    out = tmp_path / "out" / "report.html"
    ran = monitor("report", "weekly", "--week", WEEK, "--lang", "en", "--out", str(out))
    assert ran.exit_code == 0, ran.stderr
    assert ran.stdout == f"wrote {out}\nwrote {out.with_suffix('.eml')}\n"
    html = out.read_text(encoding="utf-8")
    assert html.count('class="tile"') == 27 and '<html lang="en">' in html
    cells = quality_cells(html)
    assert cells[1::2][:4] == ["1", "1", "1", "6 / 7"]  # received, rejected, quarantined, days
    assert cells[9] == "21 Nov 2026"  # the scenario's uncovered Saturday
    message = message_from_bytes(out.with_suffix(".eml").read_bytes(), policy=policy.default)
    assert message["Subject"] == f"Learning continuity, week {WEEK}: Ukraine"
    regional = monitor("report", "weekly", "--week", WEEK, "--region", "UA-63")
    assert regional.exit_code == 0
    default = filled_home / "reports" / f"continuity-{WEEK}-UA-63-uk.html"
    assert regional.stdout.splitlines()[0] == f"wrote {default}"
    assert "Безперервність навчання: Харківська область" in default.read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "message"), [
    (["--week", "2026-48"], "Error: week '2026-48' is not an ISO week; write it as YYYY-Www, e.g. 2026-W48\n"),
    (["--week", WEEK, "--region", "UA-99"], "Error: unknown region code 'UA-99'; use an ISO 3166-2:UA code such as UA-63\n"),
])
def test_report_weekly_user_errors(filled_home, monitor, args, message):
    ran = monitor("report", "weekly", *args)
    assert (ran.exit_code, ran.stderr) == (2, message)


def test_report_needs_a_directory(home, monitor):
    ran = monitor("report", "weekly", "--week", WEEK)
    assert ran.exit_code == 2
    assert ran.stderr == ("Error: the institution directory is empty; "
                          "run `monitor institutions import FILE.csv` first\n")


def test_report_send_delivers_per_scope_and_language(filled_home, monitor, smtp_server):
    (filled_home / "monitor.toml").write_text(f"""
[smtp]
host = "127.0.0.1"
port = {smtp_server.port}
from_address = "monitor@example.org"

[report]
national_recipients = ["analyst@example.org", "guest@example.org"]
region_recipients = {{ "UA-63" = ["kharkiv@example.org"] }}
recipient_languages = {{ "guest@example.org" = "en" }}
""", encoding="utf-8")
    ran = monitor("report", "send", "--week", WEEK)
    assert ran.exit_code == 0, ran.stderr
    assert ran.stdout.splitlines() == [
        "sent national report (uk) to analyst@example.org",
        "sent national report (en) to guest@example.org",
        "sent UA-63 report (uk) to kharkiv@example.org",
    ]
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["analyst@example.org"], ["guest@example.org"],
                                               ["kharkiv@example.org"]]
    subjects, image_counts = [], []
    for raw in (e.content for e in smtp_server.envelopes):
        message = message_from_bytes(raw, policy=policy.default)
        subjects.append(message["Subject"])
        assert message["From"] == "monitor@example.org" and message.get_content_type() == "multipart/mixed"
        alternative, attachment = message.get_payload()
        text, related = alternative.get_payload()
        assert (alternative.get_content_type(), text.get_content_type()) == ("multipart/alternative", "text/plain")
        # Images ride in multipart/related; a report with nobody to call has none.
        if related.get_content_type() == "multipart/related":
            html_part, *images = related.get_payload()
        else:
            html_part, images = related, []
        image_counts.append(len(images))
        html = html_part.get_content()
        assert html_part.get_content_type() == "text/html"
        assert len(html.encode("utf-8")) < 100 * 1024
        assert "<script" not in html and "<svg" not in html and "<style" not in html
        cids = re.findall(r'src="cid:([^"]+)"', html)
        assert sorted(cids) == sorted(i["Content-ID"].strip("<>") for i in images)
        assert all(i.get_content_type() == "image/png" and i.get_content().startswith(b"\x89PNG")
                   for i in images)
        assert attachment.get_filename().startswith(f"continuity-{WEEK}")
        assert attachment.get_content_disposition() == "attachment"
        full = attachment.get_content()
        assert full.count('class="tile"') == 27 and full.rstrip().endswith("</html>")
        assert ("data:image/png;base64," in full) == bool(images)
        assert text.get_content().count("\n") > 20
    assert image_counts == [2, 2, 0]  # two institutions to call nationally, none in Kharkiv
    assert subjects == [
        f"Безперервність навчання, тиждень {WEEK}: Україна",
        f"Learning continuity, week {WEEK}: Ukraine",
        f"Безперервність навчання, тиждень {WEEK}: Харківська область",
    ]


def test_report_send_without_recipients_is_a_configuration_error(filled_home, monitor):
    ran = monitor("report", "send", "--week", WEEK)
    assert ran.exit_code == 2
    assert ran.stderr == ("Error: no report recipients; set national_recipients or "
                          "region_recipients in [report] of monitor.toml\n")


def test_report_settings_are_checked(filled_home, monitor):
    (filled_home / "monitor.toml").write_text('[report]\nregion_recipients = { "UA-99" = ["a@b"] }\n')
    ran = monitor("report", "send", "--week", WEEK)
    assert ran.exit_code == 2
    assert ran.stderr == (f"Error: {filled_home / 'monitor.toml'}: [report] region_recipients: unknown region "
                          "code 'UA-99'; use ISO 3166-2:UA codes such as UA-63\n")


@pytest.mark.parametrize(("week", "days"), [
    ("2030-W01", "2029-12-31 to 2030-01-06"),  # in the future
    ("2020-W53", "2020-12-28 to 2021-01-03"),  # before the first stored day
])
def test_report_weekly_refuses_a_week_without_data(filled_home, monitor, week, days):
    ran = monitor("report", "weekly", "--week", week)
    assert (ran.exit_code, ran.stdout) == (2, "")
    assert ran.stderr == (f"Error: no data for week {week} ({days}): the store holds days 2026-07-27 "
                          "to 2026-11-22; choose a week in that range, or ingest that week's exports first\n")
    assert list((filled_home / "reports").iterdir()) == []


def test_report_weekly_on_an_empty_store_says_to_ingest(home, monitor, directory_csv):
    assert monitor("institutions", "import", str(directory_csv)).exit_code == 0
    ran = monitor("report", "weekly", "--week", WEEK)
    assert (ran.exit_code, ran.stderr) == (
        2, "Error: no data for week 2026-W47 (2026-11-16 to 2026-11-22): the store holds no days "
        "yet; ingest exports first with `monitor ingest PATH`\n")


def test_report_weekly_renders_a_partly_covered_week(filled_home, monitor, tmp_path):
    with sqlite3.connect(filled_home / "state.sqlite") as conn:
        conn.execute("DELETE FROM covered_days WHERE date > '2026-11-16'")
    out = tmp_path / "partial.html"
    ran = monitor("report", "weekly", "--week", WEEK, "--lang", "en", "--out", str(out))
    assert ran.exit_code == 0, ran.stderr
    cells = quality_cells(out.read_text(encoding="utf-8"))
    assert cells[1::2][3] == "1 / 7"  # covered days of the week
