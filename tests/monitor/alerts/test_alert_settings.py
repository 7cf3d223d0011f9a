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
    ({"alerts": {"language": "de"}}, "[alerts]: language must be uk or en, not 'de'"),
    ({"alerts": {"repeat_interval_hours": 0}}, "[alerts]: repeat_interval_hours must be positive"),
    ({"alerts": {"receivers": {"x": {"kind": "sms"}}}},
     "[alerts.receivers.x]: kind must be one of email, telegram, slack, webhook, alertmanager, "
     "not 'sms'"),
    ({"alerts": {"receivers": {"x": {"kind": "telegram", "chat_id": "1"}}}},
     "[alerts.receivers.x]: a telegram receiver needs 'token_env'"),
    ({"alerts": {"receivers": {"x": {**TG, "token": "123:abc"}}}},
     "[alerts.receivers.x]: unknown key 'token'; a telegram receiver takes chat_id, language, "
     "token_env, url"),
    ({"alerts": {"receivers": {"x": {**TG, "token_env": "123:abc"}}}},
     "token_env names an environment variable (such as MONITOR_TG_TOKEN), not the secret itself"),
    ({"alerts": {"receivers": {"x": {"kind": "slack", "url": "ftp://x"}}}},
     "url must start with http:// or https://"),
    ({"routing": {"regions": {"Kharkiv": "k"}}},
     "[routing]: 'Kharkiv' is not a region code; use ISO 3166-2:UA such as UA-63"),
    ({"routing": {"regions": {"UA-63": "k"}}},
     "[routing]: region UA-63 names team 'k', which is not in teams; add it to [routing] teams"),
    ({"routing": {"default_team": "n"}}, "[routing]: default_team 'n' is not in teams"),
    ({"routing": {"teams": {"n": ["ghost"]}}},
     "[routing]: team 'n' names receiver 'ghost', which is not defined; "
     "add [alerts.receivers.ghost]"),
    ({"schedule": {"detect_time": "6:30"}}, "[schedule]: detect_time must be HH:MM, not '6:30'"),
    ({"schedule": {"weekly_report_time": "monday 8:00"}},
     "[schedule]: weekly_report_time must look like 'mon 08:00', not 'monday 8:00'"),
    ({"schedule": {"timezone": "Mars/Olympus"}}, "[schedule]: unknown timezone 'Mars/Olympus'"),
    ({"schedule": {"ingest_interval_seconds": -1}},
     "[schedule]: ingest_interval_seconds must not be negative"),
    ({"alerts": {"receivers": {"x": {"kind": "slack", "url": 5}}}},
     "[alerts]: 'receivers' must be a table"),
])
def test_bad_values_are_config_errors(raw, message):
    with pytest.raises(ConfigError) as info:
        settings_from_mapping(raw)
    assert message in str(info.value)
