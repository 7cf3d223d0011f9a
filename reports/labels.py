"""Words the templates look up by key (band, scope, kind, ...), translated.

Literal `_()` calls keep these msgids visible to `pybabel extract`, which a key built inside a
template (`"band_" ~ key`) would not be.
"""

from __future__ import annotations

from typing import Callable


def labels(_: Callable[[str], str]) -> dict[str, dict[str, str]]:
    return {
        "band": {
            "normal": _("95% or more: as usual"),
            "reduced": _("80–95%: reduced"),
            "low": _("50–80%: low"),
            "critical": _("below 50%: critical"),
            "nodata": _("no data"),
        },
        "direction": {
            "up": _("up"), "down": _("down"), "same": _("no change"), "unknown": _("unknown"),
        },
        "episodes": {
            "new": _("New this week"), "ongoing": _("Still ongoing"),
            "resolved": _("Resolved this week"),
        },
        "scope": {
            "institution": _("institution"), "region": _("regional outage"),
            "platform": _("data problem"),
        },
        "kind": {
            "school": _("school"), "vocational": _("vocational school"),
            "college": _("college"), "university": _("university"),
        },
        "expectation": {
            "same_weekday": _("Expected activity of an institution is its average on the same "
                              "weekday over the previous %(weeks)s weeks."),
            "detector": _("Expected activity of an institution comes from the drop detector's "
                          "model of its usual level, weekday pattern and peers."),
        },
        "metric": {
            "participants": _("participants"), "meetings": _("meetings"),
            "meeting_minutes": _("meeting minutes"), "active_hosts": _("active hosts"),
        },
    }
