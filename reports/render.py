"""Rendering the weekly report: one Jinja environment, three outputs.

- `render_browser`: a self-contained page (styles inline, images as data: URIs).
- `render_email`: the e-mail body (styles inline, no script, no SVG, images as cid: references
  returned alongside) and its plain-text alternative.

Templates only loop and branch over the prepared context. Formatting of numbers and dates is
done by filters that read the report's locale from the render context; the texts come from the
gettext catalogs in reports/locale. Nothing is marked safe: every string, translated or not, is
escaped, because names and contacts come from a directory file that anyone could have written.
"""

from __future__ import annotations

import base64
import datetime as dt
import gettext
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from babel.dates import format_date, format_interval
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape

from reports.context import WeeklyContext
from reports.labels import labels
from reports.png import sparkline_png
from reports.tiles import COLUMNS, GRID, LEGEND_ORDER, PALETTE, ROWS

LANGUAGES = ("uk", "en")
LOCALE_DIR = Path(__file__).parent / "locale"

# Inline styles, shared by the browser page and the e-mail (Gmail and Outlook ignore <style>).
# Plain declarations only: no quotes, so autoescaping leaves them unchanged.
STYLES = {
    "body": "margin:0;padding:0;background:#f4f4f4;font-family:Arial,Helvetica,sans-serif;"
    "color:#1a1a1a;font-size:14px;line-height:1.4",
    "page": "max-width:760px;margin:0 auto;background:#ffffff;padding:16px",
    "h1": "font-size:22px;margin:0 0 4px 0",
    "h2": "font-size:18px;margin:24px 0 8px 0;border-bottom:2px solid #1a1a1a;padding-bottom:2px",
    "sub": "color:#444444;margin:0 0 12px 0",
    "table": "border-collapse:collapse;width:100%;font-size:13px",
    "th": "text-align:left;border-bottom:1px solid #888888;padding:4px 6px;background:#eeeeee",
    "td": "border-bottom:1px solid #dddddd;padding:4px 6px;vertical-align:top",
    "num": "border-bottom:1px solid #dddddd;padding:4px 6px;text-align:right;white-space:nowrap",
    "big": "font-size:28px;font-weight:bold",
    "kpi": "padding:8px 12px;border:1px solid #cccccc;vertical-align:top;width:33%",
    "tile": "width:64px;height:52px;text-align:center;font-size:11px;border:2px solid #ffffff;"
    "padding:2px",
    "empty": "width:64px;height:52px;border:2px solid #ffffff",
    "swatch": "display:inline-block;width:14px;height:14px;border:1px solid #666666;"
    "vertical-align:middle",
    "day_on": "background:#d7191c;color:#ffffff;text-align:center;font-size:11px;"
    "border:1px solid #ffffff;width:18px",
    "day_off": "background:#f0f0f0;color:#888888;text-align:center;font-size:11px;"
    "border:1px solid #ffffff;width:18px",
    "note": "color:#444444;font-size:12px",
    "name": "border-bottom:1px solid #dddddd;padding:4px 6px;vertical-align:top;"
    "word-break:break-word;max-width:260px",
}


@lru_cache(maxsize=None)
def translations(lang: str) -> gettext.NullTranslations:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown report language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return gettext.translation("messages", LOCALE_DIR, languages=[lang])


def _locale(ctx: Any) -> str:
    return "uk_UA" if ctx["lang"] == "uk" else "en_GB"


@pass_context
def _num(ctx: Any, value: float | None, digits: int = 0) -> str:
    _ = ctx["_"]
    if value is None:
        return _("n/a")
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=_locale(ctx))


@pass_context
def _pct(ctx: Any, value: float | None) -> str:
    _ = ctx["_"]
    if value is None:
        return _("n/a")
    return format_percent(value, "#,##0%", locale=_locale(ctx))


@pass_context
def _pp(ctx: Any, change: float | None) -> str:
    """A change of the index in percentage points, always signed."""
    _ = ctx["_"]
    if change is None:
        return _("n/a")
    points = format_decimal(abs(change) * 100, "0.0", locale=_locale(ctx))
    sign = "±" if round(abs(change) * 100, 1) == 0 else ("+" if change > 0 else "−")
    return _("%(sign)s%(points)s pp") % {"sign": sign, "points": points}


