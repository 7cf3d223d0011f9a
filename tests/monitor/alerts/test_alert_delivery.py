"""Delivery as a real HTTP receiver sees it: once per notification, across re-runs, restarts,
failures and time-outs; grouping, group interval, repeats, silences and inhibition."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from monitor.alerts.lifecycle import acknowledge
from monitor.alerts.service import dispatch, with_conn
from monitor.alerts.silences import add_silence, expire_silence
from monitor.home import Home

HOOK_ENV = "MONITOR_TEST_HOOK_KEY"


@pytest.fixture
def setup(make_home, receivers, monkeypatch):
    monkeypatch.setenv(HOOK_ENV, "test-signing-key")
    hook, national = receivers("hook"), receivers("national")

    def make(**alerts) -> Home:
        return make_home({
            "alerts": {"language": "en", "report_url": "https://m.example/r/{week}/{region}",
                       "timeout_seconds": 0.5, **alerts},
            "alerts.receivers.kharkiv-hook": {"kind": "webhook", "url": hook.url + "/hook",
                                              "secret_env": HOOK_ENV},
            "alerts.receivers.national-chat": {"kind": "slack", "url": national.url + "/slack"},
            "routing": {"default_team": "national", "regions": {"UA-63": "kharkiv"},
                        "teams": {"kharkiv": ["kharkiv-hook"], "national": ["national-chat"]}},
        })

    return make, hook, national


def events(receiver) -> list[list[tuple[str, str]]]:
    """(alert id, event) per accepted request."""
    return [[(i["alert_id"], i["event"]) for i in json.loads(r["body"])["items"]]
            for r in receiver.accepted()]


def test_exactly_once_across_reruns_and_restart(setup, episode, t0):
    make, hook, national = setup
    home = make()
    episode(home, "a")
    episode(home, "b", institution_id="khk-002")
    episode(home, "lv", institution_id="lv-001", region="UA-46")
    first = dispatch(home, t0)
    dispatch(home, t0 + timedelta(minutes=1))
    restarted = Home.open(home.root)  # a new process: nothing cached
    dispatch(restarted, t0 + timedelta(minutes=10))
    assert (first.created, len(first.planned), len(first.delivery.sent)) == (3, 2, 2)
    assert len(hook.requests) == 1 and len(national.requests) == 1
    assert events(hook) == [[("a", "firing"), ("b", "firing")]]  # one message for the group
    assert hook.json()["report"] == "https://m.example/r/2026-W09/UA-63"
    assert "Lviv College (lv-001)" in national.json()["text"]


def test_group_interval_collects_new_alerts_into_the_next_message(setup, episode, t0):
    make, hook, _ = setup
    home = make(group_interval_minutes=5.0)
    episode(home, "a")
    dispatch(home, t0)
    episode(home, "b", institution_id="khk-002")
    held = dispatch(home, t0 + timedelta(minutes=2))
    dispatch(home, t0 + timedelta(minutes=6))
    assert held.planned == []
    assert events(hook) == [[("a", "firing")], [("b", "firing")]]


def test_server_error_is_retried_with_backoff_then_delivered(setup, episode, t0):
    make, hook, _ = setup
    home = make(retry_initial_seconds=60.0, retry_max_seconds=600.0)
    episode(home, "a")
    hook.status = 500
    failed = dispatch(home, t0)
    dispatch(home, t0 + timedelta(seconds=30))  # not due yet: no request
    dispatch(home, t0 + timedelta(seconds=61))  # second failure: next wait is 120 s
    dispatch(home, t0 + timedelta(seconds=61 + 100))
    hook.status = 200
    done = dispatch(home, t0 + timedelta(seconds=61 + 121))
    assert "answered HTTP 500; will retry" in failed.delivery.errors[0]
    assert [r["status"] for r in hook.requests] == [500, 500, 200]
    assert len({r["headers"]["Idempotency-Key"] for r in hook.requests}) == 1
    assert (len(done.delivery.sent), done.pending) == (1, 0)


def test_timeout_then_recovery_is_deduplicated_by_key(setup, episode, t0):
    make, hook, _ = setup
    home = make(retry_initial_seconds=10.0)
    episode(home, "a")
    hook.delay = 1.5  # longer than timeout_seconds: the receiver got it, we did not hear back
    stalled = dispatch(home, t0)
    hook.delay = 0
    dispatch(home, t0 + timedelta(seconds=11))
    assert "unreachable" in stalled.delivery.errors[0]
    assert len(hook.requests) == 2
    assert hook.requests[0]["headers"]["Idempotency-Key"] == hook.requests[1]["headers"][
        "Idempotency-Key"]
    assert events(hook) == [[("a", "firing")]]


def test_receiver_down_for_hours_gets_everything_in_order(setup, episode, t0):
    make, hook, national = setup
    home = make(retry_max_seconds=1800.0)
    hook.status = 500
    for hour in range(6):
        episode(home, f"e{hour}", institution_id="khk-001" if hour % 2 else "khk-002")
        if hour == 4:
            episode(home, "e0", institution_id="khk-002", status="resolved")
        for minute in range(0, 60, 10):
            dispatch(home, t0 + timedelta(hours=hour, minutes=minute))
    failures = len(hook.requests)
    hook.status = 200
    back = dispatch(home, t0 + timedelta(hours=6, minutes=30))
    again = dispatch(Home.open(home.root), t0 + timedelta(hours=7))
    assert 10 <= failures <= 16  # back-off: far fewer attempts than the 36 dispatch runs
    assert back.pending == 0 and again.delivery.sent == []
    assert [e for msg in events(hook) for e in msg] == [
        ("e0", "firing"), ("e1", "firing"), ("e2", "firing"), ("e3", "firing"),
        ("e0", "resolved"), ("e4", "firing"), ("e5", "firing"),
    ]
    assert national.requests == []


def test_silence_by_region_mutes_until_lifted(setup, episode, t0):
    make, hook, national = setup
    home = make()
    episode(home, "a")
    episode(home, "lv", institution_id="lv-001", region="UA-46")
    silence = with_conn(home, lambda c: add_silence(
        c, "region", "UA-63", starts_at=t0, ends_at=t0 + timedelta(days=1),
        author="olena", reason="planned outage", now=t0))
    dispatch(home, t0)
    muted = len(hook.requests)
    with_conn(home, lambda c: expire_silence(c, silence["id"], t0 + timedelta(hours=1)))
    dispatch(home, t0 + timedelta(hours=1))
    assert (muted, len(national.requests)) == (0, 1)
    assert events(hook) == [[("a", "firing")]]


def test_silence_for_everything_ends_by_itself(setup, episode, t0):
    make, hook, national = setup
    home = make()
    episode(home, "a")
    with_conn(home, lambda c: add_silence(c, "all", "", starts_at=t0,
                                          ends_at=t0 + timedelta(hours=2), author="ops",
                                          reason="maintenance", now=t0))
    dispatch(home, t0 + timedelta(hours=1))
    muted = len(hook.requests)
    dispatch(home, t0 + timedelta(hours=2))
    assert muted == 0 and events(hook) == [[("a", "firing")]]


def test_region_episode_inhibits_institution_alerts(setup, episode, t0):
    make, hook, _ = setup
    home = make()
    episode(home, "reg", scope="region", institution_id=None)
    episode(home, "a", parent_id="reg")
    episode(home, "b", institution_id="khk-002", parent_id="reg")
    dispatch(home, t0)
    episode(home, "reg", scope="region", institution_id=None, status="resolved")
    episode(home, "a", status="resolved", parent_id="reg")
    dispatch(home, t0 + timedelta(hours=1))
    assert events(hook) == [[("reg", "firing")], [("reg", "resolved"), ("b", "firing")]]
    assert "whole region UA-63" in hook.json(0)["text"]


def test_repeat_until_acknowledged_and_resolution_after_ack(setup, episode, t0):
    make, hook, _ = setup
    home = make(repeat_interval_hours=4.0)
    episode(home, "a")
    dispatch(home, t0)
    dispatch(home, t0 + timedelta(hours=3))
    dispatch(home, t0 + timedelta(hours=4))
    with_conn(home, lambda c: acknowledge(c, "a", "duty", t0 + timedelta(hours=5)))
    dispatch(home, t0 + timedelta(hours=9))
    episode(home, "a", status="resolved")
    dispatch(home, t0 + timedelta(hours=10))
    assert events(hook) == [[("a", "firing")], [("a", "repeat")], [("a", "resolved")]]
    assert "Still ongoing, not acknowledged (1):" in hook.json(1)["text"]


def test_no_resolved_notifications_when_disabled(setup, episode, t0):
    make, hook, _ = setup
    home = make(send_resolved=False)
    episode(home, "a")
    dispatch(home, t0)
    episode(home, "a", status="resolved")
    dispatch(home, t0 + timedelta(hours=1))
    assert events(hook) == [[("a", "firing")]]


def test_dry_run_sends_and_records_nothing(setup, episode, t0):
    make, hook, _ = setup
    home = make()
    episode(home, "a")
    dry = dispatch(home, t0, dry_run=True)
    real = dispatch(home, t0)
    assert [p["receiver"] for p in dry.planned] == ["kharkiv-hook"]
    assert (dry.created, dry.pending, len(real.delivery.sent)) == (1, 0, 1)
    assert len(hook.requests) == 1
