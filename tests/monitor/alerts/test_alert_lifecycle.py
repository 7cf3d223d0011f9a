"""Alerts follow episodes: one per episode, acknowledged, resolved, inhibited, silenced."""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.alerts.lifecycle import AlertError, acknowledge, get_alert, list_alerts, sync_alerts
from monitor.alerts.service import with_conn
from monitor.alerts.silences import SilenceError, add_silence, expire_silence, parse_duration


@pytest.fixture
def home(make_home):
    return make_home({})


def test_one_alert_per_episode_across_reruns(home, episode, t0):
    episode(home, "ep-1")
    first = with_conn(home, lambda c: sync_alerts(c, t0))
    again = with_conn(home, lambda c: sync_alerts(c, t0 + timedelta(hours=1)))
    alerts = with_conn(home, list_alerts)
    assert first == {"created": 1, "resolved": 0}
    assert again == {"created": 0, "resolved": 0}
    assert [(a["id"], a["state"], a["institution_name"]) for a in alerts] == [
        ("ep-1", "firing", "Ліцей №1")
    ]


def test_acknowledged_then_resolved_when_the_episode_ends(home, episode, t0):
    episode(home, "ep-1")
    with_conn(home, lambda c: sync_alerts(c, t0))
    acked = with_conn(home, lambda c: acknowledge(c, "ep-1", "kharkiv-duty", t0))
    episode(home, "ep-1", status="resolved")
    counts = with_conn(home, lambda c: sync_alerts(c, t0 + timedelta(days=1)))
    alert = with_conn(home, lambda c: get_alert(c, "ep-1"))
    assert (acked["state"], acked["acked_by"]) == ("acknowledged", "kharkiv-duty")
    assert counts == {"created": 0, "resolved": 1}
    assert (alert["state"], alert["resolved_at"]) == ("resolved", "2026-03-03T07:00:00Z")
    with pytest.raises(AlertError, match="already resolved; nothing to acknowledge"):
        with_conn(home, lambda c: acknowledge(c, "ep-1", "x", t0))


def test_episode_first_seen_resolved_is_quiet(home, episode, t0):
    episode(home, "old", status="resolved")
    with_conn(home, lambda c: sync_alerts(c, t0))
    alert = with_conn(home, lambda c: get_alert(c, "old"))
    assert (alert["state"], alert["quiet"]) == ("resolved", 1)


def test_region_alert_inhibits_its_institutions_only_while_open(home, episode, t0):
    episode(home, "reg", scope="region", institution_id=None)
    episode(home, "a", parent_id="reg")
    episode(home, "b", institution_id="khk-002")  # same region, no parent link
    episode(home, "lv", institution_id="lv-001", region="UA-46")
    with_conn(home, lambda c: sync_alerts(c, t0))
    muted = {a["id"]: a["inhibited_by"] for a in with_conn(home, list_alerts)}
    episode(home, "reg", scope="region", institution_id=None, status="resolved")
    with_conn(home, lambda c: sync_alerts(c, t0))
    after = {a["id"]: a["inhibited_by"] for a in with_conn(home, list_alerts)}
    assert muted == {"reg": None, "a": "reg", "b": "reg", "lv": None}
    assert after == {"reg": None, "a": None, "b": None, "lv": None}


def test_unknown_alert_is_a_clear_error(home):
    with pytest.raises(AlertError, match="no alert nope; see `monitor alerts list` for the ids"):
        with_conn(home, lambda c: get_alert(c, "nope"))


def test_silence_validation_and_expiry(home, t0):
    end = t0 + timedelta(hours=4)
    with pytest.raises(SilenceError, match="needs an author and a reason"):
        with_conn(home, lambda c: add_silence(c, "all", "", starts_at=t0, ends_at=end,
                                              author=" ", reason="x", now=t0))
    with pytest.raises(SilenceError, match="ends before it starts"):
        with_conn(home, lambda c: add_silence(c, "region", "UA-63", starts_at=end, ends_at=t0,
                                              author="a", reason="b", now=t0))
    made = with_conn(home, lambda c: add_silence(c, "region", "UA-63", starts_at=t0, ends_at=end,
                                                 author="olena", reason="grid outage", now=t0))
    ended = with_conn(home, lambda c: expire_silence(c, made["id"], t0 + timedelta(hours=1)))
    assert (made["target"], made["value"], made["ends_at"]) == ("region", "UA-63",
                                                                 "2026-03-02T11:00:00Z")
    assert ended["expired_at"] == "2026-03-02T08:00:00Z"


@pytest.mark.parametrize("text, expected", [("90m", timedelta(minutes=90)),
                                            ("4h", timedelta(hours=4)),
                                            ("1w", timedelta(days=7))])
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["0h", "4", "h", "4y", ""])
def test_parse_duration_rejects(text):
    with pytest.raises(SilenceError, match="is not a duration"):
        parse_duration(text)