@pass_context
def _date(ctx: Any, value: dt.date | None, form: str = "medium") -> str:
    if value is None:
        return "…"
    patterns = {"medium": "d MMM y", "day": "EEEEEE d"}
    return format_date(value, patterns[form], locale=_locale(ctx))


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(
            enabled_extensions=("html",), disabled_extensions=("txt",), default=True
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(num=_num, pct=_pct, pp=_pp, date=_date)
    return env


ENV = _environment()

# How much of each list a rendering shows; the counts of the rest are printed.
BROWSER_LIMITS = (500, 100)  # episodes per list, contacts


def _tile_rows(ctx: WeeklyContext) -> list[list[Any]]:
    """The map as table rows: a RegionRow where a region sits, None for sea and borders."""
    by_code = {r.code: r for r in ctx.regions}
    rows: list[list[Any]] = [[None] * COLUMNS for _ in range(ROWS)]
    for code, (row, column) in GRID.items():
        rows[row][column] = by_code.get(code)
    return rows


def _variables(ctx: WeeklyContext, full: WeeklyContext, spark_src: dict[str, str]) -> dict:
    tr = translations(ctx.lang)
    locale = "uk_UA" if ctx.lang == "uk" else "en_GB"
    start, end = ctx.week_start, ctx.week_end
    year, number = ctx.week.split("-W")
    return {
        "c": ctx,
        "lang": ctx.lang,
        "_": tr.gettext,
        "ngettext": tr.ngettext,
        "s": STYLES,
        "label": labels(tr.gettext),
        "palette": PALETTE,
        "legend": LEGEND_ORDER,
        "tiles": _tile_rows(ctx),
        "spark_src": spark_src,
        "more": {
            "new": full.episode_totals[0] - len(ctx.new_episodes),
            "ongoing": full.episode_totals[1] - len(ctx.ongoing_episodes),
            "resolved": full.episode_totals[2] - len(ctx.resolved_episodes),
            "contacts": len(full.contacts) - len(ctx.contacts),
        },
        "week_label": tr.gettext("Week %(number)s of %(year)s") % {"number": int(number), "year": year},
        "week_range": format_interval(start, end, "yMMMd", locale=locale),
    }


def _sparklines(ctx: WeeklyContext) -> dict[str, bytes]:
    return {
        row.institution_id: sparkline_png(row.sparkline.values, row.sparkline.expected)
        for row in ctx.contacts
    }


def render_browser(full: WeeklyContext) -> str:
    """The self-contained page: open it anywhere, nothing is fetched."""
    ctx = full.truncated(*BROWSER_LIMITS)
    src = {
        key: "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        for key, png in _sparklines(ctx).items()
    }
    return ENV.get_template("browser.html").render(_variables(ctx, full, src))


@dataclass(frozen=True)
class EmailBody:
    html: str
    text: str
    images: tuple[tuple[str, bytes], ...]  # (content id without brackets, PNG bytes)


def render_email(full: WeeklyContext, episodes: int = 15, contacts: int = 20) -> EmailBody:
    ctx = full.truncated(episodes, contacts)
    pngs = _sparklines(ctx)
    # Content ids are derived from the week and row, not the host name: rendering stays pure.
    cids = {key: f"spark{i}.{ctx.week}@continuity-monitor" for i, key in enumerate(pngs)}
    variables = _variables(ctx, full, {key: f"cid:{cid}" for key, cid in cids.items()})
    html = ENV.get_template("email.html").render(variables)
    text = ENV.get_template("report.txt").render(variables)
    return EmailBody(html, text, tuple((cids[key], pngs[key]) for key in pngs))


def subject(ctx: WeeklyContext) -> str:
    tr = translations(ctx.lang)
    return tr.gettext("Learning continuity, week %(week)s: %(scope)s") % {
        "week": ctx.week, "scope": ctx.scope_name,
    }


def gettext_for(lang: str) -> Callable[[str], str]:
    return translations(lang).gettext
