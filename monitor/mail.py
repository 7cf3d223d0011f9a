"""Sending e-mail over real SMTP, for reports and alert receivers alike."""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage

from monitor.errors import MonitorError
from monitor.settings import SmtpSettings

PASSWORD_ENV = "MONITOR_SMTP_PASSWORD"


class MailError(MonitorError):
    """The SMTP server refused or could not be reached."""


def send_message(smtp: SmtpSettings, message: EmailMessage) -> None:
    """Send one message; raises MailError with the server's answer on failure."""
    if not message["From"]:
        message["From"] = smtp.from_address
    try:
        if smtp.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=smtp.timeout_seconds,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
        with client:
            if smtp.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if smtp.username:
                password = os.environ.get(PASSWORD_ENV, "")
                if not password:
                    raise MailError(
                        f"{PASSWORD_ENV} is not set; export the SMTP password for {smtp.username}"
                    )
                client.login(smtp.username, password)
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(
            f"could not send e-mail via {smtp.host}:{smtp.port} ({exc}); "
            "check the [smtp] settings and that the server is up"
        ) from None
