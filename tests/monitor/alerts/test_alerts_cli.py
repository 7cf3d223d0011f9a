"""`monitor alerts ...` end to end through click, with the real clock."""

from __future__ import annotations

import json

from click.testing import CliRunner

from monitor.cli import main


def run(home, *args):
    return CliRunner().invoke(main, ["--home", str(home.root), *args])


def test_dispatch_list_show_ack(make_home, receivers, episode):
    hook = receivers("hook")
    home = make_home({
        "alerts": {"language": "en"},
        "alerts.receivers.chat": {"kind": "slack", "url": hook.url},
        "routing": {"default_team": "all", "teams": {"all": ["chat"]}},
    })
    episode(home, "ep-1")
    dry = run(home, "alerts", "dispatch", "--dry-run")
    real = run(home, "alerts", "dispatch")
    again = run(home, "alerts", "dispatch")
    listed = run(home, "alerts", "list")
    acked = run(home, "alerts", "ack", "ep-1", "--by", "duty")
    shown = json.loads(run(home, "alerts", "show", "ep-1").output)
    assert dry.exit_code == 0 and "would send" in dry.output and "Ліцей №1 (khk-001)" in dry.output
    assert real.output.endswith("alerts: 1 new, 0 resolved; sent 1, pending 0\n")
    assert again.output == "alerts: 0 new, 0 resolved; sent 0, pending 0\n"
    assert len(hook.requests) == 1
    assert listed.output.startswith("ep-1  firing       institution khk-001      since 2026-02-26")
    assert acked.output == "ep-1 acknowledged by duty\n"
    assert shown["state"] == "acknowledged"
    assert [(n["receiver"], n["event"], n["status"]) for n in shown["notifications"]] == [
        ("chat", "firing", "sent")]


def test_silence_and_unsilence(make_home):
    home = make_home({})
    made = run(home, "alerts", "silence", "--region", "UA-63", "--for", "4h",
               "--author", "olena", "--reason", "grid outage")
    listed = run(home, "alerts", "silences")
    lifted = run(home, "alerts", "unsilence", "1")
    after = run(home, "alerts", "silences")
    assert made.exit_code == 0 and made.output.startswith("silence 1: region UA-63 until ")
    assert "olena: grid outage" in listed.output
    assert lifted.output.startswith("silence 1 ended at ")
    assert after.output == ""


def test_user_mistakes_exit_2_with_one_line(make_home):
    home = make_home({})
    both = run(home, "alerts", "silence", "--all", "--region", "UA-63", "--for", "1h",
               "--author", "a", "--reason", "b")
    bad = run(home, "alerts", "silence", "--all", "--for", "soon", "--author", "a",
              "--reason", "b")
    missing = run(home, "alerts", "ack", "nope", "--by", "x")
    assert (both.exit_code, both.output) == (
        2, "Error: give exactly one of --institution, --region or --all\n")
    assert (bad.exit_code, bad.output) == (
        2, "Error: 'soon' is not a duration; use a number and m, h, d or w, e.g. 4h\n")
    assert (missing.exit_code, missing.output) == (
        2, "Error: no alert nope; see `monitor alerts list` for the ids\n")


def test_list_json_filters_by_state_and_region(make_home, episode):
    home = make_home({})
    episode(home, "a")
    episode(home, "lv", institution_id="lv-001", region="UA-46")
    run(home, "alerts", "dispatch")
    run(home, "alerts", "ack", "lv", "--by", "duty")
    firing = json.loads(run(home, "alerts", "list", "--state", "firing", "--format", "json").output)
    lviv = json.loads(run(home, "alerts", "list", "--region", "UA-46", "--format", "json").output)
    assert [a["id"] for a in firing["alerts"]] == ["a"]
    assert [(a["id"], a["state"], a["acked_by"]) for a in lviv["alerts"]] == [
        ("lv", "acknowledged", "duty")]
