"""[alerts], [routing] and [schedule] validation: clear ConfigError messages."""

from __future__ import annotations

import pytest

from monitor.alerts.config import receivers_for
from monitor.errors import ConfigError
from monitor.settings import settings_from_mapping

TG = {"kind": "telegram", "chat_id": "1", "token_env": "MONITOR_TG"}


def test_routing_region_team_receivers_with_national_default():
    settings = settings_from_mapping({
        "alerts": {"receivers": {"kh-tg": TG, "nat": {"kind": "slack", "url": "https://x"}}},
        "routing": {"default_team": "national", "regions": {"UA-63": "kharkiv"},
                    "teams": {"kharkiv": ["kh-tg"], "national": ["nat"]}},
    })
    assert receivers_for(settings, "UA-63") == ["kh-tg"]
    assert receivers_for(settings, "UA-46") == ["nat"]
    assert receivers_for(settings, None) == ["nat"]


def test_defaults_route_nowhere():
    assert receivers_for(settings_from_mapping({}), "UA-63") == []


@pytest.mark.parametrize("raw, message", [
    ({"alerts": {"language": "de"}}, "[alerts]: language must be uk or en, not 'de'; "),
    ({"alerts": {"repeat_interval_hours": 0}}, "[alerts]: repeat_interval_hours must be positive, not 0; "),
    ({"alerts": {"receivers": {"x": {"kind": "sms"}}}},
     "[alerts.receivers.x]: kind must be one of email, telegram, slack, webhook, alertmanager, "
     "not 'sms'; "),
    ({"alerts": {"receivers": {"x": {"kind": "telegram", "chat_id": "1"}}}},
     "[alerts.receivers.x]: a telegram receiver needs 'token_env'; "),
    ({"alerts": {"receivers": {"x": {**TG, "token": "123:abc"}}}},
     "[alerts.receivers.x]: unknown key 'token'; use one of the keys of a telegram receiver: "
     "chat_id, language, token_env, url"),
    ({"alerts": {"receivers": {"x": {**TG, "token_env": "123:abc"}}}},
     "token_env must name an environment variable, not hold the secret itself; "),
    ({"alerts": {"receivers": {"x": {"kind": "slack", "url": "ftp://x"}}}},
     "url must start with http:// or https://; "),
    ({"routing": {"regions": {"Kharkiv": "k"}}},
     "[routing]: regions names 'Kharkiv', which is not a region code; "),
    ({"routing": {"regions": {"UA-63": "k"}}},
     "[routing]: region UA-63 names team 'k', which is not in teams; add it to [routing] teams"),
    ({"routing": {"default_team": "n"}}, "[routing]: default_team 'n' is not in teams"),
    ({"routing": {"teams": {"n": ["ghost"]}}},
     "[routing]: team 'n' names receiver 'ghost', which is not defined; "
     "add [alerts.receivers.ghost]"),
    ({"schedule": {"detect_time": "6:30"}}, "[schedule]: detect_time must be HH:MM, not '6:30'; "),
    ({"schedule": {"weekly_report_time": "monday 8:00"}},
     "[schedule]: weekly_report_time must look like 'mon 08:00', not 'monday 8:00'; "),
    ({"schedule": {"timezone": "Mars/Olympus"}}, "[schedule]: unknown timezone 'Mars/Olympus'; "),
    ({"schedule": {"ingest_interval_seconds": -1}},
     "[schedule]: ingest_interval_seconds must be 0 or more, not -1; "),
    ({"alerts": {"receivers": {"x": {"kind": "slack", "url": 5}}}},
     "[alerts]: 'receivers' must be a table"),
])
def test_bad_values_are_config_errors(raw, message):
    with pytest.raises(ConfigError) as info:
        settings_from_mapping(raw)
    assert message in str(info.value)


def receiver(**keys: str) -> dict:
    return {"alerts": {"receivers": {"x": keys}}}


R = "monitor.toml [alerts.receivers.x]: "


