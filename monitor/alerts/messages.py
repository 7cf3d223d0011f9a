"""Message text for a notification payload, in Ukrainian or English."""

from __future__ import annotations

from monitor.regions import region_name

TEXT = {
    "uk": {
        "title": "Моніторинг безперервності навчання: {where}",
        "national": "вся країна",
        "firing": "Нове падіння активності",
        "repeat": "Досі триває, не підтверджено",
        "resolved": "Активність відновилася",
        "region_item": "уся область",
        "platform_item": "дані платформи",
        "since": "з {start}",
        "loss": "втрата {pct}% ({metric}: очікувано {expected}, фактично {observed})",
        "report": "Звіт: {report}",
        "ack": "Підтвердити: monitor alerts ack {alert_id}",
    },
    "en": {
        "title": "Learning continuity monitor: {where}",
        "national": "national",
        "firing": "New drop in activity",
        "repeat": "Still ongoing, not acknowledged",
        "resolved": "Activity recovered",
        "region_item": "whole region",
        "platform_item": "platform data",
        "since": "since {start}",
        "loss": "{pct}% lost ({metric}: expected {expected}, observed {observed})",
        "report": "Report: {report}",
        "ack": "Acknowledge: monitor alerts ack {alert_id}",
    },
}
EVENTS = ("firing", "repeat", "resolved")


def where(payload: dict) -> str:
    t = TEXT[payload["language"]]
    if payload["group"] == "national":
        return t["national"]
    return region_name(payload["group"], payload["language"])


def subject(payload: dict) -> str:
    t = TEXT[payload["language"]]
    counts = {e: sum(i["event"] == e for i in payload["items"]) for e in EVENTS}
    parts = [f"{t[e]}: {n}" for e, n in counts.items() if n]
    return t["title"].format(where=where(payload)) + " — " + "; ".join(parts)


def item_label(item: dict, language: str) -> str:
    t = TEXT[language]
    if item["scope"] == "region":
        return f"{t['region_item']} {item['region']}"
    if item["scope"] == "platform":
        return t["platform_item"]
    name = item.get("institution_name") or item["institution_id"]
    return f"{name} ({item['institution_id']})"


def render_text(payload: dict) -> str:
    """Plain text: a title, then one section per event kind listing the institutions."""
    language = payload["language"]
    t = TEXT[language]
    lines = [t["title"].format(where=where(payload))]
    for event in EVENTS:
        items = [i for i in payload["items"] if i["event"] == event]
        if not items:
            continue
        lines += ["", f"{t[event]} ({len(items)}):"]
        for item in items:
            lines.append(f"• {item_label(item, language)} — {_details(item, t)}")
            if item.get("explanation"):
                lines.append(f"  {item['explanation']}")
            if event != "resolved":
                lines.append("  " + t["ack"].format(alert_id=item["alert_id"]))
    if payload.get("report"):
        lines += ["", t["report"].format(report=payload["report"])]
    return "\n".join(lines)


def _details(item: dict, t: dict) -> str:
    parts = []
    if item.get("start"):
        parts.append(t["since"].format(start=item["start"]))
    if item.get("severity") is not None:
        parts.append(t["loss"].format(
            pct=round(100 * item["severity"]), metric=item["metric"],
            expected=_num(item["expected"]), observed=_num(item["observed"]),
        ))
    return ", ".join(parts)


def _num(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:.0f}" if abs(value) >= 10 else f"{value:.1f}"
