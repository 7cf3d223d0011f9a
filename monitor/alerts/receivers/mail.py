"""E-mail receiver: one message per notification over SMTP ([smtp] settings)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate

from monitor.alerts.messages import render_text, subject
from monitor.alerts.receivers import DeliveryError
from monitor.mail import MailError, send_message


def send(config: dict[str, str], payload: dict, settings) -> None:
    message = EmailMessage()
    message["Subject"] = subject(payload)
    message["To"] = ", ".join(a.strip() for a in config["to"].split(";") if a.strip())
    message["Date"] = formatdate(localtime=False)
    # The idempotency key as Message-ID lets mail systems drop a re-sent duplicate.
    message["Message-ID"] = f"<{payload['key']}@continuity-monitor>"
    message["X-Idempotency-Key"] = payload["key"]
    message.set_content(render_text(payload))
    try:
        send_message(settings.smtp, message)
    except MailError as exc:
        raise DeliveryError(str(exc)) from None
