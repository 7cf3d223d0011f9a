"""Each receiver kind on the wire, against real local servers."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest

from monitor.alerts.service import dispatch

TOKEN_ENV, HOOK_ENV = "MONITOR_TEST_TG_TOKEN", "MONITOR_TEST_HOOK_SECRET"


def one_receiver(make_home, name: str, table: dict, language: str = "uk", **extra):
    return make_home({
        "alerts": {"language": language, "report_url": "https://m.example/{week}/{region}.html"},
        f"alerts.receivers.{name}": table,
        "routing": {"default_team": "all", "teams": {"all": [name]}},
        **extra,
    })


def test_email_in_ukrainian_over_real_smtp(make_home, smtp_server, episode, t0):
    mail = {"kind": "email", "to": "duty@example.org; b@example.org"}
    home = one_receiver(make_home, "mail", mail,
                        smtp={"port": smtp_server.port, "from_address": "monitor@example.org"})
    episode(home, "a")
    result = dispatch(home, t0)
    (message,) = smtp_server.messages
    body = message.get_content()
    assert result.delivery.sent == [result.planned[0]["key"]]
    assert message["Subject"] == ("Моніторинг безперервності навчання: Харківська область — "
                                  "Нове падіння активності: 1")
    assert message["To"] == "duty@example.org, b@example.org"
    assert message["Message-ID"] == f"<{result.planned[0]['key']}@continuity-monitor>"
    assert "• Ліцей №1 (khk-001) — з 2026-02-26, втрата 95% (participants: очікувано 400, " \
           "фактично 20)" in body
    assert "Participants fell to 5% of the expected level." in body
    assert "Звіт: https://m.example/2026-W09/UA-63.html" in body
    assert "Підтвердити: monitor alerts ack a" in body


def test_email_server_down_is_retried(make_home, episode, t0):
    home = one_receiver(make_home, "mail", {"kind": "email", "to": "duty@example.org"},
                        smtp={"port": 9, "timeout_seconds": 1.0})
    episode(home, "a")
    result = dispatch(home, t0)
    assert result.pending == 1
    assert "could not send e-mail via 127.0.0.1:9" in result.delivery.errors[0]


def test_telegram_send_message(make_home, receivers, monkeypatch, episode, t0):
    api = receivers("tg")
    monkeypatch.setenv(TOKEN_ENV, "123:abc")
    home = one_receiver(make_home, "tg", {"kind": "telegram", "url": api.url, "chat_id": "-100500",
                                          "token_env": TOKEN_ENV}, language="en")
    episode(home, "a")
    dispatch(home, t0)
    body = api.json()
    assert api.requests[0]["path"] == "/bot123:abc/sendMessage"
    assert body["chat_id"] == "-100500"
    assert body["text"].startswith("Learning continuity monitor: Kharkiv Oblast\n\n"
                                   "New drop in activity (1):\n• Ліцей №1 (khk-001) — since")


def test_telegram_refusal_and_missing_token_are_retried(make_home, receivers, monkeypatch,
                                                        episode, t0):
    api = receivers("tg")
    api.answer = b'{"ok": false, "description": "chat not found"}'
    home = one_receiver(make_home, "tg", {"kind": "telegram", "url": api.url, "chat_id": "1",
                                          "token_env": TOKEN_ENV})
    episode(home, "a")
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    no_token = dispatch(home, t0)
    monkeypatch.setenv(TOKEN_ENV, "t")
    refused = dispatch(home, t0 + timedelta(minutes=2))
    assert no_token.delivery.errors == [
        f"tg: {TOKEN_ENV} is not set; export it for receiver tg (will retry)"]
    assert "Telegram did not accept the message" in refused.delivery.errors[0]
    assert "/bott/" not in refused.delivery.errors[0]  # the token never reaches logs
    assert refused.pending == 1


def test_slack_webhook(make_home, receivers, episode, t0):
    hook = receivers("slack")
    home = one_receiver(make_home, "chat", {"kind": "slack", "url": hook.url + "/services/x"})
    episode(home, "a")
    dispatch(home, t0)
    assert hook.requests[0]["path"] == "/services/x"
    assert list(hook.json()) == ["text"]
    assert "Ліцей №1 (khk-001)" in hook.json()["text"]


def test_generic_webhook_is_hmac_signed(make_home, receivers, monkeypatch, episode, t0):
    hook = receivers("hook")
    monkeypatch.setenv(HOOK_ENV, "s3cret")
    home = one_receiver(make_home, "hook", {"kind": "webhook", "url": hook.url + "/in",
                                            "secret_env": HOOK_ENV})
    episode(home, "a")
    dispatch(home, t0)
    request = hook.requests[0]
    expected = hmac.new(b"s3cret", request["body"], hashlib.sha256).hexdigest()
    body = json.loads(request["body"])
    assert request["headers"]["X-Monitor-Signature"] == "sha256=" + expected
    assert body["key"] == request["headers"]["Idempotency-Key"]
    assert (body["group"], body["items"][0]["alert_id"], body["items"][0]["event"]) == (
        "UA-63", "a", "firing")


@pytest.mark.parametrize("resolved", [False, True])
def test_alertmanager_v2_alerts(make_home, receivers, episode, t0, resolved):
    am = receivers("am")
    home = one_receiver(make_home, "am", {"kind": "alertmanager", "url": am.url + "/"},
                        language="en")
    episode(home, "a")
    dispatch(home, t0)
    if resolved:
        episode(home, "a", status="resolved")
        dispatch(home, t0 + timedelta(hours=1))
    request = am.requests[-1]
    (alert,) = json.loads(request["body"])
    assert request["path"] == "/api/v2/alerts"
    assert alert["labels"] == {"alertname": "ContinuityActivityDrop", "scope": "institution",
                               "region": "UA-63", "episode_id": "a", "institution_id": "khk-001"}
    assert alert["startsAt"] == "2026-02-26T00:00:00Z"
    assert alert["generatorURL"] == "https://m.example/2026-W09/UA-63.html"
    assert alert.get("endsAt") == ("2026-03-02T08:00:00Z" if resolved else None)
