"""The weekly report as one MIME message (pure: time and addresses are passed in).

    multipart/mixed
      multipart/alternative
        text/plain                 the plain-text alternative
        multipart/related
          text/html                the e-mail body, images referenced as cid:
          image/png ...            one sparkline per listed institution
      text/html (attachment)       the full, self-contained browser report
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import format_datetime

from reports.context import WeeklyContext
from reports.render import render_browser, render_email, subject

MAX_HTML_BYTES = 100 * 1024  # Gmail clips larger bodies


def report_filename(ctx: WeeklyContext) -> str:
    scope = f"-{ctx.scope_code}" if ctx.scope_code else ""
    return f"continuity-{ctx.week}{scope}-{ctx.lang}.html"


def weekly_message(
    ctx: WeeklyContext,
    to: list[str],
    sender: str,
    now: dt.datetime,
    episodes: int = 15,
    contacts: int = 20,
) -> EmailMessage:
    body = render_email(ctx, episodes=episodes, contacts=contacts)
    size = len(body.html.encode("utf-8"))
    if size > MAX_HTML_BYTES:
        # A bug in the limits, not a user error: the body must stay unclipped.
        raise ValueError(f"e-mail HTML is {size} bytes, over {MAX_HTML_BYTES}; lower the limits")
    message = EmailMessage()
    message["Subject"] = subject(ctx)
    message["From"] = sender
    if to:
        message["To"] = ", ".join(to)
    message["Date"] = format_datetime(now)
    message["Content-Language"] = ctx.lang
    message.set_content(body.text, subtype="plain", charset="utf-8")
    message.add_alternative(body.html, subtype="html", charset="utf-8")
    html_part = message.get_payload()[1]
    for cid, png in body.images:
        html_part.add_related(png, "image", "png", cid=f"<{cid}>", disposition="inline",
                              filename=cid.split("@")[0] + ".png")
    message.add_attachment(
        render_browser(ctx), subtype="html", charset="utf-8", filename=report_filename(ctx)
    )
    return message
