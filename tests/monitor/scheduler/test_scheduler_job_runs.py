"""The job functions against the real library: inbox ingest, weekly e-mail once per week."""

from __future__ import annotations


from click.testing import CliRunner

from monitor.cli import main
from monitor.home import Home
from monitor.jobs import run_job

DIRECTORY = ("institution_id,name,region,kind,zoom_account_id,zoom_group,email_domains,contacts\n"
             "s0,School 0,UA-63,school,,,s0.example.org,\n")
DAILY = ("institution_id,date,meetings,participants,meeting_minutes,active_hosts\n"
         "s0,2026-02-02,3,40,300,2\ns0,2026-02-03,0,0,0,0\n")


def home_with_directory(tmp_path, config: str = "") -> Home:
    (tmp_path / "monitor.toml").write_text(config, encoding="utf-8")
    (tmp_path / "dir.csv").write_text(DIRECTORY, encoding="utf-8")
    result = CliRunner().invoke(main, ["--home", str(tmp_path), "institutions", "import",
                                       str(tmp_path / "dir.csv")])
    assert result.exit_code == 0, result.output
    return Home.open(tmp_path)


def test_ingest_job_moves_inbox_files(tmp_path):
    home = home_with_directory(tmp_path)
    (home.inbox / "daily.csv").write_text(DAILY, encoding="utf-8")
    (home.inbox / "broken.csv").write_text("not,an,export\n1,2,3\n", encoding="utf-8")
    summary = run_job("ingest", str(home.root))
    again = run_job("ingest", str(home.root))
    assert summary == "ingested=1 duplicate=0 rejected=1"
    assert (home.archive / "daily.csv").exists()
    assert (home.quarantine / "broken.csv").exists()
    assert again == "files=0"


def test_weekly_job_sends_once_per_week(tmp_path, smtp_server):
    home = home_with_directory(tmp_path, f"""
[smtp]
port = {smtp_server.port}
[report]
national_recipients = ["analyst@example.org"]
""")
    first = run_job("weekly", str(home.root))
    second = run_job("weekly", str(home.root))
    assert first.endswith(" status=sent messages=1")
    assert second.endswith(" status=already_sent")
    assert first.split()[0] == second.split()[0]  # the same ISO week
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["analyst@example.org"]]