@pytest.mark.parametrize("raw, message", [
    ({"alerts": {"language": "de"}},
     "monitor.toml [alerts]: language must be uk or en, not 'de'; write language = \"uk\" or "
     "language = \"en\""),
    ({"alerts": {"repeat_interval_hours": 0}},
     "monitor.toml [alerts]: repeat_interval_hours must be positive, not 0; give a number of hours "
     "above 0, e.g. repeat_interval_hours = 24 (the default)"),
    ({"alerts": {"group_interval_minutes": -0.5}},
     "monitor.toml [alerts]: group_interval_minutes must be positive, not -0.5; give a number of "
     "minutes above 0, e.g. group_interval_minutes = 5 (the default)"),
    (receiver(to="a@example.org"),
     R + "kind is missing; add it, e.g. kind = \"telegram\" (one of email, telegram, slack, "
     "webhook, alertmanager)"),
    (receiver(kind="sms"),
     R + "kind must be one of email, telegram, slack, webhook, alertmanager, not 'sms'; write one "
     "of them, e.g. kind = \"telegram\""),
    (receiver(kind="telegram", chat_id="1"),
     R + "a telegram receiver needs 'token_env'; add e.g. token_env = \"KHARKIV_BOT_TOKEN\""),
    (receiver(kind="email"), R + "an email receiver needs 'to'; add e.g. to = \"support@example.org\""),
    (receiver(kind="alertmanager"),
     R + "an alertmanager receiver needs 'url'; add e.g. url = \"http://127.0.0.1:9093\""),
    (receiver(**TG, token="123:abc"),
     R + "unknown key 'token'; use one of the keys of a telegram receiver: chat_id, language, "
     "token_env, url"),
    (receiver(kind="webhook", url="https://x", secret_env="hunter2-secret"),
     R + "secret_env must name an environment variable, not hold the secret itself; put the secret "
     "in an environment variable and write its name here, e.g. secret_env = "
     "\"MONITOR_WEBHOOK_SECRET\""),
    (receiver(kind="slack", url="hooks.slack.com/services/T0"),
     R + "url must start with http:// or https://; write the whole address, e.g. url = "
     "\"https://hooks.slack.com/services/...\""),
    (receiver(**TG, language="de"),
     R + "language must be uk or en, not 'de'; write language = \"uk\" or language = \"en\", "
     "or leave it out for [alerts] language"),
    ({"routing": {"regions": {"Kharkiv": "kharkiv"}}},
     "monitor.toml [routing]: regions names 'Kharkiv', which is not a region code; use "
     "ISO 3166-2:UA codes, e.g. regions = { \"UA-63\" = \"kharkiv\" }"),
    ({"schedule": {"timezone": "Mars/Olympus"}},
     "monitor.toml [schedule]: unknown timezone 'Mars/Olympus'; use an IANA name such as "
     "Europe/Kyiv"),
    ({"schedule": {"detect_time": "6:30"}},
     "monitor.toml [schedule]: detect_time must be HH:MM, not '6:30'; write e.g. detect_time = "
     "\"06:30\" (the default), or \"\" to turn it off"),
    ({"schedule": {"weekly_report_time": "monday 8:00"}},
     "monitor.toml [schedule]: weekly_report_time must look like 'mon 08:00', not 'monday 8:00'; "
     "write a weekday (mon to sun) and HH:MM, e.g. weekly_report_time = \"mon 08:00\" (the "
     "default), or \"\" to turn it off"),
    ({"schedule": {"dispatch_interval_seconds": -1}},
     "monitor.toml [schedule]: dispatch_interval_seconds must be 0 or more, not -1; give a number "
     "of seconds, e.g. dispatch_interval_seconds = 300 (the default)"),
])
def test_messages_say_what_happened_and_what_to_write(raw, message):
    with pytest.raises(ConfigError) as info:
        settings_from_mapping(raw)
    assert str(info.value) == message
    assert "\n" not in message


def test_a_secret_written_in_place_of_its_variable_name_is_not_repeated():
    with pytest.raises(ConfigError) as info:
        settings_from_mapping(receiver(**{**TG, "token_env": "123456:AAE-secret-token"}))
    assert "secret-token" not in str(info.value)
    assert str(info.value).endswith("e.g. token_env = \"KHARKIV_BOT_TOKEN\"")
