"""One module per receiver kind; each exposes `send(config, payload, settings)`.

`config` is the receiver's table from [alerts.receivers.NAME]; `payload` the stored
notification (see monitor.alerts.planning). A failed send raises DeliveryError and is retried.
"""

from __future__ import annotations

from typing import Callable

from monitor.errors import MonitorError


class DeliveryError(MonitorError):
    """A receiver could not be reached or refused the message; it will be retried."""


def sender_for(kind: str) -> Callable:
    from monitor.alerts.receivers import alertmanager, mail, slack, telegram, webhook

    return {
        "email": mail.send,
        "telegram": telegram.send,
        "slack": slack.send,
        "webhook": webhook.send,
        "alertmanager": alertmanager.send,
    }[kind]
